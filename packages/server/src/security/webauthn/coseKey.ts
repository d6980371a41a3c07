/** COSE public keys: validation and import for the supported algorithms, and the stored-key cache. */
import { createPublicKey, type KeyObject } from 'node:crypto';
import { encodeBase64Url } from './base64url.js';
import { decodeCborAll, type CborValue } from './cbor.js';
import { WebAuthnVerificationError, describe } from './errors.js';

/** COSE algorithms Latchkey accepts for new credentials (same set as Cognito). */
export const SUPPORTED_ALGORITHMS: readonly number[] = Object.freeze([-7, -8, -257]);

/** A COSE key imported for node:crypto, with the algorithm that decides how to verify with it. */
export interface ImportedKey {
  alg: number;
  key: KeyObject;
}

/**
 * Validates a COSE public key (supported algorithm, curve, sizes) and imports it: a key node:crypto
 * cannot import is refused at registration rather than at every later sign-in.
 * @throws WebAuthnVerificationError `ERR_WEBAUTHN_ALGORITHM_NOT_SUPPORTED` | `ERR_WEBAUTHN_PUBLIC_KEY_INVALID`.
 */
export function importCoseKey(key: Map<CborValue, CborValue>): ImportedKey {
  const unsupported = (msg: string) => new WebAuthnVerificationError('ERR_WEBAUTHN_ALGORITHM_NOT_SUPPORTED', msg);
  const invalid = (msg: string, cause?: unknown) => new WebAuthnVerificationError('ERR_WEBAUTHN_PUBLIC_KEY_INVALID', msg, { cause });
  const kty = key.get(1);
  const alg = key.get(3);
  if (typeof alg !== 'number') throw unsupported('credential public key has no numeric alg');
  if (!SUPPORTED_ALGORITHMS.includes(alg)) throw unsupported(`unsupported COSE algorithm ${alg}`);
  const bytes = (label: number): Uint8Array => {
    const v = key.get(label);
    if (!(v instanceof Uint8Array)) throw invalid(`COSE key parameter ${label} is missing`);
    return v;
  };
  let jwk: Record<string, string>;
  if (alg === -7) {
    if (kty !== 2 || key.get(-1) !== 1) throw invalid('ES256 key must be EC2 on P-256');
    const x = bytes(-2);
    const y = bytes(-3);
    if (x.length !== 32 || y.length !== 32) throw invalid('ES256 key coordinates must be 32 bytes');
    jwk = { kty: 'EC', crv: 'P-256', x: encodeBase64Url(x), y: encodeBase64Url(y) };
  } else if (alg === -8) {
    if (kty !== 1 || key.get(-1) !== 6) throw invalid('EdDSA key must be OKP on Ed25519');
    const x = bytes(-2);
    if (x.length !== 32) throw invalid('Ed25519 key must be 32 bytes');
    jwk = { kty: 'OKP', crv: 'Ed25519', x: encodeBase64Url(x) };
  } else {
    if (kty !== 3) throw invalid('RS256 key must be RSA');
    const n = bytes(-1);
    const e = bytes(-2);
    const bits = (n.length - (n[0] === 0 ? 1 : 0)) * 8;
    if (bits < 2048 || bits > 8192) throw invalid(`RSA modulus of ${bits} bits is not supported`);
    jwk = { kty: 'RSA', n: encodeBase64Url(n), e: encodeBase64Url(e) };
  }
  try {
    return { alg, key: createPublicKey({ key: jwk, format: 'jwk' }) };
  } catch (err) {
    throw invalid(`credential public key is not a valid key: ${describe(err)}`, err);
  }
}

/**
 * Imported stored credential keys, keyed by their COSE bytes: a passkey's key never changes, so each
 * is parsed and imported once per process (bounded; oldest entries are dropped first).
 */
const storedKeys = new Map<string, ImportedKey>();
const STORED_KEYS_MAX = 10_000;

/**
 * The imported key for stored COSE bytes. They came from our own storage, so a failure here is the
 * server's fault, not the client's.
 * @throws WebAuthnVerificationError `ERR_WEBAUTHN_STORED_KEY_INVALID`.
 */
export function storedKeyObject(publicKey: Uint8Array): ImportedKey {
  const id = Buffer.from(publicKey).toString('base64');
  const hit = storedKeys.get(id);
  if (hit) return hit;
  const invalid = (msg: string, cause?: unknown) => new WebAuthnVerificationError('ERR_WEBAUTHN_STORED_KEY_INVALID', msg, { cause });
  let decoded: CborValue;
  try {
    decoded = decodeCborAll(publicKey);
  } catch (err) {
    throw invalid(`stored public key is not CBOR: ${describe(err)}`, err);
  }
  if (!(decoded instanceof Map)) throw invalid('stored public key is not a COSE map');
  let entry: ImportedKey;
  try {
    entry = importCoseKey(decoded);
  } catch (err) {
    if (err instanceof WebAuthnVerificationError) throw invalid(`stored public key: ${err.message}`, err);
    throw err;
  }
  if (storedKeys.size >= STORED_KEYS_MAX) storedKeys.delete(storedKeys.keys().next().value!);
  storedKeys.set(id, entry);
  return entry;
}

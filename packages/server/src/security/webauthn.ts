/**
 * WebAuthn verification core: registration (attestation) and authentication (assertion) responses.
 *
 * Structure, client data, authenticator data, origin, RP ID, flags and algorithm are checked here,
 * in that order, so that every failure maps to exactly one Cognito error name. Attestation statements
 * are verified by @simplewebauthn/server v14 (its errors never reach the client — their text goes into
 * the `detail` of the error we throw); assertion signatures are verified here with node:crypto.
 *
 * Error mapping (see docs/verification-api.md for the full table):
 *   malformed input                         → InvalidParameterException
 *   registration: wrong type / challenge    → WebAuthnChallengeNotFoundException
 *   authentication: wrong type / challenge  → NotAuthorizedException
 *   origin not allowed, crossOrigin, topOrigin → WebAuthnOriginNotAllowedException
 *   rpIdHash ≠ SHA-256(rpId)                → WebAuthnRelyingPartyMismatchException
 *   registration: UP or required UV missing, algorithm not -7/-8/-257, bad key,
 *                 unsupported format or failed attestation statement → WebAuthnCredentialNotSupportedException
 *   authentication: UP or required UV missing, bad signature, sign counter not increasing,
 *                   credential id ≠ stored id → NotAuthorizedException
 *   bad server-side input (options, stored credential) → InternalErrorException
 */
import { createHash, createPublicKey, randomBytes, timingSafeEqual, verify as verifySignature, type KeyObject } from 'node:crypto';
import { verifyRegistrationResponse } from '@simplewebauthn/server';
import {
  InternalErrorException,
  InvalidParameterException,
  NotAuthorizedException,
  ServiceError,
  WebAuthnChallengeNotFoundException,
  WebAuthnCredentialNotSupportedException,
  WebAuthnOriginNotAllowedException,
  WebAuthnRelyingPartyMismatchException,
} from '../protocol/errors.js';
import { isOriginAllowed, normalizeRpId } from './origins.js';

export { isOriginAllowed } from './origins.js';

// ---------------------------------------------------------------------------------------------
// Public types
// ---------------------------------------------------------------------------------------------

export type UserVerificationSetting = 'required' | 'preferred';

export interface VerifyRegistrationInput {
  /** W3C `RegistrationResponseJSON` (object, or its JSON text). Untrusted. */
  credential: unknown;
  /** The base64url challenge that was sent in the creation options. */
  expectedChallenge: string;
  /** Origins allowed in addition to the RP ID rule (see `isOriginAllowed`). */
  expectedOrigins: readonly string[];
  rpId: string;
  userVerification: UserVerificationSetting;
  /**
   * 'none' (default): the attestation statement is parsed but not relied upon; any format is accepted.
   * 'direct': the statement must be a known format and must verify (packed, fido-u2f, tpm,
   * android-key, android-safetynet, apple; 'none' has nothing to verify and is accepted).
   */
  attestation?: 'none' | 'direct';
}

export interface VerifiedRegistration {
  /** base64url, no padding; equal to the response's `id`. */
  credentialId: string;
  /** COSE_Key bytes exactly as the authenticator produced them. */
  publicKey: Uint8Array;
  /** COSE algorithm: -7 (ES256), -8 (EdDSA) or -257 (RS256). */
  algorithm: number;
  signCount: number;
  /** Lowercase UUID; all zeros when the authenticator does not disclose it. */
  aaguid: string;
  /** The attestation statement format the authenticator used. */
  fmt: string;
  backupEligible: boolean;
  backupState: boolean;
  userVerified: boolean;
  transports: string[];
  authenticatorAttachment?: string;
  credProps?: { rk?: boolean };
}

export interface StoredCredential {
  /** base64url; when given it must equal the assertion's credential id. */
  credentialId?: string;
  /** COSE_Key bytes as returned by `verifyRegistration`. */
  publicKey: Uint8Array;
  signCount: number;
  transports?: string[];
}

export interface VerifyAuthenticationInput {
  /** W3C `AuthenticationResponseJSON` (object, or its JSON text). Untrusted. */
  credential: unknown;
  expectedChallenge: string;
  expectedOrigins: readonly string[];
  rpId: string;
  userVerification: UserVerificationSetting;
  storedCredential: StoredCredential;
  /** Accept (and flag) a sign count that did not increase — e.g. for synced credentials. */
  allowCounterRegression?: boolean;
}

export interface VerifiedAuthentication {
  /** The counter the authenticator reported (store `max(stored, newSignCount)`). */
  newSignCount: number;
  userVerified: boolean;
  backupState: boolean;
  backupEligible: boolean;
  /** true only when `allowCounterRegression` let a non-increasing counter through. */
  counterRegressed: boolean;
  credentialId: string;
  /** base64url (canonical, no padding) of `response.userHandle`, when the client sent one. */
  userHandle?: string;
}

/** COSE algorithms Latchkey accepts for new credentials (same set as Cognito). */
export const SUPPORTED_ALGORITHMS: readonly number[] = Object.freeze([-7, -8, -257]);

const ATTESTATION_FORMATS = new Set(['none', 'packed', 'fido-u2f', 'tpm', 'android-key', 'android-safetynet', 'apple']);

// ---------------------------------------------------------------------------------------------
// Small helpers
// ---------------------------------------------------------------------------------------------

/** Each base64url field is capped; SafetyNet attestation objects (the largest real ones) are ~25 KiB. */
const MAX_FIELD_CHARS = 128 * 1024;
const MAX_CREDENTIAL_ID_BYTES = 1023;

const invalid = (message: string, detail?: string) => new InvalidParameterException(message, detail ?? message);

function describe(err: unknown): string {
  if (err instanceof Error) return `${err.name}: ${err.message}`;
  return String(err);
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array);
}

/**
 * Strict base64url: alphabet `A-Z a-z 0-9 - _`, optional correct `=` padding, canonical trailing bits.
 * Standard base64 (`+` `/`), whitespace and impossible lengths are rejected.
 */
export function decodeBase64Url(value: unknown, field: string, { allowEmpty = false } = {}): Uint8Array {
  if (typeof value !== 'string') throw invalid(`${field} must be a base64url string.`);
  if (value.length > MAX_FIELD_CHARS) throw invalid(`${field} is too long.`);
  if (!/^[A-Za-z0-9_-]*={0,2}$/.test(value)) throw invalid(`${field} is not valid base64url.`, `${field}: illegal character`);
  const body = value.replace(/=+$/, '');
  if (body.length !== value.length && value.length % 4 !== 0) throw invalid(`${field} is not valid base64url.`, `${field}: bad padding`);
  if (body.length % 4 === 1) throw invalid(`${field} is not valid base64url.`, `${field}: impossible length`);
  const bytes = Buffer.from(body, 'base64url');
  if (bytes.toString('base64url') !== body) throw invalid(`${field} is not valid base64url.`, `${field}: non-canonical encoding`);
  if (!allowEmpty && bytes.length === 0) throw invalid(`${field} must not be empty.`);
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length);
}

const toB64u = (bytes: Uint8Array): string => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64url');

/** Random challenge, base64url without padding (16 bytes → 22 characters, as Cognito). */
export function randomChallenge(bytes = 16): string {
  if (!Number.isInteger(bytes) || bytes < 16 || bytes > 64) throw new RangeError('challenge size must be 16..64 bytes');
  return randomBytes(bytes).toString('base64url');
}

/** Canonical base64url form of a credential id (strips padding; validates). */
export function parseCredentialId(id: unknown): string {
  return toB64u(decodeBase64Url(id, 'credential id'));
}

const sha256 = (data: Uint8Array | string): Buffer => createHash('sha256').update(data).digest();

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

// ---------------------------------------------------------------------------------------------
// Minimal strict CBOR decoder (RFC 8949 subset used by WebAuthn: definite lengths only)
// ---------------------------------------------------------------------------------------------

export type CborValue = number | bigint | string | boolean | null | undefined | Uint8Array | CborValue[] | Map<CborValue, CborValue>;

class CborError extends Error {}

const MAX_CBOR_DEPTH = 16;
const MAX_CBOR_ITEMS = 10_000;

/** Decode the first CBOR item in `data`; returns the value and the number of bytes it used. */
export function decodeCborFirst(data: Uint8Array): { value: CborValue; length: number } {
  let pos = 0;
  let items = 0;
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);

  const need = (n: number) => {
    if (pos + n > data.length) throw new CborError('unexpected end of CBOR data');
  };
  const readArg = (info: number): number | bigint => {
    if (info < 24) return info;
    if (info === 24) {
      need(1);
      return data[pos++];
    }
    if (info === 25) {
      need(2);
      const v = view.getUint16(pos);
      pos += 2;
      return v;
    }
    if (info === 26) {
      need(4);
      const v = view.getUint32(pos);
      pos += 4;
      return v;
    }
    if (info === 27) {
      need(8);
      const v = view.getBigUint64(pos);
      pos += 8;
      return v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
    }
    throw new CborError(info === 31 ? 'indefinite-length CBOR items are not allowed' : `reserved CBOR additional info ${info}`);
  };
  const readLen = (info: number): number => {
    const n = readArg(info);
    if (typeof n !== 'number') throw new CborError('CBOR length too large');
    return n;
  };
  const item = (depth: number): CborValue => {
    if (depth > MAX_CBOR_DEPTH) throw new CborError('CBOR nesting too deep');
    if (++items > MAX_CBOR_ITEMS) throw new CborError('too many CBOR items');
    need(1);
    const initial = data[pos++];
    const major = initial >> 5;
    const info = initial & 0x1f;
    switch (major) {
      case 0:
        return readArg(info);
      case 1: {
        const n = readArg(info);
        return typeof n === 'number' ? -1 - n : -1n - n;
      }
      case 2: {
        const len = readLen(info);
        need(len);
        const out = data.slice(pos, pos + len);
        pos += len;
        return out;
      }
      case 3: {
        const len = readLen(info);
        need(len);
        let text: string;
        try {
          text = new TextDecoder('utf-8', { fatal: true }).decode(data.subarray(pos, pos + len));
        } catch {
          throw new CborError('invalid UTF-8 in CBOR text string');
        }
        pos += len;
        return text;
      }
      case 4: {
        const len = readLen(info);
        if (len > data.length - pos) throw new CborError('CBOR array longer than the data');
        const arr: CborValue[] = [];
        for (let i = 0; i < len; i++) arr.push(item(depth + 1));
        return arr;
      }
      case 5: {
        const len = readLen(info);
        if (len * 2 > data.length - pos) throw new CborError('CBOR map longer than the data');
        const map = new Map<CborValue, CborValue>();
        for (let i = 0; i < len; i++) {
          const key = item(depth + 1);
          if (typeof key !== 'number' && typeof key !== 'string' && typeof key !== 'bigint') {
            throw new CborError('CBOR map keys must be integers or text');
          }
          if (map.has(key)) throw new CborError('duplicate CBOR map key');
          map.set(key, item(depth + 1));
        }
        return map;
      }
      case 6:
        throw new CborError('CBOR tags are not allowed');
      default: {
        // major 7: simple values and floats
        if (info === 20) return false;
        if (info === 21) return true;
        if (info === 22) return null;
        if (info === 23) return undefined;
        if (info === 25) {
          need(2);
          const v = halfToFloat(view.getUint16(pos));
          pos += 2;
          return v;
        }
        if (info === 26) {
          need(4);
          const v = view.getFloat32(pos);
          pos += 4;
          return v;
        }
        if (info === 27) {
          need(8);
          const v = view.getFloat64(pos);
          pos += 8;
          return v;
        }
        throw new CborError(`unsupported CBOR simple value ${info}`);
      }
    }
  };
  const value = item(0);
  return { value, length: pos };
}

function halfToFloat(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const f = h & 0x3ff;
  if (e === 0) return s * 2 ** -14 * (f / 1024);
  if (e === 31) return f ? NaN : s * Infinity;
  return s * 2 ** (e - 15) * (1 + f / 1024);
}

/** Decode exactly one CBOR item that fills `data`. */
export function decodeCborAll(data: Uint8Array): CborValue {
  const { value, length } = decodeCborFirst(data);
  if (length !== data.length) throw new CborError(`${data.length - length} trailing bytes after CBOR item`);
  return value;
}

// Minimal encoder, used only to rewrite an attestation object as fmt "none" (see verifyRegistration).
function cborHead(major: number, n: number): Uint8Array {
  if (n < 24) return Uint8Array.of((major << 5) | n);
  if (n < 0x100) return Uint8Array.of((major << 5) | 24, n);
  if (n < 0x10000) return Uint8Array.of((major << 5) | 25, n >> 8, n & 0xff);
  return Uint8Array.of((major << 5) | 26, (n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff);
}
const cborText = (s: string) => {
  const b = Buffer.from(s, 'utf8');
  return Buffer.concat([cborHead(3, b.length), b]);
};
function noneAttestationObject(authData: Uint8Array): Uint8Array {
  return new Uint8Array(
    Buffer.concat([
      cborHead(5, 3),
      cborText('fmt'),
      cborText('none'),
      cborText('attStmt'),
      cborHead(5, 0),
      cborText('authData'),
      cborHead(2, authData.length),
      authData,
    ]),
  );
}

// ---------------------------------------------------------------------------------------------
// clientDataJSON and authenticator data
// ---------------------------------------------------------------------------------------------

interface ClientData {
  type: string;
  challenge: string;
  origin: string;
  crossOrigin?: boolean;
  topOrigin?: string;
}

function parseClientData(field: unknown): { clientData: ClientData; raw: Uint8Array } {
  const raw = decodeBase64Url(field, 'clientDataJSON');
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(raw);
  } catch {
    throw invalid('clientDataJSON is not valid UTF-8.');
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw invalid('clientDataJSON is not valid JSON.', `clientDataJSON: ${describe(err)}`);
  }
  if (!isPlainObject(parsed)) throw invalid('clientDataJSON must be a JSON object.');
  const { type, challenge, origin, crossOrigin, topOrigin } = parsed;
  if (typeof type !== 'string') throw invalid('clientDataJSON.type is missing.');
  if (typeof challenge !== 'string') throw invalid('clientDataJSON.challenge is missing.');
  if (typeof origin !== 'string') throw invalid('clientDataJSON.origin is missing.');
  if (crossOrigin !== undefined && typeof crossOrigin !== 'boolean') throw invalid('clientDataJSON.crossOrigin must be a boolean.');
  if (topOrigin !== undefined && typeof topOrigin !== 'string') throw invalid('clientDataJSON.topOrigin must be a string.');
  const tokenBinding = parsed.tokenBinding;
  if (tokenBinding !== undefined) {
    if (
      !isPlainObject(tokenBinding) ||
      !['present', 'supported', 'not-supported', 'notSupported'].includes(tokenBinding.status as string)
    ) {
      throw invalid('clientDataJSON.tokenBinding is malformed.');
    }
  }
  return { clientData: { type, challenge, origin, crossOrigin, topOrigin }, raw };
}

export interface ParsedAuthenticatorData {
  rpIdHash: Uint8Array;
  flags: { up: boolean; uv: boolean; be: boolean; bs: boolean; at: boolean; ed: boolean; value: number };
  signCount: number;
  aaguid?: Uint8Array;
  credentialId?: Uint8Array;
  /** Raw COSE_Key bytes (a slice of the authenticator data). */
  credentialPublicKey?: Uint8Array;
  cosePublicKey?: Map<CborValue, CborValue>;
  extensions?: Map<CborValue, CborValue>;
}

/** Parse authenticator data (WebAuthn §6.1). Throws InvalidParameterException on any malformation. */
export function parseAuthenticatorData(data: Uint8Array, field = 'authenticatorData'): ParsedAuthenticatorData {
  if (data.length < 37) throw invalid(`${field} is truncated.`, `${field}: ${data.length} bytes, need at least 37`);
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const flagsByte = data[32];
  const flags = {
    up: (flagsByte & 0x01) !== 0,
    uv: (flagsByte & 0x04) !== 0,
    be: (flagsByte & 0x08) !== 0,
    bs: (flagsByte & 0x10) !== 0,
    at: (flagsByte & 0x40) !== 0,
    ed: (flagsByte & 0x80) !== 0,
    value: flagsByte,
  };
  const out: ParsedAuthenticatorData = { rpIdHash: data.slice(0, 32), flags, signCount: view.getUint32(33) };
  let pos = 37;
  try {
    if (flags.at) {
      if (data.length < pos + 18) throw new CborError('attested credential data is truncated');
      out.aaguid = data.slice(pos, pos + 16);
      const idLen = view.getUint16(pos + 16);
      pos += 18;
      if (idLen === 0 || idLen > MAX_CREDENTIAL_ID_BYTES) throw new CborError(`credential id length ${idLen} is out of range`);
      if (data.length < pos + idLen) throw new CborError('credential id is truncated');
      out.credentialId = data.slice(pos, pos + idLen);
      pos += idLen;
      const { value, length } = decodeCborFirst(data.subarray(pos));
      if (!(value instanceof Map)) throw new CborError('credential public key is not a CBOR map');
      out.credentialPublicKey = data.slice(pos, pos + length);
      out.cosePublicKey = value;
      pos += length;
    }
    if (flags.ed) {
      const { value, length } = decodeCborFirst(data.subarray(pos));
      if (!(value instanceof Map)) throw new CborError('extension data is not a CBOR map');
      out.extensions = value;
      pos += length;
    }
  } catch (err) {
    if (err instanceof CborError) throw invalid(`${field} is malformed.`, `${field}: ${err.message}`);
    throw err;
  }
  if (pos !== data.length) throw invalid(`${field} is malformed.`, `${field}: ${data.length - pos} unexpected trailing bytes`);
  if (flags.bs && !flags.be) throw invalid(`${field} is malformed.`, `${field}: backup state set without backup eligibility`);
  return out;
}

// ---------------------------------------------------------------------------------------------
// COSE keys
// ---------------------------------------------------------------------------------------------

/**
 * Validate a COSE public key and that it really is a usable key for its algorithm.
 * Returns the algorithm; throws `onError` for anything unsupported.
 */
function checkCoseKey(key: Map<CborValue, CborValue>, onError: (msg: string) => ServiceError): number {
  return importCoseKey(key, onError).alg;
}

/** Validates a COSE public key (supported algorithm, curve, sizes) and imports it. */
function importCoseKey(key: Map<CborValue, CborValue>, onError: (msg: string) => ServiceError): { alg: number; key: KeyObject } {
  const kty = key.get(1);
  const alg = key.get(3);
  if (typeof alg !== 'number') throw onError('credential public key has no numeric alg');
  if (!SUPPORTED_ALGORITHMS.includes(alg)) throw onError(`unsupported COSE algorithm ${alg}`);
  const bytes = (label: number): Uint8Array => {
    const v = key.get(label);
    if (!(v instanceof Uint8Array)) throw onError(`COSE key parameter ${label} is missing`);
    return v;
  };
  let jwk: Record<string, string>;
  if (alg === -7) {
    if (kty !== 2 || key.get(-1) !== 1) throw onError('ES256 key must be EC2 on P-256');
    const x = bytes(-2);
    const y = bytes(-3);
    if (x.length !== 32 || y.length !== 32) throw onError('ES256 key coordinates must be 32 bytes');
    jwk = { kty: 'EC', crv: 'P-256', x: toB64u(x), y: toB64u(y) };
  } else if (alg === -8) {
    if (kty !== 1 || key.get(-1) !== 6) throw onError('EdDSA key must be OKP on Ed25519');
    const x = bytes(-2);
    if (x.length !== 32) throw onError('Ed25519 key must be 32 bytes');
    jwk = { kty: 'OKP', crv: 'Ed25519', x: toB64u(x) };
  } else {
    if (kty !== 3) throw onError('RS256 key must be RSA');
    const n = bytes(-1);
    const e = bytes(-2);
    const bits = (n.length - (n[0] === 0 ? 1 : 0)) * 8;
    if (bits < 2048 || bits > 8192) throw onError(`RSA modulus of ${bits} bits is not supported`);
    jwk = { kty: 'RSA', n: toB64u(n), e: toB64u(e) };
  }
  try {
    return { alg, key: createPublicKey({ key: jwk, format: 'jwk' }) };
  } catch (err) {
    throw onError(`credential public key is not a valid key: ${describe(err)}`);
  }
}

/**
 * Imported stored credential keys, keyed by their COSE bytes: a passkey's key never changes, so each
 * is parsed and imported once per process (bounded; oldest entries are dropped first).
 */
const storedKeys = new Map<string, { alg: number; key: KeyObject }>();
const STORED_KEYS_MAX = 10_000;

function storedKeyObject(publicKey: Uint8Array): { alg: number; key: KeyObject } {
  const id = Buffer.from(publicKey).toString('base64');
  const hit = storedKeys.get(id);
  if (hit) return hit;
  let decoded: CborValue;
  try {
    decoded = decodeCborAll(publicKey);
  } catch (err) {
    throw new InternalErrorException(undefined, `stored public key is not CBOR: ${describe(err)}`);
  }
  if (!(decoded instanceof Map)) throw new InternalErrorException(undefined, 'stored public key is not a COSE map');
  const entry = importCoseKey(decoded, (msg) => new InternalErrorException(undefined, `stored public key: ${msg}`));
  if (storedKeys.size >= STORED_KEYS_MAX) storedKeys.delete(storedKeys.keys().next().value!);
  storedKeys.set(id, entry);
  return entry;
}

/** WebAuthn assertion signature over authenticatorData ‖ SHA-256(clientDataJSON), per COSE algorithm. */
function assertionSignatureValid(
  stored: { alg: number; key: KeyObject },
  authData: Uint8Array,
  clientDataJSON: Uint8Array,
  signature: Uint8Array,
): boolean {
  const signed = Buffer.concat([authData, sha256(clientDataJSON)]);
  try {
    if (stored.alg === -8) return verifySignature(null, signed, stored.key, signature);
    if (stored.alg === -7) return verifySignature('sha256', signed, { key: stored.key, dsaEncoding: 'der' }, signature);
    return verifySignature('sha256', signed, stored.key, signature);
  } catch {
    return false;
  }
}

// ---------------------------------------------------------------------------------------------
// Credential JSON shape
// ---------------------------------------------------------------------------------------------

function parseCredentialJson(credential: unknown): Record<string, unknown> {
  let value = credential;
  if (typeof value === 'string') {
    if (value.length > 4 * MAX_FIELD_CHARS) throw invalid('Credential is too large.');
    try {
      value = JSON.parse(value);
    } catch (err) {
      throw invalid('Credential is not valid JSON.', `credential: ${describe(err)}`);
    }
  }
  if (!isPlainObject(value)) throw invalid('Credential must be an object.');
  return value;
}

function checkIdentity(cred: Record<string, unknown>): { credentialId: string; rawId: Uint8Array } {
  if (cred.type !== 'public-key') throw invalid('Credential type must be "public-key".', `credential.type = ${JSON.stringify(cred.type)}`);
  if (typeof cred.id !== 'string' || cred.id.length === 0) throw invalid('Credential id is missing.');
  if (typeof cred.rawId !== 'string') throw invalid('Credential rawId is missing.');
  if (cred.id !== cred.rawId) throw invalid('Credential id and rawId differ.');
  const rawId = decodeBase64Url(cred.id, 'credential id');
  if (rawId.length > MAX_CREDENTIAL_ID_BYTES) throw invalid('Credential id is too long.');
  return { credentialId: toB64u(rawId), rawId };
}

function responseObject(cred: Record<string, unknown>): Record<string, unknown> {
  if (!isPlainObject(cred.response)) throw invalid('Credential response is missing.');
  return cred.response;
}

/**
 * Read the challenge and credential id from an untrusted registration response (a JSON object, as
 * CompleteWebAuthnRegistration carries it), to find the pending challenge before full verification.
 * Throws InvalidParameterException when it is malformed.
 */
export function peekRegistration(credential: unknown): { challenge: string; credentialId: string } {
  if (!isPlainObject(credential)) throw invalid('Credential must be an object.');
  const { credentialId } = checkIdentity(credential);
  const { clientData } = parseClientData(responseObject(credential).clientDataJSON);
  return { challenge: clientData.challenge, credentialId };
}

/**
 * Read the credential id and user handle from an untrusted assertion before looking the credential up.
 * Throws InvalidParameterException when the JSON is malformed.
 */
export function peekAssertion(credential: unknown): { credentialId: string; userHandle?: string } {
  const cred = parseCredentialJson(credential);
  const { credentialId } = checkIdentity(cred);
  const response = responseObject(cred);
  return { credentialId, userHandle: readUserHandle(response.userHandle) };
}

function readUserHandle(value: unknown): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  return toB64u(decodeBase64Url(value, 'userHandle'));
}

// ---------------------------------------------------------------------------------------------
// Server-side input validation
// ---------------------------------------------------------------------------------------------

function checkOptions(input: { expectedChallenge: unknown; expectedOrigins: unknown; rpId: unknown; userVerification: unknown }): string {
  const fail = (msg: string) => new InternalErrorException(undefined, `webauthn options: ${msg}`);
  if (typeof input.expectedChallenge !== 'string' || input.expectedChallenge.length === 0)
    throw fail('expectedChallenge must be a non-empty string');
  if (!Array.isArray(input.expectedOrigins) || !input.expectedOrigins.every((o) => typeof o === 'string'))
    throw fail('expectedOrigins must be a string array');
  if (typeof input.rpId !== 'string' || normalizeRpId(input.rpId) === undefined) throw fail(`invalid rpId ${JSON.stringify(input.rpId)}`);
  if (input.userVerification !== 'required' && input.userVerification !== 'preferred')
    throw fail(`invalid userVerification ${JSON.stringify(input.userVerification)}`);
  return input.rpId;
}

const stripPad = (s: string) => s.replace(/=+$/, '');

/** Origin, crossOrigin and topOrigin. */
function checkOrigin(clientData: ClientData, rpId: string, expectedOrigins: readonly string[]): void {
  if (clientData.crossOrigin === true) {
    throw new WebAuthnOriginNotAllowedException(
      undefined,
      `cross-origin ceremony (origin ${clientData.origin}, topOrigin ${clientData.topOrigin ?? 'n/a'})`,
    );
  }
  if (clientData.topOrigin !== undefined) {
    throw new WebAuthnOriginNotAllowedException(undefined, `topOrigin ${clientData.topOrigin} is not supported`);
  }
  if (!isOriginAllowed(clientData.origin, rpId, expectedOrigins)) {
    throw new WebAuthnOriginNotAllowedException(undefined, `origin ${JSON.stringify(clientData.origin)} is not allowed for RP ID ${rpId}`);
  }
}

function checkRpIdHash(authData: ParsedAuthenticatorData, rpId: string): void {
  if (!equalBytes(authData.rpIdHash, sha256(rpId))) {
    throw new WebAuthnRelyingPartyMismatchException(undefined, `rpIdHash ${toB64u(authData.rpIdHash)} is not SHA-256(${rpId})`);
  }
}

function formatAaguid(bytes: Uint8Array | undefined): string {
  const hex = Buffer.from(bytes ?? new Uint8Array(16)).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

// ---------------------------------------------------------------------------------------------
// Registration
// ---------------------------------------------------------------------------------------------

export async function verifyRegistration(input: VerifyRegistrationInput): Promise<VerifiedRegistration> {
  const rpId = checkOptions(input);
  const attestationMode = input.attestation ?? 'none';
  if (attestationMode !== 'none' && attestationMode !== 'direct') {
    throw new InternalErrorException(undefined, `webauthn options: invalid attestation ${JSON.stringify(attestationMode)}`);
  }

  // 1. Structure (everything malformed is InvalidParameterException, before any semantic check).
  const cred = parseCredentialJson(input.credential);
  const { credentialId, rawId } = checkIdentity(cred);
  const response = responseObject(cred);
  const { clientData } = parseClientData(response.clientDataJSON);
  const attestationBytes = decodeBase64Url(response.attestationObject, 'attestationObject');
  let attObj: CborValue;
  try {
    attObj = decodeCborAll(attestationBytes);
  } catch (err) {
    throw invalid('attestationObject is not valid CBOR.', `attestationObject: ${describe(err)}`);
  }
  if (!(attObj instanceof Map)) throw invalid('attestationObject must be a CBOR map.');
  const fmt = attObj.get('fmt');
  const attStmt = attObj.get('attStmt');
  const authDataBytes = attObj.get('authData');
  if (typeof fmt !== 'string' || fmt.length === 0) throw invalid('attestationObject.fmt is missing.');
  if (!(attStmt instanceof Map)) throw invalid('attestationObject.attStmt must be a map.');
  if (!(authDataBytes instanceof Uint8Array)) throw invalid('attestationObject.authData is missing.');
  const authData = parseAuthenticatorData(authDataBytes, 'authData');
  if (!authData.flags.at || !authData.credentialId || !authData.cosePublicKey || !authData.credentialPublicKey) {
    throw invalid('authData has no attested credential data.');
  }
  if (!equalBytes(authData.credentialId, rawId)) {
    throw invalid(
      'Credential id does not match the authenticator data.',
      `id ${credentialId} ≠ authData credentialId ${toB64u(authData.credentialId)}`,
    );
  }
  if (authData.cosePublicKey.get(3) === undefined || authData.cosePublicKey.get(1) === undefined) {
    throw invalid('Credential public key is malformed.', 'COSE key lacks kty or alg');
  }
  const transports = readTransports(response.transports);
  const attachment = cred.authenticatorAttachment;
  if (attachment !== undefined && attachment !== null && typeof attachment !== 'string')
    throw invalid('authenticatorAttachment must be a string.');
  const extensionResults = cred.clientExtensionResults;
  if (extensionResults !== undefined && extensionResults !== null && !isPlainObject(extensionResults))
    throw invalid('clientExtensionResults must be an object.');

  // 2. Ceremony checks, each mapped to its Cognito error.
  if (clientData.type !== 'webauthn.create') {
    throw new WebAuthnChallengeNotFoundException(
      undefined,
      `clientDataJSON.type is ${JSON.stringify(clientData.type)}, expected "webauthn.create"`,
    );
  }
  if (stripPad(clientData.challenge) !== stripPad(input.expectedChallenge)) {
    throw new WebAuthnChallengeNotFoundException(undefined, 'clientDataJSON.challenge does not match the pending challenge');
  }
  checkOrigin(clientData, rpId, input.expectedOrigins);
  checkRpIdHash(authData, rpId);
  const notSupported = (msg: string) => new WebAuthnCredentialNotSupportedException(undefined, msg);
  if (!authData.flags.up) throw notSupported('user presence (UP) flag not set');
  if (input.userVerification === 'required' && !authData.flags.uv) throw notSupported('user verification required but UV flag not set');
  const algorithm = checkCoseKey(authData.cosePublicKey, notSupported);
  if (attestationMode === 'direct' && !ATTESTATION_FORMATS.has(fmt))
    throw notSupported(`unsupported attestation format ${JSON.stringify(fmt)}`);

  // 3. Attestation statement (and a second, independent pass over everything above) by SimpleWebAuthn.
  //    In 'none' mode the statement is not relied upon, so it is replaced by an empty "none" statement.
  const attestationForLibrary = attestationMode === 'none' && fmt !== 'none' ? noneAttestationObject(authDataBytes) : attestationBytes;
  let verified: boolean;
  try {
    const result = await verifyRegistrationResponse({
      response: {
        id: credentialId,
        rawId: credentialId,
        type: 'public-key',
        clientExtensionResults: {},
        response: {
          clientDataJSON: response.clientDataJSON as string,
          attestationObject: toB64u(attestationForLibrary),
          transports,
        },
      },
      expectedChallenge: clientData.challenge,
      expectedOrigin: clientData.origin,
      expectedRPID: rpId,
      expectedType: 'webauthn.create',
      requireUserPresence: true,
      requireUserVerification: input.userVerification === 'required',
      supportedAlgorithmIDs: [...SUPPORTED_ALGORITHMS],
    });
    verified = result.verified;
  } catch (err) {
    throw notSupported(`attestation verification failed (${fmt}): ${describe(err)}`);
  }
  if (!verified) throw notSupported(`attestation statement (${fmt}) did not verify`);

  const out: VerifiedRegistration = {
    credentialId,
    publicKey: authData.credentialPublicKey,
    algorithm,
    signCount: authData.signCount,
    aaguid: formatAaguid(authData.aaguid),
    fmt,
    backupEligible: authData.flags.be,
    backupState: authData.flags.bs,
    userVerified: authData.flags.uv,
    transports,
  };
  if (attachment === 'platform' || attachment === 'cross-platform') out.authenticatorAttachment = attachment;
  const credProps = isPlainObject(extensionResults) ? extensionResults.credProps : undefined;
  if (isPlainObject(credProps)) out.credProps = typeof credProps.rk === 'boolean' ? { rk: credProps.rk } : {};
  return out;
}

const KNOWN_TRANSPORTS = new Set(['ble', 'cable', 'hybrid', 'internal', 'nfc', 'smart-card', 'usb']);

function readTransports(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || value.length > 16 || !value.every((t) => typeof t === 'string' && t.length <= 32)) {
    throw invalid('response.transports must be an array of strings.');
  }
  // Unknown values are dropped (the spec tells clients and RPs to ignore them), duplicates removed.
  return [...new Set(value.filter((t: string) => KNOWN_TRANSPORTS.has(t)))];
}

// ---------------------------------------------------------------------------------------------
// Authentication
// ---------------------------------------------------------------------------------------------

export async function verifyAuthentication(input: VerifyAuthenticationInput): Promise<VerifiedAuthentication> {
  const rpId = checkOptions(input);
  const stored = input.storedCredential;
  if (
    !isPlainObject(stored) ||
    !(stored.publicKey instanceof Uint8Array) ||
    !Number.isInteger(stored.signCount) ||
    stored.signCount < 0 ||
    stored.signCount > 0xffffffff
  ) {
    throw new InternalErrorException(undefined, 'webauthn options: storedCredential must have publicKey bytes and a uint32 signCount');
  }
  const storedKey = storedKeyObject(stored.publicKey);

  // 1. Structure.
  const cred = parseCredentialJson(input.credential);
  const { credentialId } = checkIdentity(cred);
  const response = responseObject(cred);
  const { clientData, raw: clientDataBytes } = parseClientData(response.clientDataJSON);
  const authDataBytes = decodeBase64Url(response.authenticatorData, 'authenticatorData');
  const authData = parseAuthenticatorData(authDataBytes);
  const signature = decodeBase64Url(response.signature, 'signature');
  if (signature.length > 1024) throw invalid('signature is too long.');
  const userHandle = readUserHandle(response.userHandle);

  // 2. Ceremony checks.
  const notAuthorized = (msg: string) => new NotAuthorizedException(undefined, msg);
  if (stored.credentialId !== undefined && stripPad(stored.credentialId) !== credentialId) {
    throw notAuthorized(`assertion is for credential ${credentialId}, not the stored ${stored.credentialId}`);
  }
  if (clientData.type !== 'webauthn.get')
    throw notAuthorized(`clientDataJSON.type is ${JSON.stringify(clientData.type)}, expected "webauthn.get"`);
  if (stripPad(clientData.challenge) !== stripPad(input.expectedChallenge))
    throw notAuthorized('clientDataJSON.challenge does not match the expected challenge');
  checkOrigin(clientData, rpId, input.expectedOrigins);
  checkRpIdHash(authData, rpId);
  if (!authData.flags.up) throw notAuthorized('user presence (UP) flag not set');
  if (input.userVerification === 'required' && !authData.flags.uv) throw notAuthorized('user verification required but UV flag not set');

  const newCount = authData.signCount;
  const counterRegressed = (newCount > 0 || stored.signCount > 0) && newCount <= stored.signCount;
  if (counterRegressed && !input.allowCounterRegression) {
    throw notAuthorized(`sign count ${newCount} did not increase (stored ${stored.signCount}); possible cloned authenticator`);
  }

  // 3. Signature. Every other check above is ours already, so the signature is verified directly with
  // node:crypto against the cached key (SimpleWebAuthn would re-parse and re-import the key each time).
  const verified = assertionSignatureValid(storedKey, authDataBytes, clientDataBytes, signature);
  if (!verified) throw notAuthorized('assertion signature is not valid for the stored public key');

  const out: VerifiedAuthentication = {
    newSignCount: newCount,
    userVerified: authData.flags.uv,
    backupState: authData.flags.bs,
    backupEligible: authData.flags.be,
    counterRegressed,
    credentialId,
  };
  if (userHandle !== undefined) out.userHandle = userHandle;
  return out;
}

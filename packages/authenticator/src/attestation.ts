/**
 * Attestation statements for the formats the virtual authenticator offers (WebAuthn §8.2 `packed` self
 * attestation, §8.6 `fido-u2f`, §8.7 `none`) and the attestation object that carries them.
 */
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { sha256 } from './authenticator-data.js';
import { concatBytes } from './base64url.js';
import { encodeCBOR, type CBORValue } from './cbor.js';
import { COSE_ALGORITHM, publicKeyToCOSEMap } from './cose.js';
import { corruptSignature, generateKeyPair, signData } from './keys.js';
import type { Algorithm, AttestationFormat, CeremonyOverrides } from './types.js';
import { createSelfSignedCertificate } from './x509.js';

/** The batch key a `fido-u2f` authenticator signs with, and its self-signed certificate (x5c). */
export interface AttestationKey {
  privateKey: KeyObject;
  publicKey: KeyObject;
  certificate: Uint8Array;
}

/** A fresh P-256 attestation key with its certificate; slow enough that callers make one per authenticator. */
export function createAttestationKey(): AttestationKey {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const certificate = createSelfSignedCertificate({
    subject: { C: 'US', O: 'Latchkey Virtual Authenticator', OU: 'Authenticator Attestation', CN: 'Latchkey U2F Attestation' },
    privateKey,
    publicKey,
  });
  return { privateKey, publicKey, certificate };
}

export interface AttestationInput {
  format: AttestationFormat;
  algorithm: Algorithm;
  credentialPrivateKey: KeyObject;
  credentialPublicKey: KeyObject;
  authData: Uint8Array;
  clientDataHash: Uint8Array;
  credentialId: Uint8Array;
  /** The rp.id the authenticator data names (the override, when given), which U2F signs the hash of. */
  rpId: string;
  overrides: CeremonyOverrides;
  /** Called only for `fido-u2f`, so other formats never pay for generating a certificate. */
  attestationKey: () => AttestationKey;
}

/** The CBOR attestation object `{ fmt, attStmt, authData }`, honouring `signWith` and `corruptSignature`. */
export async function buildAttestationObject(input: AttestationInput): Promise<Uint8Array> {
  const { format, algorithm, authData, clientDataHash, overrides } = input;
  let attStmt: Map<string, CBORValue>;
  const finish = (sig: Uint8Array) => (overrides.corruptSignature ? corruptSignature(sig) : sig);
  if (format === 'packed') {
    const key = overrides.signWith === 'other-key' ? (await generateKeyPair(algorithm)).privateKey : input.credentialPrivateKey;
    const sig = signData(algorithm, key, concatBytes(authData, clientDataHash));
    attStmt = new Map<string, CBORValue>([
      ['alg', COSE_ALGORITHM[algorithm]],
      ['sig', finish(sig)],
    ]);
  } else if (format === 'fido-u2f') {
    const attestationKey = input.attestationKey();
    const key =
      overrides.signWith === 'other-key' ? generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey : attestationKey.privateKey;
    const cose = publicKeyToCOSEMap(input.credentialPublicKey, 'ES256');
    const u2fPublicKey = concatBytes(Uint8Array.of(0x04), cose.get(-2) as Uint8Array, cose.get(-3) as Uint8Array);
    const sig = signData(
      'ES256',
      key,
      concatBytes(Uint8Array.of(0x00), sha256(input.rpId), clientDataHash, input.credentialId, u2fPublicKey),
    );
    attStmt = new Map<string, CBORValue>([
      ['sig', finish(sig)],
      ['x5c', [attestationKey.certificate]],
    ]);
  } else {
    attStmt = new Map();
  }
  return encodeCBOR(
    new Map<string, CBORValue>([
      ['fmt', format],
      ['attStmt', attStmt],
      ['authData', authData],
    ]),
  );
}

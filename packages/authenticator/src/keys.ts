/**
 * Key generation and signing for the supported algorithms (node:crypto).
 */
import { generateKeyPair as generateKeyPairCb, sign, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import type { Algorithm } from './types.js';

const generateKeyPairAsync = promisify(generateKeyPairCb);

export interface KeyPair {
  publicKey: KeyObject;
  privateKey: KeyObject;
}

/** Generate a fresh key pair: P-256 for ES256, Ed25519 for EdDSA, RSA-2048 (e=65537) for RS256. */
export async function generateKeyPair(algorithm: Algorithm): Promise<KeyPair> {
  switch (algorithm) {
    case 'ES256':
      return generateKeyPairAsync('ec', { namedCurve: 'P-256' });
    case 'EdDSA':
      return generateKeyPairAsync('ed25519');
    case 'RS256':
      return generateKeyPairAsync('rsa', { modulusLength: 2048, publicExponent: 0x10001 });
    default:
      throw new TypeError(`Unsupported algorithm ${String(algorithm)}`);
  }
}

/**
 * Sign as WebAuthn expects: ES256 → DER-encoded ECDSA over SHA-256, RS256 → RSASSA-PKCS1-v1_5
 * with SHA-256, EdDSA → pure Ed25519.
 */
export function signData(algorithm: Algorithm, privateKey: KeyObject, data: Uint8Array): Uint8Array {
  const digest = algorithm === 'EdDSA' ? null : 'sha256';
  return new Uint8Array(sign(digest, data, privateKey));
}

/** A copy with the last bit flipped: still well-formed, never valid (for `overrides.corruptSignature`). */
export function corruptSignature(signature: Uint8Array): Uint8Array {
  const out = new Uint8Array(signature);
  out[out.length - 1] ^= 0x01;
  return out;
}

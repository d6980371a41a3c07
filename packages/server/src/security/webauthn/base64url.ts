/**
 * Strict base64url, the only copy the WebAuthn code uses: every other file imports it from here, so
 * pointing this one file at a shared decoder later changes them all at once.
 */
import { malformed } from './errors.js';

/** Each base64url field is capped; SafetyNet attestation objects (the largest real ones) are ~25 KiB. */
export const MAX_FIELD_CHARS = 128 * 1024;

/**
 * Strict base64url: alphabet `A-Z a-z 0-9 - _`, optional correct `=` padding, canonical trailing bits.
 * Standard base64 (`+` `/`), whitespace and impossible lengths are rejected, because a lenient decoder
 * would let two different strings name one credential.
 * @throws WebAuthnVerificationError `ERR_WEBAUTHN_INVALID_BASE64URL` (its message names `field`).
 */
export function decodeBase64Url(value: unknown, field: string, { allowEmpty = false } = {}): Uint8Array {
  const invalid = (message: string, detail?: string) => malformed('ERR_WEBAUTHN_INVALID_BASE64URL', message, detail);
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

/** base64url without padding, the form WebAuthn JSON and Latchkey's stored ids use. */
export function encodeBase64Url(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64url');
}

/** Padding is optional in WebAuthn JSON, so two encodings of one value compare equal without it. */
export function stripPadding(value: string): string {
  return value.replace(/=+$/, '');
}

/**
 * Strict base64url for the WebAuthn code: every file here imports it from this one, which adds the field
 * names and WebAuthn's error code to the shared strict decoder of @latchkey/wire (one definition per strictness).
 */
import { Base64urlError, decodeBase64urlStrict, encodeBase64url } from '@latchkey/wire';
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
  let bytes: Uint8Array;
  try {
    bytes = decodeBase64urlStrict(value);
  } catch (err) {
    if (err instanceof Base64urlError) throw invalid(`${field} is not valid base64url.`, `${field}: ${err.fault}`);
    throw err;
  }
  if (!allowEmpty && bytes.length === 0) throw invalid(`${field} must not be empty.`);
  return bytes;
}

/** base64url without padding, the form WebAuthn JSON and Latchkey's stored ids use. */
export function encodeBase64Url(bytes: Uint8Array): string {
  return encodeBase64url(bytes);
}

/** Padding is optional in WebAuthn JSON, so two encodings of one value compare equal without it. */
export function stripPadding(value: string): string {
  return value.replace(/=+$/, '');
}

/** Authenticator data (WebAuthn §6.1): the bytes the authenticator signs, parsed strictly. */
import { createHash, timingSafeEqual } from 'node:crypto';
import { encodeBase64Url } from './base64url.js';
import { CborError, decodeCborFirst, type CborValue } from './cbor.js';
import { WebAuthnVerificationError, malformed } from './errors.js';

/** WebAuthn's own ceiling for credential ids; larger ones are refused before any lookup. */
export const MAX_CREDENTIAL_ID_BYTES = 1023;

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

/**
 * Parse authenticator data. `field` names it in messages (`authData` inside an attestation object).
 * @throws WebAuthnVerificationError `ERR_WEBAUTHN_MALFORMED_AUTHENTICATOR_DATA` on any malformation.
 */
export function parseAuthenticatorData(data: Uint8Array, field = 'authenticatorData'): ParsedAuthenticatorData {
  const invalid = (message: string, detail: string) => malformed('ERR_WEBAUTHN_MALFORMED_AUTHENTICATOR_DATA', message, detail);
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

/**
 * The authenticator signed for this RP ID.
 * @throws WebAuthnVerificationError `ERR_WEBAUTHN_RP_ID_MISMATCH`.
 */
export function checkRpIdHash(authData: ParsedAuthenticatorData, rpId: string): void {
  const expected = createHash('sha256').update(rpId).digest();
  if (authData.rpIdHash.length !== expected.length || !timingSafeEqual(authData.rpIdHash, expected)) {
    throw new WebAuthnVerificationError(
      'ERR_WEBAUTHN_RP_ID_MISMATCH',
      `rpIdHash ${encodeBase64Url(authData.rpIdHash)} is not SHA-256(${rpId})`,
    );
  }
}

/** Lowercase UUID; all zeros when the authenticator does not disclose its model. */
export function formatAaguid(bytes: Uint8Array | undefined): string {
  const hex = Buffer.from(bytes ?? new Uint8Array(16)).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * Authenticator data (WebAuthn §6.1):
 * rpIdHash(32) | flags(1) | signCount(4, big-endian) | [aaguid(16) | credIdLen(2) | credId | COSE key]
 */
import { createHash } from 'node:crypto';
import { concatBytes } from './base64url.js';

export const FLAG_UP = 0x01;
export const FLAG_UV = 0x04;
export const FLAG_BE = 0x08;
export const FLAG_BS = 0x10;
export const FLAG_AT = 0x40;
export const FLAG_ED = 0x80;

export interface AuthenticatorDataFields {
  rpId: string;
  userPresent: boolean;
  userVerified: boolean;
  backupEligible: boolean;
  backupState: boolean;
  signCount: number;
  attestedCredentialData?: {
    aaguid: Uint8Array;
    credentialId: Uint8Array;
    cosePublicKey: Uint8Array;
  };
}

export function sha256(data: Uint8Array | string): Uint8Array {
  return new Uint8Array(createHash('sha256').update(data).digest());
}

export function buildAuthenticatorData(fields: AuthenticatorDataFields): Uint8Array {
  let flags = 0;
  if (fields.userPresent) flags |= FLAG_UP;
  if (fields.userVerified) flags |= FLAG_UV;
  if (fields.backupEligible) flags |= FLAG_BE;
  if (fields.backupState) flags |= FLAG_BS;
  if (fields.attestedCredentialData) flags |= FLAG_AT;
  const counter = new Uint8Array(4);
  new DataView(counter.buffer).setUint32(0, fields.signCount >>> 0);
  const parts = [sha256(fields.rpId), Uint8Array.of(flags), counter];
  const acd = fields.attestedCredentialData;
  if (acd) {
    if (acd.aaguid.byteLength !== 16) throw new TypeError('AAGUID must be 16 bytes');
    if (acd.credentialId.byteLength > 1023) throw new TypeError('Credential id longer than 1023 bytes');
    const len = new Uint8Array(2);
    new DataView(len.buffer).setUint16(0, acd.credentialId.byteLength);
    parts.push(acd.aaguid, len, acd.credentialId, acd.cosePublicKey);
  }
  return concatBytes(...parts);
}

/** Parse a UUID string into 16 bytes. */
export function parseAaguid(uuid: string): Uint8Array {
  const hex = uuid.replace(/-/g, '');
  if (!/^[0-9a-fA-F]{32}$/.test(hex)) throw new TypeError(`AAGUID ${JSON.stringify(uuid)} is not a UUID`);
  return new Uint8Array(Buffer.from(hex, 'hex'));
}

/**
 * The JSON shape of a `PublicKeyCredential` (W3C RegistrationResponseJSON / AuthenticationResponseJSON),
 * checked member by member before anything in it is believed.
 */
import { MAX_FIELD_CHARS, decodeBase64Url, encodeBase64Url } from './base64url.js';
import { MAX_CREDENTIAL_ID_BYTES } from './authenticatorData.js';
import { describe, malformed } from './errors.js';

const invalid = (message: string, detail?: string) => malformed('ERR_WEBAUTHN_MALFORMED_CREDENTIAL', message, detail);

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array);
}

/**
 * The credential as an object; JSON text is accepted because the CREDENTIAL challenge response is a string.
 * @throws WebAuthnVerificationError `ERR_WEBAUTHN_MALFORMED_CREDENTIAL`.
 */
export function parseCredentialJson(credential: unknown): Record<string, unknown> {
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

/**
 * `type`, `id` and `rawId`; returns the canonical id and its bytes.
 * @throws WebAuthnVerificationError `ERR_WEBAUTHN_MALFORMED_CREDENTIAL` | `ERR_WEBAUTHN_INVALID_BASE64URL`.
 */
export function checkIdentity(cred: Record<string, unknown>): { credentialId: string; rawId: Uint8Array } {
  if (cred.type !== 'public-key') throw invalid('Credential type must be "public-key".', `credential.type = ${JSON.stringify(cred.type)}`);
  if (typeof cred.id !== 'string' || cred.id.length === 0) throw invalid('Credential id is missing.');
  if (typeof cred.rawId !== 'string') throw invalid('Credential rawId is missing.');
  if (cred.id !== cred.rawId) throw invalid('Credential id and rawId differ.');
  const rawId = decodeBase64Url(cred.id, 'credential id');
  if (rawId.length > MAX_CREDENTIAL_ID_BYTES) throw invalid('Credential id is too long.');
  return { credentialId: encodeBase64Url(rawId), rawId };
}

/** @throws WebAuthnVerificationError `ERR_WEBAUTHN_MALFORMED_CREDENTIAL` when `response` is not an object. */
export function responseObject(cred: Record<string, unknown>): Record<string, unknown> {
  if (!isPlainObject(cred.response)) throw invalid('Credential response is missing.');
  return cred.response;
}

/**
 * Canonical base64url form of a credential id (strips padding; validates).
 * @throws WebAuthnVerificationError `ERR_WEBAUTHN_INVALID_BASE64URL`.
 */
export function parseCredentialId(id: unknown): string {
  return encodeBase64Url(decodeBase64Url(id, 'credential id'));
}

/**
 * `response.userHandle`, canonical; absent, null and '' all mean the client sent none.
 * @throws WebAuthnVerificationError `ERR_WEBAUTHN_INVALID_BASE64URL`.
 */
export function readUserHandle(value: unknown): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  return encodeBase64Url(decodeBase64Url(value, 'userHandle'));
}

const KNOWN_TRANSPORTS = new Set(['ble', 'cable', 'hybrid', 'internal', 'nfc', 'smart-card', 'usb']);

/**
 * `response.transports`: known values only, de-duplicated.
 * @throws WebAuthnVerificationError `ERR_WEBAUTHN_MALFORMED_CREDENTIAL`.
 */
export function readTransports(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || value.length > 16 || !value.every((t) => typeof t === 'string' && t.length <= 32)) {
    throw invalid('response.transports must be an array of strings.');
  }
  // Unknown values are dropped (the spec tells clients and RPs to ignore them), duplicates removed.
  return [...new Set(value.filter((t: string) => KNOWN_TRANSPORTS.has(t)))];
}

/**
 * `authenticatorAttachment` and `clientExtensionResults`, which registration reports back.
 * @throws WebAuthnVerificationError `ERR_WEBAUTHN_MALFORMED_CREDENTIAL`.
 */
export function readRegistrationExtras(cred: Record<string, unknown>): {
  attachment: unknown;
  extensionResults: Record<string, unknown> | undefined;
} {
  const attachment = cred.authenticatorAttachment;
  if (attachment !== undefined && attachment !== null && typeof attachment !== 'string')
    throw invalid('authenticatorAttachment must be a string.');
  const extensionResults = cred.clientExtensionResults;
  if (extensionResults !== undefined && extensionResults !== null && !isPlainObject(extensionResults))
    throw invalid('clientExtensionResults must be an object.');
  return { attachment, extensionResults: isPlainObject(extensionResults) ? extensionResults : undefined };
}

/**
 * `response.signature`, bounded: no supported algorithm signs with more than 1024 bytes.
 * @throws WebAuthnVerificationError `ERR_WEBAUTHN_INVALID_BASE64URL` | `ERR_WEBAUTHN_MALFORMED_CREDENTIAL`.
 */
export function readSignature(response: Record<string, unknown>): Uint8Array {
  const signature = decodeBase64Url(response.signature, 'signature');
  if (signature.length > 1024) throw invalid('signature is too long.');
  return signature;
}

/** The attestation object of a registration: `{ fmt, attStmt, authData }` in CBOR. */
import { decodeBase64Url } from './base64url.js';
import { cborHead, cborText, decodeCborAll, type CborValue } from './cbor.js';
import { parseAuthenticatorData, type ParsedAuthenticatorData } from './authenticatorData.js';
import { describe, malformed } from './errors.js';

/** Statement formats `attestation: 'direct'` accepts (SimpleWebAuthn verifies each). */
export const ATTESTATION_FORMATS: ReadonlySet<string> = new Set([
  'none',
  'packed',
  'fido-u2f',
  'tpm',
  'android-key',
  'android-safetynet',
  'apple',
]);

/** Authenticator data of a registration, which always carries the new credential. */
export type AttestedAuthenticatorData = ParsedAuthenticatorData &
  Required<Pick<ParsedAuthenticatorData, 'aaguid' | 'credentialId' | 'credentialPublicKey' | 'cosePublicKey'>>;

export interface ParsedAttestationObject {
  fmt: string;
  attStmt: Map<CborValue, CborValue>;
  /** The attestation object as received. */
  bytes: Uint8Array;
  authDataBytes: Uint8Array;
  authData: AttestedAuthenticatorData;
}

/**
 * Decode `response.attestationObject` and its authenticator data.
 * @throws WebAuthnVerificationError `ERR_WEBAUTHN_INVALID_BASE64URL` | `ERR_WEBAUTHN_MALFORMED_ATTESTATION_OBJECT` |
 *   `ERR_WEBAUTHN_MALFORMED_AUTHENTICATOR_DATA`.
 */
export function parseAttestationObject(field: unknown): ParsedAttestationObject {
  const invalid = (message: string, detail?: string) => malformed('ERR_WEBAUTHN_MALFORMED_ATTESTATION_OBJECT', message, detail);
  const bytes = decodeBase64Url(field, 'attestationObject');
  let attObj: CborValue;
  try {
    attObj = decodeCborAll(bytes);
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
  if (!authData.flags.at || !authData.credentialId || !authData.cosePublicKey || !authData.credentialPublicKey || !authData.aaguid) {
    throw malformed('ERR_WEBAUTHN_MALFORMED_AUTHENTICATOR_DATA', 'authData has no attested credential data.');
  }
  return { fmt, attStmt, bytes, authDataBytes, authData: authData as AttestedAuthenticatorData };
}

/**
 * The same authenticator data under an empty "none" statement: in attestation 'none' mode the
 * statement is not relied upon, so an unknown or unverifiable one must not fail the registration.
 */
export function noneAttestationObject(authData: Uint8Array): Uint8Array {
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

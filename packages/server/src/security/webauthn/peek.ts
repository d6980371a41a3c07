/**
 * Reading an untrusted response before verifying it: the caller needs the challenge or credential id
 * to find what to verify against. Only the shape is checked; verification must still follow.
 */
import { parseClientData } from './clientData.js';
import { checkIdentity, isPlainObject, parseCredentialJson, readUserHandle, responseObject } from './credential.js';
import { malformed } from './errors.js';

/**
 * Read the challenge and credential id from an untrusted registration response (a JSON object, as
 * CompleteWebAuthnRegistration carries it), to find the pending challenge before full verification.
 * @throws WebAuthnVerificationError `ERR_WEBAUTHN_MALFORMED_CREDENTIAL` | `ERR_WEBAUTHN_INVALID_BASE64URL` |
 *   `ERR_WEBAUTHN_MALFORMED_CLIENT_DATA`.
 */
export function peekRegistration(credential: unknown): { challenge: string; credentialId: string } {
  if (!isPlainObject(credential)) throw malformed('ERR_WEBAUTHN_MALFORMED_CREDENTIAL', 'Credential must be an object.');
  const { credentialId } = checkIdentity(credential);
  const { clientData } = parseClientData(responseObject(credential).clientDataJSON);
  return { challenge: clientData.challenge, credentialId };
}

/**
 * Read the credential id and user handle from an untrusted assertion before looking the credential up.
 * @throws WebAuthnVerificationError `ERR_WEBAUTHN_MALFORMED_CREDENTIAL` | `ERR_WEBAUTHN_INVALID_BASE64URL`.
 */
export function peekAssertion(credential: unknown): { credentialId: string; userHandle?: string } {
  const cred = parseCredentialJson(credential);
  const { credentialId } = checkIdentity(cred);
  const response = responseObject(cred);
  return { credentialId, userHandle: readUserHandle(response.userHandle) };
}

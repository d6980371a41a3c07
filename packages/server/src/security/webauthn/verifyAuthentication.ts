/**
 * Authentication (assertion) response verification. Structure first, then the ceremony checks in a
 * fixed order so each failure has exactly one code, then the signature, verified directly with
 * node:crypto against the cached stored key (SimpleWebAuthn would re-parse and re-import it every time).
 */
import { createHash, verify as verifySignature } from 'node:crypto';
import { decodeBase64Url, stripPadding } from './base64url.js';
import { challengeMatches } from './challenge.js';
import { checkOrigin, parseClientData } from './clientData.js';
import { checkRpIdHash, parseAuthenticatorData } from './authenticatorData.js';
import { storedKeyObject, type ImportedKey } from './coseKey.js';
import { checkIdentity, isPlainObject, parseCredentialJson, readSignature, readUserHandle, responseObject } from './credential.js';
import { WebAuthnVerificationError, type WebAuthnErrorCode } from './errors.js';
import { checkOptions, invalidOptions, type UserVerificationSetting } from './options.js';

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

/**
 * Verify an assertion against the request options and the stored credential.
 * @throws WebAuthnVerificationError, by step:
 *   options and stored credential → `ERR_WEBAUTHN_INVALID_OPTIONS`, `ERR_WEBAUTHN_STORED_KEY_INVALID`;
 *   structure → `ERR_WEBAUTHN_INVALID_BASE64URL`, `ERR_WEBAUTHN_MALFORMED_CREDENTIAL`, `ERR_WEBAUTHN_MALFORMED_CLIENT_DATA`,
 *     `ERR_WEBAUTHN_MALFORMED_AUTHENTICATOR_DATA`;
 *   ceremony → `ERR_WEBAUTHN_CREDENTIAL_MISMATCH`, `ERR_WEBAUTHN_TYPE_MISMATCH`, `ERR_WEBAUTHN_CHALLENGE_MISMATCH`,
 *     `ERR_WEBAUTHN_CROSS_ORIGIN`, `ERR_WEBAUTHN_ORIGIN_NOT_ALLOWED`, `ERR_WEBAUTHN_RP_ID_MISMATCH`,
 *     `ERR_WEBAUTHN_USER_PRESENCE_MISSING`, `ERR_WEBAUTHN_USER_VERIFICATION_MISSING`, `ERR_WEBAUTHN_SIGN_COUNT_REGRESSED`;
 *   signature → `ERR_WEBAUTHN_SIGNATURE_INVALID`.
 */
export async function verifyAuthentication(input: VerifyAuthenticationInput): Promise<VerifiedAuthentication> {
  // 0. The caller's options and stored credential, before the untrusted credential is looked at.
  const rpId = checkOptions(input);
  const stored = input.storedCredential;
  if (
    !isPlainObject(stored) ||
    !(stored.publicKey instanceof Uint8Array) ||
    !Number.isInteger(stored.signCount) ||
    stored.signCount < 0 ||
    stored.signCount > 0xffffffff
  ) {
    throw invalidOptions('storedCredential must have publicKey bytes and a uint32 signCount');
  }
  const storedKey = storedKeyObject(stored.publicKey);

  // 1. The credential is a public-key credential whose id and rawId agree.
  const cred = parseCredentialJson(input.credential);
  const { credentialId } = checkIdentity(cred);
  const response = responseObject(cred);

  // 2. clientDataJSON is a well-formed JSON object (its raw bytes are what the signature covers).
  const { clientData, raw: clientDataBytes } = parseClientData(response.clientDataJSON);

  // 3. Authenticator data, signature and user handle are well formed.
  const authDataBytes = decodeBase64Url(response.authenticatorData, 'authenticatorData');
  const authData = parseAuthenticatorData(authDataBytes);
  const signature = readSignature(response);
  const userHandle = readUserHandle(response.userHandle);

  // 4. The assertion is by the stored credential.
  const fail = (code: WebAuthnErrorCode, msg: string) => new WebAuthnVerificationError(code, msg);
  if (stored.credentialId !== undefined && stripPadding(stored.credentialId) !== credentialId) {
    throw fail('ERR_WEBAUTHN_CREDENTIAL_MISMATCH', `assertion is for credential ${credentialId}, not the stored ${stored.credentialId}`);
  }

  // 5. This is an authentication ceremony…
  if (clientData.type !== 'webauthn.get') {
    throw fail('ERR_WEBAUTHN_TYPE_MISMATCH', `clientDataJSON.type is ${JSON.stringify(clientData.type)}, expected "webauthn.get"`);
  }

  // 6. …answering the challenge we issued…
  if (!challengeMatches(clientData.challenge, input.expectedChallenge)) {
    throw fail('ERR_WEBAUTHN_CHALLENGE_MISMATCH', 'clientDataJSON.challenge does not match the expected challenge');
  }

  // 7. …from an allowed origin, not framed…
  checkOrigin(clientData, rpId, input.expectedOrigins);

  // 8. …for our RP ID.
  checkRpIdHash(authData, rpId);

  // 9. Someone was present.
  if (!authData.flags.up) throw fail('ERR_WEBAUTHN_USER_PRESENCE_MISSING', 'user presence (UP) flag not set');

  // 10. The user was verified, if the pool requires it.
  if (input.userVerification === 'required' && !authData.flags.uv) {
    throw fail('ERR_WEBAUTHN_USER_VERIFICATION_MISSING', 'user verification required but UV flag not set');
  }

  // 11. The counter increased (WebAuthn §7.2 step 22), unless the caller accepts regressions: a
  //     regression may mean a cloned authenticator, while always-zero counters (synced passkeys) never regress.
  const newCount = authData.signCount;
  const counterRegressed = (newCount > 0 || stored.signCount > 0) && newCount <= stored.signCount;
  if (counterRegressed && !input.allowCounterRegression) {
    throw fail(
      'ERR_WEBAUTHN_SIGN_COUNT_REGRESSED',
      `sign count ${newCount} did not increase (stored ${stored.signCount}); possible cloned authenticator`,
    );
  }

  // 12. The signature verifies with the stored key. Last, so that every cheaper check above has its own code.
  if (!assertionSignatureValid(storedKey, authDataBytes, clientDataBytes, signature)) {
    throw fail('ERR_WEBAUTHN_SIGNATURE_INVALID', 'assertion signature is not valid for the stored public key');
  }

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

/** WebAuthn assertion signature over authenticatorData ‖ SHA-256(clientDataJSON), per COSE algorithm. */
function assertionSignatureValid(stored: ImportedKey, authData: Uint8Array, clientDataJSON: Uint8Array, signature: Uint8Array): boolean {
  const signed = Buffer.concat([authData, createHash('sha256').update(clientDataJSON).digest()]);
  try {
    if (stored.alg === -8) return verifySignature(null, signed, stored.key, signature);
    if (stored.alg === -7) return verifySignature('sha256', signed, { key: stored.key, dsaEncoding: 'der' }, signature);
    return verifySignature('sha256', signed, stored.key, signature);
  } catch {
    // A signature node:crypto cannot even parse is simply not a valid signature.
    return false;
  }
}

/**
 * Registration (attestation) response verification. Every structural check runs before any semantic
 * one, and the semantic ones run in a fixed order, so each failure has exactly one code. Attestation
 * statements are then verified by @simplewebauthn/server v14, whose own errors become the message of
 * `ERR_WEBAUTHN_ATTESTATION_INVALID` (and its `cause`).
 */
import { verifyRegistrationResponse } from '@simplewebauthn/server';
import { encodeBase64Url } from './base64url.js';
import { challengeMatches } from './challenge.js';
import { checkOrigin, parseClientData } from './clientData.js';
import { checkRpIdHash, formatAaguid } from './authenticatorData.js';
import { ATTESTATION_FORMATS, noneAttestationObject, parseAttestationObject } from './attestationObject.js';
import { SUPPORTED_ALGORITHMS, importCoseKey } from './coseKey.js';
import { checkIdentity, isPlainObject, parseCredentialJson, readRegistrationExtras, readTransports, responseObject } from './credential.js';
import { WebAuthnVerificationError, describe, malformed } from './errors.js';
import { checkOptions, invalidOptions, type UserVerificationSetting } from './options.js';

export interface VerifyRegistrationInput {
  /** W3C `RegistrationResponseJSON` (object, or its JSON text). Untrusted. */
  credential: unknown;
  /** The base64url challenge that was sent in the creation options. */
  expectedChallenge: string;
  /** Origins allowed in addition to the RP ID rule (see `isOriginAllowed`). */
  expectedOrigins: readonly string[];
  rpId: string;
  userVerification: UserVerificationSetting;
  /**
   * 'none' (default): the attestation statement is parsed but not relied upon; any format is accepted.
   * 'direct': the statement must be a known format and must verify (packed, fido-u2f, tpm,
   * android-key, android-safetynet, apple; 'none' has nothing to verify and is accepted).
   */
  attestation?: 'none' | 'direct';
  /**
   * Whether the UP flag must be set; default true. Only `false` turns the check off: a caller passes it
   * only for a registration whose ceremony asked for a conditional create (mediation 'conditional', which
   * browsers may complete without a gesture).
   */
  requireUserPresence?: boolean;
}

export interface VerifiedRegistration {
  /** base64url, no padding; equal to the response's `id`. */
  credentialId: string;
  /** COSE_Key bytes exactly as the authenticator produced them. */
  publicKey: Uint8Array;
  /** COSE algorithm: -7 (ES256), -8 (EdDSA) or -257 (RS256). */
  algorithm: number;
  signCount: number;
  /** Lowercase UUID; all zeros when the authenticator does not disclose it. */
  aaguid: string;
  /** The attestation statement format the authenticator used. */
  fmt: string;
  backupEligible: boolean;
  backupState: boolean;
  userVerified: boolean;
  transports: string[];
  authenticatorAttachment?: string;
  credProps?: { rk?: boolean };
}

/**
 * Verify a registration response against the creation options it answers.
 * @throws WebAuthnVerificationError, by step:
 *   options → `ERR_WEBAUTHN_INVALID_OPTIONS`;
 *   structure → `ERR_WEBAUTHN_INVALID_BASE64URL`, `ERR_WEBAUTHN_MALFORMED_CREDENTIAL`, `ERR_WEBAUTHN_MALFORMED_CLIENT_DATA`,
 *     `ERR_WEBAUTHN_MALFORMED_ATTESTATION_OBJECT`, `ERR_WEBAUTHN_MALFORMED_AUTHENTICATOR_DATA`;
 *   ceremony → `ERR_WEBAUTHN_TYPE_MISMATCH`, `ERR_WEBAUTHN_CHALLENGE_MISMATCH`, `ERR_WEBAUTHN_CROSS_ORIGIN`,
 *     `ERR_WEBAUTHN_ORIGIN_NOT_ALLOWED`, `ERR_WEBAUTHN_RP_ID_MISMATCH`, `ERR_WEBAUTHN_USER_PRESENCE_MISSING`,
 *     `ERR_WEBAUTHN_USER_VERIFICATION_MISSING`, `ERR_WEBAUTHN_ALGORITHM_NOT_SUPPORTED`, `ERR_WEBAUTHN_PUBLIC_KEY_INVALID`;
 *   attestation 'direct' → `ERR_WEBAUTHN_ATTESTATION_FORMAT_NOT_SUPPORTED`, `ERR_WEBAUTHN_ATTESTATION_INVALID`.
 */
export async function verifyRegistration(input: VerifyRegistrationInput): Promise<VerifiedRegistration> {
  // 0. The caller's options, before the untrusted credential is looked at.
  const rpId = checkOptions(input);
  const attestationMode = input.attestation ?? 'none';
  if (attestationMode !== 'none' && attestationMode !== 'direct')
    throw invalidOptions(`invalid attestation ${JSON.stringify(attestationMode)}`);

  // 1. The credential is a public-key credential whose id and rawId agree.
  const cred = parseCredentialJson(input.credential);
  const { credentialId, rawId } = checkIdentity(cred);
  const response = responseObject(cred);

  // 2. clientDataJSON is a well-formed JSON object.
  const { clientData } = parseClientData(response.clientDataJSON);

  // 3. The attestation object and its authenticator data are well formed and carry a credential.
  const { fmt, bytes: attestationBytes, authDataBytes, authData } = parseAttestationObject(response.attestationObject);

  // 4. The response's id is the credential the authenticator attested.
  if (!Buffer.from(authData.credentialId).equals(rawId)) {
    throw malformed(
      'ERR_WEBAUTHN_MALFORMED_CREDENTIAL',
      'Credential id does not match the authenticator data.',
      `id ${credentialId} ≠ authData credentialId ${encodeBase64Url(authData.credentialId)}`,
    );
  }

  // 5. The credential public key at least names its key type and algorithm (whether they are usable is step 13).
  if (authData.cosePublicKey.get(3) === undefined || authData.cosePublicKey.get(1) === undefined) {
    throw malformed('ERR_WEBAUTHN_MALFORMED_AUTHENTICATOR_DATA', 'Credential public key is malformed.', 'COSE key lacks kty or alg');
  }

  // 6. The members reported back (transports, attachment, extension results) are well typed.
  const transports = readTransports(response.transports);
  const { attachment, extensionResults } = readRegistrationExtras(cred);

  // 7. This is a registration ceremony…
  if (clientData.type !== 'webauthn.create') {
    throw new WebAuthnVerificationError(
      'ERR_WEBAUTHN_TYPE_MISMATCH',
      `clientDataJSON.type is ${JSON.stringify(clientData.type)}, expected "webauthn.create"`,
    );
  }

  // 8. …answering the challenge we issued…
  if (!challengeMatches(clientData.challenge, input.expectedChallenge)) {
    throw new WebAuthnVerificationError('ERR_WEBAUTHN_CHALLENGE_MISMATCH', 'clientDataJSON.challenge does not match the pending challenge');
  }

  // 9. …from an allowed origin, not framed…
  checkOrigin(clientData, rpId, input.expectedOrigins);

  // 10. …for our RP ID.
  checkRpIdHash(authData, rpId);

  // 11. Someone was present (unless the caller's ceremony was a conditional create).
  if (input.requireUserPresence !== false && !authData.flags.up)
    throw new WebAuthnVerificationError('ERR_WEBAUTHN_USER_PRESENCE_MISSING', 'user presence (UP) flag not set');

  // 12. The user was verified, if the pool requires it.
  if (input.userVerification === 'required' && !authData.flags.uv) {
    throw new WebAuthnVerificationError('ERR_WEBAUTHN_USER_VERIFICATION_MISSING', 'user verification required but UV flag not set');
  }

  // 13. The key uses a supported algorithm and really is a key for it.
  const { alg: algorithm } = importCoseKey(authData.cosePublicKey);

  // 14. In 'direct' mode, the statement format is one we can verify.
  if (attestationMode === 'direct' && !ATTESTATION_FORMATS.has(fmt)) {
    throw new WebAuthnVerificationError(
      'ERR_WEBAUTHN_ATTESTATION_FORMAT_NOT_SUPPORTED',
      `unsupported attestation format ${JSON.stringify(fmt)}`,
    );
  }

  // 15. The attestation statement verifies (and SimpleWebAuthn re-checks everything above independently).
  //     In 'none' mode the statement is not relied upon, so it is replaced by an empty "none" statement.
  const attestationForLibrary = attestationMode === 'none' && fmt !== 'none' ? noneAttestationObject(authDataBytes) : attestationBytes;
  await verifyStatement(fmt, {
    credentialId,
    clientDataJSON: response.clientDataJSON as string,
    attestationObject: encodeBase64Url(attestationForLibrary),
    transports,
    challenge: clientData.challenge,
    origin: clientData.origin,
    rpId,
    requireUserVerification: input.userVerification === 'required',
    requireUserPresence: input.requireUserPresence !== false,
  });

  const out: VerifiedRegistration = {
    credentialId,
    publicKey: authData.credentialPublicKey,
    algorithm,
    signCount: authData.signCount,
    aaguid: formatAaguid(authData.aaguid),
    fmt,
    backupEligible: authData.flags.be,
    backupState: authData.flags.bs,
    userVerified: authData.flags.uv,
    transports,
  };
  if (attachment === 'platform' || attachment === 'cross-platform') out.authenticatorAttachment = attachment;
  const credProps = extensionResults?.credProps;
  if (isPlainObject(credProps)) out.credProps = typeof credProps.rk === 'boolean' ? { rk: credProps.rk } : {};
  return out;
}

/** SimpleWebAuthn's verdict on the statement; its exceptions never escape as anything but our code. */
async function verifyStatement(
  fmt: string,
  r: {
    credentialId: string;
    clientDataJSON: string;
    attestationObject: string;
    transports: string[];
    challenge: string;
    origin: string;
    rpId: string;
    requireUserVerification: boolean;
    requireUserPresence: boolean;
  },
): Promise<void> {
  let verified: boolean;
  try {
    const result = await verifyRegistrationResponse({
      response: {
        id: r.credentialId,
        rawId: r.credentialId,
        type: 'public-key',
        clientExtensionResults: {},
        response: { clientDataJSON: r.clientDataJSON, attestationObject: r.attestationObject, transports: r.transports },
      },
      expectedChallenge: r.challenge,
      expectedOrigin: r.origin,
      expectedRPID: r.rpId,
      expectedType: 'webauthn.create',
      requireUserPresence: r.requireUserPresence,
      requireUserVerification: r.requireUserVerification,
      supportedAlgorithmIDs: [...SUPPORTED_ALGORITHMS],
    });
    verified = result.verified;
  } catch (err) {
    throw new WebAuthnVerificationError('ERR_WEBAUTHN_ATTESTATION_INVALID', `attestation verification failed (${fmt}): ${describe(err)}`, {
      cause: err,
    });
  }
  if (!verified) throw new WebAuthnVerificationError('ERR_WEBAUTHN_ATTESTATION_INVALID', `attestation statement (${fmt}) did not verify`);
}

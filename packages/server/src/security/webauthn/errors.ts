/**
 * The one error the WebAuthn verifiers throw. It says what failed (`code`), never how to answer a
 * client: the Latchkey server turns codes into Cognito errors in auth/securityErrors.ts, and a library
 * user can do the same there or choose their own answer.
 */

/**
 * Every distinct way verification fails, from the caller's side to the authenticator's; closed so that
 * a table keyed by it (auth/securityErrors.ts) cannot forget one.
 */
export const WEBAUTHN_ERROR_CODES = [
  /** The caller's own input is unusable: empty challenge, rpId not a host, unknown setting, bad stored credential shape. */
  'ERR_WEBAUTHN_INVALID_OPTIONS',
  /** The stored public key is not a usable COSE key (corrupt storage, or not what verifyRegistration returned). */
  'ERR_WEBAUTHN_STORED_KEY_INVALID',
  /** A base64url field is not strict, canonical base64url (or is missing, empty or too long). */
  'ERR_WEBAUTHN_INVALID_BASE64URL',
  /** The credential JSON is malformed: not an object, wrong type, id ≠ rawId, missing response, mistyped member. */
  'ERR_WEBAUTHN_MALFORMED_CREDENTIAL',
  /** clientDataJSON is not a UTF-8 JSON object with string type, challenge and origin. */
  'ERR_WEBAUTHN_MALFORMED_CLIENT_DATA',
  /** The attestation object is not a CBOR map with fmt, attStmt and authData. */
  'ERR_WEBAUTHN_MALFORMED_ATTESTATION_OBJECT',
  /** Authenticator data is truncated, has trailing bytes, bad CBOR, BS without BE, or lacks its attested key. */
  'ERR_WEBAUTHN_MALFORMED_AUTHENTICATOR_DATA',
  /** The assertion was made by another credential than the stored one. */
  'ERR_WEBAUTHN_CREDENTIAL_MISMATCH',
  /** clientDataJSON.type is not the ceremony's ("webauthn.create" / "webauthn.get"). */
  'ERR_WEBAUTHN_TYPE_MISMATCH',
  /** clientDataJSON.challenge is not the expected challenge. */
  'ERR_WEBAUTHN_CHALLENGE_MISMATCH',
  /** The ceremony ran in a cross-origin frame (crossOrigin: true, or a topOrigin). */
  'ERR_WEBAUTHN_CROSS_ORIGIN',
  /** clientDataJSON.origin is not allowed for the RP ID. */
  'ERR_WEBAUTHN_ORIGIN_NOT_ALLOWED',
  /** rpIdHash is not SHA-256 of the RP ID. */
  'ERR_WEBAUTHN_RP_ID_MISMATCH',
  /** The UP flag is not set. */
  'ERR_WEBAUTHN_USER_PRESENCE_MISSING',
  /** The UV flag is not set while user verification is required. */
  'ERR_WEBAUTHN_USER_VERIFICATION_MISSING',
  /** The new credential's COSE algorithm is not ES256, EdDSA or RS256. */
  'ERR_WEBAUTHN_ALGORITHM_NOT_SUPPORTED',
  /** The new credential's key does not fit its algorithm (curve, size, point) or cannot be imported. */
  'ERR_WEBAUTHN_PUBLIC_KEY_INVALID',
  /** attestation 'direct' and an attestation format Latchkey does not know. */
  'ERR_WEBAUTHN_ATTESTATION_FORMAT_NOT_SUPPORTED',
  /** attestation 'direct' and a statement that does not verify (signature, chain, validity, freshness). */
  'ERR_WEBAUTHN_ATTESTATION_INVALID',
  /** The signature counter did not increase and counter regression is not allowed. */
  'ERR_WEBAUTHN_SIGN_COUNT_REGRESSED',
  /** The assertion signature does not verify with the stored public key. */
  'ERR_WEBAUTHN_SIGNATURE_INVALID',
] as const;

export type WebAuthnErrorCode = (typeof WEBAUTHN_ERROR_CODES)[number];

/** Thrown by every WebAuthn verification function; `code` is the reason, `message` says it for a human. */
export class WebAuthnVerificationError extends Error {
  readonly code: WebAuthnErrorCode;
  /**
   * Set when `message` is safe to show a client (it names a malformed field) and the precise reason
   * (which byte, which check, a parser's message) is for logs only.
   */
  readonly detail?: string;

  constructor(code: WebAuthnErrorCode, message: string, options: { detail?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'WebAuthnVerificationError';
    this.code = code;
    if (options.detail !== undefined) this.detail = options.detail;
  }
}

/** For input the client got wrong: `message` names the field, `detail` (default: the message) says exactly what. */
export function malformed(code: WebAuthnErrorCode, message: string, detail?: string): WebAuthnVerificationError {
  return new WebAuthnVerificationError(code, message, { detail: detail ?? message });
}

/** A thrown value as one line for a detail message (libraries throw Errors whose name matters). */
export function describe(err: unknown): string {
  if (err instanceof Error) return `${err.name}: ${err.message}`;
  return String(err);
}

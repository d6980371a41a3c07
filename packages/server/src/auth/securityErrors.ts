/**
 * What a client hears when a security/ verifier refuses something: the one table from each verifier's
 * error codes to Cognito's wire errors. It lives outside security/ so that the verifiers stay usable as
 * a library (they report what failed) while the server alone decides how Cognito would answer.
 * Each table is a `Record` over the closed code union, so a new code without an answer does not compile.
 */
import {
  InternalErrorException,
  InvalidParameterException,
  InvalidSignatureException,
  MissingAuthenticationTokenException,
  NotAuthorizedException,
  ServiceError,
  UnrecognizedClientException,
  WebAuthnChallengeNotFoundException,
  WebAuthnCredentialNotSupportedException,
  WebAuthnOriginNotAllowedException,
  WebAuthnRelyingPartyMismatchException,
  type ServiceErrorClass,
} from '../protocol/errors.js';
import { WebAuthnVerificationError, type WebAuthnErrorCode } from '../security/webauthn/index.js';
import { TokenVerificationError, type TokenErrorCode } from '../security/tokens.js';
import { SigV4Error, type SigV4ErrorCode } from '../security/sigv4.js';

/** Builds the wire error from a verifier's message (and, for WebAuthn input errors, its detail). */
export type ToServiceError = (err: { message: string; detail?: string }) => ServiceError;

/** Cognito's fixed public message; the verifier's reason goes to the log only. */
const quiet =
  (cls: ServiceErrorClass): ToServiceError =>
  (err) =>
    new cls(undefined, err.message);

/** The verifier's message is safe to send (it names what is malformed); its detail, if any, is logged. */
const told =
  (cls: ServiceErrorClass): ToServiceError =>
  (err) =>
    new cls(err.message, err.detail);

// ---------------------------------------------------------------------------------------------
// WebAuthn
// ---------------------------------------------------------------------------------------------

/** Malformed client input: the message names the field, the detail (logged) says exactly what. */
const invalidInput: ToServiceError = (err) => new InvalidParameterException(err.message, err.detail ?? err.message);

export type WebAuthnCeremony = 'registration' | 'authentication';

/**
 * Registration answers with the WebAuthn-specific names of CompleteWebAuthnRegistration
 * (docs/wire-contract.md §2.4); a sign-in answers NotAuthorizedException for whatever the client got
 * wrong, as Cognito does. Where the two differ, the entry names both.
 */
export const WEBAUTHN_WIRE_ERRORS: Record<WebAuthnErrorCode, ToServiceError | Record<WebAuthnCeremony, ToServiceError>> = {
  ERR_WEBAUTHN_INVALID_OPTIONS: quiet(InternalErrorException),
  ERR_WEBAUTHN_STORED_KEY_INVALID: quiet(InternalErrorException),
  ERR_WEBAUTHN_INVALID_BASE64URL: invalidInput,
  ERR_WEBAUTHN_MALFORMED_CREDENTIAL: invalidInput,
  ERR_WEBAUTHN_MALFORMED_CLIENT_DATA: invalidInput,
  ERR_WEBAUTHN_MALFORMED_ATTESTATION_OBJECT: invalidInput,
  ERR_WEBAUTHN_MALFORMED_AUTHENTICATOR_DATA: invalidInput,
  ERR_WEBAUTHN_CREDENTIAL_MISMATCH: quiet(NotAuthorizedException),
  ERR_WEBAUTHN_TYPE_MISMATCH: { registration: quiet(WebAuthnChallengeNotFoundException), authentication: quiet(NotAuthorizedException) },
  ERR_WEBAUTHN_CHALLENGE_MISMATCH: {
    registration: quiet(WebAuthnChallengeNotFoundException),
    authentication: quiet(NotAuthorizedException),
  },
  // Origin and RP ID keep their names at sign-in too: they tell a misconfigured client from a bad signature.
  ERR_WEBAUTHN_CROSS_ORIGIN: quiet(WebAuthnOriginNotAllowedException),
  ERR_WEBAUTHN_ORIGIN_NOT_ALLOWED: quiet(WebAuthnOriginNotAllowedException),
  ERR_WEBAUTHN_RP_ID_MISMATCH: quiet(WebAuthnRelyingPartyMismatchException),
  // At registration a missing flag means the authenticator cannot do what the pool requires.
  ERR_WEBAUTHN_USER_PRESENCE_MISSING: {
    registration: quiet(WebAuthnCredentialNotSupportedException),
    authentication: quiet(NotAuthorizedException),
  },
  ERR_WEBAUTHN_USER_VERIFICATION_MISSING: {
    registration: quiet(WebAuthnCredentialNotSupportedException),
    authentication: quiet(NotAuthorizedException),
  },
  ERR_WEBAUTHN_ALGORITHM_NOT_SUPPORTED: quiet(WebAuthnCredentialNotSupportedException),
  ERR_WEBAUTHN_PUBLIC_KEY_INVALID: quiet(WebAuthnCredentialNotSupportedException),
  ERR_WEBAUTHN_ATTESTATION_FORMAT_NOT_SUPPORTED: quiet(WebAuthnCredentialNotSupportedException),
  ERR_WEBAUTHN_ATTESTATION_INVALID: quiet(WebAuthnCredentialNotSupportedException),
  ERR_WEBAUTHN_SIGN_COUNT_REGRESSED: quiet(NotAuthorizedException),
  ERR_WEBAUTHN_SIGNATURE_INVALID: quiet(NotAuthorizedException),
};

/** The Cognito error for a WebAuthn verification failure in `ceremony`. */
export function webAuthnServiceError(err: WebAuthnVerificationError, ceremony: WebAuthnCeremony): ServiceError {
  const entry = WEBAUTHN_WIRE_ERRORS[err.code];
  return (typeof entry === 'function' ? entry : entry[ceremony])(err);
}

/**
 * Runs a WebAuthn step and rethrows its verification failure as the Cognito error; anything else
 * (a store failure, a bug) passes through untouched.
 */
export async function withWebAuthnErrors<T>(ceremony: WebAuthnCeremony, step: () => T | Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (err) {
    throw err instanceof WebAuthnVerificationError ? webAuthnServiceError(err, ceremony) : err;
  }
}

// ---------------------------------------------------------------------------------------------
// Access tokens
// ---------------------------------------------------------------------------------------------

/** Cognito says "Invalid Access Token" for everything but expiry and scope, which it names. */
export const TOKEN_WIRE_ERRORS: Record<TokenErrorCode, ToServiceError> = {
  ERR_TOKEN_MALFORMED: (err) => new NotAuthorizedException('Invalid Access Token', err.message),
  ERR_TOKEN_UNKNOWN_KEY: (err) => new NotAuthorizedException('Invalid Access Token', err.message),
  ERR_TOKEN_KEY_EXPIRED: (err) => new NotAuthorizedException('Invalid Access Token', err.message),
  ERR_TOKEN_EXPIRED: (err) => new NotAuthorizedException('Access Token has expired', err.message),
  ERR_TOKEN_WRONG_USE: (err) => new NotAuthorizedException('Invalid Access Token', err.message),
  ERR_TOKEN_MISSING_SCOPE: (err) => new NotAuthorizedException('Access Token does not have required scopes', err.message),
  ERR_TOKEN_INVALID: (err) => new NotAuthorizedException('Invalid Access Token', err.message),
};

/** The Cognito error for an access token that failed verification. */
export function tokenServiceError(err: TokenVerificationError): ServiceError {
  return TOKEN_WIRE_ERRORS[err.code](err);
}

// ---------------------------------------------------------------------------------------------
// SigV4
// ---------------------------------------------------------------------------------------------

/**
 * AWS tells a signer what is malformed about a request (InvalidSignatureException with the reason),
 * but says nothing beyond the error name about an unknown key or a wrong signature.
 */
export const SIGV4_WIRE_ERRORS: Record<SigV4ErrorCode, ToServiceError> = {
  ERR_SIGV4_MALFORMED_AUTHORIZATION: told(InvalidSignatureException),
  ERR_SIGV4_HEADER_NOT_SIGNED: told(InvalidSignatureException),
  ERR_SIGV4_SIGNED_HEADER_MISSING: told(InvalidSignatureException),
  ERR_SIGV4_MALFORMED_DATE: told(InvalidSignatureException),
  ERR_SIGV4_REQUEST_EXPIRED: told(InvalidSignatureException),
  ERR_SIGV4_REQUEST_NOT_YET_VALID: told(InvalidSignatureException),
  ERR_SIGV4_SCOPE_MISMATCH: told(InvalidSignatureException),
  ERR_SIGV4_PAYLOAD_HASH_MISMATCH: told(InvalidSignatureException),
  ERR_SIGV4_MALFORMED_QUERY: told(InvalidSignatureException),
  ERR_SIGV4_MISSING_AUTHORIZATION: quiet(MissingAuthenticationTokenException),
  ERR_SIGV4_UNKNOWN_ACCESS_KEY: quiet(UnrecognizedClientException),
  ERR_SIGV4_SIGNATURE_MISMATCH: quiet(InvalidSignatureException),
};

/** The AWS error for a request that failed SigV4 verification. */
export function sigV4ServiceError(err: SigV4Error): ServiceError {
  return SIGV4_WIRE_ERRORS[err.code](err);
}

/**
 * Error classes with the same names, fields and meaning as aws-amplify v6.
 *
 * - {@link AuthError}: service errors (`name` = the Cognito `__type`, e.g. `NotAuthorizedException`) and
 *   client-side validation / state errors (`UserUnAuthenticatedException`, `EmptySignInUsername`, …).
 * - {@link PasskeyError}: WebAuthn ceremony errors raised in the browser (`PasskeyNotSupported`,
 *   `PasskeyRegistrationCanceled`, …; docs/wire-contract.md §2.5).
 */

/** Metadata of a service response that produced an error. */
export interface ErrorMetadata {
  extendedRequestId?: string;
  httpStatusCode?: number;
  requestId?: string;
}

export interface AmplifyErrorParams {
  name: string;
  message: string;
  recoverySuggestion?: string;
  underlyingError?: unknown;
  metadata?: ErrorMetadata;
}

/** Base class of every error this library throws on purpose (same shape as Amplify's `AmplifyError`). */
export class AmplifyError extends Error {
  recoverySuggestion?: string;
  underlyingError?: unknown;
  metadata?: ErrorMetadata;

  constructor({ name, message, recoverySuggestion, underlyingError, metadata }: AmplifyErrorParams) {
    super(message);
    this.name = name;
    this.recoverySuggestion = recoverySuggestion;
    this.underlyingError = underlyingError;
    if (metadata) {
      const { extendedRequestId, httpStatusCode, requestId } = metadata;
      this.metadata = { extendedRequestId, httpStatusCode, requestId };
    }
  }
}

/** Service and validation errors of the Auth category. */
export class AuthError extends AmplifyError {
  /**
   * Latchkey extension (docs/wire-contract.md §10.3): the error body's `LatchkeyReason`, e.g. `UnknownCredential`
   * on a refused username-less passkey sign-in. Undefined for Cognito and for every other error.
   */
  latchkeyReason?: string;
}

/** Client-side WebAuthn errors (never sent by the server). */
export class PasskeyError extends AmplifyError {}

/** Names of {@link PasskeyError}s (docs/wire-contract.md §2.5), plus `Unknown` for anything unmapped. */
export type PasskeyErrorName =
  | 'PasskeyNotSupported'
  | 'PasskeyAlreadyExists'
  | 'InvalidPasskeyRegistrationOptions'
  | 'InvalidPasskeyAuthenticationOptions'
  | 'RelyingPartyMismatch'
  | 'PasskeyRegistrationFailed'
  | 'PasskeyRetrievalFailed'
  | 'PasskeyRegistrationCanceled'
  | 'PasskeyAuthenticationCanceled'
  | 'PasskeyOperationAborted'
  | 'Unknown';

export const USER_UNAUTHENTICATED_EXCEPTION = 'UserUnAuthenticatedException';
export const USER_ALREADY_AUTHENTICATED_EXCEPTION = 'UserAlreadyAuthenticatedException';
export const SIGN_IN_EXCEPTION = 'SignInException';

const ABORT_OR_CANCEL = 'User may have canceled the ceremony or another interruption has occurred. Check underlying error for details.';
const MISCONFIGURATION = 'Ensure your user pool is configured to support the WEB_AUTHN as an authentication factor.';
const NOT_SUPPORTED =
  'Passkeys may not be supported on this device. Ensure your application is ' +
  'running in a secure context (HTTPS) and Web Authentication API is supported.';

const passkeyMessages: Record<Exclude<PasskeyErrorName, 'Unknown'>, [string, string]> = {
  PasskeyNotSupported: ['Passkeys may not be supported on this device.', NOT_SUPPORTED],
  InvalidPasskeyRegistrationOptions: ['Invalid passkey registration options.', MISCONFIGURATION],
  InvalidPasskeyAuthenticationOptions: ['Invalid passkey authentication options.', MISCONFIGURATION],
  PasskeyRegistrationFailed: ['Device failed to create passkey.', NOT_SUPPORTED],
  PasskeyRetrievalFailed: [
    'Device failed to retrieve passkey.',
    'Passkeys may not be available on this device. Try an alternative authentication factor like PASSWORD, EMAIL_OTP, or SMS_OTP.',
  ],
  PasskeyAlreadyExists: [
    'Passkey already exists in authenticator.',
    'Proceed with existing passkey or try again after deleting the credential.',
  ],
  PasskeyRegistrationCanceled: ['Passkey registration ceremony has been canceled.', ABORT_OR_CANCEL],
  PasskeyAuthenticationCanceled: ['Passkey authentication ceremony has been canceled.', ABORT_OR_CANCEL],
  PasskeyOperationAborted: ['Passkey operation has been aborted.', ABORT_OR_CANCEL],
  RelyingPartyMismatch: ['Relying party does not match current domain.', 'Ensure relying party identifier matches current domain.'],
};

export function passkeyError(name: PasskeyErrorName, underlyingError?: unknown): PasskeyError {
  if (name === 'Unknown') {
    return new PasskeyError({ name, message: 'An unknown error has occurred.', underlyingError });
  }
  const [message, recoverySuggestion] = passkeyMessages[name];
  return new PasskeyError({ name, message, recoverySuggestion, underlyingError });
}

/** Client-side validation errors, named and worded as Amplify's `AuthValidationErrorCode`. */
const validationMessages = {
  EmptySignInUsername: ['username is required to signIn'],
  EmptySignInPassword: ['password is required to signIn'],
  CustomAuthSignInPassword: [
    'A password is not needed when signing in with CUSTOM_WITHOUT_SRP',
    'Do not include a password in your signIn call.',
  ],
  EmptySignUpUsername: ['username is required to signUp'],
  EmptySignUpPassword: ['password is required to signUp'],
  EmptyConfirmSignUpUsername: ['username is required to confirmSignUp'],
  EmptyConfirmSignUpCode: ['code is required to confirmSignUp'],
  EmptyChallengeResponse: ['challengeResponse is required to confirmSignIn'],
  EmptyResetPasswordUsername: ['username is required to resetPassword'],
  EmptyConfirmResetPasswordUsername: ['username is required to confirmResetPassword'],
  EmptyConfirmResetPasswordNewPassword: ['newPassword is required to confirmResetPassword'],
  EmptyConfirmResetPasswordConfirmationCode: ['confirmationCode is required to confirmResetPassword'],
  EmptyUpdatePassword: ['oldPassword and newPassword are required to changePassword'],
  EmptyVerifyTOTPSetupCode: ['code is required to verifyTotpSetup'],
  IncorrectMFAMethod: [
    'Incorrect MFA method was chosen. It should be either SMS, TOTP, or EMAIL',
    'Try to pass SMS, TOTP, or EMAIL as the challengeResponse',
  ],
  InvalidPreferredChallenge: [
    'The preferred challenge is not enabled in your backend configuration',
    'Ensure the authentication method is enabled in your Amplify backend configuration',
  ],
} satisfies Record<string, [string] | [string, string]>;

export type ValidationErrorName = keyof typeof validationMessages;

export function assertValidation(condition: unknown, name: ValidationErrorName): asserts condition {
  if (!condition) {
    const [message, recoverySuggestion] = validationMessages[name] as [string, string?];
    throw new AuthError({ name, message, recoverySuggestion });
  }
}

export function unauthenticatedError(): AuthError {
  return new AuthError({
    name: USER_UNAUTHENTICATED_EXCEPTION,
    message: 'User needs to be authenticated to call this API.',
    recoverySuggestion: 'Sign in before calling this API again.',
  });
}

export function signInException(message: string, recoverySuggestion?: string): AuthError {
  return new AuthError({ name: SIGN_IN_EXCEPTION, message, recoverySuggestion });
}

/**
 * Amplify's `assertServiceError`: anything that is not a named error (plain `Error`, `TypeError`,
 * a non-error) is wrapped as `AuthError{name:'Unknown'}`; named errors pass through unchanged.
 */
export function toNamedError(error: unknown): Error {
  if (!error || !(error instanceof Error) || error.name === 'Error' || error instanceof TypeError) {
    return new AuthError({ name: 'Unknown', message: 'An unknown error has occurred.', underlyingError: error });
  }
  return error;
}

import type { CognitoErrorType } from '@latchkey/wire';

/**
 * Reasons an error may carry beyond Cognito's `__type` / `message`. `UnknownCredential`: a username-less passkey
 * sign-in presented a credential id this pool does not have (the client may signal it to the authenticator).
 */
export type LatchkeyReason = 'UnknownCredential';

/**
 * The closed set of errors Latchkey sends on the wire, named exactly as Amazon Cognito's `__type`.
 *
 * Every class carries a public message that is safe to show to a client. Internal detail (which
 * check failed, a library's own message) goes in `detail`, which is logged and never serialised.
 */
export class ServiceError extends Error {
  /** HTTP status on the wire: 400 for client faults, 500 for InternalErrorException. */
  readonly status: number = 400;
  /** Logged with the request id, never sent to the client. */
  readonly detail?: string;
  /**
   * Latchkey's extra body member `LatchkeyReason` (docs/wire-contract.md, Latchkey extensions): a closed set
   * of machine reasons a Latchkey client acts on and Amplify ignores. Only set where telling it is safe.
   */
  latchkeyReason?: LatchkeyReason;

  constructor(message: string, detail?: string) {
    super(message);
    this.name = new.target.name;
    this.detail = detail;
  }

  /** The `__type` on the wire (equal to the class name). */
  get type(): string {
    return this.name;
  }
}

// Names come from @latchkey/wire's closed list, which the client matches against: a name outside it fails to compile.
const define = <N extends CognitoErrorType>(name: N, defaultMessage: string, status = 400) => {
  const cls = class extends ServiceError {
    override readonly status = status;
    constructor(message: string = defaultMessage, detail?: string) {
      super(message, detail);
      this.name = name;
    }
  };
  Object.defineProperty(cls, 'name', { value: name });
  return cls;
};

// Protocol and authorization of the call itself.
export const UnknownOperationException = define('UnknownOperationException', 'The operation is not supported.');
export const SerializationException = define('SerializationException', 'The request body could not be parsed as JSON.');
export const RequestEntityTooLargeException = define('RequestEntityTooLargeException', 'The request body is too large.');
export const InvalidParameterException = define('InvalidParameterException', 'Invalid parameter.');
export const MissingAuthenticationTokenException = define('MissingAuthenticationTokenException', 'Missing Authentication Token');
export const UnrecognizedClientException = define('UnrecognizedClientException', 'The security token included in the request is invalid.');
export const InvalidSignatureException = define(
  'InvalidSignatureException',
  'The request signature we calculated does not match the signature you provided.',
);
export const InternalErrorException = define('InternalErrorException', 'An internal error occurred.', 500);
export const TooManyRequestsException = define('TooManyRequestsException', 'Too many requests.');
export const LimitExceededException = define('LimitExceededException', 'Limit exceeded.');
export const NotAuthorizedException = define('NotAuthorizedException', 'Not authorized.');
export const ForbiddenException = define('ForbiddenException', 'Forbidden.');
export const ResourceNotFoundException = define('ResourceNotFoundException', 'Resource not found.');
export const ConcurrentModificationException = define('ConcurrentModificationException', 'Concurrent modification.');

// Users.
export const UserNotFoundException = define('UserNotFoundException', 'User does not exist.');
export const UsernameExistsException = define('UsernameExistsException', 'User already exists');
export const AliasExistsException = define('AliasExistsException', 'An account with the given email already exists.');
export const UserNotConfirmedException = define('UserNotConfirmedException', 'User is not confirmed.');
export const PasswordResetRequiredException = define('PasswordResetRequiredException', 'Password reset required for the user');
export const InvalidPasswordException = define('InvalidPasswordException', 'Password does not conform to policy.');
export const CodeMismatchException = define('CodeMismatchException', 'Invalid verification code provided, please try again.');
export const ExpiredCodeException = define('ExpiredCodeException', 'Invalid code provided, please request a code again.');
export const CodeDeliveryFailureException = define('CodeDeliveryFailureException', 'Unable to deliver the verification code.');
export const SoftwareTokenMFANotFoundException = define(
  'SoftwareTokenMFANotFoundException',
  'Software Token MFA has not been enabled by the userPool.',
);
export const EnableSoftwareTokenMFAException = define(
  'EnableSoftwareTokenMFAException',
  'Code mismatch and fail enable Software Token MFA',
);
export const InvalidUserPoolConfigurationException = define(
  'InvalidUserPoolConfigurationException',
  'The user pool configuration is invalid.',
);
export const UnsupportedOperationException = define('UnsupportedOperationException', 'The operation is not supported.');
export const UnsupportedTokenTypeException = define('UnsupportedTokenTypeException', 'The token type is not supported.');
export const UnsupportedUserStateException = define('UnsupportedUserStateException', 'The user is in an unsupported state.');

// Triggers (docs/triggers/README.md): the receiver refused (a thrown Lambda error), could not be called, or answered nonsense.
export const UserLambdaValidationException = define('UserLambdaValidationException', 'The trigger refused the request.');
export const UnexpectedLambdaException = define('UnexpectedLambdaException', 'The trigger could not be invoked.');
export const InvalidLambdaResponseException = define('InvalidLambdaResponseException', 'Unrecognizable lambda output');

// Passkeys (docs/wire-contract.md §2.4).
export const WebAuthnNotEnabledException = define('WebAuthnNotEnabledException', 'Passkeys are not enabled for this user pool.');
export const WebAuthnConfigurationMissingException = define(
  'WebAuthnConfigurationMissingException',
  'The user pool has no relying party id configured.',
);
export const WebAuthnChallengeNotFoundException = define(
  'WebAuthnChallengeNotFoundException',
  'The challenge was not found or has expired.',
);
export const WebAuthnRelyingPartyMismatchException = define(
  'WebAuthnRelyingPartyMismatchException',
  'The credential was not created for this relying party.',
);
export const WebAuthnClientMismatchException = define(
  'WebAuthnClientMismatchException',
  'The registration was started by another app client.',
);
export const WebAuthnOriginNotAllowedException = define(
  'WebAuthnOriginNotAllowedException',
  'The origin of the credential is not allowed for this relying party.',
);
export const WebAuthnCredentialNotSupportedException = define(
  'WebAuthnCredentialNotSupportedException',
  'The credential is not supported.',
);

export type ServiceErrorClass = ReturnType<typeof define>;

/** Cognito's phrasing for a schema violation on one member. */
export function invalidParameter(message: string, detail?: string): ServiceError {
  return new InvalidParameterException(message, detail);
}
export const TooManyFailedAttemptsException = define('TooManyFailedAttemptsException', 'Too many failed attempts.');
export const InvalidEmailRoleAccessPolicyException = define('InvalidEmailRoleAccessPolicyException', 'Email delivery is not configured.');
export const UnauthorizedException = define('UnauthorizedException', 'Unauthorized.');

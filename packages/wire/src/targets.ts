/**
 * Names on the wire (docs/wire-contract.md §1): the `X-Amz-Target` prefix and the closed set of `__type`
 * error names Latchkey sends. The server defines one error class per name and the client matches
 * responses against them, so a misspelt name is a compile error on either side rather than a silent
 * mismatch.
 */

/** `X-Amz-Target: AWSCognitoIdentityProviderService.<Operation>` (AWS JSON 1.1). */
export const TARGET_PREFIX = 'AWSCognitoIdentityProviderService.';

/** Every `__type` Latchkey sends, spelt exactly as Amazon Cognito does. */
export const COGNITO_ERROR_TYPES = [
  // Protocol and authorization of the call itself.
  'UnknownOperationException',
  'SerializationException',
  'RequestEntityTooLargeException',
  'InvalidParameterException',
  'MissingAuthenticationTokenException',
  'UnrecognizedClientException',
  'InvalidSignatureException',
  'InternalErrorException',
  'TooManyRequestsException',
  'TooManyFailedAttemptsException',
  'LimitExceededException',
  'NotAuthorizedException',
  'UnauthorizedException',
  'ForbiddenException',
  'ResourceNotFoundException',
  'ConcurrentModificationException',
  // Users.
  'UserNotFoundException',
  'UsernameExistsException',
  'AliasExistsException',
  'UserNotConfirmedException',
  'PasswordResetRequiredException',
  'InvalidPasswordException',
  'CodeMismatchException',
  'ExpiredCodeException',
  'CodeDeliveryFailureException',
  'SoftwareTokenMFANotFoundException',
  'EnableSoftwareTokenMFAException',
  'InvalidUserPoolConfigurationException',
  'InvalidEmailRoleAccessPolicyException',
  'UnsupportedOperationException',
  'UnsupportedTokenTypeException',
  'UnsupportedUserStateException',
  // Triggers (docs/triggers/README.md).
  'UserLambdaValidationException',
  'UnexpectedLambdaException',
  'InvalidLambdaResponseException',
  // Passkeys (§2.4).
  'WebAuthnNotEnabledException',
  'WebAuthnConfigurationMissingException',
  'WebAuthnChallengeNotFoundException',
  'WebAuthnRelyingPartyMismatchException',
  'WebAuthnClientMismatchException',
  'WebAuthnOriginNotAllowedException',
  'WebAuthnCredentialNotSupportedException',
] as const;

/** One of {@link COGNITO_ERROR_TYPES}. */
export type CognitoErrorType = (typeof COGNITO_ERROR_TYPES)[number];

/** Whether `name` is a `__type` Latchkey sends. Never throws. */
export function isCognitoErrorType(name: unknown): name is CognitoErrorType {
  return (COGNITO_ERROR_TYPES as readonly unknown[]).includes(name);
}

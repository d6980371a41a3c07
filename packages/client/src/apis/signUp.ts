import type { CognitoErrorType } from '@latchkey/wire';
import { getConfig } from '../config.js';
import { AuthError, assertValidation } from '../errors.js';
import { AuthAction, callUserPool } from '../transport.js';
import { toAttributeType, toCodeDeliveryDetails, type CodeDeliveryDetailsWire } from '../internal/mappers.js';
import type { SignInInput, SignUpInput, SignUpOutput } from '../types.js';
import { armAutoSignIn, armAutoSignInAfterLink, startAutoSignIn } from './autoSignIn.js';

/**
 * Creates a user (Cognito `SignUp`). Resolves `{ isSignUpComplete, userId, nextStep }` with
 * `signUpStep` `CONFIRM_SIGN_UP` (+ `codeDeliveryDetails`), `DONE`, or `COMPLETE_AUTO_SIGN_IN` when
 * `options.autoSignIn` was requested (then call `autoSignIn()`, after `confirmSignUp` if needed).
 * `password` may be omitted for passwordless pools.
 */
export async function signUp(input: SignUpInput): Promise<SignUpOutput> {
  const { cognito } = getConfig();
  const { username, password, options } = input;
  const autoSignInOption = options?.autoSignIn;
  assertValidation(!!username, 'EmptySignUpUsername');
  const signInOptions = typeof autoSignInOption === 'object' ? autoSignInOption : undefined;
  const signInInput: SignInInput = { username, options: signInOptions };
  if (signInOptions?.authFlowType !== 'CUSTOM_WITHOUT_SRP') signInInput.password = password;

  let output: { UserSub?: string; UserConfirmed?: boolean; CodeDeliveryDetails?: CodeDeliveryDetailsWire; Session?: string };
  try {
    output = await callUserPool(
      'SignUp',
      {
        Username: username,
        Password: password || undefined,
        UserAttributes: options?.userAttributes && toAttributeType(options.userAttributes),
        ClientMetadata: options?.clientMetadata,
        ValidationData: options?.validationData && toAttributeType(options.validationData),
        ClientId: cognito.userPoolClientId,
      },
      { action: AuthAction.SignUp },
    );
  } catch (error) {
    // Cognito's "Value at 'password' failed to satisfy constraint: Member must not be null"
    if (
      error instanceof AuthError &&
      error.name === ('InvalidParameterException' satisfies CognitoErrorType) &&
      /'password'/.test(error.message) &&
      /Member must not be null/.test(error.message)
    ) {
      assertValidation(false, 'EmptySignUpPassword');
    }
    throw error;
  }

  const userId = output.UserSub;
  const codeDeliveryDetails = toCodeDeliveryDetails(output.CodeDeliveryDetails);
  const autoSignInRequested = !!signInOptions || autoSignInOption === true;
  if (autoSignInRequested) startAutoSignIn(username, signInInput, output.Session);

  if (output.UserConfirmed) {
    if (autoSignInRequested) {
      armAutoSignIn();
      return { isSignUpComplete: true, nextStep: { signUpStep: 'COMPLETE_AUTO_SIGN_IN' }, userId };
    }
    return { isSignUpComplete: true, nextStep: { signUpStep: 'DONE' }, userId };
  }
  if (autoSignInRequested && cognito.signUpVerificationMethod === 'link') {
    armAutoSignInAfterLink();
    return {
      isSignUpComplete: false,
      nextStep: { signUpStep: 'COMPLETE_AUTO_SIGN_IN', codeDeliveryDetails },
      userId,
    };
  }
  return { isSignUpComplete: false, nextStep: { signUpStep: 'CONFIRM_SIGN_UP', codeDeliveryDetails }, userId };
}

import { getConfig } from '../config.js';
import { assertValidation } from '../errors.js';
import { AuthAction, callUserPool } from '../transport.js';
import type { ConfirmSignUpInput, ConfirmSignUpOutput } from '../types.js';
import { armAutoSignIn, pendingAutoSignIn, resetAutoSignIn } from './autoSignIn.js';

/**
 * Confirms a sign-up with the code the user received (Cognito `ConfirmSignUp`). Resolves
 * `{ isSignUpComplete: true, nextStep: { signUpStep: 'DONE' } }`, or `COMPLETE_AUTO_SIGN_IN` when
 * `signUp` requested auto sign-in for the same username (then call `autoSignIn()`).
 */
export async function confirmSignUp(input: ConfirmSignUpInput): Promise<ConfirmSignUpOutput> {
  const { cognito } = getConfig();
  const { username, confirmationCode, options } = input;
  assertValidation(!!username, 'EmptyConfirmSignUpUsername');
  assertValidation(!!confirmationCode, 'EmptyConfirmSignUpCode');
  const { Session } = await callUserPool<{ Session?: string }>(
    'ConfirmSignUp',
    {
      Username: username,
      ConfirmationCode: confirmationCode,
      ClientMetadata: options?.clientMetadata,
      ForceAliasCreation: options?.forceAliasCreation,
      ClientId: cognito.userPoolClientId,
    },
    { action: AuthAction.ConfirmSignUp },
  );
  if (!pendingAutoSignIn(username)) {
    resetAutoSignIn();
    return { isSignUpComplete: true, nextStep: { signUpStep: 'DONE' } };
  }
  armAutoSignIn(Session);
  return { isSignUpComplete: true, nextStep: { signUpStep: 'COMPLETE_AUTO_SIGN_IN' } };
}

import { getConfig } from '../config.js';
import { assertValidation, signInException } from '../errors.js';
import { answerChallenge } from '../internal/answerChallenge.js';
import { settleSignIn, mapSignInError } from '../internal/signInFlow.js';
import { getSignInState } from '../signInState.js';
import type { ConfirmSignInInput, ConfirmSignInOutput } from '../types.js';

/**
 * Continues a sign-in (Amplify `confirmSignIn`). `challengeResponse` by step:
 * - `CONTINUE_SIGN_IN_WITH_FIRST_FACTOR_SELECTION`: `'WEB_AUTHN'` (runs the passkey ceremony in this
 *   call), `'PASSWORD'` / `'PASSWORD_SRP'` (no request; next step `CONFIRM_SIGN_IN_WITH_PASSWORD`),
 *   `'EMAIL_OTP'` / `'SMS_OTP'`;
 * - `CONFIRM_SIGN_IN_WITH_PASSWORD`: the password;
 * - `CONFIRM_SIGN_IN_WITH_NEW_PASSWORD_REQUIRED`: the new password (+ `options.userAttributes`);
 * - `CONFIRM_SIGN_IN_WITH_{SMS,EMAIL,TOTP}_CODE`: the code; `CONTINUE_SIGN_IN_WITH_MFA_SELECTION`:
 *   `'SMS' | 'TOTP' | 'EMAIL'`; MFA setup steps and custom challenges as in Amplify.
 * Throws `SignInException` when no sign-in is in progress (or it expired after 3 minutes).
 */
export async function confirmSignIn(input: ConfirmSignInInput): Promise<ConfirmSignInOutput> {
  const { challengeResponse, options } = input;
  const { username, challengeName, signInSession, signInDetails } = getSignInState();
  getConfig();
  assertValidation(!!challengeResponse, 'EmptyChallengeResponse');
  if (!username || !challengeName || !signInSession) {
    throw signInException(
      'An error occurred during the sign in process. This most likely occurred due to: 1. signIn was not called before ' +
        'confirmSignIn. 2. signIn threw an exception. 3. the page was reloaded and the sign-in state (kept 3 minutes) has expired.',
      'Make sure a successful call to signIn is made before calling confirmSignIn and that the session has not expired.',
    );
  }
  try {
    const response = await answerChallenge({
      username,
      challengeName,
      session: signInSession,
      challengeResponse,
      clientMetadata: options?.clientMetadata,
      options,
    });
    // The username stays the one the sign-in started with (Amplify behaviour).
    return await settleSignIn({ response, username }, signInDetails);
  } catch (caught) {
    // Unlike signIn, the sign-in state is kept: the user can answer again (e.g. pick PASSWORD after a
    // cancelled passkey prompt).
    return mapSignInError(caught);
  }
}

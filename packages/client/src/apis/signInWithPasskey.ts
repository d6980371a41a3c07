import { getConfig } from '../config.js';
import { assertUserNotAuthenticated, handleSignInError, initiateAuth, settleSignIn } from '../internal/signInFlow.js';
import type { ClientMetadata, SignInOutput } from '../types.js';
import { signIn } from './signIn.js';

export interface SignInWithPasskeyInput {
  /** Who signs in. Omit for username-less sign-in with a discoverable credential (server support needed). */
  username?: string;
  options?: { clientMetadata?: ClientMetadata };
}

/**
 * Extension (not in Amplify): passkey sign-in in one call.
 *
 * With `username` it is exactly `signIn({ username, options: { authFlowType: 'USER_AUTH',
 * preferredChallenge: 'WEB_AUTHN' } })` and works with Amazon Cognito.
 *
 * Without `username` it sends `InitiateAuth` USER_AUTH with only `PREFERRED_CHALLENGE: WEB_AUTHN`
 * and lets the authenticator pick a discoverable credential. Amazon Cognito requires USERNAME and
 * answers `InvalidParameterException`; it works only against a server that supports username-less
 * passkey sign-in. The tokens are stored under the server's `ChallengeParameters.USERNAME`, else the
 * id token's `cognito:username`.
 */
export async function signInWithPasskey(input: SignInWithPasskeyInput = {}): Promise<SignInOutput> {
  const { username, options } = input;
  if (username) {
    return signIn({
      username,
      options: { authFlowType: 'USER_AUTH', preferredChallenge: 'WEB_AUTHN', clientMetadata: options?.clientMetadata },
    });
  }
  const { cognito } = getConfig();
  await assertUserNotAuthenticated();
  try {
    const response = await initiateAuth({
      AuthFlow: 'USER_AUTH',
      AuthParameters: { PREFERRED_CHALLENGE: 'WEB_AUTHN' },
      ClientMetadata: options?.clientMetadata,
      ClientId: cognito.userPoolClientId,
    });
    const named = response.ChallengeParameters?.USERNAME ?? '';
    return await settleSignIn({ response, username: named }, { authFlowType: 'USER_AUTH' });
  } catch (error) {
    return handleSignInError(error);
  }
}

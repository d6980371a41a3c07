import { getConfig } from '../config.js';
import { emit } from '../events.js';
import { resetSignInState } from '../signInState.js';
import { clearTokens, loadTokens } from '../tokens.js';
import { AuthAction, callUserPool } from '../transport.js';
import type { SignOutInput } from '../types.js';

/**
 * Signs out (Amplify `signOut`). Default: revokes the refresh token with `RevokeToken` when one is
 * stored and the access token carries `origin_jti`. `{ global: true }`: `GlobalSignOut` (invalidates
 * every session of the user). Service errors are swallowed; local tokens are always cleared and
 * `signedOut` is emitted. (OAuth / hosted-UI redirect sign-out is not supported.)
 */
export async function signOut(input?: SignOutInput): Promise<void> {
  const config = getConfig();
  const tokens = await loadTokens(config);
  try {
    if (input?.global) {
      if (tokens) {
        await callUserPool('GlobalSignOut', { AccessToken: tokens.accessToken.toString() }, { action: AuthAction.SignOut });
      }
    } else if (tokens?.refreshToken && tokens.accessToken.payload.origin_jti) {
      await callUserPool(
        'RevokeToken',
        { ClientId: config.cognito.userPoolClientId, Token: tokens.refreshToken },
        { action: AuthAction.SignOut },
      );
    }
  } catch {
    // as Amplify: a failed revocation must not keep the user signed in locally
  }
  await clearTokens(config);
  resetSignInState();
  emit({ event: 'signedOut' });
}

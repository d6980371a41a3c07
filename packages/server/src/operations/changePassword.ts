import { operation, type Wire } from './types.js';
import { common } from '../protocol/validate.js';
import { authorizeAccessToken } from '../auth/accessToken.js';
import { admitPasswordAttempt, assertPasswordPolicy, passwordSecret, srpIdentityOf, userAttemptKey, INCORRECT } from '../auth/password.js';
import { checkPassword } from '../security/srp.js';
import { NotAuthorizedException } from '../protocol/errors.js';
import { lifecycleEvent } from '../auth/events.js';
import type { Services } from '../services.js';
import type { ChangePasswordResponse } from '@aws-sdk/client-cognito-identity-provider';

/**
 * ChangePassword: the previous password must verify. Each guess is admitted before it is evaluated,
 * on the user's sign-in attempt budget (Store.admitLoginAttempt), and the new verifier replaces
 * the one that was checked with a compare-and-swap: of concurrent changes, exactly one applies.
 * @throws NotAuthorizedException (wrong or stale previous password, lockout) | InvalidPasswordException
 */
export const ChangePassword = operation({
  auth: 'none',
  input: { PreviousPassword: common.password(false), ProposedPassword: common.password(), AccessToken: common.accessToken() },
  async handle(
    s: Pick<Services, 'store' | 'tokens' | 'box' | 'clock'>,
    { PreviousPassword, ProposedPassword, AccessToken },
  ): Promise<Wire<ChangePasswordResponse>> {
    const { pool, user } = await authorizeAccessToken(s, AccessToken);
    assertPasswordPolicy(pool, ProposedPassword);
    // The user's sign-in budget: a stolen access token buys no guesses of its own.
    const attemptKey = userAttemptKey(s, pool, user);
    if (user.srpVerifier && user.srpSalt) {
      await admitPasswordAttempt(s, pool, attemptKey);
      if (!PreviousPassword || !checkPassword(pool.srpName, srpIdentityOf(user), PreviousPassword, user.srpSalt, user.srpVerifier)) {
        throw new NotAuthorizedException(INCORRECT);
      }
    }
    const now = s.clock.now();
    const event = lifecycleEvent(s, pool, user, 'password.changed', { operation: 'ChangePassword' });
    const swapped = await s.store.updateUser(
      pool.id,
      user.id,
      passwordSecret(pool, user, ProposedPassword, now),
      now,
      { srpVerifier: user.srpVerifier },
      [event],
    );
    // The previous password was right when it was checked (a double submit, say): that is no guess to
    // count, whichever of the concurrent changes won.
    await s.store.clearLoginAttempts(pool.id, [attemptKey]);
    if (!swapped) throw new NotAuthorizedException(INCORRECT, 'password changed concurrently');
    return {};
  },
});

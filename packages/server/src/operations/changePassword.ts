import { operation } from './types.js';
import { common } from '../protocol/validate.js';
import { authorizeAccessToken } from '../auth/accessToken.js';
import { assertNotLocked, assertPasswordPolicy, passwordSecret, recordFailure, INCORRECT } from '../auth/password.js';
import { checkPassword } from '../security/srp.js';
import { NotAuthorizedException } from '../protocol/errors.js';

/** ChangePassword: the previous password must verify (failures count toward the lockout). */
export const ChangePassword = operation<{ PreviousPassword?: string; ProposedPassword: string; AccessToken: string }, object>({
  auth: 'none',
  input: { PreviousPassword: common.password(false), ProposedPassword: common.password(), AccessToken: common.accessToken() },
  async handle(s, { PreviousPassword, ProposedPassword, AccessToken }) {
    const { pool, user } = await authorizeAccessToken(s, AccessToken);
    if (user.srpVerifier && user.srpSalt) {
      assertNotLocked(s, user);
      if (!PreviousPassword || !checkPassword(pool.srpName, user.id, PreviousPassword, user.srpSalt, user.srpVerifier)) {
        await recordFailure(s, pool, user);
        throw new NotAuthorizedException(INCORRECT);
      }
    }
    assertPasswordPolicy(pool, ProposedPassword);
    await s.store.updateUser(pool.id, user.id, { ...passwordSecret(pool, user, ProposedPassword, s.clock.now()), failedAttempts: 0, lockedUntil: 0 }, s.clock.now());
    return {};
  },
});

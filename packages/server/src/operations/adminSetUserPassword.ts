import { adminUserOperation } from './shared.js';
import { v, common } from '../protocol/validate.js';
import { assertPasswordPolicy, passwordSecret, userAttemptKey } from '../auth/password.js';

/** AdminSetUserPassword: Permanent → CONFIRMED; otherwise the user must choose a new one at next sign-in. */
export const AdminSetUserPassword = adminUserOperation<{ Password: string; Permanent?: boolean }>(
  { Password: common.password(), Permanent: v.bool() },
  async (s, pool, user, input) => {
    assertPasswordPolicy(pool, input.Password);
    const status = input.Permanent ? 'CONFIRMED' : 'FORCE_CHANGE_PASSWORD';
    const now = s.clock.now();
    await s.store.updateUser(pool.id, user.id, { ...passwordSecret(pool, user, input.Password, now), status }, now);
    await s.store.clearLoginAttempts(pool.id, [userAttemptKey(s, pool, user)]);
    return {};
  },
);

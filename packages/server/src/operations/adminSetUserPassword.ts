import { operation } from './types.js';
import { v, common } from '../protocol/validate.js';
import { loadPool, loadUser } from './shared.js';
import { assertPasswordPolicy, passwordSecret } from '../auth/password.js';

export const AdminSetUserPassword = operation<{ UserPoolId: string; Username: string } & Record<string, any>, object>({
  auth: 'sigv4',
  input: { UserPoolId: common.userPoolId(), Username: common.username(), Password: common.password(), Permanent: v.bool() },
  async handle(s, input) {
    const pool = await loadPool(s, input.UserPoolId);
    const user = await loadUser(s, pool, input.Username);
    assertPasswordPolicy(pool, input.Password);
    // Permanent → CONFIRMED; otherwise the user must choose a new one at next sign-in.
    const status = input.Permanent ? 'CONFIRMED' : 'FORCE_CHANGE_PASSWORD';
    await s.store.updateUser(pool.id, user.id, { ...passwordSecret(pool, user, input.Password, s.clock.now()), status, failedAttempts: 0, lockedUntil: 0 }, s.clock.now());
    return {};
  },
});

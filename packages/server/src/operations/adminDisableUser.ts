import { operation } from './types.js';
import { v, common } from '../protocol/validate.js';
import { loadPool, loadUser } from './shared.js';


export const AdminDisableUser = operation<{ UserPoolId: string; Username: string } & Record<string, any>, object>({
  auth: 'sigv4',
  input: { UserPoolId: common.userPoolId(), Username: common.username() },
  async handle(s, input) {
    const pool = await loadPool(s, input.UserPoolId);
    const user = await loadUser(s, pool, input.Username);
    void v;
    // Access tokens stop working at once (the verifier checks enabled); refresh is refused too.
    await s.store.updateUser(pool.id, user.id, { enabled: false }, s.clock.now());
    // Cognito: disabling "revokes all access tokens for the user"; they stay dead after re-enabling.
    await s.store.revokeAllUserTokens(pool.id, user.id, s.clock.now());
    return {};
  },
});

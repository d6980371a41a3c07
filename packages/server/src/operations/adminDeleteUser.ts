import { operation } from './types.js';
import { v, common } from '../protocol/validate.js';
import { loadPool, loadUser } from './shared.js';


export const AdminDeleteUser = operation<{ UserPoolId: string; Username: string } & Record<string, any>, object>({
  auth: 'sigv4',
  input: { UserPoolId: common.userPoolId(), Username: common.username() },
  async handle(s, input) {
    const pool = await loadPool(s, input.UserPoolId);
    const user = await loadUser(s, pool, input.Username);
    void v;
    await s.store.deleteUser(pool.id, user.id);
    return {};
  },
});

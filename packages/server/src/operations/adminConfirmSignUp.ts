import { operation } from './types.js';
import { v, common } from '../protocol/validate.js';
import { loadPool, loadUser } from './shared.js';
import { NotAuthorizedException } from '../protocol/errors.js';

export const AdminConfirmSignUp = operation<{ UserPoolId: string; Username: string } & Record<string, any>, object>({
  auth: 'sigv4',
  input: { UserPoolId: common.userPoolId(), Username: common.username(), ClientMetadata: common.clientMetadata() },
  async handle(s, input) {
    const pool = await loadPool(s, input.UserPoolId);
    const user = await loadUser(s, pool, input.Username);
    void v;
    if (user.status !== 'UNCONFIRMED') throw new NotAuthorizedException(`User cannot be confirmed. Current status is ${user.status}`);
    await s.store.updateUser(pool.id, user.id, { status: 'CONFIRMED' }, s.clock.now());
    return {};
  },
});

import { adminUserOperation } from './shared.js';
import { common } from '../protocol/validate.js';
import { NotAuthorizedException } from '../protocol/errors.js';

export const AdminConfirmSignUp = adminUserOperation({ ClientMetadata: common.clientMetadata() }, async (s, pool, user) => {
  if (user.status !== 'UNCONFIRMED') throw new NotAuthorizedException(`User cannot be confirmed. Current status is ${user.status}`);
  await s.store.updateUser(pool.id, user.id, { status: 'CONFIRMED' }, s.clock.now());
  return {};
});

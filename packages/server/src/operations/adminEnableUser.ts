import { adminUserOperation } from './shared.js';

export const AdminEnableUser = adminUserOperation({}, async (s, pool, user) => {
  await s.store.updateUser(pool.id, user.id, { enabled: true }, s.clock.now());
  return {};
});

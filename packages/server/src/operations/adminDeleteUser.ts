import { adminUserOperation } from './shared.js';

export const AdminDeleteUser = adminUserOperation({}, async (s, pool, user) => {
  // Passkeys, codes, sessions and tokens go in the same transaction.
  await s.store.deleteUser(pool.id, user.id);
  return {};
});

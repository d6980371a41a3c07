import { adminUserOperation } from './shared.js';

export const AdminUserGlobalSignOut = adminUserOperation({}, async (s, pool, user) => {
  await s.store.revokeAllUserTokens(pool.id, user.id, s.clock.now());
  return {};
});

import { adminUserOperation } from './shared.js';

export const AdminDisableUser = adminUserOperation({}, async (s, pool, user) => {
  // Access tokens stop working at once (the verifier checks enabled); refresh is refused too.
  await s.store.updateUser(pool.id, user.id, { enabled: false }, s.clock.now());
  // Cognito: disabling "revokes all access tokens for the user"; they stay dead after re-enabling.
  await s.store.revokeAllUserTokens(pool.id, user.id, s.clock.now());
  return {};
});

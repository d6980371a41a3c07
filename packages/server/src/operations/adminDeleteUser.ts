import { adminUserOperation } from './shared.js';
import type { Services } from '../services.js';
import type { NoOutput } from './types.js';

export const AdminDeleteUser = adminUserOperation({}, async (s: Pick<Services, 'store'>, pool, user): Promise<NoOutput> => {
  // Passkeys, codes, sessions and tokens go in the same transaction.
  await s.store.deleteUser(pool.id, user.id);
  return {};
});

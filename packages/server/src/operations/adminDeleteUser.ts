import { adminUserOperation } from './shared.js';
import type { Services } from '../services.js';
import type { NoOutput } from './types.js';
import { lifecycleEvent } from '../auth/events.js';

export const AdminDeleteUser = adminUserOperation({}, async (s: Pick<Services, 'store' | 'clock'>, pool, user): Promise<NoOutput> => {
  // Passkeys, codes, sessions, tokens, memberships and the user.deleted event go in the same transaction.
  await s.store.deleteUser(pool.id, user.id, [lifecycleEvent(s, pool, user, 'user.deleted', { operation: 'AdminDeleteUser' })]);
  return {};
});

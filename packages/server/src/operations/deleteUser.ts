import { operation, type NoOutput } from './types.js';
import { common } from '../protocol/validate.js';
import { authorizeAccessToken } from '../auth/accessToken.js';
import type { Services } from '../services.js';
import { lifecycleEvent } from '../auth/events.js';

/** DeleteUser: the user, their passkeys, codes, sessions and tokens go in one transaction. */
export const DeleteUser = operation({
  auth: 'none',
  input: { AccessToken: common.accessToken() },
  async handle(s: Pick<Services, 'store' | 'tokens' | 'clock'>, { AccessToken }): Promise<NoOutput> {
    const { pool, user } = await authorizeAccessToken(s, AccessToken);
    await s.store.deleteUser(pool.id, user.id, [lifecycleEvent(s, pool, user, 'user.deleted', { operation: 'DeleteUser' })]);
    return {};
  },
});

import { adminUserOperation } from './shared.js';
import type { Services } from '../services.js';
import type { Wire } from './types.js';
import { lifecycleEvent } from '../auth/events.js';
import type { AdminDisableUserResponse } from '@aws-sdk/client-cognito-identity-provider';

export const AdminDisableUser = adminUserOperation(
  {},
  async (s: Pick<Services, 'store' | 'clock'>, pool, user): Promise<Wire<AdminDisableUserResponse>> => {
    // Access tokens stop working at once (the verifier checks enabled); refresh is refused too.
    const events = user.enabled ? [lifecycleEvent(s, pool, user, 'user.disabled', { operation: 'AdminDisableUser' })] : [];
    await s.store.updateUser(pool.id, user.id, { enabled: false }, s.clock.now(), undefined, events);
    // Cognito: disabling "revokes all access tokens for the user"; they stay dead after re-enabling.
    await s.store.revokeAllUserTokens(pool.id, user.id, s.clock.now());
    return {};
  },
);

import { adminUserOperation } from './shared.js';
import type { Services } from '../services.js';
import type { Wire } from './types.js';
import type { AdminUserGlobalSignOutResponse } from '@aws-sdk/client-cognito-identity-provider';

export const AdminUserGlobalSignOut = adminUserOperation(
  {},
  async (s: Pick<Services, 'store' | 'clock'>, pool, user): Promise<Wire<AdminUserGlobalSignOutResponse>> => {
    await s.store.revokeAllUserTokens(pool.id, user.id, s.clock.now());
    return {};
  },
);

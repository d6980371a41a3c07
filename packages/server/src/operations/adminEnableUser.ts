import { adminUserOperation } from './shared.js';
import type { Services } from '../services.js';
import type { Wire } from './types.js';
import type { AdminEnableUserResponse } from '@aws-sdk/client-cognito-identity-provider';

export const AdminEnableUser = adminUserOperation(
  {},
  async (s: Pick<Services, 'store' | 'clock'>, pool, user): Promise<Wire<AdminEnableUserResponse>> => {
    await s.store.updateUser(pool.id, user.id, { enabled: true }, s.clock.now());
    return {};
  },
);

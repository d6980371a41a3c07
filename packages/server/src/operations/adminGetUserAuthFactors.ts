import { adminUserOperation } from './shared.js';
import { configuredFactors } from './getUserAuthFactors.js';
import type { Services } from '../services.js';
import type { Wire } from './types.js';
import type { AdminGetUserAuthFactorsResponse } from '@aws-sdk/client-cognito-identity-provider';

export const AdminGetUserAuthFactors = adminUserOperation(
  {},
  async (_s: Pick<Services, never>, _pool, user): Promise<Wire<AdminGetUserAuthFactorsResponse>> => ({
    Username: user.username,
    UserMFASettingList: [],
    ConfiguredUserAuthFactors: configuredFactors(user),
  }),
);

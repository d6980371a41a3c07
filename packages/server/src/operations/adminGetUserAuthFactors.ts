import { adminUserOperation } from './shared.js';
import { configuredFactors } from './getUserAuthFactors.js';

export const AdminGetUserAuthFactors = adminUserOperation({}, async (_s, _pool, user) => ({
  Username: user.username,
  UserMFASettingList: [],
  ConfiguredUserAuthFactors: configuredFactors(user),
}));

import { adminUserOperation } from './shared.js';
import { describeUser, userAttributes } from '../domain/describe.js';

export const AdminGetUser = adminUserOperation({}, async (_s, _pool, user) => {
  const d = describeUser(user);
  return {
    Username: d.Username,
    UserAttributes: userAttributes(user),
    UserCreateDate: d.UserCreateDate,
    UserLastModifiedDate: d.UserLastModifiedDate,
    Enabled: d.Enabled,
    UserStatus: d.UserStatus,
    MFAOptions: [],
    UserMFASettingList: [],
  };
});

import { operation } from './types.js';
import { v, common } from '../protocol/validate.js';
import { loadPool, loadUser } from './shared.js';
import { describeUser, userAttributes } from '../domain/describe.js';

export const AdminGetUser = operation<{ UserPoolId: string; Username: string } & Record<string, any>, object>({
  auth: 'sigv4',
  input: { UserPoolId: common.userPoolId(), Username: common.username() },
  async handle(s, input) {
    const pool = await loadPool(s, input.UserPoolId);
    const user = await loadUser(s, pool, input.Username);
    const d = describeUser(user);
    void v;
    return { Username: d.Username, UserAttributes: userAttributes(user), UserCreateDate: d.UserCreateDate, UserLastModifiedDate: d.UserLastModifiedDate, Enabled: d.Enabled, UserStatus: d.UserStatus, MFAOptions: [], UserMFASettingList: [] };
  },
});

import { operation } from './types.js';
import { common } from '../protocol/validate.js';
import { loadPool, loadUser } from './shared.js';
import { configuredFactors } from './getUserAuthFactors.js';

export const AdminGetUserAuthFactors = operation<{ UserPoolId: string; Username: string }, object>({
  auth: 'sigv4',
  input: { UserPoolId: common.userPoolId(), Username: common.username() },
  async handle(s, input) {
    const pool = await loadPool(s, input.UserPoolId);
    const user = await loadUser(s, pool, input.Username);
    return { Username: user.username, UserMFASettingList: [], ConfiguredUserAuthFactors: configuredFactors(user) };
  },
});

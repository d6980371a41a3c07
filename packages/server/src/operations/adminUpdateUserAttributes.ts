import { operation } from './types.js';
import { v, common } from '../protocol/validate.js';
import { loadPool, loadUser } from './shared.js';
import { applyAttributeUpdate } from '../auth/attributes.js';

export const AdminUpdateUserAttributes = operation<{ UserPoolId: string; Username: string } & Record<string, any>, object>({
  auth: 'sigv4',
  input: { UserPoolId: common.userPoolId(), Username: common.username(), UserAttributes: common.attributes(true), ClientMetadata: common.clientMetadata() },
  async handle(s, input) {
    const pool = await loadPool(s, input.UserPoolId);
    const user = await loadUser(s, pool, input.Username);
    void v;
    await applyAttributeUpdate(s, pool, user, input.UserAttributes, { admin: true });
    return {};
  },
});

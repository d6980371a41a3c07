import { adminUserOperation } from './shared.js';
import { common } from '../protocol/validate.js';
import { applyAttributeUpdate } from '../auth/attributes.js';

export const AdminUpdateUserAttributes = adminUserOperation<{ UserAttributes: { Name: string; Value?: string }[] }>(
  { UserAttributes: common.attributes(true), ClientMetadata: common.clientMetadata() },
  async (s, pool, user, input) => {
    await applyAttributeUpdate(s, pool, user, input.UserAttributes, { admin: true });
    return {};
  },
);

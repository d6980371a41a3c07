import { adminUserOperation } from './shared.js';
import { common } from '../protocol/validate.js';
import { applyAttributeUpdate } from '../auth/attributes.js';
import type { Services } from '../services.js';
import type { Wire } from './types.js';
import type { AdminUpdateUserAttributesResponse } from '@aws-sdk/client-cognito-identity-provider';

export const AdminUpdateUserAttributes = adminUserOperation(
  { UserAttributes: common.attributes(true), ClientMetadata: common.clientMetadata() },
  async (
    s: Pick<Services, 'store' | 'clock' | 'box' | 'sender' | 'log' | 'triggers'>,
    pool,
    user,
    input,
  ): Promise<Wire<AdminUpdateUserAttributesResponse>> => {
    await applyAttributeUpdate(s, pool, user, input.UserAttributes, { admin: true });
    return {};
  },
);

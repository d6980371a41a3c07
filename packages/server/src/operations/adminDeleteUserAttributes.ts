import { adminUserOperation } from './shared.js';
import { attributeNames } from './deleteUserAttributes.js';
import { deleteUserAttributes } from '../auth/attributes.js';
import type { Services } from '../services.js';
import type { Wire } from './types.js';
import type { AdminDeleteUserAttributesResponse } from '@aws-sdk/client-cognito-identity-provider';

/** AdminDeleteUserAttributes: DeleteUserAttributes for any user, verified flags included. */
export const AdminDeleteUserAttributes = adminUserOperation(
  { UserAttributeNames: attributeNames() },
  async (s: Pick<Services, 'store' | 'clock'>, pool, user, input): Promise<Wire<AdminDeleteUserAttributesResponse>> => {
    await deleteUserAttributes(s, pool, user, input.UserAttributeNames, { admin: true });
    return {};
  },
);

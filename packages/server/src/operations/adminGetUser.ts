import { adminUserOperation } from './shared.js';
import { describeUser, userAttributes } from '../domain/describe.js';
import { describeUserMfa } from '../auth/mfaPreference.js';
import type { Services } from '../services.js';
import type { Wire } from './types.js';
import type { AdminGetUserResponse } from '@aws-sdk/client-cognito-identity-provider';

export const AdminGetUser = adminUserOperation({}, async (s: Pick<Services, 'store'>, pool, user): Promise<Wire<AdminGetUserResponse>> => {
  const d = describeUser(user);
  return {
    Username: d.Username,
    UserAttributes: userAttributes(user),
    UserCreateDate: d.UserCreateDate,
    UserLastModifiedDate: d.UserLastModifiedDate,
    Enabled: d.Enabled,
    UserStatus: d.UserStatus,
    ...(await describeUserMfa(s, pool, user)),
  };
});

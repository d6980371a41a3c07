import { operation, type Wire } from './types.js';
import { common } from '../protocol/validate.js';
import { authorizeAccessToken } from '../auth/accessToken.js';
import { userAttributes } from '../domain/describe.js';
import { describeUserMfa } from '../auth/mfaPreference.js';
import type { Services } from '../services.js';
import type { GetUserResponse } from '@aws-sdk/client-cognito-identity-provider';

export const GetUser = operation({
  auth: 'none',
  input: { AccessToken: common.accessToken() },
  async handle(s: Pick<Services, 'store' | 'tokens'>, { AccessToken }): Promise<Wire<GetUserResponse>> {
    const { pool, user } = await authorizeAccessToken(s, AccessToken);
    return { Username: user.username, UserAttributes: userAttributes(user), ...(await describeUserMfa(s, pool, user)) };
  },
});

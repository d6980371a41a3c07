import { operation, type Wire } from './types.js';
import { common } from '../protocol/validate.js';
import { authorizeAccessToken } from '../auth/accessToken.js';
import { userAttributes } from '../domain/describe.js';
import { describeUserMfa } from '../auth/mfaPreference.js';
import { readableAttributes } from '../domain/users.js';
import type { Services } from '../services.js';
import type { GetUserResponse } from '@aws-sdk/client-cognito-identity-provider';

export const GetUser = operation({
  auth: 'none',
  input: { AccessToken: common.accessToken() },
  async handle(s: Pick<Services, 'store' | 'tokens'>, { AccessToken }): Promise<Wire<GetUserResponse>> {
    const { pool, client, user } = await authorizeAccessToken(s, AccessToken);
    // The client's ReadAttributes bound what the user sees of themselves, as in the id token.
    const visible = { ...user, attributes: readableAttributes(pool, client, user.attributes) };
    return { Username: user.username, UserAttributes: userAttributes(visible), ...(await describeUserMfa(s, pool, user)) };
  },
});

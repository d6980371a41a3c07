import { operation } from './types.js';
import { common } from '../protocol/validate.js';
import { authorizeAccessToken } from '../auth/accessToken.js';
import { userAttributes } from '../domain/describe.js';

export const GetUser = operation<{ AccessToken: string }, object>({
  auth: 'none',
  input: { AccessToken: common.accessToken() },
  async handle(s, { AccessToken }) {
    const { user } = await authorizeAccessToken(s, AccessToken);
    return { Username: user.username, UserAttributes: userAttributes(user), MFAOptions: [], UserMFASettingList: [] };
  },
});

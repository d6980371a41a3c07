import { operation } from './types.js';
import { common } from '../protocol/validate.js';
import { authorizeAccessToken } from '../auth/accessToken.js';
import type { UserRecord } from '../storage/store.js';

/** The first factors a user has configured: PASSWORD when they have one, WEB_AUTHN when they hold a passkey. */
export function configuredFactors(user: UserRecord): string[] {
  return [...(user.srpVerifier ? ['PASSWORD'] : []), ...(user.passkeyCount > 0 ? ['WEB_AUTHN'] : [])];
}

export const GetUserAuthFactors = operation<{ AccessToken: string }, object>({
  auth: 'none',
  input: { AccessToken: common.accessToken() },
  async handle(s, { AccessToken }) {
    const { user } = await authorizeAccessToken(s, AccessToken);
    return { Username: user.username, UserMFASettingList: [], ConfiguredUserAuthFactors: configuredFactors(user) };
  },
});

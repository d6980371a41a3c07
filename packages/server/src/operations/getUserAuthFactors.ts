import { operation, type Wire } from './types.js';
import { common } from '../protocol/validate.js';
import { authorizeAccessToken } from '../auth/accessToken.js';
import type { UserRecord } from '../storage/store.js';
import type { Services } from '../services.js';
import type { AuthFactorType, GetUserAuthFactorsResponse } from '@aws-sdk/client-cognito-identity-provider';

/** The first factors a user has configured: PASSWORD when they have one, WEB_AUTHN when they hold a passkey. */
export function configuredFactors(user: UserRecord): AuthFactorType[] {
  return [...(user.srpVerifier ? (['PASSWORD'] as const) : []), ...(user.passkeyCount > 0 ? (['WEB_AUTHN'] as const) : [])];
}

export const GetUserAuthFactors = operation({
  auth: 'none',
  input: { AccessToken: common.accessToken() },
  async handle(s: Pick<Services, 'store' | 'tokens'>, { AccessToken }): Promise<Wire<GetUserAuthFactorsResponse>> {
    const { user } = await authorizeAccessToken(s, AccessToken);
    return { Username: user.username, UserMFASettingList: [], ConfiguredUserAuthFactors: configuredFactors(user) };
  },
});

import { operation, type Wire } from './types.js';
import { common } from '../protocol/validate.js';
import { authorizeAccessToken } from '../auth/accessToken.js';
import type { Services } from '../services.js';
import type { GlobalSignOutResponse } from '@aws-sdk/client-cognito-identity-provider';

/** GlobalSignOut: every refresh token of the user is revoked and every access token issued so far stops working. */
export const GlobalSignOut = operation({
  auth: 'none',
  input: { AccessToken: common.accessToken() },
  async handle(s: Pick<Services, 'store' | 'tokens' | 'clock'>, { AccessToken }): Promise<Wire<GlobalSignOutResponse>> {
    const { pool, user } = await authorizeAccessToken(s, AccessToken);
    await s.store.revokeAllUserTokens(pool.id, user.id, s.clock.now());
    return {};
  },
});

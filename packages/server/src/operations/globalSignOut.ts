import { operation } from './types.js';
import { common } from '../protocol/validate.js';
import { authorizeAccessToken } from '../auth/accessToken.js';

/** GlobalSignOut: every refresh token of the user is revoked and every access token issued so far stops working. */
export const GlobalSignOut = operation<{ AccessToken: string }, object>({
  auth: 'none',
  input: { AccessToken: common.accessToken() },
  async handle(s, { AccessToken }) {
    const { pool, user } = await authorizeAccessToken(s, AccessToken);
    await s.store.revokeAllUserTokens(pool.id, user.id, s.clock.now());
    return {};
  },
});

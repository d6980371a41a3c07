import { operation } from './types.js';
import { common } from '../protocol/validate.js';
import { authorizeAccessToken } from '../auth/accessToken.js';

/** DeleteUser: the user, their passkeys, codes, sessions and tokens go in one transaction. */
export const DeleteUser = operation<{ AccessToken: string }, object>({
  auth: 'none',
  input: { AccessToken: common.accessToken() },
  async handle(s, { AccessToken }) {
    const { pool, user } = await authorizeAccessToken(s, AccessToken);
    await s.store.deleteUser(pool.id, user.id);
    return {};
  },
});

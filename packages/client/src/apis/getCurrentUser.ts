import { getConfig } from '../config.js';
import { unauthenticatedError } from '../errors.js';
import { currentUserFromTokens } from '../internal/signInFlow.js';
import type { GetCurrentUserOutput } from '../types.js';

/**
 * The signed-in user from the cached id token: `{ username: id['cognito:username'], userId: id.sub,
 * signInDetails }`. No request unless tokens are expired (then they are refreshed first). Throws
 * `UserUnAuthenticatedException` when signed out.
 */
export async function getCurrentUser(): Promise<GetCurrentUserOutput> {
  getConfig();
  const user = await currentUserFromTokens();
  if (!user) throw unauthenticatedError();
  return user;
}

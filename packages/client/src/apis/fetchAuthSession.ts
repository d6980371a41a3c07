import { peekConfig } from '../config.js';
import { getTokens } from '../tokens.js';
import type { AuthSession, FetchAuthSessionOptions } from '../types.js';

/**
 * The current session (Amplify `fetchAuthSession`): `{ tokens: { accessToken, idToken, signInDetails },
 * userSub }`, refreshing expired tokens (or all tokens with `forceRefresh`) with
 * `GetTokensFromRefreshToken`; concurrent refreshes share one request. Resolves `{}`-like (no
 * `tokens`) when signed out, including when the refresh token was rejected (`NotAuthorizedException`);
 * other refresh errors reject and keep the tokens. `credentials` / `identityId` are never set
 * (identity pools are out of scope).
 */
export async function fetchAuthSession(options: FetchAuthSessionOptions = {}): Promise<AuthSession> {
  const tokens = peekConfig() ? await getTokens(options) : null;
  if (!tokens) return { tokens: undefined, credentials: undefined, identityId: undefined, userSub: undefined };
  return {
    tokens: { accessToken: tokens.accessToken, idToken: tokens.idToken, signInDetails: tokens.signInDetails },
    credentials: undefined,
    identityId: undefined,
    userSub: tokens.accessToken.payload.sub,
  };
}

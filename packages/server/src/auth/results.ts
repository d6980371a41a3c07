import type { Services } from '../services.js';
import type { UserRecord } from '../storage/store.js';
import type { Pool } from '../domain/pools.js';
import type { AppClient } from '../domain/clients.js';
import { idTokenClaims } from '../domain/users.js';
import { randomId, randomToken, sha256Hex } from '../security/secrets.js';

/** InitiateAuth / RespondToAuthChallenge output. */
export interface AuthOutput {
  ChallengeName?: string;
  ChallengeParameters?: Record<string, string>;
  Session?: string;
  AvailableChallenges?: string[];
  AuthenticationResult?: {
    AccessToken: string;
    IdToken: string;
    RefreshToken?: string;
    ExpiresIn: number;
    TokenType: 'Bearer';
  };
}

/**
 * A completed sign-in: a new token family (origin_jti) with its refresh token (stored as a hash)
 * and freshly signed access and id tokens. Resets the failed-attempt counter.
 */
export async function signedIn(s: Pick<Services, 'store' | 'tokens' | 'clock'>, pool: Pool, client: AppClient, user: UserRecord): Promise<AuthOutput> {
  const now = s.clock.now();
  const originJti = randomId();
  const refreshToken = randomToken(64);
  const authTime = Math.floor(now / 1000);
  await s.store.createTokenFamily({
    originJti, poolId: pool.id, clientId: client.id, userId: user.id, refreshHash: sha256Hex(refreshToken),
    authTime, createdAt: now, expiresAt: now + client.refreshValiditySec * 1000, revokedAt: null,
  });
  if (user.failedAttempts > 0 || user.lockedUntil > 0) {
    await s.store.updateUser(pool.id, user.id, { failedAttempts: 0, lockedUntil: 0 }, now);
  }
  const { accessToken, idToken } = await s.tokens.issue({
    poolId: pool.id, clientId: client.id, sub: user.id, username: user.username, idClaims: idTokenClaims(user),
    originJti, authTime, accessValiditySec: client.accessValiditySec, idValiditySec: client.idValiditySec, alg: pool.latchkey.tokenSigningAlg,
  });
  return {
    ChallengeParameters: {},
    AuthenticationResult: { AccessToken: accessToken, IdToken: idToken, RefreshToken: refreshToken, ExpiresIn: client.accessValiditySec, TokenType: 'Bearer' },
  };
}

/** New access and id tokens for an existing family (refresh); the refresh token is not rotated. */
export async function refreshedTokens(s: Pick<Services, 'tokens'>, pool: Pool, client: AppClient, user: UserRecord, originJti: string, authTime: number): Promise<AuthOutput> {
  const { accessToken, idToken } = await s.tokens.issue({
    poolId: pool.id, clientId: client.id, sub: user.id, username: user.username, idClaims: idTokenClaims(user),
    originJti, authTime, accessValiditySec: client.accessValiditySec, idValiditySec: client.idValiditySec, alg: pool.latchkey.tokenSigningAlg,
  });
  return {
    ChallengeParameters: {},
    AuthenticationResult: { AccessToken: accessToken, IdToken: idToken, ExpiresIn: client.accessValiditySec, TokenType: 'Bearer' },
  };
}

import type { Services } from '../../services.js';
import type { Pool } from '../../domain/pools.js';
import type { AppClient } from '../../domain/clients.js';
import { refreshedTokens, type AuthOutput } from '../results.js';
import { safeEqual, secretHash, sha256Hex } from '../../security/secrets.js';
import { NotAuthorizedException } from '../../protocol/errors.js';
import { TOKEN_GROUP_LIMIT } from '../groups.js';

/**
 * REFRESH_TOKEN_AUTH / GetTokensFromRefreshToken: the refresh token must be this client's, unexpired,
 * unrevoked, and its user must exist and be enabled; one issued on a device needs that device's key and the
 * device confirmed. New tokens keep the sign-in's origin_jti (and device_key).
 * @throws NotAuthorizedException
 */
export async function refreshTokens(
  s: Pick<Services, 'store' | 'clock' | 'tokens' | 'triggers'>,
  pool: Pool,
  client: AppClient,
  refreshToken: string | undefined,
  proof: { secretHash?: string; clientSecretChecked?: boolean; deviceKey?: string } = {},
): Promise<AuthOutput> {
  if (!refreshToken) throw new NotAuthorizedException('Invalid Refresh Token', 'missing');
  // Family, user and groups in one read.
  const { family: fam, user, groups } = await s.store.readRefresh(sha256Hex(refreshToken), TOKEN_GROUP_LIMIT);
  if (!fam || fam.clientId !== client.id || fam.poolId !== pool.id)
    throw new NotAuthorizedException('Invalid Refresh Token', fam ? 'another client' : 'unknown');
  if (fam.revokedAt !== null) throw new NotAuthorizedException('Refresh Token has been revoked');
  if (fam.expiresAt <= s.clock.now()) throw new NotAuthorizedException('Refresh Token has expired');
  if (!user) throw new NotAuthorizedException('Invalid Refresh Token', 'user gone');
  if (!user.enabled) throw new NotAuthorizedException('User is disabled.');
  if (fam.createdAt < user.tokensValidAfter) throw new NotAuthorizedException('Refresh Token has been revoked', 'global sign-out');
  if (client.secret && !proof.clientSecretChecked) {
    // Confidential clients prove the secret on refresh too: SECRET_HASH over the username or the sub.
    const ok =
      proof.secretHash !== undefined &&
      [user.username, user.id].some((name) => safeEqual(proof.secretHash!, secretHash(client.secret!, name, client.id)));
    if (!ok) throw new NotAuthorizedException(`Unable to verify secret hash for client ${client.id}`);
  }
  // As Cognito: a refresh token issued on a device refreshes only with that device's key, once the device is
  // confirmed (a forgotten device's families are revoked).
  if (fam.deviceKey) {
    if (proof.deviceKey !== fam.deviceKey) throw new NotAuthorizedException('Invalid Refresh Token', 'no or another device key');
    const device = await s.store.getDevice(pool.id, fam.deviceKey, s.clock.now());
    if (!device || device.userId !== user.id || device.srpVerifier === null)
      throw new NotAuthorizedException('Invalid Refresh Token', 'device unconfirmed or gone');
  }
  return refreshedTokens(s, pool, client, user, fam.originJti, fam.authTime, fam.deviceKey ?? undefined, groups);
}

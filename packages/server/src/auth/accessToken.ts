import type { Services } from '../services.js';
import type { ChallengeRecord, PasskeyRecord, TokenStateAlso, UserRecord } from '../storage/store.js';
import { NotAuthorizedException } from '../protocol/errors.js';
import { Pool } from '../domain/pools.js';
import { AppClient } from '../domain/clients.js';
import { TokenVerificationError, type AccessClaims } from '../security/tokens.js';
import { tokenServiceError } from './securityErrors.js';

export interface Authorized {
  pool: Pool;
  client: AppClient;
  user: UserRecord;
  claims: AccessClaims;
  /** What `also` asked for (Store.getTokenState). */
  passkeys?: PasskeyRecord[];
  passkey?: PasskeyRecord;
  challenge?: ChallengeRecord;
}

/**
 * The one access-token verifier behind every AccessToken-authorized operation: signature with an
 * explicit algorithm list and known kid, issuer of the key's pool, token_use=access, scope, expiry,
 * then the client exists, the sign-in (origin_jti) is not revoked, the token predates no global
 * sign-out, and the user exists and is enabled. `also` (given the verified pool and user ids) names rows the
 * operation needs, read in the same statement as the token's state; when it throws (a bad NextToken), that error
 * is thrown only after the token passed, so an invalid token is always NotAuthorizedException first.
 * @throws NotAuthorizedException for any failure (reason in `detail` only); what `also` throws
 */
export async function authorizeAccessToken(
  s: Pick<Services, 'tokens' | 'store'>,
  token: string,
  also?: (poolId: string, userId: string) => TokenStateAlso | Promise<TokenStateAlso>,
): Promise<Authorized> {
  const { claims, poolId } = await s.tokens.verifyAccessSignature(token).catch((err: unknown) => {
    throw err instanceof TokenVerificationError ? tokenServiceError(err) : err;
  });
  let extra: TokenStateAlso = {};
  let alsoFailed: { err: unknown } | undefined;
  try {
    extra = (await also?.(poolId, claims.sub)) ?? {};
  } catch (err) {
    alsoFailed = { err };
  }
  const [poolRec, clientRec, state] = await Promise.all([
    s.store.getPool(poolId),
    s.store.getClient(claims.client_id),
    s.store.getTokenState(poolId, claims.origin_jti, claims.sub, extra),
  ]);
  if (!poolRec) throw new NotAuthorizedException('Invalid Access Token', 'pool gone');
  if (!clientRec || clientRec.poolId !== poolId) throw new NotAuthorizedException('Invalid Access Token', 'client gone');
  const user = state.user;
  if (!user) throw new NotAuthorizedException('Invalid Access Token', 'user gone');
  if (state.familyRevoked) throw new NotAuthorizedException('Access Token has been revoked', 'origin_jti revoked');
  if (claims.iat * 1000 < user.tokensValidAfter - 999) throw new NotAuthorizedException('Access Token has been revoked', 'global sign-out');
  if (!user.enabled) throw new NotAuthorizedException('User is disabled.', 'disabled');
  if (alsoFailed) throw alsoFailed.err;
  return {
    pool: new Pool(poolRec),
    client: new AppClient(clientRec),
    user,
    claims,
    ...(state.passkeys ? { passkeys: state.passkeys } : {}),
    ...(state.passkey ? { passkey: state.passkey } : {}),
    ...(state.challenge ? { challenge: state.challenge } : {}),
  };
}

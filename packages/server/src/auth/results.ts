import type { ChallengeNameType } from '@aws-sdk/client-cognito-identity-provider';
import type { Services } from '../services.js';
import type { PasskeyUse, TokenGroupRow, TotpUse, UserRecord } from '../storage/store.js';
import { CodeMismatchException, NotAuthorizedException } from '../protocol/errors.js';
import { SESSION_EXPIRED } from './sessions.js';
import type { Pool } from '../domain/pools.js';
import type { AppClient } from '../domain/clients.js';
import { idTokenClaims } from '../domain/users.js';
import { runSignInTriggers, runTokenTrigger } from '../triggers/auth.js';
import type { ClaimsEdit, TokenSource } from '../triggers/preToken.js';
import { randomId, randomToken, sha256Hex } from '../security/secrets.js';
import { groupClaims, userGroupsForToken } from './groups.js';
import { lifecycleEvent, originDetail } from './events.js';
import type { RequestContext } from '../services.js';
import { deviceDoesNotExist, newDeviceFor } from './devices.js';

/** InitiateAuth / RespondToAuthChallenge output. */
export interface AuthOutput {
  ChallengeName?: ChallengeNameType;
  ChallengeParameters?: Record<string, string>;
  Session?: string;
  AvailableChallenges?: ChallengeNameType[];
  AuthenticationResult?: {
    AccessToken: string;
    IdToken: string;
    RefreshToken?: string;
    ExpiresIn: number;
    TokenType: 'Bearer';
    NewDeviceMetadata?: { DeviceKey: string; DeviceGroupKey: string };
  };
}

/** What the final step of a sign-in consumes, in the same transaction as the new token family. */
export interface FinishSignIn {
  /** Hash of the step's Session: consumed exactly once. */
  sessionHash?: string;
  passkeyUse?: PasskeyUse;
  /** The password attempt counter to clear (Store.admitLoginAttempt), when a password was verified. */
  clearLoginKey?: string;
  /** The known device the sign-in is made on (auth/devices.ts): the family is bound to it, no new device is made. */
  deviceKey?: string;
  /** Pre token generation's triggerSource (default TokenGeneration_Authentication). */
  tokenSource?: TokenSource;
  /** The TOTP code's step to record (Store.finishSignIn: at most one sign-in per code). */
  totpUse?: TotpUse;
  /**
   * The user's groups, when the step's own read brought them. Used only where no trigger runs between that read and
   * the tokens (groupsAsRead): a PostAuthentication or PreTokenGeneration function may change the user's groups.
   */
  groups?: readonly TokenGroupRow[];
  /** For the signin.succeeded event committed with the token family: the factor, the MFA method (if any) and the request. */
  event?: { factor: string; mfa?: string; device?: string; request?: RequestContext };
}

/**
 * A completed sign-in: a new token family (origin_jti) with its refresh token (stored as a hash)
 * and freshly signed access and id tokens, written in one transaction with the consumption of the
 * step's session, the passkey use and the clearing of the password attempt counter.
 * @throws NotAuthorizedException when the session was used concurrently; CodeMismatchException when the TOTP code was.
 */
export async function signedIn(
  s: Pick<Services, 'store' | 'tokens' | 'clock' | 'triggers'>,
  pool: Pool,
  client: AppClient,
  user: UserRecord,
  finish: FinishSignIn = {},
): Promise<AuthOutput> {
  // Post authentication and pre token generation run before anything is written (triggers/auth.ts).
  const groups = groupsAsRead(pool, finish.groups);
  const edit = await runSignInTriggers(s, pool, client, user, finish.tokenSource ?? 'TokenGeneration_Authentication', groups);
  const now = s.clock.now();
  const originJti = randomId();
  const refreshToken = randomToken(64);
  const authTime = Math.floor(now / 1000);
  // A pool that tracks devices gets a new (unconfirmed) device with every sign-in not made on a known one.
  const newDevice = finish.deviceKey ? undefined : newDeviceFor(pool, user, now);
  const deviceKey = finish.deviceKey ?? newDevice?.deviceKey;
  const outcome = await s.store.finishSignIn({
    sessionHash: finish.sessionHash,
    now,
    passkeyUse: finish.passkeyUse,
    clearLoginKey: finish.clearLoginKey,
    newDevice,
    totpUse: finish.totpUse,
    // Written with the token family; the triggers above already ran, so a refused sign-in records no success.
    events: [
      lifecycleEvent(s, pool, user, 'signin.succeeded', {
        factor: finish.event?.factor ?? null,
        ...(finish.event?.mfa ? { mfa: finish.event.mfa } : {}),
        ...(finish.event?.device ? { deviceKey: finish.event.device } : {}),
        ...originDetail({ ...finish.event?.request, clientId: client.id }),
      }),
    ],
    family: {
      originJti,
      poolId: pool.id,
      clientId: client.id,
      userId: user.id,
      refreshHash: sha256Hex(refreshToken),
      authTime,
      createdAt: now,
      expiresAt: now + client.refreshValiditySec * 1000,
      revokedAt: null,
      ...(deviceKey ? { deviceKey } : {}),
    },
  });
  if (outcome === 'session-gone') throw new NotAuthorizedException(SESSION_EXPIRED, 'session consumed concurrently');
  if (outcome === 'device-gone') throw deviceDoesNotExist();
  if (outcome === 'totp-replay') throw new CodeMismatchException('Invalid code received for user', 'TOTP step already used');
  if (outcome === 'passkey-race') throw new NotAuthorizedException('Incorrect username or passkey.', 'concurrent use of the credential');
  const { accessToken, idToken } = await issueTokens(s, pool, client, user, originJti, authTime, deviceKey, {
    fresh: true,
    edit,
    groups,
  });
  return {
    ChallengeParameters: {},
    AuthenticationResult: {
      AccessToken: accessToken,
      IdToken: idToken,
      RefreshToken: refreshToken,
      ExpiresIn: client.accessValiditySec,
      TokenType: 'Bearer',
      ...(newDevice ? { NewDeviceMetadata: { DeviceKey: newDevice.deviceKey, DeviceGroupKey: newDevice.groupKey } } : {}),
    },
  };
}

/**
 * Access and id tokens of one sign-in (a token family): the one place their claims and lifetimes are chosen.
 * Group claims are read now, so a refresh carries the user's current groups. The pre token generation `edit` is
 * applied last (TokenService.issue), so a trigger's groupOverrideDetails replaces the group claims set here.
 */
async function issueTokens(
  s: Pick<Services, 'tokens' | 'store'>,
  pool: Pool,
  client: AppClient,
  user: UserRecord,
  originJti: string,
  authTime: number,
  deviceKey: string | undefined,
  opts: { fresh?: boolean; edit?: ClaimsEdit; groups?: readonly TokenGroupRow[] } = {},
) {
  const { fresh = false, edit } = opts;
  const groups = groupClaims(await userGroupsForToken(s, pool.id, user.id, opts.groups));
  return s.tokens.issue({
    poolId: pool.id,
    clientId: client.id,
    sub: user.id,
    username: user.username,
    idClaims: { ...groups.id, ...idTokenClaims(pool, client, user) },
    accessClaims: groups.access,
    originJti,
    authTime,
    // A fresh sign-in's tokens are issued at its authentication time, as Cognito's (auth_time = iat).
    ...(fresh ? { issuedAt: authTime } : {}),
    accessValiditySec: client.accessValiditySec,
    idValiditySec: client.idValiditySec,
    alg: pool.latchkey.tokenSigningAlg,
    ...(deviceKey ? { deviceKey } : {}),
    ...(edit ? { edit } : {}),
  });
}

/** New access and id tokens for an existing family (refresh); the refresh token is not rotated. */
export async function refreshedTokens(
  s: Pick<Services, 'tokens' | 'triggers' | 'store'>,
  pool: Pool,
  client: AppClient,
  user: UserRecord,
  originJti: string,
  authTime: number,
  deviceKey?: string,
  /** The user's groups, when the refresh's own read brought them. */
  groups?: readonly TokenGroupRow[],
): Promise<AuthOutput> {
  const known = groupsAsRead(pool, groups);
  const edit = await runTokenTrigger(s, pool, client, user, 'TokenGeneration_RefreshTokens', known);
  const { accessToken, idToken } = await issueTokens(s, pool, client, user, originJti, authTime, deviceKey, { edit, groups: known });
  return {
    ChallengeParameters: {},
    AuthenticationResult: { AccessToken: accessToken, IdToken: idToken, ExpiresIn: client.accessValiditySec, TokenType: 'Bearer' },
  };
}

/**
 * The groups a step read with its other rows, or undefined (read them again, just before the tokens) when the pool has a
 * trigger that runs in between: a PostAuthentication or PreTokenGeneration function can add or remove memberships, and
 * the tokens carry the groups as they are after it, as before the step reads.
 */
function groupsAsRead(pool: Pool, groups: readonly TokenGroupRow[] | undefined): readonly TokenGroupRow[] | undefined {
  const l = pool.lambdaConfig;
  return l.PostAuthentication || l.PreTokenGeneration || l.PreTokenGenerationConfig ? undefined : groups;
}

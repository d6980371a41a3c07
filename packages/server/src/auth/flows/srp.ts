import { runPreAuthentication } from '../../triggers/auth.js';
import type { FlowContext } from './context.js';
import type { AuthSessionRecord } from '../../storage/store.js';
import {
  findUser,
  assertVerifiedUserCanSignIn,
  lockedOut,
  loginAttemptKey,
  lookupName,
  noSuchUser,
  passwordAttempt,
  newSrpIdentity,
  srpIdentityOf,
  INCORRECT,
} from '../password.js';
import { loginKeys } from '../../domain/users.js';
import { afterPassword } from './password.js';
import { assertPresentedDevice } from '../devices.js';
import { issueSession, rememberRequestSession, SESSION_EXPIRED } from '../sessions.js';
import { TOKEN_GROUP_LIMIT } from '../groups.js';
import type { AuthOutput } from '../results.js';
import { parseSrpTimestamp } from '@latchkey/wire';
import { isValidSrpA, randomVerifierHex, srpProof, startSrpSession, verifyPasswordClaim } from '../../security/srp.js';
import { derivedBytes, derivedUuid, randomBytesB64, sha256Hex } from '../../security/secrets.js';
import { InvalidParameterException, NotAuthorizedException } from '../../protocol/errors.js';
import { FIXED } from '../../config/defaults.js';

/**
 * First SRP step (USER_SRP_AUTH, or USER_AUTH's PASSWORD_SRP): answers PASSWORD_VERIFIER with SALT,
 * SRP_B, SECRET_BLOCK, USERNAME, USER_ID_FOR_SRP. The server half (b, B, A) is stored as a single-use
 * session keyed by the SECRET_BLOCK (which is also returned as the Session), so nothing secret travels.
 * Unknown users get a believable fake challenge when user-existence errors are prevented.
 * @throws InvalidParameterException for a bad SRP_A; UserNotFoundException when existence errors are not prevented.
 */
export async function startSrp(ctx: FlowContext, typed: string | undefined, srpA: string | undefined): Promise<AuthOutput> {
  if (!typed) throw new InvalidParameterException('Missing required parameter USERNAME');
  if (!srpA) throw new InvalidParameterException('Missing required parameter SRP_A');
  if (!isValidSrpA(srpA)) throw new InvalidParameterException('SRP_A is invalid.');
  const user = await findUser(ctx.s, ctx.pool, typed);
  // Pre authentication trigger (triggers/auth.ts); SRP never migrates users (no password reaches the server, as in Cognito).
  if (user || ctx.client.preventUserExistenceErrors)
    await runPreAuthentication(ctx.s, ctx.pool, ctx.client, typed, user, ctx.clientMetadata);
  let salt: string;
  let verifier: string;
  let userId: string | null = null;
  let userIdForSrp: string;
  const real = user && user.srpSalt && user.srpVerifier ? user : undefined;
  if (real) {
    // Disabled users get their real challenge too: their state is told only after a verified proof.
    salt = real.srpSalt!;
    verifier = real.srpVerifier!;
    userId = real.id;
    userIdForSrp = srpIdentityOf(real);
  } else {
    if (!user && !ctx.client.preventUserExistenceErrors) throw noSuchUser(ctx.client);
    // A stand-in that looks like a real user across attempts: a stable identity of the shape a real one
    // would have (newSrpIdentity: the typed name's lookup form in a plain username pool, else a
    // UUID-shaped id) and a stable salt derived under the server key; the verifier is of a random
    // password, so no claim ever verifies.
    const label = `srp-standin\n${ctx.pool.id}\n${lookupName(ctx.pool, typed)}`;
    // Derived for a passwordless user too, so the stand-in never hands out a real sub.
    userIdForSrp = newSrpIdentity(ctx.pool, {
      id: derivedUuid(ctx.s.box.macKey, label),
      usernameKey: loginKeys(ctx.pool, typed).usernameKey,
    });
    salt = derivedBytes(ctx.s.box.macKey, `${label}\nsalt`, 16).toString('hex');
    verifier = randomVerifierHex();
  }
  const { bHex, BHex } = startSrpSession(verifier);
  const secret = randomBytesB64(48);
  const session = await issueSession(
    ctx.s,
    ctx.client,
    userId,
    {
      kind: 'PASSWORD_VERIFIER',
      b: bHex,
      B: BHex,
      A: srpA,
      v: verifier,
      sid: userIdForSrp,
      lk: loginAttemptKey(ctx.s, ctx.pool, typed, real),
    },
    secretToSession(secret),
  );
  return {
    ChallengeName: 'PASSWORD_VERIFIER',
    Session: session,
    ChallengeParameters: {
      SALT: salt.replace(/^0+(?=.)/, ''),
      SRP_B: BHex,
      SECRET_BLOCK: secret,
      // The SRP identity in both, as Cognito: Amplify stores a remembered device under USERNAME and looks
      // it up under USER_ID_FOR_SRP. It is never an alias's owner (newSrpIdentity), and a stand-in's has
      // the same shape, so neither tells that the user exists.
      USERNAME: userIdForSrp,
      USER_ID_FOR_SRP: userIdForSrp,
    },
  };
}

/** The Session string for a SECRET_BLOCK: the same bytes in base64url. */
function secretToSession(secretB64: string): string {
  return Buffer.from(secretB64, 'base64').toString('base64url');
}

/**
 * RespondToAuthChallenge PASSWORD_VERIFIER: consumes the SRP state and, in the same transaction,
 * admits the password attempt (Store.consumeAuthSessionAdmitting), so a response is evaluated at most
 * once and counts toward the lockout before it is; then checks the timestamp window and the signature
 * in constant time.
 * @throws NotAuthorizedException (generic) for every failure.
 */
export async function respondSrp(ctx: FlowContext): Promise<AuthOutput> {
  const block = ctx.params.PASSWORD_CLAIM_SECRET_BLOCK;
  const signature = ctx.params.PASSWORD_CLAIM_SIGNATURE;
  const timestamp = ctx.params.TIMESTAMP;
  if (!block || !signature || !timestamp)
    throw new InvalidParameterException('Missing required parameter PASSWORD_CLAIM_SIGNATURE, PASSWORD_CLAIM_SECRET_BLOCK or TIMESTAMP');
  const sessionKey = secretToSession(block);
  if (ctx.session && ctx.session !== sessionKey) throw new NotAuthorizedException(SESSION_EXPIRED, 'session and secret block differ');
  await assertPresentedDevice(ctx, sessionKey);
  const stateOf = (rec: AuthSessionRecord) => rec.state as Partial<SrpState>;
  const sameClient = (rec: AuthSessionRecord) => rec.clientId === ctx.client.id && rec.poolId === ctx.client.poolId;
  const got = await ctx.s.store.consumeAuthSessionAdmitting(sha256Hex(sessionKey), ctx.s.clock.now(), (rec) => {
    const st = stateOf(rec);
    return sameClient(rec) && st.kind === 'PASSWORD_VERIFIER' && st.lk ? passwordAttempt(ctx.pool, st.lk) : undefined;
  });
  // The sign-in events (auth/events.ts) take the Session's user from this consumption instead of reading it first.
  if (ctx.session === sessionKey) rememberRequestSession(ctx, got?.session);
  if (!got) throw new NotAuthorizedException(SESSION_EXPIRED, 'unknown, used or expired session');
  const st = stateOf(got.session);
  if (!sameClient(got.session) || st.kind !== 'PASSWORD_VERIFIER' || !st.lk || !st.sid)
    throw new NotAuthorizedException(SESSION_EXPIRED, 'session of another step or client');
  if (!got.admitted) throw lockedOut();
  return verifyClaim(ctx, got.session.userId, st as SrpState, block, signature, timestamp);
}

/** What the PASSWORD_VERIFIER step keeps in its session. */
interface SrpState {
  kind: string;
  b: string;
  B: string;
  A: string;
  v: string;
  lk: string;
  sid: string;
}

async function verifyClaim(
  ctx: FlowContext,
  userId: string | null,
  st: SrpState,
  block: string,
  signature: string,
  timestamp: string,
): Promise<AuthOutput> {
  const when = parseSrpTimestamp(timestamp);
  if (!when || Math.abs(when.getTime() - ctx.s.clock.now()) > FIXED.srpTimestampWindowMs.default)
    throw new NotAuthorizedException(INCORRECT, 'timestamp outside window');
  // A stand-in's answer costs what a user's does: the same read and the same proof check (which fails,
  // its verifier being of no password), before the same answer.
  const { user, groups } = await ctx.s.store.getUserWithGroups(ctx.pool.id, userId ?? st.sid, TOKEN_GROUP_LIMIT);
  const ok = verifyPasswordClaim({ poolName: ctx.pool.srpName, userIdForSrp: st.sid, ...srpProof(st, block, timestamp, signature) });
  if (!user || !userId) {
    throw ctx.client.preventUserExistenceErrors ? new NotAuthorizedException(INCORRECT, 'unknown user') : noSuchUser(ctx.client);
  }
  if (!ok || st.v !== user.srpVerifier) {
    throw new NotAuthorizedException(INCORRECT, ok ? 'password changed during sign-in' : 'bad SRP signature');
  }
  await assertVerifiedUserCanSignIn(ctx.s, ctx.pool, user, st.lk);
  return afterPassword(ctx, user, { clearLoginKey: st.lk, groups });
}

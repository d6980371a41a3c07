import type { FlowContext } from './context.js';
import type { UserRecord } from '../../storage/store.js';
import { findUser, assertNotLocked, assertUserCanSignIn, recordFailure, noSuchUser, INCORRECT } from '../password.js';
import { afterPassword } from './password.js';
import { issueSession, peekSession, burnSession, SESSION_EXPIRED } from '../sessions.js';
import type { AuthOutput } from '../results.js';
import { isValidSrpA, randomVerifierHex, parseSrpTimestamp, startSrpSession, verifyPasswordClaim } from '../../security/srp.js';
import { derivedBytes, derivedUuid, randomBytesB64 } from '../../security/secrets.js';
import { InvalidParameterException, NotAuthorizedException } from '../../protocol/errors.js';

/** How far the client's TIMESTAMP may be from ours (Amplify does no drift correction). */
const TIMESTAMP_WINDOW_MS = 15 * 60_000;

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
  let salt: string;
  let verifier: string;
  let userId: string | null = null;
  let userIdForSrp: string;
  if (user && user.srpSalt && user.srpVerifier && user.enabled) {
    salt = user.srpSalt;
    verifier = user.srpVerifier;
    userId = user.id;
    userIdForSrp = user.id;
  } else {
    if (!user && !ctx.client.preventUserExistenceErrors) throw noSuchUser(ctx.client);
    if (user && !user.enabled) throw new NotAuthorizedException('User is disabled.');
    // A stand-in that looks like a real user across attempts: a stable UUID-shaped id and a stable salt
    // derived under the server key; the verifier is of a random password, so no claim ever verifies.
    const label = `srp-standin\n${ctx.pool.id}\n${ctx.pool.usernameKey(typed)}`;
    userIdForSrp = user?.id ?? derivedUuid(ctx.s.box.macKey, label);
    salt = derivedBytes(ctx.s.box.macKey, `${label}\nsalt`, 16).toString('hex');
    verifier = randomVerifierHex();
  }
  const { bHex, BHex } = startSrpSession(verifier);
  const secret = randomBytesB64(48);
  const session = await issueSession(ctx.s, ctx.client, userId, { kind: 'PASSWORD_VERIFIER', b: bHex, B: BHex, A: srpA, v: verifier }, secretToSession(secret));
  return {
    ChallengeName: 'PASSWORD_VERIFIER',
    Session: session,
    ChallengeParameters: {
      SALT: salt.replace(/^0+(?=.)/, ''),
      SRP_B: BHex,
      SECRET_BLOCK: secret,
      USERNAME: user?.username ?? typed,
      USER_ID_FOR_SRP: userIdForSrp,
    },
  };
}

/** The Session string for a SECRET_BLOCK: the same bytes in base64url. */
function secretToSession(secretB64: string): string {
  return Buffer.from(secretB64, 'base64').toString('base64url');
}

/**
 * RespondToAuthChallenge PASSWORD_VERIFIER: consumes the SRP state (single use, so a replayed
 * response fails), checks the timestamp window and the signature in constant time.
 * @throws NotAuthorizedException (generic) for every failure; failures count toward the lockout.
 */
export async function respondSrp(ctx: FlowContext): Promise<AuthOutput> {
  const block = ctx.params.PASSWORD_CLAIM_SECRET_BLOCK;
  const signature = ctx.params.PASSWORD_CLAIM_SIGNATURE;
  const timestamp = ctx.params.TIMESTAMP;
  if (!block || !signature || !timestamp) throw new InvalidParameterException('Missing required parameter PASSWORD_CLAIM_SIGNATURE, PASSWORD_CLAIM_SECRET_BLOCK or TIMESTAMP');
  const sessionKey = secretToSession(block);
  if (ctx.session && ctx.session !== sessionKey) throw new NotAuthorizedException(SESSION_EXPIRED, 'session and secret block differ');
  const { rec, hash } = await peekSession(ctx.s, ctx.client, sessionKey);
  try {
    return await verifyClaim(ctx, rec, hash, block, signature, timestamp);
  } catch (err) {
    // Any failure burns the SRP state, so a response can never be retried or replayed.
    await burnSession(ctx.s, hash);
    throw err;
  }
}

async function verifyClaim(ctx: FlowContext, rec: { userId: string | null; state: object }, hash: string, block: string, signature: string, timestamp: string): Promise<AuthOutput> {
  const st = rec.state as { kind: string; b: string; B: string; A: string; v: string };
  if (st.kind !== 'PASSWORD_VERIFIER') throw new NotAuthorizedException(SESSION_EXPIRED, 'session of another step');
  const when = parseSrpTimestamp(timestamp);
  if (!when || Math.abs(when.getTime() - ctx.s.clock.now()) > TIMESTAMP_WINDOW_MS) throw new NotAuthorizedException(INCORRECT, 'timestamp outside window');
  let user: UserRecord | undefined;
  if (rec.userId) user = await ctx.s.store.getUser(ctx.pool.id, rec.userId);
  if (!user) {
    throw ctx.client.preventUserExistenceErrors ? new NotAuthorizedException(INCORRECT, 'unknown user') : noSuchUser(ctx.client);
  }
  assertNotLocked(ctx.s, user);
  const ok = verifyPasswordClaim({
    poolName: ctx.pool.srpName, userIdForSrp: user.id, verifierHex: st.v, bHex: st.b, BHex: st.B, srpAHex: st.A,
    secretBlockB64: block, timestamp, signatureB64: signature,
  });
  if (!ok || st.v !== user.srpVerifier) {
    await recordFailure(ctx.s, ctx.pool, user);
    throw new NotAuthorizedException(INCORRECT, ok ? 'password changed during sign-in' : 'bad SRP signature');
  }
  assertUserCanSignIn(user);
  return afterPassword(ctx, user, { sessionHash: hash });
}


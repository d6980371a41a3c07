import type { FlowContext } from './context.js';
import type { PasskeyRecord, PasskeySignInRows, UserRecord } from '../../storage/store.js';
import { findUser, findUserWithPasskeys, lookupName, noSuchUser, assertUserCanSignIn, INCORRECT } from '../password.js';
import { passwordSignIn } from './password.js';
import { assertPasswordlessSignIn, firstFactorUnderMfa, passkeyUserVerification } from './mfa.js';
import { OTP_FACTORS, isOtpFactor, otpChallenge, otpTarget, standInOtpFactors } from './otp.js';
import { startSrp } from './srp.js';
import { issueSession, consumeSession, peekSession, burnSession, rememberRequestSession, SESSION_EXPIRED } from '../sessions.js';
import { TOKEN_GROUP_LIMIT } from '../groups.js';
import { signedIn, type AuthOutput } from '../results.js';
import { enabledPasskeyConfig } from '../passkeyPolicy.js';
import { randomChallenge, verifyAuthentication, peekAssertion } from '../../security/webauthn/index.js';
import { withWebAuthnErrors } from '../securityErrors.js';
import { derivedBytes, safeEqual, sha256Hex } from '../../security/secrets.js';
import { InternalErrorException, InvalidParameterException, NotAuthorizedException, ServiceError } from '../../protocol/errors.js';
import type { ChallengeNameType } from '@aws-sdk/client-cognito-identity-provider';

/** How many of the user's passkeys a WEB_AUTHN challenge's allowCredentials lists. */
const ALLOWED_CREDENTIALS = 100;

/** The generic answer to every failed passkey sign-in; the reason goes to the log only. */
const PASSKEY_FAILED = 'Incorrect username or passkey.';

/**
 * A stand-in's passkeys, for a name nobody holds (existence errors prevented): none or one, with a
 * credential id derived from the name under the server key, so the answer is stable and looks like a
 * real user's. No assertion can ever match it.
 */
function standInPasskeys(ctx: FlowContext, typed: string): { credentialId: string; transports: string[] }[] {
  const seed = derivedBytes(ctx.s.box.macKey, `passkey-standin\n${ctx.pool.id}\n${lookupName(ctx.pool, typed)}`, 4 + 2 * 64);
  if (seed[0]! < 128) return [];
  // One or two passkeys, of the id lengths and transports real authenticators use.
  const shapes = [
    { bytes: 16, transports: ['hybrid', 'internal'] },
    { bytes: 32, transports: ['internal'] },
    { bytes: 64, transports: ['usb'] },
    { bytes: 20, transports: ['hybrid', 'internal'] },
  ];
  const count = seed[1]! < 192 ? 1 : 2;
  return Array.from({ length: count }, (_, i) => {
    const shape = shapes[seed[2 + i]! % shapes.length]!;
    const head = seed.subarray(4 + i * 64, 4 + i * 64 + shape.bytes - STANDIN_TAG_BYTES);
    return { credentialId: Buffer.concat([head, standInTag(ctx, head)]).toString('base64url'), transports: shape.transports };
  });
}

/**
 * Stand-in credential ids end in a tag over the rest under the server key, so that any sign-in can tell
 * one (with 2^-64 odds of a real id passing): a username-less sign-in that presents a stand-in's id must
 * be refused exactly as one presenting a real user's id, never as an unknown credential, or the
 * UnknownCredential reason would tell a stand-in's name from a real one (docs/security.md).
 */
const STANDIN_TAG_BYTES = 8;
function standInTag(ctx: FlowContext, head: Uint8Array): Buffer {
  return derivedBytes(
    ctx.s.box.macKey,
    `passkey-standin-id\n${ctx.pool.id}\n${Buffer.from(head).toString('base64url')}`,
    STANDIN_TAG_BYTES,
  );
}
function isStandInCredentialId(ctx: FlowContext, credentialId: string): boolean {
  const raw = Buffer.from(credentialId, 'base64url');
  if (raw.length <= STANDIN_TAG_BYTES) return false;
  const head = raw.subarray(0, raw.length - STANDIN_TAG_BYTES);
  return safeEqual(raw.subarray(raw.length - STANDIN_TAG_BYTES).toString('base64url'), standInTag(ctx, head).toString('base64url'));
}

/** First factors this user can use now, in Cognito's order (a stand-in's for an unknown name). */
export function availableChallenges(ctx: FlowContext, user: UserRecord | undefined, typed?: string): string[] {
  const factors = ctx.pool.allowedFirstAuthFactors;
  const out: string[] = [];
  if (factors.includes('PASSWORD') && (!user || user.srpVerifier)) out.push('PASSWORD', 'PASSWORD_SRP');
  // EMAIL_OTP / SMS_OTP go to verified addresses only; a stand-in is offered what a real user would likely have.
  if (user) out.push(...OTP_FACTORS.filter((f) => factors.includes(f) && otpTarget(user, f)));
  else if (typed !== undefined) out.push(...standInOtpFactors(ctx, typed));
  const hasPasskey = user ? user.passkeyCount > 0 : typed !== undefined && standInPasskeys(ctx, typed).length > 0;
  if (enabledPasskeyConfig(ctx.pool) && factors.includes('WEB_AUTHN') && hasPasskey) out.push('WEB_AUTHN');
  return out.filter((f) => firstFactorUnderMfa(ctx.pool, f));
}

/**
 * The WEB_AUTHN challenge: CREDENTIAL_REQUEST_OPTIONS as a JSON string listing the user's passkeys.
 * With `user` null it would be a discoverable-credential request (empty allowCredentials); the
 * response path already resolves the user from the credential and its userHandle.
 */
async function webAuthnChallenge(
  ctx: FlowContext,
  user: UserRecord | null,
  typed: string | null,
  /** The user's passkeys, when the user was read with them (findUserWithPasskeys). */
  known?: readonly Pick<PasskeyRecord, 'credentialId' | 'transports'>[],
): Promise<AuthOutput> {
  const config = enabledPasskeyConfig(ctx.pool);
  if (!config) throw new NotAuthorizedException(PASSKEY_FAILED, 'passkeys are not enabled for the pool');
  const { rpId } = config;
  const userVerification = passkeyUserVerification(ctx.pool, config.userVerification);
  const challenge = randomChallenge(16);
  const passkeys = user
    ? (known ?? (await ctx.s.store.listPasskeys(ctx.pool.id, user.id, ALLOWED_CREDENTIALS)))
    : typed
      ? standInPasskeys(ctx, typed)
      : [];
  const options = {
    challenge,
    timeout: ctx.client.authSessionValiditySec * 1000,
    rpId,
    allowCredentials: passkeys.map((p) => ({
      type: 'public-key',
      id: p.credentialId,
      ...(p.transports.length ? { transports: p.transports } : {}),
    })),
    userVerification,
  };
  const session = await issueSession(ctx.s, ctx.client, user?.id ?? null, { kind: 'WEB_AUTHN', challenge, typed, rpId, userVerification });
  return {
    ChallengeName: 'WEB_AUTHN',
    Session: session,
    ChallengeParameters: { ...(typed ? { USERNAME: typed } : {}), CREDENTIAL_REQUEST_OPTIONS: JSON.stringify(options) },
  };
}

/**
 * InitiateAuth USER_AUTH. No preference → SELECT_CHALLENGE; PASSWORD → tokens; PASSWORD_SRP →
 * PASSWORD_VERIFIER; WEB_AUTHN → the passkey challenge. A preference the user or pool cannot satisfy
 * falls back to SELECT_CHALLENGE with what is available (docs/operations.md).
 */
export async function initiateUserAuth(ctx: FlowContext): Promise<AuthOutput> {
  const typed = ctx.params.USERNAME;
  const preferred = ctx.params.PREFERRED_CHALLENGE;
  if (!typed && preferred === 'WEB_AUTHN' && enabledPasskeyConfig(ctx.pool) && firstFactorUnderMfa(ctx.pool, 'WEB_AUTHN')) {
    // Latchkey extension: username-less sign-in with a discoverable credential (empty allowCredentials);
    // the user is found from the credential and its userHandle when the assertion comes back. Not offered
    // where the pool's MFA makes passkeys no first factor (MFA ON, SINGLE_FACTOR): then, as in Cognito,
    // USERNAME is required.
    return webAuthnChallenge(ctx, null, null);
  }
  if (!typed) throw new InvalidParameterException('Missing required parameter USERNAME');
  if (isOtpFactor(preferred) && !ctx.pool.allowedFirstAuthFactors.includes(preferred))
    // Said before any user lookup, so it tells nothing about the name.
    throw new InvalidParameterException(`${preferred} is not an allowed first auth factor for this user pool.`);
  // A passkey sign-in reads the user and the passkeys to allow at once; a known and an unknown name, one read each.
  const { user: found, passkeys } =
    preferred === 'WEB_AUTHN'
      ? await findUserWithPasskeys(ctx.s, ctx.pool, typed, ALLOWED_CREDENTIALS)
      : { user: await findUser(ctx.s, ctx.pool, typed), passkeys: undefined };
  if (!found && !ctx.client.preventUserExistenceErrors) throw noSuchUser(ctx.client);
  // A user with no first factor yet (passwordless, no passkey) is answered as a stand-in is, not refused.
  const own = found ? availableChallenges(ctx, found) : [];
  const user = found && (own.length > 0 || !ctx.client.preventUserExistenceErrors) ? found : undefined;
  // A disabled user is refused only after a factor verifies (assertUserCanSignIn), so that nothing
  // before it tells a disabled user from an unknown one.
  const available = user ? own : availableChallenges(ctx, undefined, typed);
  if (preferred && available.includes(preferred)) {
    if (preferred === 'PASSWORD') return passwordSignIn(ctx, typed, ctx.params.PASSWORD);
    if (preferred === 'PASSWORD_SRP') return startSrp(ctx, typed, ctx.params.SRP_A);
    if (preferred === 'WEB_AUTHN') return webAuthnChallenge(ctx, user ?? null, typed, passkeys);
    if (isOtpFactor(preferred)) return otpChallenge(ctx, user, typed, preferred);
  }
  if (available.length === 0) throw new NotAuthorizedException(INCORRECT, 'no first factor available');
  return {
    ChallengeName: 'SELECT_CHALLENGE',
    Session: await issueSession(ctx.s, ctx.client, user?.id ?? null, { kind: 'SELECT_CHALLENGE', typed, available }),
    ChallengeParameters: {},
    // availableChallenges names only PASSWORD, PASSWORD_SRP, EMAIL_OTP, SMS_OTP and WEB_AUTHN, all Cognito challenge names.
    AvailableChallenges: available as ChallengeNameType[],
  };
}

/** RespondToAuthChallenge SELECT_CHALLENGE with ANSWER WEB_AUTHN | PASSWORD | PASSWORD_SRP | EMAIL_OTP | SMS_OTP. */
export async function respondSelectChallenge(ctx: FlowContext): Promise<AuthOutput> {
  const rec = await consumeSession(ctx.s, ctx.client, ctx.session);
  const st = rec.state as { kind: string; typed: string; available: string[] };
  if (st.kind !== 'SELECT_CHALLENGE') throw new NotAuthorizedException(SESSION_EXPIRED, 'session of another step');
  const answer = ctx.params.ANSWER;
  if (!answer || !st.available.includes(answer)) throw new InvalidParameterException(`Invalid ANSWER: ${String(answer).slice(0, 32)}`);
  if (answer === 'PASSWORD') return passwordSignIn(ctx, st.typed, ctx.params.PASSWORD);
  if (answer === 'PASSWORD_SRP') return startSrp(ctx, st.typed, ctx.params.SRP_A);
  const user = rec.userId ? await ctx.s.store.getUser(ctx.pool.id, rec.userId) : undefined;
  if (isOtpFactor(answer)) return otpChallenge(ctx, user, st.typed, answer);
  if (!user && rec.userId) throw new NotAuthorizedException(PASSKEY_FAILED, 'user gone');
  return webAuthnChallenge(ctx, user ?? null, st.typed);
}

/**
 * RespondToAuthChallenge WEB_AUTHN: full assertion verification, then an atomic, count-guarded
 * update of the passkey's sign count, backup state and last use. Every failure is the same
 * NotAuthorizedException; the reason is logged. The step reads its Session, the presented credential, its user and
 * the user's groups in one statement (Store.readPasskeySignIn), so the credential is parsed first.
 */
export async function respondWebAuthn(ctx: FlowContext): Promise<AuthOutput> {
  let presented: PresentedCredential;
  try {
    presented = await presentedCredential(ctx);
  } catch (err) {
    // A malformed answer still costs the Session (when it is a live one of this client); on another step's Session
    // the answer is that one, as when the answer parses.
    const { rec, hash } = await peekSession(ctx);
    const kind = (rec.state as unknown as WebAuthnState).kind;
    return refuse(ctx, hash, kind === 'WEB_AUTHN' ? err : new NotAuthorizedException(SESSION_EXPIRED, 'session of another step'));
  }
  if (!ctx.session) throw new NotAuthorizedException(SESSION_EXPIRED, 'no session');
  const rows = await ctx.s.store.readPasskeySignIn({
    sessionHash: sha256Hex(ctx.session),
    now: ctx.s.clock.now(),
    poolId: ctx.pool.id,
    credentialId: presented.credentialId,
    groupLimit: TOKEN_GROUP_LIMIT,
  });
  // The sign-in events' read of the Session (auth/events.ts) is this one.
  rememberRequestSession(ctx, rows.session);
  const { rec, hash } = await peekSession(ctx);
  const st = rec.state as unknown as WebAuthnState;
  try {
    if (st.kind !== 'WEB_AUTHN') throw new NotAuthorizedException(SESSION_EXPIRED, 'session of another step');
    // Success consumes the session in the same transaction as the passkey update and the new tokens.
    return await verifyAndSignIn(ctx, rec.userId, st, hash, presented, rows);
  } catch (err) {
    return refuse(ctx, hash, err);
  }
}

/** A failed attempt burns the session: one assertion per challenge, right or wrong. Always throws. */
async function refuse(ctx: FlowContext, hash: string, err: unknown): Promise<never> {
  await burnSession(ctx.s, hash);
  if (err instanceof ServiceError && (err.message === SESSION_EXPIRED || err instanceof InternalErrorException)) throw err;
  if (err instanceof ServiceError) {
    ctx.s.log.info({ poolId: ctx.pool.id, reason: err.type, detail: err.detail }, 'passkey sign-in refused');
    const refused = new NotAuthorizedException(PASSKEY_FAILED, `${err.type}: ${err.detail ?? err.message}`);
    if (err.latchkeyReason) refused.latchkeyReason = err.latchkeyReason;
    throw refused;
  }
  throw err;
}

/** The CREDENTIAL answer, parsed far enough to know which credential it names. */
interface PresentedCredential {
  credential: unknown;
  credentialId: string;
  userHandle: string | undefined;
}

async function presentedCredential(ctx: FlowContext): Promise<PresentedCredential> {
  const raw = ctx.params.CREDENTIAL;
  if (!raw) throw new InvalidParameterException('Missing required parameter CREDENTIAL');
  let credential: unknown;
  try {
    credential = JSON.parse(raw);
  } catch {
    throw new InvalidParameterException('CREDENTIAL is not JSON');
  }
  const { credentialId, userHandle } = await withWebAuthnErrors('authentication', () => peekAssertion(credential));
  return { credential, credentialId, userHandle };
}

/** What the WEB_AUTHN step keeps in its session: the ceremony is judged by the settings it was started with. */
interface WebAuthnState {
  kind: string;
  typed: string | null;
  challenge: string;
  rpId: string;
  userVerification: 'required' | 'preferred';
}

async function verifyAndSignIn(
  ctx: FlowContext,
  sessionUserId: string | null,
  st: WebAuthnState,
  sessionHash: string,
  { credential, credentialId, userHandle }: PresentedCredential,
  { passkey, user, groups }: PasskeySignInRows,
): Promise<AuthOutput> {
  // A session for a typed name without a user is a stand-in's: nothing signs in through it.
  if (sessionUserId === null && st.typed) throw new NotAuthorizedException(PASSKEY_FAILED, 'stand-in session');
  if (!passkey) {
    const refused = new NotAuthorizedException(PASSKEY_FAILED, 'unknown credential');
    // Told only in a username-less sign-in (no name is involved, the caller presented the id it holds) and
    // never for a stand-in's id (see isStandInCredentialId), so it says nothing about any user's existence.
    if (sessionUserId === null && !st.typed && !isStandInCredentialId(ctx, credentialId)) refused.latchkeyReason = 'UnknownCredential';
    throw refused;
  }
  // With a username, the credential must be that user's; without one (discoverable), the userHandle decides.
  if (sessionUserId !== null && passkey.userId !== sessionUserId)
    throw new NotAuthorizedException(PASSKEY_FAILED, "another user's credential");
  if (!user) throw new NotAuthorizedException(PASSKEY_FAILED, 'user gone');
  const expectedHandle = Buffer.from(user.id, 'utf8').toString('base64url');
  if (userHandle !== undefined && userHandle !== expectedHandle) throw new NotAuthorizedException(PASSKEY_FAILED, 'userHandle mismatch');
  if (sessionUserId === null && userHandle === undefined)
    throw new NotAuthorizedException(PASSKEY_FAILED, 'discoverable sign-in without userHandle');
  const policy = ctx.pool.latchkey.signCountPolicy;
  const verified = await withWebAuthnErrors('authentication', () =>
    verifyAuthentication({
      credential,
      expectedChallenge: st.challenge,
      expectedOrigins: ctx.client.allowedOrigins,
      rpId: st.rpId,
      userVerification: st.userVerification,
      storedCredential: { credentialId, publicKey: passkey.publicKey, signCount: passkey.signCount, transports: passkey.transports },
      allowCounterRegression: policy === 'lenient-synced' && passkey.backupEligible,
    }),
  );
  // Refused users leave no trace on the passkey (no counter or last-use update).
  assertUserCanSignIn(user);
  // MFA as the pool is now (the Session may predate it): a passkey signs in alone only where it satisfies it.
  await assertPasswordlessSignIn(ctx, user, { userVerified: verified.userVerified });
  const now = ctx.s.clock.now();
  const passkeyUse = {
    poolId: ctx.pool.id,
    credentialId,
    expected: { signCount: passkey.signCount, lastUsedAt: passkey.lastUsedAt },
    update: {
      signCount: Math.max(passkey.signCount, verified.newSignCount),
      backupState: verified.backupState,
      lastUsedAt: now,
      cloneWarning: verified.counterRegressed,
    },
  };
  if (verified.counterRegressed)
    ctx.s.log.warn(
      { poolId: ctx.pool.id, userId: user.id, credentialId },
      'passkey sign count did not increase (synced credential accepted; possible clone)',
    );
  return signedIn(ctx.s, ctx.pool, ctx.client, user, {
    sessionHash,
    passkeyUse,
    groups,
    event: { factor: 'WEB_AUTHN', request: ctx.request },
  });
}

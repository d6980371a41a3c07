import type { FlowContext } from './context.js';
import type { MfaMethod, UserMfaRecord, UserRecord } from '../../storage/store.js';
import type { Pool } from '../../domain/pools.js';
import { signedIn, type AuthOutput, type FinishSignIn } from '../results.js';
import { rememberedDeviceStep } from '../devices.js';
import { burnSession, consumeSession, issueSession, peekSession, SESSION_EXPIRED } from '../sessions.js';
import { otpChallenge } from './otp.js';
import { assertUserCanSignIn, lockedOut, passwordAttempt } from '../password.js';
import { matchSignInTotp, totpAttemptKey } from '../totp.js';
import { FIXED } from '../../config/defaults.js';
import { parseAttributes } from '../../domain/users.js';
import { mergeAttributes, saveUserAttributes } from '../attributes.js';
import { sha256Hex } from '../../security/secrets.js';
import { mfaChangedEvent } from '../events.js';
import { CodeMismatchException, ExpiredCodeException, InvalidParameterException, NotAuthorizedException } from '../../protocol/errors.js';

const TOTP_MISMATCH = 'Invalid code received for user';
const TOO_MANY = 'Invalid session for the user, too many failed attempts.';

/** The methods the pool offers, in Cognito's order. */
function poolMethods(pool: Pool): MfaMethod[] {
  const out: MfaMethod[] = [];
  if (pool.smsMfaEnabled) out.push('SMS_MFA');
  if (pool.totpMfaEnabled) out.push('SOFTWARE_TOKEN_MFA');
  if (pool.emailMfaEnabled) out.push('EMAIL_OTP');
  return out;
}

/**
 * Whether a first factor is offered under the pool's MFA setting. With MFA required (ON), a passwordless
 * one-time code is no sign-in (Cognito offers passwordless sign-in only where MFA is off or optional),
 * and a passkey only where FactorConfiguration is MULTI_FACTOR_WITH_USER_VERIFICATION, whose user
 * verification satisfies MFA (passkeyUserVerification then requires it).
 */
export function firstFactorUnderMfa(pool: Pool, factor: string): boolean {
  if (pool.mfaConfiguration !== 'ON') return true;
  if (factor === 'EMAIL_OTP' || factor === 'SMS_OTP') return false;
  if (factor === 'WEB_AUTHN') return pool.passkeyIsMultiFactor;
  return true;
}

/** The refusal of a proven passwordless first factor for a user whose MFA it does not satisfy. */
export const PASSWORDLESS_WITH_MFA = 'Passwordless sign-in is not available to a user with multi-factor authentication.';

/**
 * Checked after a passwordless first factor (EMAIL_OTP, SMS_OTP code, or a passkey) is proven, against the
 * pool as it is now (a Session issued before MFA was switched on finishes under the new setting). Cognito
 * offers passwordless sign-in only to users without MFA: with MFA OFF it always signs in; a passkey
 * verified with user verification signs in where the pool's FactorConfiguration is
 * MULTI_FACTOR_WITH_USER_VERIFICATION and the user enabled passkey MFA (WebAuthnMfaSettings, "passkey
 * sign-in is available when MFA is required"); otherwise it is refused with MFA ON, and with MFA OPTIONAL
 * when the user has an MFA method enabled. Decided only here, after the factor, never in the InitiateAuth
 * answer, so the factors offered do not tell a user with MFA from one without (or from a stand-in).
 * @throws NotAuthorizedException
 */
export async function assertPasswordlessSignIn(ctx: FlowContext, user: UserRecord, passkey?: { userVerified: boolean }): Promise<void> {
  const pool = ctx.pool;
  if (pool.mfaConfiguration === 'OFF') return;
  const mfa = await ctx.s.store.getUserMfa(pool.id, user.id);
  if (passkey?.userVerified && pool.passkeyIsMultiFactor && mfa?.webAuthnEnabled) return;
  if (pool.mfaConfiguration === 'ON') throw new NotAuthorizedException(PASSWORDLESS_WITH_MFA, 'MFA is required of every user');
  const offered = poolMethods(pool);
  if (enabledMfaMethods(user, mfa).some((m) => offered.includes(m)))
    throw new NotAuthorizedException(PASSWORDLESS_WITH_MFA, 'the user has MFA enabled');
}

/** The user verification a passkey sign-in asks for: required where it stands for MFA. */
export function passkeyUserVerification(pool: Pool, configured: 'required' | 'preferred'): 'required' | 'preferred' {
  return pool.mfaConfiguration === 'ON' && pool.passkeyIsMultiFactor ? 'required' : configured;
}

/** The user's enabled MFA methods that can be used now (the pool offers them; the user has the secret or address). */
export function enabledMfaMethods(user: UserRecord, mfa: UserMfaRecord | undefined): MfaMethod[] {
  if (!mfa) return [];
  const out: MfaMethod[] = [];
  if (mfa.smsEnabled && user.attributes.phone_number) out.push('SMS_MFA');
  if (mfa.totpEnabled && mfa.totpSecretEnc) out.push('SOFTWARE_TOKEN_MFA');
  if (mfa.emailEnabled && user.attributes.email) out.push('EMAIL_OTP');
  return out;
}

/**
 * The MFA the pool requires of this user after a first factor, if any: OFF none; OPTIONAL the user's
 * enabled methods; ON those, else (as Cognito's SMS and email MFA need no enrolment) the pool's SMS /
 * email MFA to the user's phone number / email, else MFA_SETUP.
 */
export async function mfaOptions(
  ctx: FlowContext,
  user: UserRecord,
  untrusted: readonly Contact[] = [],
): Promise<{ options: MfaMethod[]; mfa?: UserMfaRecord }> {
  const pool = ctx.pool;
  if (pool.mfaConfiguration === 'OFF') return { options: [] };
  const mfa = await ctx.s.store.getUserMfa(pool.id, user.id);
  // An address set or changed in this very sign-in (a NEW_PASSWORD_REQUIRED answer) never receives the MFA code.
  const channel: Partial<Record<MfaMethod, Contact>> = { SMS_MFA: 'phone_number', EMAIL_OTP: 'email' };
  const usable = (m: MfaMethod) => {
    const c = channel[m];
    return c === undefined || !untrusted.includes(c);
  };
  const offered = poolMethods(pool).filter(usable);
  let options = enabledMfaMethods(user, mfa).filter((m) => offered.includes(m));
  if (options.length === 0 && pool.mfaConfiguration === 'ON') {
    options = offered.filter((m) =>
      m === 'SMS_MFA' ? !!user.attributes.phone_number : m === 'EMAIL_OTP' ? !!user.attributes.email : false,
    );
  }
  return { options, mfa };
}

export type Contact = 'email' | 'phone_number';

/** The first factor is done: its password counter is cleared and its step's session burnt (a new step follows). */
async function endFirstFactor(ctx: FlowContext, finish: FinishSignIn): Promise<void> {
  if (finish.clearLoginKey) await ctx.s.store.clearLoginAttempts(ctx.pool.id, [finish.clearLoginKey]);
  if (finish.sessionHash) await burnSession(ctx.s, finish.sessionHash);
}

/**
 * The one step after a password first factor (USER_PASSWORD_AUTH, the admin flows, SRP, USER_AUTH
 * PASSWORD / PASSWORD_SRP, a NEW_PASSWORD_REQUIRED answer): the MFA challenge the pool requires
 * (SOFTWARE_TOKEN_MFA, SMS_MFA, EMAIL_OTP, SELECT_MFA_TYPE, MFA_SETUP), or tokens. `finish` is what the
 * final write consumes when no challenge follows. Not after the ConfirmSignUp Session (signUpSession.ts:
 * its code is the second factor of the first sign-in, as in Cognito), a passwordless code or a passkey
 * (firstFactorUnderMfa decides where those are offered, assertPasswordlessSignIn whether they sign in).
 * `untrusted` names addresses this sign-in itself set: no MFA code goes to them.
 */
export async function afterFirstFactor(
  ctx: FlowContext,
  user: UserRecord,
  finish: FinishSignIn = {},
  untrusted: readonly Contact[] = [],
): Promise<AuthOutput> {
  // Remembered device (issue 13 item 5): checked here, before MFA.
  const viaDevice = await rememberedDeviceStep(ctx, user, finish);
  if (viaDevice) return viaDevice;
  const { options, mfa } = await mfaOptions(ctx, user, untrusted);
  if (options.length === 0) {
    if (ctx.pool.mfaConfiguration !== 'ON') return signedIn(ctx.s, ctx.pool, ctx.client, user, finish);
    const canSetup = poolMethods(ctx.pool).filter((m) => m !== 'SMS_MFA' || !user.attributes.phone_number);
    await endFirstFactor(ctx, finish);
    return {
      ChallengeName: 'MFA_SETUP',
      Session: await issueSession(ctx.s, ctx.client, user.id, { kind: 'MFA_SETUP', verified: false }),
      ChallengeParameters: { MFAS_CAN_SETUP: JSON.stringify(canSetup) },
    };
  }
  await endFirstFactor(ctx, finish);
  const preferred = mfa?.preferred && options.includes(mfa.preferred) ? mfa.preferred : options.length === 1 ? options[0] : undefined;
  if (!preferred) {
    return {
      ChallengeName: 'SELECT_MFA_TYPE',
      Session: await issueSession(ctx.s, ctx.client, user.id, { kind: 'SELECT_MFA_TYPE', options }),
      ChallengeParameters: { MFAS_CAN_CHOOSE: JSON.stringify(options) },
    };
  }
  return mfaChallenge(ctx, user, preferred);
}

/** Issues one MFA challenge with its own single-use Session. */
async function mfaChallenge(ctx: FlowContext, user: UserRecord, method: MfaMethod): Promise<AuthOutput> {
  if (method === 'SMS_MFA') return otpChallenge(ctx, user, user.username, 'SMS_OTP', true);
  if (method === 'EMAIL_OTP') return otpChallenge(ctx, user, user.username, 'EMAIL_OTP', true);
  return {
    ChallengeName: 'SOFTWARE_TOKEN_MFA',
    Session: await issueSession(ctx.s, ctx.client, user.id, { kind: 'SOFTWARE_TOKEN_MFA' }),
    ChallengeParameters: {},
  };
}

/**
 * RespondToAuthChallenge SOFTWARE_TOKEN_MFA. Each answer is counted on the Session (one guarded UPDATE)
 * and on the user's TOTP attempt counter (the password lockout policy) before the code is checked; a
 * wrong code keeps the Session usable. The right code signs in: the session is consumed and the code's
 * step recorded as the last accepted one in the same commit as the token family, so a code signs in at
 * most once and exactly one of concurrent right answers wins.
 * @throws CodeMismatchException | ExpiredCodeException | NotAuthorizedException | InvalidParameterException
 */
export async function respondSoftwareTokenMfa(ctx: FlowContext): Promise<AuthOutput> {
  const code = ctx.params.SOFTWARE_TOKEN_MFA_CODE;
  if (!code) throw new InvalidParameterException('Missing required parameter SOFTWARE_TOKEN_MFA_CODE');
  if (!ctx.session) throw new NotAuthorizedException(SESSION_EXPIRED, 'no session');
  const hash = sha256Hex(ctx.session);
  const admitted = await ctx.s.store.admitAuthSessionAttempt(hash, ctx.s.clock.now(), FIXED.maxSignInCodeAttempts.default);
  if (admitted === 'missing') throw new NotAuthorizedException(SESSION_EXPIRED, 'unknown, used or purged session');
  if (admitted === 'expired') throw new ExpiredCodeException('Invalid code provided, please request a code again.');
  // Used up: refused, but not consumed here, so a concurrent right answer already admitted still wins.
  if (admitted === 'too-many') throw new NotAuthorizedException(TOO_MANY, 'TOTP attempts on this session used up');
  const rec = admitted.session;
  if (rec.clientId !== ctx.client.id || rec.poolId !== ctx.client.poolId)
    throw new NotAuthorizedException(SESSION_EXPIRED, 'session of another client');
  if (rec.state.kind !== 'SOFTWARE_TOKEN_MFA' || !rec.userId) throw new NotAuthorizedException(SESSION_EXPIRED, 'session of another step');
  const user = await ctx.s.store.getUser(ctx.pool.id, rec.userId);
  if (!user) throw new NotAuthorizedException(SESSION_EXPIRED, 'user gone');
  const key = totpAttemptKey(ctx.s, ctx.pool, user);
  const { threshold, lockMs } = passwordAttempt(ctx.pool, key);
  if (!(await ctx.s.store.admitLoginAttempt(ctx.pool.id, key, ctx.s.clock.now(), threshold, lockMs))) throw lockedOut();
  const mfa = await ctx.s.store.getUserMfa(ctx.pool.id, user.id);
  const step = mfa ? matchSignInTotp(ctx.s, mfa, code) : undefined;
  if (!mfa?.totpSecretEnc || step === undefined) throw new CodeMismatchException(TOTP_MISMATCH, 'wrong, old or replayed code');
  assertUserCanSignIn(user);
  return signedIn(ctx.s, ctx.pool, ctx.client, user, {
    sessionHash: hash,
    clearLoginKey: key,
    totpUse: { poolId: ctx.pool.id, userId: user.id, secretEnc: mfa.totpSecretEnc, step },
    event: { factor: 'PASSWORD', mfa: 'SOFTWARE_TOKEN_MFA', request: ctx.request },
  });
}

/**
 * RespondToAuthChallenge SELECT_MFA_TYPE with ANSWER one of MFAS_CAN_CHOOSE: the Session is consumed and
 * the chosen method's challenge follows.
 * @throws InvalidParameterException | NotAuthorizedException
 */
export async function respondSelectMfaType(ctx: FlowContext): Promise<AuthOutput> {
  const answer = ctx.params.ANSWER;
  if (!answer) throw new InvalidParameterException('Missing required parameter ANSWER');
  const { rec } = await peekSession(ctx);
  if (rec.state.kind !== 'SELECT_MFA_TYPE' || !rec.userId) throw new NotAuthorizedException(SESSION_EXPIRED, 'session of another step');
  const options = rec.state.options as MfaMethod[];
  if (!options.includes(answer as MfaMethod))
    throw new InvalidParameterException(`Invalid ANSWER: ${answer} is not one of MFAS_CAN_CHOOSE.`);
  await consumeSession(ctx.s, ctx.client, ctx.session);
  const user = await ctx.s.store.getUser(ctx.pool.id, rec.userId);
  if (!user) throw new NotAuthorizedException(SESSION_EXPIRED, 'user gone');
  assertUserCanSignIn(user);
  return mfaChallenge(ctx, user, answer as MfaMethod);
}

/**
 * RespondToAuthChallenge MFA_SETUP: the Session VerifySoftwareToken returned (TOTP verified and enabled)
 * signs in, consumed in the commit of the token family. Any other Session, or one reused, is refused.
 * @throws NotAuthorizedException
 */
export async function respondMfaSetup(ctx: FlowContext): Promise<AuthOutput> {
  const { rec, hash } = await peekSession(ctx);
  if (rec.state.kind !== 'MFA_SETUP' || !rec.userId) throw new NotAuthorizedException(SESSION_EXPIRED, 'session of another step');
  const user = await ctx.s.store.getUser(ctx.pool.id, rec.userId);
  if (!user) throw new NotAuthorizedException(SESSION_EXPIRED, 'user gone');
  assertUserCanSignIn(user);
  if (rec.state.verified === true) {
    const event = { factor: 'PASSWORD', mfa: 'SOFTWARE_TOKEN_MFA', request: ctx.request };
    return signedIn(ctx.s, ctx.pool, ctx.client, user, { sessionHash: hash, event });
  }
  const email = ctx.params.EMAIL;
  if (email === undefined || rec.state.associated === true || !ctx.pool.emailMfaEnabled)
    throw new NotAuthorizedException('Invalid session for the user.', 'MFA not set up yet');
  return setUpEmailMfa(ctx, user, email);
}

/**
 * MFA_SETUP answered with EMAIL (Amplify's CONTINUE_SIGN_IN_WITH_EMAIL_SETUP): the address becomes the
 * user's email (unverified, alias rules as UpdateUserAttributes), email MFA is enabled and preferred,
 * the setup Session is consumed and an EMAIL_OTP MFA challenge to that address follows.
 * @throws InvalidParameterException | AliasExistsException | NotAuthorizedException
 */
async function setUpEmailMfa(ctx: FlowContext, user: UserRecord, email: string): Promise<AuthOutput> {
  const changes = parseAttributes(ctx.pool, [{ Name: 'email', Value: email }], { admin: false, client: ctx.client });
  await consumeSession(ctx.s, ctx.client, ctx.session);
  const attributes = mergeAttributes(user, changes);
  await saveUserAttributes(ctx.s, ctx.pool, user.id, attributes);
  const event = mfaChangedEvent(ctx.s, ctx.pool, user, {
    operation: ctx.admin ? 'AdminRespondToAuthChallenge' : 'RespondToAuthChallenge',
    enabled: ['EMAIL_OTP'],
    disabled: [],
    preferred: 'EMAIL_OTP',
  });
  const patch = { emailEnabled: true, preferred: 'EMAIL_OTP' as const };
  await ctx.s.store.setMfaPreference(ctx.pool.id, user.id, patch, ctx.s.clock.now(), false, [event]);
  return mfaChallenge(ctx, { ...user, attributes }, 'EMAIL_OTP');
}

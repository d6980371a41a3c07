import { applyTemplate, customMessage, messageAfterAnswer } from '../../triggers/customMessage.js';
import type { FlowContext } from './context.js';
import type { UserRecord } from '../../storage/store.js';
import type { AuthOutput } from '../results.js';
import { signedIn } from '../results.js';
import { assertUserCanSignIn } from '../password.js';
import { assertPasswordlessSignIn } from './mfa.js';
import { issueSession, SESSION_EXPIRED } from '../sessions.js';
import { standInTarget, type DeliveryTarget } from '../standInDelivery.js';
import { admitCodeSend, nameBudgetKey } from '../sendBudget.js';
import { maskDestination, type CodeMessage } from '../../domain/sender.js';
import { FIXED } from '../../config/defaults.js';
import { hmacHex, randomCode, randomToken, safeEqual, sha256Hex } from '../../security/secrets.js';
import {
  CodeDeliveryFailureException,
  CodeMismatchException,
  ExpiredCodeException,
  InvalidParameterException,
  NotAuthorizedException,
} from '../../protocol/errors.js';

export type OtpFactor = 'EMAIL_OTP' | 'SMS_OTP';
export const OTP_FACTORS: readonly OtpFactor[] = ['EMAIL_OTP', 'SMS_OTP'];
export const isOtpFactor = (x: string | undefined): x is OtpFactor => x === 'EMAIL_OTP' || x === 'SMS_OTP';

/** The ChallengeResponses member that carries the code. */
const CODE_MEMBER: Record<CodeChallenge, string> = { EMAIL_OTP: 'EMAIL_OTP_CODE', SMS_OTP: 'SMS_OTP_CODE', SMS_MFA: 'SMS_MFA_CODE' };
const MISMATCH = 'Invalid code or auth state for the user.';
const EXPIRED = 'Invalid code provided, please request a code again.';
const TOO_MANY = 'Invalid session for the user, too many failed attempts.';

/**
 * Where this factor's code goes for the user: for a first factor only to a verified address; for MFA to
 * the address the user has, verified or not, as Cognito's SMS and email MFA.
 */
export function otpTarget(user: UserRecord, factor: OtpFactor, mfa = false): DeliveryTarget | undefined {
  const a = user.attributes;
  if (factor === 'EMAIL_OTP')
    return a.email && (mfa || a.email_verified === 'true') ? { destination: a.email, medium: 'EMAIL', attribute: 'email' } : undefined;
  return a.phone_number && (mfa || a.phone_number_verified === 'true')
    ? { destination: a.phone_number, medium: 'SMS', attribute: 'phone_number' }
    : undefined;
}

/** The challenge answered with a code: a passwordless first factor, or SMS / email MFA (SMS_MFA; EMAIL_OTP with `mfa`). */
export type CodeChallenge = OtpFactor | 'SMS_MFA';
const factorOf = (c: CodeChallenge): OtpFactor => (c === 'SMS_MFA' ? 'SMS_OTP' : c);

/**
 * The OTP factors a stand-in (a name nobody holds, existence errors prevented) is offered: EMAIL_OTP
 * when the pool allows it (most users have a verified email), SMS_OTP when it allows it and the name
 * is a phone number or the pool verifies only phone numbers: what a real user typing that name would
 * most likely have.
 */
export function standInOtpFactors(ctx: FlowContext, typed: string): OtpFactor[] {
  const allowed = ctx.pool.allowedFirstAuthFactors;
  const verifies = ctx.pool.autoVerifiedAttributes;
  const out: OtpFactor[] = [];
  const phoneOnly = verifies.includes('phone_number') && !verifies.includes('email');
  if (allowed.includes('EMAIL_OTP') && !(phoneOnly && !typed.includes('@'))) out.push('EMAIL_OTP');
  if (allowed.includes('SMS_OTP') && (/^\+\d{5,}$/.test(typed) || phoneOnly)) out.push('SMS_OTP');
  return out;
}

/**
 * The code's hash binds it to the pool, the user, the address it was sent to and the Session that
 * carries it: a code from another Session, or sent to an address since changed, never matches.
 */
const codeHash = (ctx: FlowContext, userId: string, destination: string, sessionHash: string, code: string) =>
  hmacHex(ctx.s.box.macKey, `signin-otp\n${ctx.pool.id}\n${userId}\n${destination}\n${sessionHash}\n${code}`);

/** What an EMAIL_OTP / SMS_OTP step keeps in its Session (only the code's hash). */
interface OtpState {
  kind: CodeChallenge;
  /** A second factor (after a password): the code is an MFA code. */
  mfa?: boolean;
  typed: string;
  codeHash: string | null;
  codeExpiresAt: number;
}

/** The message around a code: the pool's SetUserPoolMfaConfig template for an MFA code ({####} → the code), else the default. */
function codeText(ctx: FlowContext, mfa: boolean, medium: 'EMAIL' | 'SMS', code: string): { subject: string; body: string } {
  const t = mfa ? ctx.pool.mfaMessage(medium) : {};
  return {
    subject: t.subject ?? (mfa ? 'Your verification code' : 'Your sign-in code'),
    body: t.body ? t.body.replaceAll('{####}', code) : `Your ${mfa ? 'verification' : 'sign-in'} code is ${code}`,
  };
}

/**
 * Issues an EMAIL_OTP / SMS_OTP challenge: a fresh 8-digit code, delivered through the CodeSender and
 * stored only as a hash in the new Session. A stand-in (no `user`) gets the same answer shape with a
 * plausible masked destination and a Session whose every answer is a mismatch; no message is sent.
 * @throws CodeDeliveryFailureException when the sender fails and existence errors are not prevented;
 * LimitExceededException past the typed name's sign-in code budget.
 */
export async function otpChallenge(
  ctx: FlowContext,
  user: UserRecord | undefined,
  typed: string,
  factor: OtpFactor,
  mfa = false,
): Promise<AuthOutput> {
  // Known name or stand-in, the typed name's sign-in code budget is spent first, so its refusal is the same.
  await admitCodeSend(ctx.s, ctx.pool, nameBudgetKey(ctx.s, ctx.pool, typed), 'signin');
  const target = user ? otpTarget(user, factor, mfa) : undefined;
  const challenge: CodeChallenge = mfa && factor === 'SMS_OTP' ? 'SMS_MFA' : factor;
  const shown = target ?? standInTarget(ctx.s, ctx.pool, typed, factor === 'EMAIL_OTP' ? 'EMAIL' : 'SMS');
  const now = ctx.s.clock.now();
  const token = randomToken(48);
  const codeExpiresAt = now + Math.min(FIXED.signInCodeLifetimeMs.default, ctx.client.authSessionValiditySec * 1000);
  const state: OtpState = { kind: challenge, typed, codeHash: null, codeExpiresAt, ...(mfa ? { mfa } : {}) };
  if (user && target) {
    // MFA codes have 6 digits, as Cognito's SMS and email MFA messages; passwordless sign-in codes 8.
    const code = randomCode(mfa ? FIXED.mfaCodeDigits.default : FIXED.signInCodeDigits.default);
    state.codeHash = codeHash(ctx, user.id, target.destination, sha256Hex(token), code);
    const base: CodeMessage = {
      poolId: ctx.pool.id,
      purpose: 'signin',
      userId: user.id,
      destination: target.destination,
      ...codeText(ctx, mfa, target.medium, code),
      code,
    };
    const messageContext = { source: 'CustomMessage_Authentication' as const, clientId: ctx.client.id, clientMetadata: ctx.clientMetadata };
    if (!mfa && ctx.client.preventUserExistenceErrors && ctx.pool.lambdaConfig.CustomMessage) {
      // A stand-in never calls the trigger: a real user's answer must not wait for (or fail with) it either.
      await issueSession(ctx.s, ctx.client, user.id, { ...state }, token);
      messageAfterAnswer(ctx.s, ctx.pool, user, base, messageContext);
      return otpAnswer(challenge, token, shown);
    }
    // CustomMessage_Authentication (triggers/customMessage.ts): asked before the Session is stored.
    const template = await customMessage(ctx.s, ctx.pool, user, target.destination, messageContext);
    const message = applyTemplate(base, template, user.username);
    // A channel-routing sender (SMS to the webhook, email to SMTP or the outbox) names the one for this message.
    const sender = ctx.s.sender.senderFor?.(message) ?? ctx.s.sender;
    if (sender.outbox) {
      // Development delivery: the Session and its message are one commit.
      await issueSession(ctx.s, ctx.client, user.id, { ...state }, token, { ...message, createdAt: now });
      sender.outbox.delivered(message);
    } else {
      await issueSession(ctx.s, ctx.client, user.id, { ...state }, token);
      if (ctx.client.preventUserExistenceErrors) {
        // A stand-in is answered at once, so a real user must be too: the answer does not wait for (or
        // report on) the mail server; a failed delivery is logged, and signing in again sends a new code.
        sender.send(message).catch((err: unknown) => ctx.s.log.error({ err, poolId: ctx.pool.id }, 'sign-in code delivery failed'));
      } else {
        try {
          await sender.send(message);
        } catch (err) {
          ctx.s.log.error({ err, poolId: ctx.pool.id }, 'sign-in code delivery failed');
          throw new CodeDeliveryFailureException('Unable to deliver the sign-in code.');
        }
      }
    }
  } else {
    await issueSession(ctx.s, ctx.client, null, { ...state }, token);
  }
  return otpAnswer(challenge, token, shown);
}

/** The challenge answer: the same for a real user and a stand-in. */
function otpAnswer(challenge: CodeChallenge, token: string, shown: DeliveryTarget): AuthOutput {
  return {
    ChallengeName: challenge,
    Session: token,
    ChallengeParameters: { CODE_DELIVERY_DELIVERY_MEDIUM: shown.medium, CODE_DELIVERY_DESTINATION: maskDestination(shown.destination) },
  };
}

/**
 * RespondToAuthChallenge EMAIL_OTP / SMS_OTP. Each answer is counted on the Session first (one guarded
 * UPDATE, Store.admitAuthSessionAttempt), so no number of parallel answers gets more than the limit
 * evaluated; a wrong code leaves the Session usable (Amplify resends the same one); the right code
 * signs in, consuming the Session in finishSignIn, so exactly one of concurrent right answers wins.
 * @throws CodeMismatchException | ExpiredCodeException | NotAuthorizedException | InvalidParameterException
 */
export async function respondOtp(ctx: FlowContext, challenge: CodeChallenge): Promise<AuthOutput> {
  const factor = factorOf(challenge);
  const code = ctx.params[CODE_MEMBER[challenge]];
  if (!code) throw new InvalidParameterException(`Missing required parameter ${CODE_MEMBER[challenge]}`);
  if (!ctx.session) throw new NotAuthorizedException(SESSION_EXPIRED, 'no session');
  const hash = sha256Hex(ctx.session);
  const admitted = await ctx.s.store.admitAuthSessionAttempt(hash, ctx.s.clock.now(), FIXED.maxSignInCodeAttempts.default);
  if (admitted === 'missing') throw new NotAuthorizedException(SESSION_EXPIRED, 'unknown, used or purged session');
  if (admitted === 'expired') throw new ExpiredCodeException(EXPIRED);
  if (admitted === 'too-many') {
    await ctx.s.store.consumeAuthSession(hash, ctx.s.clock.now());
    throw new NotAuthorizedException(TOO_MANY, 'sign-in code attempts used up');
  }
  const rec = admitted.session;
  if (rec.clientId !== ctx.client.id || rec.poolId !== ctx.client.poolId)
    throw new NotAuthorizedException(SESSION_EXPIRED, 'session of another client');
  const st = rec.state as unknown as OtpState;
  if (st.kind !== challenge) throw new NotAuthorizedException(SESSION_EXPIRED, 'session of another step');
  if (st.codeExpiresAt <= ctx.s.clock.now()) throw new ExpiredCodeException(EXPIRED);
  const user = rec.userId ? await ctx.s.store.getUser(ctx.pool.id, rec.userId) : undefined;
  // A stand-in's Session (no user, no code) and a user gone since: every code is a mismatch.
  const target = user && otpTarget(user, factor, st.mfa === true);
  const expected = user && target && st.codeHash ? codeHash(ctx, user.id, target.destination, hash, code) : undefined;
  if (!user || !expected || !st.codeHash || !safeEqual(st.codeHash, expected)) throw new CodeMismatchException(MISMATCH);
  assertUserCanSignIn(user);
  if (st.mfa !== true) {
    // A passwordless code is refused, once proven, to a user whose MFA it does not satisfy (the Session is spent).
    try {
      await assertPasswordlessSignIn(ctx, user);
    } catch (err) {
      await ctx.s.store.consumeAuthSession(hash, ctx.s.clock.now());
      throw err;
    }
  }
  // An MFA code follows a password (auth/flows/mfa.ts); a passwordless one is the factor itself.
  const event = st.mfa === true ? { factor: 'PASSWORD', mfa: factor === 'SMS_OTP' ? 'SMS_MFA' : 'EMAIL_OTP' } : { factor };
  return signedIn(ctx.s, ctx.pool, ctx.client, user, { sessionHash: hash, event: { ...event, request: ctx.request } });
}

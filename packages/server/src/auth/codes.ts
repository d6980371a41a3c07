import type { Services } from '../services.js';
import { FIXED } from '../config/defaults.js';
import type { CodePurpose, UserRecord } from '../storage/store.js';
import type { Pool } from '../domain/pools.js';
import { lookupName } from './password.js';
import { deliveryTarget } from '../domain/users.js';
import { maskDestination, type CodeMessage } from '../domain/sender.js';
import { hmacHex, randomCode, safeEqual } from '../security/secrets.js';
import { applyTemplate, customMessage, messageAfterAnswer, type MessageContext, type MessageTemplate } from '../triggers/customMessage.js';
import {
  CodeDeliveryFailureException,
  CodeMismatchException,
  ExpiredCodeException,
  InvalidParameterException,
  TooManyFailedAttemptsException,
} from '../protocol/errors.js';

const TTL_MS: Readonly<Record<CodePurpose, number>> = FIXED.codeLifetimeMs.default;

/** Wrong guesses allowed per code before it is dead. */
export const MAX_CODE_ATTEMPTS = FIXED.maxCodeAttempts.default;

const SUBJECT: Record<CodePurpose, string> = {
  signup: 'Your verification code',
  forgot: 'Your password reset code',
  verify_email: 'Your verification code',
  verify_phone_number: 'Your verification code',
};

export interface CodeDeliveryDetails {
  Destination: string;
  DeliveryMedium: 'EMAIL' | 'SMS';
  AttributeName: string;
}

/** Where a code of this purpose goes for this user (phone codes only to the phone). */
function targetFor(user: UserRecord, purpose: CodePurpose) {
  if (purpose !== 'verify_phone_number') return deliveryTarget(user);
  return user.attributes.phone_number
    ? { destination: user.attributes.phone_number, medium: 'SMS' as const, attribute: 'phone_number' }
    : undefined;
}

/**
 * The stored hash binds the code to the address it was sent to: if that address changes before the code
 * is used, the code no longer matches (so a code received at A can never verify B).
 */
const hashOf = (s: Pick<Services, 'box'>, pool: Pool, user: UserRecord, purpose: CodePurpose, code: string) =>
  hmacHex(s.box.macKey, `${pool.id}\n${user.id}\n${purpose}\n${targetFor(user, purpose)?.destination ?? ''}\n${code}`);

/** Whether ForgotPassword sends this user a reset code: enabled, confirmed, a verified email or phone. */
export function canReceiveResetCode(user: UserRecord): boolean {
  return (
    user.enabled &&
    user.status !== 'UNCONFIRMED' &&
    (user.attributes.email_verified === 'true' || user.attributes.phone_number_verified === 'true')
  );
}

/**
 * Issues a fresh single-use code (replacing any pending one) and delivers it; with `background`, a
 * sender other than the outbox sends after the answer (see below), and the custom message trigger (any sender) runs
 * after the answer too (messageAfterAnswer), so it can neither slow nor fail the answer a stand-in also gets.
 * @throws InvalidParameterException when the user has nowhere to receive it; CodeDeliveryFailureException when sending fails (not in the
 * background).
 */
export async function sendCode(
  s: Pick<Services, 'store' | 'clock' | 'box' | 'sender' | 'log' | 'triggers'>,
  pool: Pool,
  user: UserRecord,
  purpose: CodePurpose,
  opts: { background?: boolean; message?: MessageContext; template?: MessageTemplate } = {},
): Promise<CodeDeliveryDetails> {
  const target = targetFor(user, purpose);
  if (!target)
    throw new InvalidParameterException('Cannot reset password for the user as there is no registered/verified email or phone_number');
  // In the background (existence errors prevented), the custom message trigger runs after the answer, as delivery does.
  const later = opts.background && !opts.template && opts.message && pool.lambdaConfig.CustomMessage ? opts.message : undefined;
  // Else its text (triggers/customMessage.ts) is asked before the code is stored: a failure stores nothing.
  const template =
    opts.template ?? (opts.message && !later ? await customMessage(s, pool, user, target.destination, opts.message) : undefined);
  const code = randomCode();
  const record = {
    poolId: pool.id,
    userId: user.id,
    purpose,
    codeHash: hashOf(s, pool, user, purpose, code),
    attempts: 0,
    expiresAt: s.clock.now() + TTL_MS[purpose],
  };
  const base: CodeMessage = {
    poolId: pool.id,
    purpose,
    userId: user.id,
    destination: target.destination,
    subject: SUBJECT[purpose],
    body: `Your code is ${code}`,
    code,
  };
  const details = { Destination: maskDestination(target.destination), DeliveryMedium: target.medium, AttributeName: target.attribute };
  if (later) {
    await s.store.putCode(record);
    messageAfterAnswer(s, pool, user, base, later);
    return details;
  }
  const message = applyTemplate(base, template, user.username);
  const sender = s.sender.senderFor?.(message) ?? s.sender;
  if (sender.outbox) {
    // Development delivery: the code and its message are one commit (and cost what a stand-in costs).
    const { purpose: _purpose, ...row } = message;
    await s.store.putCode(record, { ...row, createdAt: s.clock.now() });
    sender.outbox.delivered(message);
  } else if (opts.background) {
    // The answer must not wait for (or report on) the mail server: with existence errors prevented,
    // a user who gets no code is answered at once, so a real one must be too. The code is stored; a
    // delivery that fails is logged, and the user can ask for another code.
    await s.store.putCode(record);
    sender.send(message).catch((err: unknown) => s.log.error({ err, poolId: pool.id }, 'code delivery failed (background)'));
  } else {
    await s.store.putCode(record);
    try {
      await sender.send(message);
    } catch (err) {
      s.log.error({ err, poolId: pool.id }, 'code delivery failed');
      throw new CodeDeliveryFailureException('Unable to deliver the verification code.');
    }
  }
  return details;
}

/**
 * Uses a code: single-use, expiring, limited attempts.
 * @throws CodeMismatchException | ExpiredCodeException | TooManyFailedAttemptsException
 */
export async function useCode(
  s: Pick<Services, 'store' | 'clock' | 'box'>,
  pool: Pool,
  user: UserRecord,
  purpose: CodePurpose,
  code: string,
): Promise<void> {
  const expected = hashOf(s, pool, user, purpose, code);
  const result = await s.store.useCode(pool.id, user.id, purpose, s.clock.now(), MAX_CODE_ATTEMPTS, (h) => safeEqual(h, expected));
  if (result !== 'ok') throw codeError(result);
}

/** The stand-in key of a typed name: an HMAC under the server key, as for password attempts. */
const standInKey = (s: Pick<Services, 'box'>, pool: Pool, typed: string) =>
  hmacHex(s.box.macKey, `standin-code\n${pool.id}\n${lookupName(pool, typed)}`);

/**
 * "Sends" a stand-in code to a name that gets none (existence errors prevented): one write, like a
 * real code's, so that useStandInCode then answers with a real code's counting and expiry.
 */
export async function issueStandInCode(
  s: Pick<Services, 'store' | 'clock' | 'box'>,
  pool: Pool,
  typed: string,
  purpose: CodePurpose,
): Promise<void> {
  await s.store.putStandInCode(pool.id, standInKey(s, pool, typed), purpose, s.clock.now() + TTL_MS[purpose]);
}

/**
 * useCode for a name that got a stand-in: never matches; the same errors, in the same order, as a real code.
 * @throws CodeMismatchException | ExpiredCodeException | TooManyFailedAttemptsException
 */
export async function useStandInCode(
  s: Pick<Services, 'store' | 'clock' | 'box'>,
  pool: Pool,
  typed: string,
  purpose: CodePurpose,
): Promise<never> {
  const key = standInKey(s, pool, typed);
  let result = await s.store.useStandInCode(pool.id, key, purpose, s.clock.now(), MAX_CODE_ATTEMPTS);
  if (result === 'missing' && purpose === 'signup') {
    // A real unconfirmed user always holds a sign-up code (SignUp sent one), so a name without a
    // stand-in gets one now, as if SignUp had sent it: a mismatch, counted like a real code's.
    await s.store.putStandInCode(pool.id, key, purpose, s.clock.now() + TTL_MS[purpose]);
    result = await s.store.useStandInCode(pool.id, key, purpose, s.clock.now(), MAX_CODE_ATTEMPTS);
  }
  throw codeError(result);
}

function codeError(result: 'mismatch' | 'expired' | 'missing' | 'too-many'): Error {
  switch (result) {
    case 'mismatch':
      return new CodeMismatchException('Invalid verification code provided, please try again.');
    case 'too-many':
      return new TooManyFailedAttemptsException('Too many failed attempts; request a new code.');
    default:
      return new ExpiredCodeException('Invalid code provided, please request a code again.');
  }
}

import type { Services } from '../services.js';
import type { Pool } from '../domain/pools.js';
import { FIXED } from '../config/defaults.js';
import { lookupName } from './password.js';
import { hmacHex } from '../security/secrets.js';
import { LimitExceededException } from '../protocol/errors.js';

/** Cognito's words when codes are requested (or tried) too often. */
export const ATTEMPT_LIMIT = 'Attempt limit exceeded, please try after some time.';

/**
 * What a budget counts: code sends per purpose ('signin' = EMAIL_OTP / SMS_OTP), security notices ('notice': the
 * passkey-change email), or ConfirmSignUp attempts.
 */
export type BudgetPurpose = 'signup' | 'forgot' | 'verify_email' | 'verify_phone_number' | 'signin' | 'confirm_signup' | 'notice';

/**
 * The budget key of a typed name: an HMAC of its lookup form, as for password attempts (loginAttemptKey).
 * Public operations key by what was typed, known user or not, so that the budget runs out at the same
 * count with the same error either way and says nothing about existence.
 */
export const nameBudgetKey = (s: Pick<Services, 'box'>, pool: Pool, typed: string) =>
  hmacHex(s.box.macKey, `send-budget\nname\n${pool.id}\n${lookupName(pool, typed)}`);

/** The budget key of a signed-in user (the access-token operations, where existence is not in question). */
export const userBudgetKey = (s: Pick<Services, 'box'>, pool: Pool, userId: string) =>
  hmacHex(s.box.macKey, `send-budget\nuser\n${pool.id}\n${userId}`);

/**
 * Admits one code send before anything is sent or replaced: at most FIXED.codeSendsPerWindow per key
 * and purpose per window, on however many workers and instances (Store.admitBudget).
 * @throws LimitExceededException when the budget is used up.
 */
export async function admitCodeSend(s: Pick<Services, 'store' | 'clock'>, pool: Pool, key: string, purpose: BudgetPurpose): Promise<void> {
  const ok = await s.store.admitBudget(
    pool.id,
    key,
    purpose,
    s.clock.now(),
    FIXED.codeSendsPerWindow.default,
    FIXED.codeSendWindowMs.default,
  );
  if (!ok) throw new LimitExceededException(ATTEMPT_LIMIT);
}

/**
 * Admits one ConfirmSignUp attempt for a typed name, known or not, before the code is checked: the cap
 * across resends (each new code brings fresh per-code attempts, this budget does not refill with them).
 * @throws LimitExceededException when the attempts are used up.
 */
export async function admitSignUpConfirm(s: Pick<Services, 'store' | 'clock' | 'box'>, pool: Pool, typed: string): Promise<void> {
  const ok = await s.store.admitBudget(
    pool.id,
    nameBudgetKey(s, pool, typed),
    'confirm_signup',
    s.clock.now(),
    FIXED.signUpConfirmAttempts.default,
    FIXED.signUpConfirmWindowMs.default,
  );
  if (!ok) throw new LimitExceededException(ATTEMPT_LIMIT);
}

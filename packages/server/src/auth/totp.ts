import type { Services } from '../services.js';
import type { UserMfaRecord, UserRecord } from '../storage/store.js';
import type { Pool } from '../domain/pools.js';
import { hmacHex } from '../security/secrets.js';
import { matchTotp, newTotpSecret } from '../security/totp.js';
import { admitPasswordAttempt } from './password.js';
import { EnableSoftwareTokenMFAException, SoftwareTokenMFANotFoundException } from '../protocol/errors.js';

const VERIFY_MISMATCH = 'Code mismatch and fail enable Software Token MFA';

/**
 * The attempt counter of a user's TOTP codes (Store.admitLoginAttempt, the password lockout policy):
 * separate from the password's, so a verified password (which clears its own counter) does not reset
 * the guesses at the second factor.
 */
export const totpAttemptKey = (s: Pick<Services, 'box'>, pool: Pool, user: Pick<UserRecord, 'id'>) =>
  hmacHex(s.box.macKey, `totp-attempt\n${pool.id}\n${user.id}`);

/** @throws SoftwareTokenMFANotFoundException when the pool has TOTP MFA off. */
export function assertTotpAvailable(pool: Pool): void {
  if (!pool.totpMfaEnabled) throw new SoftwareTokenMFANotFoundException('Software Token MFA has not been enabled by the userPool.');
}

/**
 * AssociateSoftwareToken: a new secret, stored sealed as the user's pending one (replacing any pending
 * secret, so codes of an earlier association no longer verify). Returns the base32 secret.
 * @throws SoftwareTokenMFANotFoundException
 */
export async function associateTotp(s: Pick<Services, 'store' | 'clock' | 'box'>, pool: Pool, user: UserRecord): Promise<string> {
  assertTotpAvailable(pool);
  const secret = newTotpSecret();
  await s.store.putPendingTotp(pool.id, user.id, s.box.seal(secret), s.clock.now());
  return secret;
}

/**
 * VerifySoftwareToken: the code must be of the pending secret; the attempt is admitted on the user's
 * TOTP counter first. The pending secret becomes the verified one with the code's step as its last
 * accepted step (so the code cannot sign in afterwards), in one guarded UPDATE. With `enable` (the
 * MFA_SETUP sign-in), TOTP MFA is enabled and preferred too.
 * @throws EnableSoftwareTokenMFAException | NotAuthorizedException (attempts exceeded) | SoftwareTokenMFANotFoundException
 */
export async function verifyTotp(
  s: Pick<Services, 'store' | 'clock' | 'box'>,
  pool: Pool,
  user: UserRecord,
  code: string,
  name: string | null,
  enable: boolean,
): Promise<void> {
  assertTotpAvailable(pool);
  const key = totpAttemptKey(s, pool, user);
  await admitPasswordAttempt(s, pool, key);
  const mfa = await s.store.getUserMfa(pool.id, user.id);
  const pending = mfa?.totpPendingEnc;
  if (!pending) throw new EnableSoftwareTokenMFAException(VERIFY_MISMATCH, 'no pending association');
  const step = matchTotp(s.box.open(pending), code, s.clock.now());
  if (step === undefined) throw new EnableSoftwareTokenMFAException(VERIFY_MISMATCH, 'code mismatch');
  if (!(await s.store.activateTotp(pool.id, user.id, pending, step, name, s.clock.now(), enable)))
    throw new EnableSoftwareTokenMFAException(VERIFY_MISMATCH, 're-associated or verified concurrently');
  await s.store.clearLoginAttempts(pool.id, [key]);
}

/**
 * A sign-in's TOTP code against the verified secret: the matching step, later than the last accepted
 * one, or undefined. The caller records the step in the sign-in's commit (Store.finishSignIn totpUse).
 */
export function matchSignInTotp(s: Pick<Services, 'box' | 'clock'>, mfa: UserMfaRecord, code: string): number | undefined {
  if (!mfa.totpSecretEnc) return undefined;
  return matchTotp(s.box.open(mfa.totpSecretEnc), code, s.clock.now(), mfa.totpLastStep);
}

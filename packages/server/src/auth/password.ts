import type { Services } from '../services.js';
import type { UserRecord } from '../storage/store.js';
import type { Pool } from '../domain/pools.js';
import { passwordPolicyViolation } from '../domain/pools.js';
import type { AppClient } from '../domain/clients.js';
import { loginKeys } from '../domain/users.js';
import { checkPassword, createVerifier } from '../security/srp.js';
import { safeEqual, secretHash } from '../security/secrets.js';
import {
  InvalidPasswordException, NotAuthorizedException, PasswordResetRequiredException, UserNotConfirmedException, UserNotFoundException,
} from '../protocol/errors.js';

export const INCORRECT = 'Incorrect username or password.';
export const LOCKED = 'Password attempts exceeded';

/** A verifier nobody's password matches, checked against unknown users so they cost the same time. */
const DUMMY = createVerifier('Dummy', 'nobody', 'not-a-password-' + Math.random());

/** Lockout growth: 1 s after the threshold, doubling, capped at 15 minutes. */
export function lockoutMs(failures: number, threshold: number): number {
  return Math.min(2 ** Math.max(0, failures - threshold) * 1000, 15 * 60_000);
}

/** @throws InvalidPasswordException when the password breaks the pool's policy. */
export function assertPasswordPolicy(pool: Pool, password: string): void {
  const why = passwordPolicyViolation(pool.passwordPolicy, password);
  if (why) throw new InvalidPasswordException(`Password does not conform to policy: ${why}`);
}

/** The SRP verifier fields for a new password (the password itself is never stored). */
export function passwordSecret(pool: Pool, user: Pick<UserRecord, 'id'>, password: string, now: number): { srpSalt: string; srpVerifier: string; passwordSetAt: number } {
  const { saltHex, verifierHex } = createVerifier(pool.srpName, user.id, password);
  return { srpSalt: saltHex, srpVerifier: verifierHex, passwordSetAt: now };
}

/** The error for "no such user", per the client's PreventUserExistenceErrors. */
export function noSuchUser(client: AppClient): Error {
  return client.preventUserExistenceErrors ? new NotAuthorizedException(INCORRECT, 'unknown user') : new UserNotFoundException('User does not exist.');
}

/** Finds a user by what they typed (username or, where allowed, email). */
export async function findUser(s: Pick<Services, 'store'>, pool: Pool, typed: string): Promise<UserRecord | undefined> {
  const { usernameKey, emailKey } = loginKeys(pool, typed);
  return s.store.findUserByLogin(pool.id, usernameKey, emailKey);
}

/**
 * SECRET_HASH check for confidential clients (public clients need none).
 * @throws NotAuthorizedException when missing or wrong.
 */
export function assertSecretHash(client: AppClient, username: string | undefined, provided: string | undefined): void {
  if (!client.secret) return;
  if (!provided || username === undefined) throw new NotAuthorizedException(`Client ${client.id} is configured with secret but SECRET_HASH was not received`);
  if (!safeEqual(provided, secretHash(client.secret, username, client.id))) throw new NotAuthorizedException(`Unable to verify secret hash for client ${client.id}`);
}

/** Refuses users that may not finish a sign-in, in Cognito's order and wording. */
export function assertUserCanSignIn(user: UserRecord): void {
  if (!user.enabled) throw new NotAuthorizedException('User is disabled.');
  if (user.status === 'UNCONFIRMED') throw new UserNotConfirmedException('User is not confirmed.');
  if (user.status === 'RESET_REQUIRED') throw new PasswordResetRequiredException('Password reset required for the user');
}

/**
 * Counts a failed password (or SRP proof) toward the lockout.
 */
export async function recordFailure(s: Pick<Services, 'store' | 'clock'>, pool: Pool, user: UserRecord): Promise<void> {
  const threshold = pool.latchkey.lockoutThreshold;
  await s.store.recordFailedAttempt(pool.id, user.id, s.clock.now(), threshold, (n) => lockoutMs(n, threshold));
}

/** @throws NotAuthorizedException("Password attempts exceeded") while the user is locked out. */
export function assertNotLocked(s: Pick<Services, 'clock'>, user: UserRecord): void {
  if (user.lockedUntil > s.clock.now()) throw new NotAuthorizedException(LOCKED);
}

/**
 * USER_PASSWORD_AUTH: recomputes the SRP verifier from the password and compares in constant time.
 * Unknown users cost the same as known ones; failures count toward the lockout.
 * @throws NotAuthorizedException | UserNotFoundException | UserNotConfirmedException | PasswordResetRequiredException
 */
export async function verifyUserPassword(s: Pick<Services, 'store' | 'clock'>, pool: Pool, client: AppClient, typed: string, password: string): Promise<UserRecord> {
  const user = await findUser(s, pool, typed);
  if (!user || !user.srpSalt || !user.srpVerifier) {
    checkPassword(pool.srpName, 'nobody', password, DUMMY.saltHex, DUMMY.verifierHex);
    throw noSuchUser(client);
  }
  if (!user.enabled) throw new NotAuthorizedException('User is disabled.');
  assertNotLocked(s, user);
  if (!checkPassword(pool.srpName, user.id, password, user.srpSalt, user.srpVerifier)) {
    await recordFailure(s, pool, user);
    throw new NotAuthorizedException(INCORRECT, 'wrong password');
  }
  assertUserCanSignIn(user);
  return user;
}

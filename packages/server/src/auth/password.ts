import type { Services } from '../services.js';
import { FIXED } from '../config/defaults.js';
import type { LoginAttempt, PasskeyRecord, TokenGroupRow, UserRecord } from '../storage/store.js';
import { TOKEN_GROUP_LIMIT } from './groups.js';
import type { Pool } from '../domain/pools.js';
import { passwordPolicyViolation } from '../domain/pools.js';
import type { AppClient } from '../domain/clients.js';
import { loginKeys } from '../domain/users.js';
import { checkPassword, createVerifier } from '../security/srp.js';
import { hmacHex, safeEqual, secretHash } from '../security/secrets.js';
import {
  InvalidPasswordException,
  NotAuthorizedException,
  PasswordResetRequiredException,
  UserNotConfirmedException,
  UserNotFoundException,
} from '../protocol/errors.js';

export const INCORRECT = 'Incorrect username or password.';
export const LOCKED = 'Password attempts exceeded';

/** A verifier nobody's password matches, checked against unknown users so they cost the same time. */
const DUMMY = createVerifier('Dummy', 'nobody', 'not-a-password-' + Math.random());

/** Lockout growth: lockoutBaseMs after the threshold, doubling, capped at lockoutMaxMs (see FIXED). */
export function lockoutMs(failures: number, threshold: number): number {
  return Math.min(2 ** Math.max(0, failures - threshold) * FIXED.lockoutBaseMs.default, FIXED.lockoutMaxMs.default);
}

/** lockoutMs as the table Store.admitLoginAttempt takes: entry i is the lock at threshold + i failures. */
const LOCK_SCHEDULE: readonly number[] = Array.from({ length: 11 }, (_, i) => lockoutMs(i, 0));

/** @throws InvalidPasswordException when the password breaks the pool's policy. */
export function assertPasswordPolicy(pool: Pool, password: string): void {
  const why = passwordPolicyViolation(pool.passwordPolicy, password);
  if (why) throw new InvalidPasswordException(`Password does not conform to policy: ${why}`);
}

/**
 * The SRP identity (USER_ID_FOR_SRP, and the challenges' USERNAME) a new verifier is made with, as Cognito
 * sends it: in a pool without username or alias attributes, the username (its lookup form, so a known and
 * an unknown name answer alike whatever their case); where a user can sign in with an email or phone
 * number, the internal id, so that the value never tells which user an alias belongs to.
 */
export function newSrpIdentity(pool: Pool, user: Pick<UserRecord, 'id' | 'usernameKey'>): string {
  return pool.usernameAttributes.length === 0 && pool.aliasAttributes.length === 0 ? user.usernameKey : user.id;
}

/** The identity the user's stored verifier was made with (the id for verifiers older than migration 0007). */
export function srpIdentityOf(user: Pick<UserRecord, 'id' | 'srpIdentity'>): string {
  return user.srpIdentity ?? user.id;
}

/** The SRP verifier fields for a new password (the password itself is never stored). */
export function passwordSecret(
  pool: Pool,
  user: Pick<UserRecord, 'id' | 'usernameKey'>,
  password: string,
  now: number,
): { srpSalt: string; srpVerifier: string; srpIdentity: string; passwordSetAt: number } {
  const srpIdentity = newSrpIdentity(pool, user);
  const { saltHex, verifierHex } = createVerifier(pool.srpName, srpIdentity, password);
  return { srpSalt: saltHex, srpVerifier: verifierHex, srpIdentity, passwordSetAt: now };
}

/** The error for "no such user", per the client's PreventUserExistenceErrors. */
export function noSuchUser(client: AppClient): Error {
  return client.preventUserExistenceErrors
    ? new NotAuthorizedException(INCORRECT, 'unknown user')
    : new UserNotFoundException('User does not exist.');
}

/**
 * Finds a user by what they typed, for the public (unauthenticated) operations: a typed email is an
 * alias (or, in email-as-username pools, the username's email) before it is a username. In
 * email-as-username pools only an email finds anyone: the UUID username is never a public sign-in
 * name, since answering it would confirm the UUID an email's challenge carried.
 */
export async function findUser(s: Pick<Services, 'store'>, pool: Pool, typed: string): Promise<UserRecord | undefined> {
  const { usernameKey, emailKey } = loginKeys(pool, typed);
  if (pool.emailIsUsername && emailKey === null) return undefined;
  return s.store.findUserByLogin(pool.id, usernameKey, emailKey, 'alias-first');
}

/**
 * findUser, and in the same read the found user's first `passkeyLimit` passkeys (the WEB_AUTHN challenge's
 * allowCredentials).
 */
export async function findUserWithPasskeys(
  s: Pick<Services, 'store'>,
  pool: Pool,
  typed: string,
  passkeyLimit: number,
): Promise<{ user?: UserRecord; passkeys: PasskeyRecord[] }> {
  const { usernameKey, emailKey } = loginKeys(pool, typed);
  if (pool.emailIsUsername && emailKey === null) return { passkeys: [] };
  return s.store.findSignInUserWithPasskeys(pool.id, usernameKey, emailKey, passkeyLimit);
}

/** findUser ('alias-first') or findUserForAdmin ('username-first'), with the user's groups in the same read. */
async function findUserWithGroups(
  s: Pick<Services, 'store'>,
  pool: Pool,
  typed: string,
  order: 'alias-first' | 'username-first',
): Promise<{ user?: UserRecord; groups: TokenGroupRow[] }> {
  const { usernameKey, emailKey } = loginKeys(pool, typed);
  if (order === 'alias-first' && pool.emailIsUsername && emailKey === null) return { groups: [] };
  return s.store.findUserWithGroups(pool.id, usernameKey, emailKey, order, TOKEN_GROUP_LIMIT);
}

/** Finds a user for an admin operation: by username first (the admin's own name for them), then by email alias. */
export async function findUserForAdmin(s: Pick<Services, 'store'>, pool: Pool, typed: string): Promise<UserRecord | undefined> {
  const { usernameKey, emailKey } = loginKeys(pool, typed);
  return s.store.findUserByLogin(pool.id, usernameKey, emailKey, 'username-first');
}

/**
 * SECRET_HASH check for confidential clients (public clients need none).
 * @throws NotAuthorizedException when missing or wrong.
 */
export function assertSecretHash(client: AppClient, username: string | undefined, provided: string | undefined): void {
  if (!client.secret) return;
  if (!provided || username === undefined)
    throw new NotAuthorizedException(`Client ${client.id} is configured with secret but SECRET_HASH was not received`);
  if (!safeEqual(provided, secretHash(client.secret, username, client.id)))
    throw new NotAuthorizedException(`Unable to verify secret hash for client ${client.id}`);
}

/** Refuses users that may not finish a sign-in, in Cognito's order and wording. */
export function assertUserCanSignIn(user: UserRecord): void {
  if (!user.enabled) throw new NotAuthorizedException('User is disabled.');
  if (user.status === 'UNCONFIRMED') throw new UserNotConfirmedException('User is not confirmed.');
  if (user.status === 'RESET_REQUIRED') throw new PasswordResetRequiredException('Password reset required for the user');
}

/**
 * The attempt-counter key of a sign-in: the user's own when the typed name finds one (so every name
 * and flow that reaches a user shares one budget), else an HMAC of the name as it is looked up (so an
 * unknown name is counted and locked exactly like a user). Keys are HMACs under the server key; no
 * name is stored.
 */
export function loginAttemptKey(s: Pick<Services, 'box'>, pool: Pool, typed: string, user: UserRecord | undefined): string {
  return user ? userAttemptKey(s, pool, user) : hmacHex(s.box.macKey, `login-attempt\nname\n${pool.id}\n${lookupName(pool, typed)}`);
}

/** The normal form of a typed name that lookups use: what the stand-ins for unknown names derive from. */
export function lookupName(pool: Pool, typed: string): string {
  const { usernameKey, emailKey } = loginKeys(pool, typed);
  return emailKey !== null ? `e:${emailKey}` : `u:${usernameKey}`;
}

/** A user's attempt-counter key (sign-ins by any of their names, and ChangePassword). */
export function userAttemptKey(s: Pick<Services, 'box'>, pool: Pool, user: Pick<UserRecord, 'id'>): string {
  return hmacHex(s.box.macKey, `login-attempt\nuser\n${pool.id}\n${user.id}`);
}

/**
 * Admits one password guess before it is evaluated (Store.admitLoginAttempt): at most the pool's
 * threshold per lock window, however many arrive at once on however many instances. The caller
 * clears the key when the password verifies.
 * @throws NotAuthorizedException("Password attempts exceeded") while the key is locked.
 */
export async function admitPasswordAttempt(s: Pick<Services, 'store' | 'clock'>, pool: Pool, loginKey: string): Promise<void> {
  const admitted = await s.store.admitLoginAttempt(pool.id, loginKey, s.clock.now(), pool.latchkey.lockoutThreshold, LOCK_SCHEDULE);
  if (!admitted) throw lockedOut();
}

/** The attempt to admit for a login key under the pool's lockout policy. */
export function passwordAttempt(pool: Pool, loginKey: string): LoginAttempt {
  return { loginKey, threshold: pool.latchkey.lockoutThreshold, lockMs: LOCK_SCHEDULE };
}

/** NotAuthorizedException("Password attempts exceeded"). */
export const lockedOut = () => new NotAuthorizedException(LOCKED);

/**
 * USER_PASSWORD_AUTH: admits the attempt, then recomputes the SRP verifier from the password and
 * compares in constant time. Unknown users are admitted, counted and locked like known ones and cost
 * the same; a user's state (disabled, unconfirmed, …) is told only once the password proves who asks.
 * Returns the user and the attempt key to clear with the sign-in (refusals after a verified password clear it at once).
 * `opts.admitted` names a key this attempt was already admitted on (migrateOnSignIn), so it is not counted twice.
 * @throws NotAuthorizedException | UserNotFoundException | UserNotConfirmedException | PasswordResetRequiredException
 */
export async function verifyUserPassword(
  s: Pick<Services, 'store' | 'clock' | 'box'>,
  pool: Pool,
  client: AppClient,
  typed: string,
  password: string,
  opts: { admin?: boolean; admitted?: string } = {},
): Promise<{ user: UserRecord; loginKey: string; groups: TokenGroupRow[] }> {
  // The user's groups come with the user (one read), for the tokens should the sign-in end in this request.
  const { user, groups } = await findUserWithGroups(s, pool, typed, opts.admin ? 'username-first' : 'alias-first');
  // Where existence errors are not prevented, an unknown name is told so at once (Cognito's LEGACY).
  if (!user && !client.preventUserExistenceErrors) throw noSuchUser(client);
  const loginKey = loginAttemptKey(s, pool, typed, user);
  // `admitted`: the key this very attempt was already counted on (before the migration trigger): counted once, not twice.
  if (loginKey !== opts.admitted) await admitPasswordAttempt(s, pool, loginKey);
  if (!user || !user.srpSalt || !user.srpVerifier) {
    checkPassword(pool.srpName, 'nobody', password, DUMMY.saltHex, DUMMY.verifierHex);
    throw noSuchUser(client);
  }
  if (!checkPassword(pool.srpName, srpIdentityOf(user), password, user.srpSalt, user.srpVerifier)) {
    throw new NotAuthorizedException(INCORRECT, 'wrong password');
  }
  await assertVerifiedUserCanSignIn(s, pool, user, loginKey);
  return { user: await upgradeSrpIdentity(s, pool, user, password), loginKey, groups };
}

/**
 * A verifier made with an older SRP identity (the id, before migration 0007) is re-made with the pool's
 * identity while the password is at hand, with the same salt (so SALT does not change) and as a
 * compare-and-swap on the old verifier (a concurrent password change wins). Returns the user as stored.
 */
async function upgradeSrpIdentity(
  s: Pick<Services, 'store' | 'clock'>,
  pool: Pool,
  user: UserRecord,
  password: string,
): Promise<UserRecord> {
  const identity = newSrpIdentity(pool, user);
  if (srpIdentityOf(user) === identity || !user.srpSalt || !user.srpVerifier) return user;
  const { verifierHex } = createVerifier(pool.srpName, identity, password, user.srpSalt);
  const patch = { srpVerifier: verifierHex, srpIdentity: identity };
  const swapped = await s.store.updateUser(pool.id, user.id, patch, s.clock.now(), { srpVerifier: user.srpVerifier });
  return swapped ? { ...user, ...patch } : user;
}

/**
 * assertUserCanSignIn after a verified password: a refusal (disabled, unconfirmed, reset required)
 * first clears the attempt count, since a right password is no guess to count. On success the count
 * is cleared with the sign-in itself (FinishSignIn.clearLoginKey).
 */
export async function assertVerifiedUserCanSignIn(
  s: Pick<Services, 'store'>,
  pool: Pool,
  user: UserRecord,
  loginKey: string,
): Promise<void> {
  try {
    assertUserCanSignIn(user);
  } catch (err) {
    await s.store.clearLoginAttempts(pool.id, [loginKey]);
    throw err;
  }
}

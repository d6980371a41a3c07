import type { Services } from '../services.js';
import { StoreConflictError, type LifecycleEventRecord, type UserRecord, type UserStatus } from '../storage/store.js';
import type { Pool } from '../domain/pools.js';
import { emailKeyFor } from '../domain/users.js';
import { passwordSecret } from './password.js';
import { randomId } from '../security/secrets.js';
import { InvalidParameterException, UsernameExistsException } from '../protocol/errors.js';

/**
 * A new user as SignUp and AdminCreateUser make one. In email-as-username pools the username is the
 * sub and the typed name is the email (an admin may give the email as an attribute instead).
 * @throws InvalidParameterException when an email-as-username pool gets no email.
 */
export function newUserRecord(
  pool: Pool,
  typed: string,
  attributes: Record<string, string>,
  status: UserStatus,
  password: string | undefined,
  now: number,
  opts: { emailAttributeSuffices: boolean },
): UserRecord {
  assertUsernameShape(pool, typed);
  const id = randomId();
  let username = typed;
  if (pool.emailIsUsername) {
    if (!typed.includes('@') && !(opts.emailAttributeSuffices && attributes.email))
      throw new InvalidParameterException('Username should be an email.');
    attributes.email ??= typed;
    username = id;
  }
  return {
    poolId: pool.id,
    id,
    username,
    usernameKey: pool.usernameKey(username),
    emailKey: emailKeyFor(pool, attributes),
    status,
    enabled: true,
    attributes,
    pendingAttributes: {},
    srpSalt: null,
    srpVerifier: null,
    passwordSetAt: 0,
    passkeyCount: 0,
    tokensValidAfter: 0,
    createdAt: now,
    updatedAt: now,
    ...(password !== undefined ? passwordSecret(pool, { id, usernameKey: pool.usernameKey(username) }, password, now) : {}),
  };
}

/**
 * Where email (phone number) is an alias, a username in that format could pass for another user's
 * alias at sign-in, so Cognito refuses it; so do we.
 * @throws InvalidParameterException
 */
function assertUsernameShape(pool: Pool, typed: string): void {
  if (pool.emailIsAlias && typed.includes('@'))
    throw new InvalidParameterException('Username cannot be of email format, since user pool is configured for email alias.');
  if (pool.aliasAttributes.includes('phone_number') && /^\+[0-9]+$/.test(typed)) {
    throw new InvalidParameterException('Username cannot be of phone number format, since user pool is configured for phone_number alias.');
  }
}

/** Stores a new user. @throws UsernameExistsException when the username (or the email that signs in) is taken. */
export async function insertUser(
  s: Pick<Services, 'store'>,
  user: UserRecord,
  usernameTaken: string,
  events?: readonly LifecycleEventRecord[],
): Promise<void> {
  try {
    await s.store.createUser(user, events);
  } catch (err) {
    if (err instanceof StoreConflictError)
      throw new UsernameExistsException(err.key === 'email' ? 'An account with the given email already exists.' : usernameTaken);
    throw err;
  }
}

import type { Services } from '../services.js';
import type { Pool } from '../domain/pools.js';
import type { AppClient } from '../domain/clients.js';
import type { UserRecord, UserStatus } from '../storage/store.js';
import { insertUser, newUserRecord } from '../auth/newUser.js';
import { lifecycleEvent } from '../auth/events.js';
import { assertRequiredAttributes, parseAttributes } from '../domain/users.js';
import { admitPasswordAttempt, findUser, findUserForAdmin, INCORRECT, loginAttemptKey } from '../auth/password.js';
import {
  InvalidLambdaResponseException,
  NotAuthorizedException,
  UserLambdaValidationException,
  UsernameExistsException,
} from '../protocol/errors.js';
import { isObject, metadata, triggerEvent } from './events.js';

const NO_ANSWER = {
  userAttributes: null,
  finalUserStatus: null,
  messageAction: null,
  desiredDeliveryMediums: null,
  forceAliasCreation: null,
  enableSMSMFA: null,
};

const invalid = (why: string) => new InvalidLambdaResponseException('Unrecognizable lambda output', `UserMigration: ${why}`);

/**
 * Calls the user migration trigger for a name no user has and creates the user it returns, in one insert (a failure
 * anywhere before it writes nothing). With the client preventing user-existence errors, a refusal answers as a wrong
 * password would (sign-in) or as an unknown name does (ForgotPassword: undefined, so the caller takes the stand-in path),
 * so the trigger's message never tells whether the name exists in the old directory.
 * Returns the new user, or undefined when there is no trigger or it returned no userAttributes (the name stays unknown).
 * @throws UserLambdaValidationException | UnexpectedLambdaException | InvalidLambdaResponseException | NotAuthorizedException
 */
async function migrate(
  s: Pick<Services, 'triggers' | 'store' | 'clock'>,
  pool: Pool,
  client: AppClient,
  typed: string,
  source: 'UserMigration_Authentication' | 'UserMigration_ForgotPassword',
  password: string | undefined,
  clientMetadata: Record<string, string> | undefined,
): Promise<UserRecord | undefined> {
  const url = pool.lambdaConfig.UserMigration;
  if (!url) return undefined;
  const request = { ...(password !== undefined ? { password } : {}), validationData: null, clientMetadata: metadata(clientMetadata) };
  let response: Record<string, unknown>;
  try {
    ({ response } = await s.triggers.invoke(
      pool,
      'UserMigration',
      url,
      triggerEvent(s, pool, source, typed, client.id, request, NO_ANSWER),
    ));
  } catch (err) {
    if (err instanceof UserLambdaValidationException && client.preventUserExistenceErrors) {
      // A refusal is the usual "not in the old directory": ForgotPassword then answers as for any unknown name.
      if (source === 'UserMigration_ForgotPassword') return undefined;
      throw new NotAuthorizedException(INCORRECT, 'user migration refused');
    }
    throw err;
  }
  const attrs = response.userAttributes;
  if (attrs === undefined || attrs === null) return undefined;
  if (!isObject(attrs) || !Object.values(attrs).every((v) => typeof v === 'string'))
    throw invalid('userAttributes is not a map of strings');
  const status = response.finalUserStatus ?? null;
  if (status !== null && status !== 'CONFIRMED' && status !== 'RESET_REQUIRED') throw invalid('finalUserStatus');
  // Cognito's own attributes are never taken from the old directory; the rest are checked as AdminCreateUser's.
  const list = Object.entries(attrs as Record<string, string>)
    .filter(([k]) => k !== 'sub' && k !== 'username' && !k.startsWith('cognito:'))
    .map(([Name, Value]) => ({ Name, Value }));
  const attributes = parseAttributes(pool, list, { admin: true, creating: true });
  assertRequiredAttributes(pool, attributes);
  // Sign-in: CONFIRMED unless the trigger says RESET_REQUIRED; forgot password: the user sets a password next.
  const final: UserStatus = source === 'UserMigration_ForgotPassword' ? 'RESET_REQUIRED' : (status ?? 'CONFIRMED');
  const user = newUserRecord(pool, typed, attributes, final, password, s.clock.now(), { emailAttributeSuffices: true });
  try {
    const created = lifecycleEvent(s, pool, user, 'user.created', { operation: source, status: final, clientId: client.id });
    await insertUser(s, user, 'User account already exists', [created]);
  } catch (err) {
    // A concurrent first sign-in of the same name migrated it first: the flow goes on with that user.
    if (err instanceof UsernameExistsException) return undefined;
    throw err;
  }
  return user;
}

/**
 * USER_PASSWORD_AUTH / ADMIN_USER_PASSWORD_AUTH / USER_AUTH PASSWORD for a name no user has: the migration trigger gets the
 * typed password and, if it answers with attributes, the user is created with that password, so the sign-in that
 * follows verifies it like any other. The attempt counts against the name's lockout before the trigger is called; the
 * key it admitted is returned so the password check that follows does not count the same attempt again (an unknown name
 * would otherwise lock out in half the tries a user's does — an existence oracle).
 */
export async function migrateOnSignIn(
  s: Pick<Services, 'triggers' | 'store' | 'clock' | 'box'>,
  pool: Pool,
  client: AppClient,
  typed: string,
  password: string,
  admin: boolean,
  clientMetadata?: Record<string, string>,
): Promise<string | undefined> {
  if (!pool.lambdaConfig.UserMigration) return undefined;
  if (await (admin ? findUserForAdmin(s, pool, typed) : findUser(s, pool, typed))) return undefined;
  const admitted = loginAttemptKey(s, pool, typed, undefined);
  await admitPasswordAttempt(s, pool, admitted);
  await migrate(s, pool, client, typed, 'UserMigration_Authentication', password, clientMetadata);
  return admitted;
}

/**
 * ForgotPassword for a name no user has: the user the trigger returns is created RESET_REQUIRED, and gets the code. Under
 * PreventUserExistenceErrors a refusal returns undefined (the name is unknown), never an error of its own.
 */
export function migrateOnForgotPassword(
  s: Pick<Services, 'triggers' | 'store' | 'clock'>,
  pool: Pool,
  client: AppClient,
  typed: string,
  clientMetadata: Record<string, string> | undefined,
): Promise<UserRecord | undefined> {
  return migrate(s, pool, client, typed, 'UserMigration_ForgotPassword', undefined, clientMetadata);
}

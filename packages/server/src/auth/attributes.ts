import { customMessage } from '../triggers/customMessage.js';
import { NO_CLIENT } from '../triggers/events.js';
import type { Services } from '../services.js';
import type { UserRecord } from '../storage/store.js';
import type { Pool } from '../domain/pools.js';
import { parseAttributes, emailKeyFor, assertWritableAttribute } from '../domain/users.js';
import { sendCode, type CodeDeliveryDetails } from './codes.js';
import { admitCodeSend, userBudgetKey } from './sendBudget.js';
import { AliasExistsException, InvalidParameterException } from '../protocol/errors.js';
import { StoreConflictError, type UserPatch } from '../storage/store.js';

/**
 * The user's attributes after `changes`: a changed email or phone becomes unverified unless the same
 * change sets its verified flag (only admins may), and empty values remove the attribute.
 */
export function mergeAttributes(user: UserRecord, changes: Record<string, string>): Record<string, string> {
  const attributes = { ...user.attributes, ...changes };
  for (const [name, flag] of [
    ['email', 'email_verified'],
    ['phone_number', 'phone_number_verified'],
  ] as const) {
    if (changes[name] !== undefined && changes[name] !== user.attributes[name] && changes[flag] === undefined) attributes[flag] = 'false';
  }
  for (const [k, v] of Object.entries(attributes)) if (v === '') delete attributes[k];
  return attributes;
}

/**
 * Stores a user's attributes (with any other patch) and the email sign-in key they imply.
 * @throws AliasExistsException when that email is another user's sign-in alias.
 */
export async function saveUserAttributes(
  s: Pick<Services, 'store' | 'clock'>,
  pool: Pool,
  userId: string,
  attributes: Record<string, string>,
  patch: UserPatch = {},
): Promise<void> {
  try {
    await s.store.updateUser(pool.id, userId, { ...patch, attributes, emailKey: emailKeyFor(pool, attributes) }, s.clock.now());
  } catch (err) {
    if (err instanceof StoreConflictError) throw new AliasExistsException('An account with the given email already exists.');
    throw err;
  }
}

/**
 * Applies an attribute update. A changed email or phone becomes unverified (unless an admin sets the
 * verified flag in the same call) and, when the pool auto-verifies it, a verification code is sent.
 * @throws InvalidParameterException | AliasExistsException
 */
export async function applyAttributeUpdate(
  s: Pick<Services, 'store' | 'clock' | 'box' | 'sender' | 'log' | 'triggers'>,
  pool: Pool,
  user: UserRecord,
  list: { Name: string; Value?: string }[],
  opts: { admin: boolean; clientId?: string; clientMetadata?: Record<string, string> },
): Promise<CodeDeliveryDetails[]> {
  // parseAttributes refuses an empty email, so a username-email can never be removed here.
  const changes = parseAttributes(list, opts);
  const attributes = mergeAttributes(user, changes);
  const verify =
    !opts.admin &&
    changes.email !== undefined &&
    !!attributes.email &&
    attributes.email_verified !== 'true' &&
    pool.autoVerifiedAttributes.includes('email');
  // The send budget is spent before the change is saved, so a refusal leaves the attributes as they were.
  if (verify) await admitCodeSend(s, pool, userBudgetKey(s, pool, user.id), 'verify_email');
  // The custom message trigger is asked before the change is saved, so its failure leaves the attributes as they were.
  const message = {
    source: 'CustomMessage_UpdateUserAttribute' as const,
    clientId: opts.clientId ?? NO_CLIENT,
    clientMetadata: opts.clientMetadata,
  };
  const template = verify ? await customMessage(s, pool, { ...user, attributes }, attributes.email!, message) : undefined;
  await saveUserAttributes(s, pool, user.id, attributes);
  const details: CodeDeliveryDetails[] = [];
  if (verify) details.push(await sendCode(s, pool, { ...user, attributes }, 'verify_email', { template }));
  return details;
}

/** The verified flag that goes with a deleted contact attribute. */
const VERIFIED_FLAG: Record<string, string> = { email: 'email_verified', phone_number: 'phone_number_verified' };

/**
 * DeleteUserAttributes / AdminDeleteUserAttributes: removes the named attributes; names the user does not
 * hold are no error (Amplify's own tests of the API against Cognito, aws-amplify/amplify-js#12128).
 * Deleting email or phone_number also drops its verified flag, and with it the email sign-in alias
 * (saveUserAttributes recomputes the key), so the user signs in by username afterwards.
 * @throws InvalidParameterException for sub, names outside the schema, required attributes, the
 *   username attribute, and (users only) the verified flags.
 */
export async function deleteUserAttributes(
  s: Pick<Services, 'store' | 'clock'>,
  pool: Pool,
  user: UserRecord,
  names: string[],
  opts: { admin: boolean },
): Promise<void> {
  for (const name of names) {
    // The same name checks as an update: sub is immutable, unknown names are refused, users may not touch flags.
    assertWritableAttribute(name, opts);
    if (pool.requiredAttributes.includes(name)) throw new InvalidParameterException(`Cannot delete required attribute: ${name}`);
    if ((name === 'email' && pool.emailIsUsername) || (name === 'phone_number' && pool.usernameAttributes.includes('phone_number')))
      throw new InvalidParameterException(`Cannot delete the username attribute: ${name}`);
  }
  const attributes = { ...user.attributes };
  for (const name of names) {
    delete attributes[name];
    const flag = VERIFIED_FLAG[name];
    if (flag) delete attributes[flag];
  }
  await saveUserAttributes(s, pool, user.id, attributes);
}

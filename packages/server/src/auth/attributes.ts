import { customMessage, type MessageTemplate } from '../triggers/customMessage.js';
import { NO_CLIENT } from '../triggers/events.js';
import type { Services } from '../services.js';
import type { UserRecord } from '../storage/store.js';
import type { Pool } from '../domain/pools.js';
import type { AppClient } from '../domain/clients.js';
import { parseAttributes, emailKeyFor, assertWritableAttribute } from '../domain/users.js';
import { sendCode, useCode, type CodeDeliveryDetails } from './codes.js';
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

const CONTACTS = [
  ['email', 'email_verified', 'verify_email'],
  ['phone_number', 'phone_number_verified', 'verify_phone_number'],
] as const;

/** The user as a code for `name` sees them: a pending new value (awaiting verification) in place of the current one. */
export function withPending(user: UserRecord, name: 'email' | 'phone_number'): UserRecord {
  const pending = user.pendingAttributes[name];
  return pending === undefined ? user : { ...user, attributes: { ...user.attributes, [name]: pending } };
}

/**
 * Applies an attribute update (UpdateUserAttributes, AdminUpdateUserAttributes). A changed email or phone number:
 * - set together with its `*_verified` flag `true` (admins only) is stored verified, and no code is sent;
 * - in a pool that lists it in AttributesRequireVerificationBeforeUpdate, while the current value is verified,
 *   stays pending (the old value keeps signing in and is what every read shows) and a code goes to the new value;
 * - otherwise is stored unverified, with a code when the pool auto-verifies it.
 * An admin setting the flag `true` without a value verifies a pending value (Cognito's documented way).
 * @throws InvalidParameterException | NotAuthorizedException | AliasExistsException | LimitExceededException
 */
export async function applyAttributeUpdate(
  s: Pick<Services, 'store' | 'clock' | 'box' | 'sender' | 'log' | 'triggers'>,
  pool: Pool,
  user: UserRecord,
  list: { Name: string; Value?: string }[],
  writer: { admin: boolean; client?: AppClient; clientMetadata?: Record<string, string> },
): Promise<CodeDeliveryDetails[]> {
  // parseAttributes refuses an empty email, so a username-email can never be removed here.
  const changes = parseAttributes(pool, list, writer);
  const pending = { ...user.pendingAttributes };
  const verify: (typeof CONTACTS)[number][] = [];
  for (const contact of CONTACTS) {
    const [name, flag] = contact;
    const value = changes[name];
    if (value === undefined) {
      if (changes[flag] === 'true' && pending[name] !== undefined) changes[name] = pending[name];
      if (changes[flag] !== undefined) delete pending[name];
      continue;
    }
    delete pending[name];
    if (value === '' || value === user.attributes[name] || changes[flag] === 'true') continue;
    if (pool.verifyBeforeUpdate.includes(name) && user.attributes[name] && user.attributes[flag] === 'true') {
      pending[name] = value;
      delete changes[name];
      delete changes[flag];
      verify.push(contact);
    } else {
      changes[flag] = 'false';
      if (pool.autoVerifiedAttributes.includes(name)) verify.push(contact);
    }
  }
  const attributes = { ...user.attributes, ...changes };
  for (const [k, v] of Object.entries(attributes)) if (v === '') delete attributes[k];
  // The send budget (users only; admin operations are exempt) is spent before the change is saved, so a
  // refusal leaves the attributes as they were.
  if (!writer.admin) for (const [, , purpose] of verify) await admitCodeSend(s, pool, userBudgetKey(s, pool, user.id), purpose);
  const saved: UserRecord = { ...user, attributes, pendingAttributes: pending };
  // The custom message trigger (CustomMessage_UpdateUserAttribute) is asked before the change is saved, so its failure
  // leaves the attributes as they were.
  const message = {
    source: 'CustomMessage_UpdateUserAttribute' as const,
    clientId: writer.client?.id ?? NO_CLIENT,
    clientMetadata: writer.clientMetadata,
  };
  const templates: (MessageTemplate | undefined)[] = [];
  for (const [name] of verify) {
    const to = withPending(saved, name);
    templates.push(await customMessage(s, pool, to, to.attributes[name] ?? '', message));
  }
  await saveUserAttributes(s, pool, user.id, attributes, { pendingAttributes: pending });
  const details: CodeDeliveryDetails[] = [];
  for (const [i, [name, , purpose]] of verify.entries())
    details.push(await sendCode(s, pool, withPending(saved, name), purpose, { template: templates[i] }));
  return details;
}

/**
 * VerifyUserAttribute: the code sent for `name` (to its pending value, if one waits) verifies that value, which
 * then replaces the old one (and becomes the email alias where the pool has one).
 * @throws CodeMismatchException | ExpiredCodeException | TooManyFailedAttemptsException | AliasExistsException
 */
export async function verifyAttribute(
  s: Pick<Services, 'store' | 'clock' | 'box'>,
  pool: Pool,
  user: UserRecord,
  name: 'email' | 'phone_number',
  code: string,
): Promise<void> {
  const target = withPending(user, name);
  // The code's hash binds the address it went to, so a code sent to an earlier pending value cannot verify this one.
  await useCode(s, pool, target, name === 'email' ? 'verify_email' : 'verify_phone_number', code);
  const { [name]: _verified, ...pending } = user.pendingAttributes;
  await saveUserAttributes(s, pool, user.id, { ...target.attributes, [`${name}_verified`]: 'true' }, { pendingAttributes: pending });
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
  writer: { admin: boolean; client?: AppClient },
): Promise<void> {
  for (const name of names) {
    // The same name checks as an update: sub is immutable, unknown names are refused, users may not touch flags.
    assertWritableAttribute(pool, name, writer);
    if (pool.requiredAttributes.includes(name)) throw new InvalidParameterException(`Cannot delete required attribute: ${name}`);
    if ((name === 'email' && pool.emailIsUsername) || (name === 'phone_number' && pool.usernameAttributes.includes('phone_number')))
      throw new InvalidParameterException(`Cannot delete the username attribute: ${name}`);
  }
  const attributes = { ...user.attributes };
  const pending = { ...user.pendingAttributes };
  for (const name of names) {
    delete attributes[name];
    delete pending[name];
    const flag = VERIFIED_FLAG[name];
    if (flag) delete attributes[flag];
  }
  await saveUserAttributes(s, pool, user.id, attributes, { pendingAttributes: pending });
}

import type { Services } from '../services.js';
import type { UserRecord } from '../storage/store.js';
import type { Pool } from '../domain/pools.js';
import { parseAttributes, emailKeyFor } from '../domain/users.js';
import { sendCode, type CodeDeliveryDetails } from './codes.js';
import { AliasExistsException, InvalidParameterException } from '../protocol/errors.js';
import { StoreConflictError } from '../storage/store.js';

/**
 * Applies an attribute update. A changed email or phone becomes unverified (unless an admin sets the
 * verified flag in the same call) and, when the pool auto-verifies it, a verification code is sent.
 * @throws InvalidParameterException | AliasExistsException
 */
export async function applyAttributeUpdate(
  s: Pick<Services, 'store' | 'clock' | 'box' | 'sender' | 'log'>, pool: Pool, user: UserRecord,
  list: { Name: string; Value?: string }[], opts: { admin: boolean },
): Promise<CodeDeliveryDetails[]> {
  const changes = parseAttributes(list, opts);
  if (pool.emailIsUsername && changes.email === '') throw new InvalidParameterException('email cannot be removed in a pool where it is the username');
  const attributes = { ...user.attributes, ...changes };
  for (const [name, flag] of [['email', 'email_verified'], ['phone_number', 'phone_number_verified']] as const) {
    if (changes[name] !== undefined && changes[name] !== user.attributes[name] && changes[flag] === undefined) attributes[flag] = 'false';
  }
  for (const [k, v] of Object.entries(attributes)) if (v === '') delete attributes[k];
  try {
    await s.store.updateUser(pool.id, user.id, { attributes, emailKey: emailKeyFor(pool, attributes) }, s.clock.now());
  } catch (err) {
    if (err instanceof StoreConflictError) throw new AliasExistsException('An account with the given email already exists.');
    throw err;
  }
  const details: CodeDeliveryDetails[] = [];
  const updated = { ...user, attributes };
  if (!opts.admin && changes.email !== undefined && attributes.email && attributes.email_verified !== 'true' && pool.autoVerifiedAttributes.includes('email')) {
    details.push(await sendCode(s, pool, updated, 'verify_email'));
  }
  return details;
}

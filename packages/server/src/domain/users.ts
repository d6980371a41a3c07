import type { UserRecord } from '../storage/store.js';
import { InvalidParameterException, NotAuthorizedException } from '../protocol/errors.js';
import type { Pool } from './pools.js';
import type { AppClient } from './clients.js';
import { valueViolation } from './schema.js';

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const VERIFIED_FLAGS = new Set(['email_verified', 'phone_number_verified']);

/** Who writes attributes: an admin (SigV4) or a user through an app client; at user creation or later. */
export interface AttributeWriter {
  admin: boolean;
  /** SignUp / AdminCreateUser (immutable attributes may be set, refusals carry Cognito's creation prefix). */
  creating?: boolean;
  /** The app client of a user's call, whose WriteAttributes (when set) bound what the user may write. */
  client?: AppClient;
}

const nonConforming = (name: string, reason: string) =>
  new InvalidParameterException(`Attributes did not conform to the schema: ${name}: ${reason}`);

/**
 * An attribute name a caller may write or delete: in the pool's schema, not `sub`, mutable after creation,
 * developer-only and `*_verified` ones only for admins, and within the client's WriteAttributes.
 * @throws InvalidParameterException / NotAuthorizedException with Cognito's wording.
 */
export function assertWritableAttribute(pool: Pool, Name: string, w: AttributeWriter): void {
  if (Name === 'sub') throw new InvalidParameterException('Cannot modify an immutable attribute: sub');
  const attribute = pool.attribute(Name);
  if (!attribute) {
    throw w.creating
      ? nonConforming(Name, 'Attribute does not exist in the schema.')
      : new InvalidParameterException('Attribute does not exist in the schema.');
  }
  if (!w.admin) {
    if (VERIFIED_FLAGS.has(Name)) throw new InvalidParameterException(`Cannot modify the non-mutable attribute ${Name}`);
    if (attribute.DeveloperOnlyAttribute || (w.client?.writeAttributes && !w.client.writeAttributes.includes(Name)))
      throw new NotAuthorizedException('A client attempted to write unauthorized attribute');
  }
  if (!attribute.Mutable && !w.creating) throw new InvalidParameterException(`Cannot modify the non-mutable attribute ${Name}`);
}

/**
 * Validates and normalises [{Name, Value}] into a map, against the pool's schema (assertWritableAttribute, then
 * the value's type and constraints and the email / phone formats).
 * @throws InvalidParameterException / NotAuthorizedException with Cognito's wording.
 */
export function parseAttributes(
  pool: Pool,
  list: { Name: string; Value?: string }[] | undefined,
  w: AttributeWriter,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const { Name, Value } of list ?? []) {
    assertWritableAttribute(pool, Name, w);
    const value = Value ?? '';
    if (Name === 'email' && !EMAIL.test(value)) throw new InvalidParameterException('Invalid email address format.');
    if (Name === 'phone_number' && !/^\+[0-9]{4,15}$/.test(value)) throw new InvalidParameterException('Invalid phone number format.');
    if (VERIFIED_FLAGS.has(Name) && value !== 'true' && value !== 'false') {
      throw new InvalidParameterException(`${Name} must be true or false`);
    }
    const attribute = pool.attribute(Name)!;
    if (value === '') {
      if (attribute.Required) throw nonConforming(Name, 'The attribute is required');
    } else {
      const violation = VERIFIED_FLAGS.has(Name) ? undefined : valueViolation(attribute, value);
      if (violation) throw nonConforming(Name, violation);
    }
    out[Name] = value;
  }
  return out;
}

/**
 * A new user's attributes hold every attribute the schema requires.
 * @throws InvalidParameterException "Attributes did not conform to the schema: <name>: The attribute is required".
 */
export function assertRequiredAttributes(pool: Pool, attributes: Record<string, string>): void {
  for (const name of pool.requiredAttributes) if (!attributes[name]) throw nonConforming(name, 'The attribute is required');
}

/**
 * The attributes a user may read through an app client (GetUser, the id token): not developer-only ones, and only
 * those in the client's ReadAttributes when it sets them.
 */
export function readableAttributes(pool: Pool, client: AppClient | undefined, attributes: Record<string, string>): Record<string, string> {
  const read = client?.readAttributes;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(attributes)) {
    if (k.startsWith('dev:') || pool.attribute(k)?.DeveloperOnlyAttribute) continue;
    if (read && k !== 'sub' && !read.includes(k)) continue;
    out[k] = v;
  }
  return out;
}

/** The keys to look a typed login name up by: the username, and the email when the pool allows it. */
export function loginKeys(pool: Pool, typed: string): { usernameKey: string; emailKey: string | null } {
  const emailKey = (pool.emailIsUsername || pool.emailIsAlias) && typed.includes('@') ? typed.toLowerCase() : null;
  return { usernameKey: pool.usernameKey(typed), emailKey };
}

/** The email key a user should be findable by, given their attributes. */
export function emailKeyFor(pool: Pool, attributes: Record<string, string>): string | null {
  const email = attributes.email?.toLowerCase();
  if (!email) return null;
  if (pool.emailIsUsername) return email;
  if (pool.emailIsAlias && attributes.email_verified === 'true') return email;
  return null;
}

/** Claims the id token carries for a user (Cognito's shape: *_verified as booleans). */
export function idTokenClaims(pool: Pool, client: AppClient, user: UserRecord): Record<string, unknown> {
  const claims: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(readableAttributes(pool, client, user.attributes))) {
    if (k === 'sub') continue;
    claims[k] = k.endsWith('_verified') ? v === 'true' : v;
  }
  return claims;
}

/** Where a code for this user goes (email first), or undefined when nowhere. */
export function deliveryTarget(user: UserRecord): { destination: string; medium: 'EMAIL' | 'SMS'; attribute: string } | undefined {
  if (user.attributes.email) return { destination: user.attributes.email, medium: 'EMAIL', attribute: 'email' };
  if (user.attributes.phone_number) return { destination: user.attributes.phone_number, medium: 'SMS', attribute: 'phone_number' };
  return undefined;
}

import type { UserRecord } from '../storage/store.js';
import { InvalidParameterException } from '../protocol/errors.js';
import type { Pool } from './pools.js';

/** Standard attributes a user may hold (OIDC standard claims as Cognito lists them). */
export const STANDARD_ATTRIBUTES = new Set([
  'address',
  'birthdate',
  'email',
  'email_verified',
  'family_name',
  'gender',
  'given_name',
  'locale',
  'middle_name',
  'name',
  'nickname',
  'phone_number',
  'phone_number_verified',
  'picture',
  'preferred_username',
  'profile',
  'updated_at',
  'website',
  'zoneinfo',
]);

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/**
 * An attribute name a caller may write or delete: not `sub`, in the schema, and `*_verified` only for admins.
 * @throws InvalidParameterException with Cognito's wording.
 */
export function assertWritableAttribute(Name: string, opts: { admin: boolean }): void {
  if (Name === 'sub') throw new InvalidParameterException('Cannot modify an immutable attribute: sub');
  if (!STANDARD_ATTRIBUTES.has(Name) && !/^(custom|dev):[\w.-]{1,20}$/.test(Name)) {
    throw new InvalidParameterException(`Attribute does not exist in the schema: ${Name}`);
  }
  if ((Name === 'email_verified' || Name === 'phone_number_verified') && !opts.admin) {
    throw new InvalidParameterException(`Cannot modify the non-mutable attribute ${Name}`);
  }
}

/**
 * Validates and normalises [{Name, Value}] into a map. `sub` and unknown non-custom names are refused;
 * `*_verified` flags only by admins.
 * @throws InvalidParameterException with Cognito's wording.
 */
export function parseAttributes(list: { Name: string; Value?: string }[] | undefined, opts: { admin: boolean }): Record<string, string> {
  const out: Record<string, string> = {};
  for (const { Name, Value } of list ?? []) {
    assertWritableAttribute(Name, opts);
    const value = Value ?? '';
    if (Name === 'email' && !EMAIL.test(value)) throw new InvalidParameterException('Invalid email address format.');
    if (Name === 'phone_number' && !/^\+[0-9]{4,15}$/.test(value)) throw new InvalidParameterException('Invalid phone number format.');
    if ((Name === 'email_verified' || Name === 'phone_number_verified') && value !== 'true' && value !== 'false') {
      throw new InvalidParameterException(`${Name} must be true or false`);
    }
    out[Name] = value;
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
export function idTokenClaims(user: UserRecord): Record<string, unknown> {
  const claims: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(user.attributes)) {
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

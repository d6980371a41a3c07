import type { Services } from '../services.js';
import type { Pool } from '../domain/pools.js';
import { lookupName } from './password.js';
import { derivedBytes } from '../security/secrets.js';

export interface DeliveryTarget {
  destination: string;
  medium: 'EMAIL' | 'SMS';
  attribute: 'email' | 'phone_number';
}

/**
 * Where a stand-in's code "goes" (a name that gets none, existence errors prevented), before masking:
 * stable for the typed name, so ForgotPassword, ResendConfirmationCode and an EMAIL_OTP / SMS_OTP
 * challenge agree for one name, as they do for a real user. A typed email or phone number is used as a
 * real user's would be; otherwise the visible characters are derived from the name under the server
 * key. Without `medium`, SMS where the pool verifies only phone numbers (its users' codes go by SMS).
 */
export function standInTarget(s: Pick<Services, 'box'>, pool: Pool, typed: string, medium?: 'EMAIL' | 'SMS'): DeliveryTarget {
  const seed = derivedBytes(s.box.macKey, `simulated-delivery\n${pool.id}\n${lookupName(pool, typed)}`, 6);
  const verifies = pool.autoVerifiedAttributes;
  const sms = medium ? medium === 'SMS' : !typed.includes('@') && verifies.includes('phone_number') && !verifies.includes('email');
  if (sms) {
    const digits = [...seed.subarray(2, 6)].map((b) => String(b % 10)).join('');
    const destination = /^\+\d{5,}$/.test(typed) && medium ? typed : `+1555000${digits}`;
    return { destination, medium: 'SMS', attribute: 'phone_number' };
  }
  const letter = (b: number) => String.fromCharCode(97 + (b % 26));
  const destination = typed.includes('@') ? typed : `${letter(seed[0]!)}@${letter(seed[1]!)}`;
  return { destination, medium: 'EMAIL', attribute: 'email' };
}

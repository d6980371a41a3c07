import type { Services } from '../services.js';
import type { Pool } from './pools.js';

/**
 * The pool's webhook secret: the HMAC key of `x-latchkey-signature` on every trigger call and lifecycle event
 * (security/webhookSignature.ts signWebhook). The UTF-8 bytes of this string are the key. Derived from the server
 * secret and the pool's `webhookSecretVersion`, so all instances agree without storing it.
 */
export function webhookSecret(s: Pick<Services, 'box'>, pool: Pool): string {
  return s.box.webhookSecret(pool.id, pool.latchkey.webhookSecretVersion);
}

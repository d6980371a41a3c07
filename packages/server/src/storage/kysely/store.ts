import type { Store } from '../store.js';
import { EventsStore } from './events.js';
import { FIXED } from '../../config/defaults.js';
import { LOGIN_ATTEMPT_IDLE_RESET_MS } from './users.js';

/** The one SQL implementation of Store, over a Kysely instance of either dialect (its areas are in the files it extends). */
export class KyselyStore extends EventsStore implements Store {
  // ---- housekeeping ----
  async purgeExpired(now: number): Promise<number> {
    let n = 0;
    for (const t of ['challenges', 'auth_sessions', 'codes', 'standin_codes', 'token_families', 'devices'] as const) {
      const r = await this.db.deleteFrom(t).where('expires_at', '<=', now).executeTakeFirst();
      n += Number(r.numDeletedRows);
    }
    // A budget whose window has ended would start over at its next use: forgetting it changes nothing.
    const b = await this.db.deleteFrom('send_budgets').where('window_ends_at', '<=', now).executeTakeFirst();
    n += Number(b.numDeletedRows);
    // Idle, unlocked counters would start over anyway: forget them (bounds the table by the recent attempt rate).
    const a = await this.db
      .deleteFrom('login_attempts')
      .where('updated_at', '<=', now - LOGIN_ATTEMPT_IDLE_RESET_MS)
      .where('locked_until', '<=', now - LOGIN_ATTEMPT_IDLE_RESET_MS)
      .executeTakeFirst();
    n += Number(a.numDeletedRows);
    // Events are history once delivered (or undeliverable): kept for AdminListUserAuthEvents, then forgotten.
    const e = await this.db
      .deleteFrom('events')
      .where('created_at', '<=', now - FIXED.eventRetentionMs.default)
      .where('next_attempt_at', 'is', null)
      .executeTakeFirst();
    n += Number(e.numDeletedRows);
    // A config write like any other (the version row's lock first, as the key rotation takes it).
    const k = await this.configWrite((trx) =>
      trx.deleteFrom('signing_keys').where('expires_at', 'is not', null).where('expires_at', '<=', now).executeTakeFirst(),
    );
    return n + Number(k.numDeletedRows);
  }
  async close(): Promise<void> {
    await this.db.destroy();
  }
}

import type { Clock, Logger, Services } from '../services.js';
import type { LifecycleEventRecord, Store } from '../storage/store.js';
import { Pool } from '../domain/pools.js';
import { webhookSecret } from '../domain/webhookSecret.js';
import { randomId } from '../security/secrets.js';
import { postSigned } from './signedPost.js';

/** What docs/events.md promises a receiver: the JSON body of every lifecycle event request. */
export interface EventWebhookBody {
  /** Stable across attempts: de-duplicate by it. */
  id: string;
  type: LifecycleEventRecord['type'];
  /** When the change happened (ISO 8601, UTC); the signature's t is the attempt's time. */
  time: string;
  userPoolId: string;
  username: string;
  sub: string;
  detail: LifecycleEventRecord['detail'];
}

export interface EventDeliveryOptions {
  pollMs: number;
  /** The pause before the first retry; doubles per attempt up to retryMaxMs. */
  retryBaseMs: number;
  retryMaxMs: number;
  timeoutMs: number;
  leaseMs: number;
  batch: number;
  concurrency: number;
  /** Not retried once this old. */
  giveUpMs: number;
  /** LATCHKEY_TRIGGER_ALLOW_PRIVATE: https:// webhooks may reach non-public addresses (else refused per attempt, SSRF). */
  allowNonPublic: boolean;
}

export const eventBody = (e: LifecycleEventRecord): EventWebhookBody => ({
  id: e.id,
  type: e.type,
  time: new Date(e.createdAt).toISOString(),
  userPoolId: e.poolId,
  username: e.username,
  sub: e.userId,
  detail: e.detail,
});

/** The pause after failed attempt `attempts` (1 = the first): base × 2^(attempts-1), at most max. */
export function retryDelay(attempts: number, baseMs: number, maxMs: number): number {
  return Math.min(maxMs, baseMs * 2 ** Math.min(30, Math.max(0, attempts - 1)));
}

/**
 * The lifecycle-event worker, one per server process: polls the outbox, leases a few events at a time, as many as
 * it POSTs at once (Store.claimEvents: one guarded UPDATE, so processes and instances never hold the same event at
 * once), POSTs each event signed with its pool's webhook secret, and records the outcome under the lease. At least once: an event is
 * marked delivered only after a 2xx, so a crash between the two (or a lost answer) means a second delivery with the
 * same id, never a lost one; an expired lease (a killed process) makes the event due again.
 */
export class EventDelivery {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;
  /** Leases carry the process's id, so a late outcome of an expired lease cannot overwrite another's. */
  private readonly owner = randomId();

  constructor(
    private readonly s: Pick<Services, 'box'> & { store: Store; clock: Clock; log: Logger },
    private readonly opts: EventDeliveryOptions,
  ) {}

  start(): void {
    this.schedule(0);
  }

  /** Stops polling and waits for the attempts in flight (each bounded by the timeout). */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.tick()
        .then((full) => this.schedule(full ? 0 : this.opts.pollMs))
        .catch((err: unknown) => {
          this.s.log.warn({ err }, 'event delivery poll failed');
          this.schedule(this.opts.pollMs);
        });
    }, ms);
    this.timer.unref();
  }

  /**
   * One poll: up to `batch` events in rounds of `concurrency`, each round claimed just before it is delivered, all
   * of it at once. A lease thus covers only attempts that start at once and end within the timeout (at most
   * leaseMs / 2), so no event is POSTed after its lease ended (when another process may hold it). True when the
   * poll took a full batch (more may be due at once).
   */
  async tick(): Promise<boolean> {
    const pools = new Map<string, Promise<Pool | undefined>>();
    const poolOf = (id: string) => {
      let p = pools.get(id);
      if (!p) pools.set(id, (p = this.s.store.getPool(id).then((r) => (r ? new Pool(r) : undefined))));
      return p;
    };
    const perRound = Math.max(1, Math.min(this.opts.concurrency, this.opts.batch));
    let taken = 0;
    while (taken < this.opts.batch && !this.stopped) {
      const limit = Math.min(perRound, this.opts.batch - taken);
      const round = await this.s.store.claimEvents(this.s.clock.now(), this.opts.leaseMs, limit, this.owner);
      taken += round.length;
      await Promise.all(round.map(async (e) => this.deliver(e, await poolOf(e.poolId))));
      if (round.length < limit) return false;
    }
    return taken >= this.opts.batch;
  }

  private async deliver(e: LifecycleEventRecord, pool: Pool | undefined): Promise<void> {
    const url = pool?.latchkey.eventWebhookUrl;
    const fields = { eventId: e.id, poolId: e.poolId, type: e.type, attempt: e.attempts };
    if (!pool || !url) {
      // The webhook was removed (or the pool deleted) since the event was written: nothing to deliver to.
      await this.s.store.markEventFailed(e.id, this.owner, null, 'no event webhook');
      return;
    }
    const outcome = await postSigned(
      url,
      webhookSecret(this.s, pool),
      JSON.stringify(eventBody(e)),
      this.opts.timeoutMs,
      this.s.clock.now(),
      { guard: { allowNonPublic: this.opts.allowNonPublic } },
    );
    if (outcome.ok) {
      await this.s.store.markEventDelivered(e.id, this.owner, this.s.clock.now());
      this.s.log.debug({ ...fields, status: outcome.status }, 'event delivered');
      return;
    }
    const now = this.s.clock.now();
    const giveUp = now - e.createdAt >= this.opts.giveUpMs;
    const nextAt = giveUp ? null : now + retryDelay(e.attempts, this.opts.retryBaseMs, this.opts.retryMaxMs);
    await this.s.store.markEventFailed(e.id, this.owner, nextAt, outcome.reason);
    // The log names the event, never the body (it holds usernames and addresses) or the URL (it may hold a token).
    this.s.log.warn({ ...fields, status: outcome.status, reason: outcome.reason, retryAt: nextAt }, 'event webhook attempt failed');
  }
}

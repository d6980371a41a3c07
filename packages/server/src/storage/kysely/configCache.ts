import type { Kysely, Transaction } from 'kysely';
import { sql } from 'kysely';
import { FIXED } from '../../config/defaults.js';
import type { Database } from './schema.js';

/** Beyond this many cached ids (unknown ones included) the cache starts over: attacker-chosen ids cannot grow it. */
const MAX_ENTRIES = 10_000;

/**
 * Bumps the config version as the first statement of a pool/client/key write (the triggers of migration 0012 bump it
 * again with each row). First, so on PostgreSQL every such transaction takes the version row's lock before any
 * pool, client or key row: one lock order, no deadlock between two config writes.
 */
export async function lockConfigVersion(trx: Transaction<Database>): Promise<void> {
  await trx
    .updateTable('config_version')
    .set({ version: sql`version + 1` })
    .where('id', '=', 1)
    .execute();
}

/** A cached row is re-read after this long whatever the version row says (a backstop; the version is the mechanism). */
const MAX_ENTRY_AGE_MS = 1000;

/**
 * Pool and app-client rows cached per process, valid while the `config_version` row (bumped by triggers in the
 * transaction of every write to pools, clients and signing_keys, on any instance: migration 0012) is unchanged; the
 * row is re-read when the last check started more than `configRecheckMs` ago. Why it never serves a row older than
 * that bound:
 * - a check that saw version V and started at t proves no config write committed before t (it would have bumped V);
 * - rows are loaded only after a check, and a load that began before entries were dropped (a newer version seen,
 *   or a local write) is not kept (`generation`), so an old row cannot outlive the drop that should remove it.
 * Revocation state (users, token families) is never cached here. Times come from a monotonic clock (a wall-clock step
 * back must not stretch the bound), and no row is kept longer than MAX_ENTRY_AGE_MS in any case.
 */
export class ConfigCache {
  private version: number | undefined;
  private checkedAt = -Infinity;
  private generation = 0;
  private checking: Promise<void> | undefined;
  private readonly entries = new Map<string, { row: unknown; loadedAt: number }>();

  constructor(
    private readonly db: Kysely<Database>,
    private readonly maxAgeMs: number = FIXED.configRecheckMs.default,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /**
   * The cached row for `key`, else `load()`'s (kept unless entries were dropped meanwhile); undefined = no such record.
   * `fresh`: read the database now (a read-modify-write must not start from a row another instance changed since).
   */
  async get<T>(key: string, load: () => Promise<T | undefined>, fresh = false): Promise<T | undefined> {
    if (fresh) return load();
    await this.fresh();
    const hit = this.entries.get(key);
    if (hit && this.now() - hit.loadedAt <= MAX_ENTRY_AGE_MS) return (hit.row ?? undefined) as T | undefined;
    const generation = this.generation;
    const loadedAt = this.now();
    const row = await load();
    // Not kept without a version (the row is missing: nothing could tell this process about a change).
    if (generation === this.generation && this.version !== undefined) {
      if (this.entries.size >= MAX_ENTRIES) this.entries.clear();
      this.entries.set(key, { row: row ?? null, loadedAt });
    }
    return row;
  }

  /** After this process committed a config write: drop everything and re-check on next use. */
  invalidate(): void {
    this.drop();
    this.checkedAt = -Infinity;
  }

  private drop(): void {
    this.entries.clear();
    this.generation++;
  }

  private async fresh(): Promise<void> {
    if (this.now() - this.checkedAt <= this.maxAgeMs) return;
    // One version read in flight per process, shared by the requests that need it.
    this.checking ??= this.check().finally(() => (this.checking = undefined));
    await this.checking;
  }

  private async check(): Promise<void> {
    const startedAt = this.now();
    const r = await this.db.selectFrom('config_version').select('version').where('id', '=', 1).executeTakeFirst();
    const version = r ? Number(r.version) : undefined;
    if (version === undefined || version !== this.version) {
      this.drop();
      this.version = version;
    }
    // Also right when a local write committed during this read: its invalidate() dropped the entries, and rows are
    // loaded after it, so only other instances' writes matter, and none committed before startedAt.
    this.checkedAt = startedAt;
  }
}

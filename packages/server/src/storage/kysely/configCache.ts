import type { Kysely, Transaction } from 'kysely';
import { sql } from 'kysely';
import { FIXED } from '../../config/defaults.js';
import type { Database } from './schema.js';

/** Beyond this many cached ids (unknown ones included) the cache starts over: attacker-chosen ids cannot grow it. */
const MAX_ENTRIES = 10_000;

/** Bumps the config version inside a write's transaction, so every instance's ConfigCache drops its records. */
export async function bumpConfigVersion(trx: Transaction<Database>): Promise<void> {
  await trx
    .updateTable('config_version')
    .set({ version: sql`version + 1` })
    .where('id', '=', 1)
    .execute();
}

/**
 * Pool and app-client rows cached per process, valid while the `config_version` row (bumped in the transaction of
 * every pool, client and signing-key write on any instance) is unchanged; the row is re-read when the last check
 * started more than `configRecheckMs` ago. Why it never serves a row older than that bound:
 * - a check that saw version V and started at t proves no config write committed before t (it would have bumped V);
 * - rows are loaded only after a check, and a load that began before entries were dropped (a newer version seen,
 *   or a local write) is not kept (`generation`), so an old row cannot outlive the drop that should remove it.
 * Revocation state (users, token families) is never cached here.
 */
export class ConfigCache {
  private version: number | undefined;
  private checkedAt = -Infinity;
  private generation = 0;
  private checking: Promise<void> | undefined;
  private readonly entries = new Map<string, unknown>();

  constructor(
    private readonly db: Kysely<Database>,
    private readonly maxAgeMs: number = FIXED.configRecheckMs.default,
    private readonly now: () => number = () => Date.now(),
  ) {}

  /** The cached row for `key`, else `load()`'s (kept unless entries were dropped meanwhile); undefined = no such record. */
  async get<T>(key: string, load: () => Promise<T | undefined>): Promise<T | undefined> {
    await this.fresh();
    if (this.entries.has(key)) return (this.entries.get(key) ?? undefined) as T | undefined;
    const generation = this.generation;
    const row = await load();
    if (generation === this.generation) {
      if (this.entries.size >= MAX_ENTRIES) this.entries.clear();
      this.entries.set(key, row ?? null);
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
    const version = Number(r?.version ?? -1);
    if (version !== this.version) {
      this.drop();
      this.version = version;
    }
    // Also right when a local write committed during this read: its invalidate() dropped the entries, and rows are
    // loaded after it, so only other instances' writes matter, and none committed before startedAt.
    this.checkedAt = startedAt;
  }
}

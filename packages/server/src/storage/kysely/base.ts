import type { Kysely, Transaction } from 'kysely';
import { StoreConflictError } from '../store.js';
import type { Database } from './schema.js';

/** Maps a unique-constraint violation of either dialect to StoreConflictError; rethrows anything else. */
export function conflict(err: unknown, fallback: StoreConflictError['key']): never {
  const e = err as { code?: string; message?: string; constraint?: string };
  const unique =
    e?.code === '23505' || (typeof e?.code === 'string' && e.code.startsWith('SQLITE_CONSTRAINT_') && /UNIQUE|PRIMARYKEY/.test(e.code));
  if (!unique) throw err;
  const where = `${e.constraint ?? ''} ${e.message ?? ''}`;
  if (/email/.test(where)) throw new StoreConflictError('email');
  if (/username/.test(where)) throw new StoreConflictError('username');
  throw new StoreConflictError(fallback);
}

/** A connection, or a transaction on one: the helpers below run on either. */
export type Db = Kysely<Database> | Transaction<Database>;

/** Rolls a transaction back with a reason the caller reports. */
export class Abort extends Error {
  constructor(readonly reason: 'session-gone' | 'passkey-race' | 'challenge-gone' | 'device-gone' | 'totp-replay') {
    super(reason);
  }
}

/**
 * The first link of KyselyStore: the connection and the server meta. The store is one class split by area
 * into a chain of files (pools → users → codes → ceremonies → store), so no file holds every table.
 */
export class KyselyBase {
  constructor(
    protected readonly db: Kysely<Database>,
    readonly dialect: 'sqlite' | 'postgres',
  ) {}

  // ---- meta ----
  async getOrPutMeta(key: string, value: string): Promise<string> {
    await this.db
      .insertInto('meta')
      .values({ key, value })
      .onConflict((oc) => oc.column('key').doNothing())
      .execute();
    return (await this.getMeta(key))!;
  }
  async getMeta(key: string): Promise<string | undefined> {
    const row = await this.db.selectFrom('meta').select('value').where('key', '=', key).executeTakeFirst();
    return row?.value;
  }
  async putMeta(key: string, value: string): Promise<void> {
    await this.db
      .insertInto('meta')
      .values({ key, value })
      .onConflict((oc) => oc.column('key').doUpdateSet({ value }))
      .execute();
  }
}

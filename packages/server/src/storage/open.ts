import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Kysely, Migrator, PostgresDialect, SqliteDialect } from 'kysely';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import type { Store } from './store.js';
import { KyselyStore } from './kysely/store.js';
import type { Database } from './kysely/schema.js';
import { migrationProvider } from './migrations/index.js';

// PostgreSQL int8 columns hold epoch milliseconds, well inside Number's exact range.
pg.types.setTypeParser(20, (v) => Number(v));

/**
 * A URL without a user name would make libpq-style clients fall back to $USER, which is empty in
 * containers and CI; default to PGUSER or `postgres` instead.
 */
export function normalizePgUrl(url: string): string {
  const u = new URL(url);
  if (!u.username) u.username = process.env.PGUSER || 'postgres';
  return u.toString();
}

/** The store options a server configuration implies (serve, migrate, outbox use the same). */
export function storeOptions(config: { databaseUrl?: string; dataDir: string; databaseSchema?: string; sqliteSynchronous: 'full' | 'normal' }): StoreOptions {
  return { databaseUrl: config.databaseUrl, dataDir: config.dataDir, schema: config.databaseSchema, sqliteSynchronous: config.sqliteSynchronous };
}

export interface StoreOptions {
  /** `postgres://…`; absent → SQLite file `latchkey.db` in `dataDir`. */
  databaseUrl?: string;
  dataDir?: string;
  /** PostgreSQL schema to use (created if absent); tests use a fresh one per run. */
  schema?: string;
  /** Run migrations before returning (default true). `latchkey migrate` runs them as a deploy step. */
  migrate?: boolean;
  /** Pool size for PostgreSQL. */
  maxConnections?: number;
  /**
   * SQLite commit durability. `full` (default): a commit is on disk before we answer, surviving power
   * loss. `normal`: WAL without a sync per commit — survives process crashes (SIGKILL) but a power cut
   * may lose the last commits; several times faster on slow disks.
   */
  sqliteSynchronous?: 'full' | 'normal';
}

/**
 * Kysely's SQLite driver prepares every statement anew; better-sqlite3 statements are reusable, so
 * keep the prepared ones (a bounded map keyed by SQL text).
 */
function cachePreparedStatements(db: SQLite.Database, max = 1000): void {
  const prepare = db.prepare.bind(db);
  const cache = new Map<string, SQLite.Statement>();
  (db as { prepare: (sql: string) => SQLite.Statement }).prepare = (sql: string) => {
    let stmt = cache.get(sql);
    if (!stmt) {
      stmt = prepare(sql);
      if (cache.size < max) cache.set(sql, stmt);
    }
    return stmt;
  };
}

/**
 * Opens the store and (by default) brings the schema up to date.
 * @throws Error when the database cannot be reached or a migration fails.
 */
export async function openStore(opts: StoreOptions): Promise<Store> {
  let db: Kysely<Database>;
  let dialect: 'sqlite' | 'postgres';
  if (opts.databaseUrl) {
    dialect = 'postgres';
    const databaseUrl = normalizePgUrl(opts.databaseUrl);
    const schema = opts.schema;
    if (schema !== undefined && !/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) throw new Error('invalid schema name');
    if (schema) {
      const c = new pg.Client({ connectionString: databaseUrl });
      await c.connect();
      try {
        await c.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
      } catch (err) {
        // Two instances creating the schema at once: the loser sees a unique violation; fine.
        if ((err as { code?: string }).code !== '23505') throw err;
      } finally {
        await c.end();
      }
    }
    const pool = new pg.Pool({
      connectionString: databaseUrl,
      max: opts.maxConnections ?? 10,
      ...(schema ? { options: `-c search_path=${schema}` } : {}),
    });
    db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  } else {
    dialect = 'sqlite';
    const dir = opts.dataDir ?? './.latchkey';
    mkdirSync(dir, { recursive: true });
    const file = new SQLite(join(dir, 'latchkey.db'));
    file.pragma('journal_mode = WAL');
    file.pragma('foreign_keys = ON');
    // FULL by default: a commit is on disk before we answer, so an acknowledged write survives a power loss too.
    file.pragma(`synchronous = ${opts.sqliteSynchronous === 'normal' ? 'NORMAL' : 'FULL'}`);
    cachePreparedStatements(file);
    file.pragma('busy_timeout = 10000');
    db = new Kysely<Database>({ dialect: new SqliteDialect({ database: file }) });
  }
  if (opts.migrate !== false) {
    try {
      await migrate(db, dialect, dialect === 'postgres' ? (opts.schema ?? 'public') : undefined);
    } catch (err) {
      await db.destroy().catch(() => undefined);
      throw err;
    }
  }
  return new KyselyStore(db, dialect);
}

async function migrate(db: Kysely<Database>, dialect: 'sqlite' | 'postgres', schema?: string): Promise<void> {
  // The migration tables live in the store's own schema: Kysely would otherwise find another schema's
  // migration table through introspection and skip creating this one's.
  const migrator = new Migrator({ db, provider: migrationProvider(dialect), ...(schema ? { migrationTableSchema: schema } : {}) });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error');
    throw new Error(`migration ${failed?.migrationName ?? '?'} failed: ${(error as Error).message ?? error}`);
  }
}

import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Kysely, Migrator, PostgresDialect, type KyselyConfig } from 'kysely';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import type { Store } from './store.js';
import { KyselyStore } from './kysely/store.js';
import type { Database } from './kysely/schema.js';
import { migrationProvider } from './migrations/index.js';
import { DurableSqliteDialect } from './sqlite/durableDialect.js';
import { GroupCommit, walFileSync } from './sqlite/groupCommit.js';
import { Checkpointer, FALLBACK_AUTOCHECKPOINT_PAGES } from './sqlite/checkpointer.js';
import { StartupError } from '../startupError.js';

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
export function storeOptions(config: {
  databaseUrl?: string;
  dataDir: string;
  databaseSchema?: string;
  sqliteSynchronous: 'full' | 'normal';
}): StoreOptions {
  return {
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    schema: config.databaseSchema,
    sqliteSynchronous: config.sqliteSynchronous,
  };
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
  /**
   * Called with the SQL of every statement the store sends (BEGIN/COMMIT included), for the bench's and
   * tests' statement counts. Production never sets it: Kysely then does no logging work at all.
   */
  onStatement?: (sql: string) => void;
  /**
   * Called once when SQLite writes can no longer be made durable (a failed fdatasync of the WAL, or a failed
   * ROLLBACK); every later write is refused either way. Default: one line on stderr and exit code 70, so the
   * supervisor restarts the server on the file as SQLite recovers it.
   */
  onStorageFailure?: (err: unknown) => void;
}

function exitOnStorageFailure(err: unknown): void {
  const { code, message } = err as { code?: string; message?: string };
  process.stderr.write(
    `latchkey: the SQLite database can no longer make writes durable (${code ?? message}): stopping; check the disk, then restart\n`,
  );
  process.exit(70);
}

/** The file SQLite opened as `main` (symlinks resolved, as SQLite does): its WAL is `<file>-wal`. */
function mainDatabaseFile(db: SQLite.Database): string {
  const list = db.pragma('database_list') as { name: string; file: string }[];
  return list.find((d) => d.name === 'main')?.file || resolve(db.name);
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
    // One connection first, so an unreachable server, a missing database or a refused login is told
    // as such instead of surfacing as a failed migration.
    const c = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: 10_000 });
    try {
      await c.connect();
    } catch (err) {
      await c.end().catch(() => undefined);
      throw pgStartupError(err, databaseUrl);
    }
    try {
      // Only a migrating open creates the schema: a read-only look (latchkey outbox) must not leave one behind.
      if (schema && opts.migrate !== false) await c.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
    } catch (err) {
      // Two instances creating the schema at once: the loser sees a unique violation; fine.
      if ((err as { code?: string }).code !== '23505') throw pgStartupError(err, databaseUrl);
    } finally {
      await c.end();
    }
    const pool = new pg.Pool({
      connectionString: databaseUrl,
      max: opts.maxConnections ?? 10,
      ...(schema ? { options: `-c search_path=${schema}` } : {}),
    });
    db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }), ...statementLog(opts) });
  } else {
    dialect = 'sqlite';
    const dir = opts.dataDir ?? './.latchkey';
    let file: SQLite.Database;
    try {
      mkdirSync(dir, { recursive: true });
    } catch (err) {
      const { code } = err as { code?: string };
      if (code === 'EEXIST' || code === 'ENOTDIR') throw sqliteStartupError(err, dir);
      // Node reports a read-only parent as ENOENT for recursive mkdir.
      throw new StartupError(
        `cannot create the data directory ${resolve(dir)} (${code}): make its parent writable or choose another --data / LATCHKEY_DATA`,
      );
    }
    try {
      file = new SQLite(join(dir, 'latchkey.db'));
    } catch (err) {
      throw sqliteStartupError(err, dir);
    }
    try {
      file.pragma('journal_mode = WAL');
      file.pragma('foreign_keys = ON');
      // `full` (the default) still means a commit is on disk before we answer, so it survives a power loss: SQLite's
      // own per-commit sync is replaced by GroupCommit's fdatasync of the WAL, shared by every commit that arrives
      // while one is in flight and run off the event loop (storage/sqlite/groupCommit.ts).
      file.pragma('synchronous = NORMAL');
    } catch (err) {
      file.close();
      throw sqliteStartupError(err, dir);
    }
    cachePreparedStatements(file);
    file.pragma('busy_timeout = 10000');
    const dbFile = mainDatabaseFile(file);
    let checkpointer: Checkpointer | undefined;
    try {
      checkpointer = new Checkpointer(dbFile, (err) => {
        // Back to SQLite's default: one COMMIT checkpoints every ~1000 pages on the event loop, as before the thread.
        process.stderr.write(`latchkey: the SQLite checkpointer thread failed (${(err as Error).message}); checkpointing inline\n`);
        if (file.open) file.pragma('wal_autocheckpoint = 1000');
      });
      file.pragma(`wal_autocheckpoint = ${FALLBACK_AUTOCHECKPOINT_PAGES}`);
    } catch {
      // No worker thread: SQLite's own checkpoints on this connection, as before.
    }
    const sqliteDialect = new DurableSqliteDialect(
      file,
      opts.sqliteSynchronous === 'normal' ? undefined : new GroupCommit(walFileSync(dbFile), opts.onStorageFailure ?? exitOnStorageFailure),
      async () => checkpointer?.stop(),
    );
    db = new Kysely<Database>({ dialect: sqliteDialect, ...statementLog(opts) });
  }
  if (opts.migrate !== false) {
    try {
      await migrate(db, dialect, dialect === 'postgres' ? (opts.schema ?? 'public') : undefined);
      // A store that opens but cannot commit (read-only directory or standby, full disk) is refused
      // here, at start-up, rather than by the first request that writes.
      await new KyselyStore(db, dialect).putMeta('health_probe', String(Date.now()));
    } catch (err) {
      await db.destroy().catch(() => undefined);
      const cause = (err as Error).cause ?? err;
      throw dialect === 'postgres'
        ? pgStartupError(cause, normalizePgUrl(opts.databaseUrl!), err)
        : sqliteStartupError(cause, opts.dataDir ?? './.latchkey', err);
    }
  }
  return new KyselyStore(db, dialect);
}

/** Kysely's log hook, only when a statement observer is given (failed statements count too: they were sent). */
function statementLog(opts: StoreOptions): Pick<KyselyConfig, 'log'> {
  const on = opts.onStatement;
  return on ? { log: (e) => on(e.query.sql) } : {};
}

async function migrate(db: Kysely<Database>, dialect: 'sqlite' | 'postgres', schema?: string): Promise<void> {
  // The migration tables live in the store's own schema: Kysely would otherwise find another schema's
  // migration table through introspection and skip creating this one's.
  const migrator = new Migrator({ db, provider: migrationProvider(dialect), ...(schema ? { migrationTableSchema: schema } : {}) });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error');
    throw new Error(`migration ${failed?.migrationName ?? '?'} failed: ${(error as Error).message ?? error}`, { cause: error });
  }
}

/** Where a PostgreSQL URL points, without the password. */
function pgTarget(url: string): { where: string; database: string; user: string } {
  const u = new URL(url);
  const database = decodeURIComponent(u.pathname.replace(/^\//, '')) || decodeURIComponent(u.username);
  return { where: `${u.hostname}:${u.port || 5432}`, database, user: decodeURIComponent(u.username) };
}

/**
 * The operator's view of a PostgreSQL failure at start-up: one line naming the server, database or
 * login and what to change. Anything unrecognised is returned as it was (`fallback`, else `err`).
 */
function pgStartupError(err: unknown, url: string, fallback?: unknown): unknown {
  const { code, message } = err as { code?: string; message?: string };
  const { where, database, user } = pgTarget(url);
  const fix = 'check --database-url / DATABASE_URL';
  if (code === '3D000')
    return new StartupError(`PostgreSQL database "${database}" does not exist on ${where}: create it (createdb ${database}) or ${fix}`);
  if (code === '28P01' || code === '28000')
    return new StartupError(`PostgreSQL at ${where} refused the login of user "${user}" to "${database}": ${fix} (user, password)`);
  if (code === '42501')
    return new StartupError(
      `PostgreSQL user "${user}" lacks a privilege on "${database}" (${message}): grant it, or ${fix} and --database-schema`,
    );
  if (code === '25006')
    return new StartupError(
      `PostgreSQL database "${database}" on ${where} is read-only (a standby?): point --database-url / DATABASE_URL at the primary`,
    );
  if (code === '57P03')
    return new StartupError(`PostgreSQL at ${where} is starting up or shutting down: retry when it accepts connections`);
  if (code && ['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNRESET'].includes(code)) {
    return new StartupError(`cannot reach PostgreSQL at ${where} (${code}): is it running and reachable? ${fix}`);
  }
  if (/timeout/i.test(message ?? ''))
    return new StartupError(`cannot reach PostgreSQL at ${where} (no answer within 10 s): is it running and reachable? ${fix}`);
  return fallback ?? err;
}

/** The operator's view of a SQLite data-directory failure at start-up (see pgStartupError). */
function sqliteStartupError(err: unknown, dir: string, fallback?: unknown): unknown {
  const { code } = err as { code?: string };
  const where = resolve(dir);
  const fix = 'choose another --data / LATCHKEY_DATA';
  if (code === 'EEXIST' || code === 'ENOTDIR')
    return new StartupError(`the data directory ${where} is not a directory (a file is in the way): ${fix}`);
  if (
    code === 'EACCES' ||
    code === 'EPERM' ||
    code === 'EROFS' ||
    code === 'SQLITE_READONLY' ||
    code?.startsWith('SQLITE_READONLY_') ||
    code === 'SQLITE_CANTOPEN' ||
    code === 'SQLITE_PERM'
  ) {
    return new StartupError(
      `the data directory ${where} is not writable (${code}): Latchkey keeps latchkey.db there; give this user write access or ${fix}`,
    );
  }
  if (code === 'ENOSPC' || code === 'SQLITE_FULL')
    return new StartupError(`the disk holding ${where} is full (${code}): free space or ${fix}`);
  return fallback ?? err;
}

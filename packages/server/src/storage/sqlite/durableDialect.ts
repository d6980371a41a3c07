import { CompiledQuery, SqliteDialect, type DatabaseConnection, type Driver, type QueryResult } from 'kysely';
import type SQLite from 'better-sqlite3';
import type { GroupCommit } from './groupCommit.js';

/**
 * Kysely's SQLite dialect with group commit (see GroupCommit). Kysely's own driver holds its one connection from
 * acquire to release, so a transaction that waited for its fsync before releasing would make every other request
 * wait for that fsync too. Here the exclusive hold covers only BEGIN…COMMIT: the connection is free for the next
 * transaction as soon as COMMIT has run, and the committing caller then waits for the shared sync alone. Writes
 * outside a transaction (one autocommit statement) wait for it the same way; reads never do.
 */
export class DurableSqliteDialect extends SqliteDialect {
  constructor(
    private readonly database: SQLite.Database,
    private readonly commits: GroupCommit,
  ) {
    super({ database });
  }

  override createDriver(): Driver {
    return new DurableSqliteDriver(this.database, this.commits);
  }
}

/** One BEGIN…COMMIT at a time on the single connection; a FIFO so no transaction waits forever. */
class TransactionLock {
  private held = false;
  private readonly waiting: (() => void)[] = [];

  get busy(): boolean {
    return this.held;
  }
  async acquire(): Promise<void> {
    if (!this.held) {
      this.held = true;
      return;
    }
    // Handed over by release() with `held` still true, so nobody can slip in between.
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }
  release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.held = false;
  }
}

/**
 * A caller's handle on the one connection. Kysely hands the handle it acquired to the driver's transaction calls,
 * which is how a statement is known to be inside the caller's own transaction. Handles are reused (Kysely remembers
 * every connection object it has seen), so there are only as many as requests ever ran at once.
 */
class Handle implements DatabaseConnection {
  inTransaction = false;

  constructor(
    private readonly db: SQLite.Database,
    private readonly lock: TransactionLock,
    private readonly commits: GroupCommit,
  ) {}

  async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    if (this.inTransaction) return run<R>(this.db, query).result;
    // Outside a transaction: never inside another caller's open one (it would join it).
    const wait = this.lock.busy;
    if (wait) await this.lock.acquire();
    let ran: { result: QueryResult<R>; wrote: boolean };
    try {
      ran = run<R>(this.db, query);
    } finally {
      if (wait) this.lock.release();
    }
    if (ran.wrote) await this.commits.after();
    return ran.result;
  }

  // The store never streams; Kysely requires the member.
  async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error('streaming is not supported by the SQLite store');
  }
}

function run<R>(db: SQLite.Database, { sql, parameters }: CompiledQuery): { result: QueryResult<R>; wrote: boolean } {
  const stmt = db.prepare(sql);
  if (stmt.reader) {
    // INSERT … RETURNING is a reader that writes.
    return { result: { rows: stmt.all(parameters) as R[] }, wrote: !stmt.readonly };
  }
  const { changes, lastInsertRowid } = stmt.run(parameters);
  return {
    result: { numAffectedRows: BigInt(changes), insertId: BigInt(lastInsertRowid), rows: [] },
    wrote: !stmt.readonly,
  };
}

class DurableSqliteDriver implements Driver {
  private readonly lock = new TransactionLock();
  private readonly idle: Handle[] = [];

  constructor(
    private readonly db: SQLite.Database,
    private readonly commits: GroupCommit,
  ) {}

  async init(): Promise<void> {}

  async acquireConnection(): Promise<DatabaseConnection> {
    return this.idle.pop() ?? new Handle(this.db, this.lock, this.commits);
  }

  async beginTransaction(connection: DatabaseConnection): Promise<void> {
    const handle = connection as Handle;
    await this.lock.acquire();
    handle.inTransaction = true;
    try {
      await handle.executeQuery(CompiledQuery.raw('begin'));
    } catch (err) {
      this.end(handle);
      throw err;
    }
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    const handle = connection as Handle;
    // A failed COMMIT leaves the transaction open: Kysely then rolls it back, still holding the lock.
    await handle.executeQuery(CompiledQuery.raw('commit'));
    this.end(handle);
    await this.commits.after();
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    const handle = connection as Handle;
    try {
      // SQLite may already have rolled back on its own (e.g. SQLITE_FULL); ROLLBACK would then fail.
      if (this.db.inTransaction) await handle.executeQuery(CompiledQuery.raw('rollback'));
    } finally {
      this.end(handle);
    }
  }

  async releaseConnection(connection: DatabaseConnection): Promise<void> {
    const handle = connection as Handle;
    if (handle.inTransaction) this.end(handle);
    this.idle.push(handle);
  }

  async destroy(): Promise<void> {
    await this.commits.close();
    this.db.close();
  }

  private end(handle: Handle): void {
    if (!handle.inTransaction) return;
    handle.inTransaction = false;
    this.lock.release();
  }
}

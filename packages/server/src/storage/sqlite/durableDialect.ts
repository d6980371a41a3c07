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
  /**
   * @param commits the group commit writes wait for; none (`synchronous=normal`): a write is answered after COMMIT.
   * @param beforeClose runs before the connection closes (stops the checkpointer thread).
   */
  constructor(
    private readonly database: SQLite.Database,
    private readonly commits?: GroupCommit,
    private readonly beforeClose?: () => Promise<void>,
  ) {
    super({ database });
  }

  override createDriver(): Driver {
    return new DurableSqliteDriver(this.database, this.commits, this.beforeClose);
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
 * which is how a statement is known to be inside the caller's own transaction. Handles are reused, so there are only
 * as many as requests ever ran at once.
 */
class Handle implements DatabaseConnection {
  /** Holds the transaction lock (from before BEGIN until COMMIT or ROLLBACK). */
  inTransaction = false;
  /** BEGIN has run: SQLite's own transaction must still be open for the statements that follow. */
  begun = false;
  /** A statement of this transaction changed something: its COMMIT needs a sync. */
  wrote = false;

  constructor(private readonly driver: DurableSqliteDriver) {}

  async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    return this.driver.execute<R>(this, query);
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
  /** Set when the connection is closing or can no longer be trusted: every statement from outside fails. */
  private refused: Error | undefined;
  /** A ROLLBACK failed: SQLite's transaction stays open, and the lock stays taken for good. */
  private broken = false;

  constructor(
    private readonly db: SQLite.Database,
    private readonly commits: GroupCommit | undefined,
    private readonly beforeClose: (() => Promise<void>) | undefined,
  ) {}

  async init(): Promise<void> {}

  async acquireConnection(): Promise<DatabaseConnection> {
    return this.idle.pop() ?? new Handle(this);
  }

  /** One statement for `handle`: inside its own transaction, or alone (then waiting out anyone else's). */
  async execute<R>(handle: Handle, query: CompiledQuery): Promise<QueryResult<R>> {
    if (handle.inTransaction) {
      // SQLite rolls a transaction back by itself on some errors (SQLITE_FULL, IOERR, NOMEM): the caller's next
      // statements would otherwise run in autocommit, outside the transaction and without a sync.
      if (handle.begun && !this.db.inTransaction) throw new Error('the transaction was rolled back by SQLite');
      const ran = run<R>(this.db, query);
      handle.wrote ||= ran.wrote;
      return ran.result;
    }
    if (this.refused) throw this.refused;
    // Outside a transaction: never inside another caller's open one (it would join it).
    const wait = this.lock.busy;
    if (wait) await this.lock.acquire();
    let ran: { result: QueryResult<R>; wrote: boolean };
    try {
      if (this.refused) throw this.refused;
      ran = run<R>(this.db, query);
    } finally {
      if (wait) this.lock.release();
    }
    if (ran.wrote) await this.commits?.after();
    return ran.result;
  }

  async beginTransaction(connection: DatabaseConnection): Promise<void> {
    const handle = connection as Handle;
    if (this.refused) throw this.refused;
    await this.lock.acquire();
    handle.inTransaction = true;
    handle.wrote = false;
    try {
      if (this.refused) throw this.refused;
      await handle.executeQuery(CompiledQuery.raw('begin'));
      handle.begun = true;
    } catch (err) {
      this.end(handle);
      throw err;
    }
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    const handle = connection as Handle;
    // A failed COMMIT leaves the transaction open: Kysely then rolls it back, still holding the lock.
    await handle.executeQuery(CompiledQuery.raw('commit'));
    const wrote = handle.wrote;
    this.end(handle);
    // A read-only transaction has nothing to make durable.
    if (wrote) await this.commits?.after();
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    const handle = connection as Handle;
    // Kysely also calls this when the sync after a successful COMMIT failed: the lock is gone, and any open
    // transaction now is someone else's.
    if (!handle.inTransaction) return;
    try {
      // SQLite may already have rolled back on its own (e.g. SQLITE_FULL); ROLLBACK would then fail.
      if (this.db.inTransaction) await handle.executeQuery(CompiledQuery.raw('rollback'));
    } catch (err) {
      // The transaction is still open on the one connection: letting anyone else use it would put their statements
      // into it. Refuse everything from now on (the store is unusable; the server exits through onFatal).
      this.refused = new Error('the SQLite connection is unusable after a failed ROLLBACK', { cause: err });
      this.broken = true;
      // The lock stays taken for good; the handle goes back to the pool as an outsider, which is refused.
      handle.inTransaction = false;
      handle.begun = false;
      this.commits?.fail(this.refused);
      throw err;
    } finally {
      if (!this.db.inTransaction) this.end(handle);
    }
  }

  async releaseConnection(connection: DatabaseConnection): Promise<void> {
    const handle = connection as Handle;
    // Kysely always ends its transactions first; a handle given back inside one must not keep the lock.
    if (handle.inTransaction && !this.broken) await this.rollbackTransaction(handle).catch(() => undefined);
    this.idle.push(handle);
  }

  async destroy(): Promise<void> {
    this.refused ??= new Error('the store is closed');
    // Open transactions finish (their statements still run); then every commit made is synced before the file closes.
    if (!this.broken) await this.lock.acquire();
    await this.commits?.close();
    await this.beforeClose?.();
    this.db.close();
  }

  private end(handle: Handle): void {
    if (!handle.inTransaction) return;
    handle.inTransaction = false;
    handle.begun = false;
    this.lock.release();
  }
}

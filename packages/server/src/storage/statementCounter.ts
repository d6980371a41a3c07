/** What one request (or any window) cost the store: see StatementCounter. */
export interface StatementCounts {
  /** SQL statements other than BEGIN / COMMIT / ROLLBACK. */
  statements: number;
  /** Everything sent, BEGIN and COMMIT included: on PostgreSQL each is a network round trip. */
  roundTrips: number;
  /** SELECTs outside a transaction (each its own round trip). */
  reads: number;
  /** Explicit transactions plus writes in autocommit (each a commit, i.e. a disk sync with SQLite synchronous=FULL). */
  writeTransactions: number;
}

export const noStatements = (): StatementCounts => ({ statements: 0, roundTrips: 0, reads: 0, writeTransactions: 0 });

/**
 * Classifies the statements a store reports through StoreOptions.onStatement (bench and tests only). A
 * statement sent between BEGIN and COMMIT is counted as part of that transaction, which is exact on both stores as
 * long as one request runs at a time — how the bench and the test count (under concurrency, an autocommit write is
 * logged after its sync and can fall between another request's BEGIN and COMMIT).
 */
export class StatementCounter {
  private counts = noStatements();
  private inTransaction = false;
  /** The SQL seen since the last take(), for a failing test's message. */
  sql: string[] = [];

  readonly observe = (sql: string): void => {
    const head = sql.trimStart().slice(0, 8).toLowerCase();
    this.sql.push(sql);
    this.counts.roundTrips++;
    if (head.startsWith('begin')) {
      this.inTransaction = true;
      this.counts.writeTransactions++;
      return;
    }
    if (head.startsWith('commit') || head.startsWith('rollback')) {
      this.inTransaction = false;
      return;
    }
    this.counts.statements++;
    if (this.inTransaction) return;
    if (head.startsWith('select')) this.counts.reads++;
    else this.counts.writeTransactions++;
  };

  /** The counts since the last take(); starts a new window. */
  take(): StatementCounts {
    const c = this.counts;
    this.counts = noStatements();
    this.sql = [];
    return c;
  }
}

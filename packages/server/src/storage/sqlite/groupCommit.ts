import { constants, promises as fs } from 'node:fs';
import { dirname } from 'node:path';

/** Makes everything written to a file so far durable (fdatasync, on libuv's thread pool, off the event loop). */
export type SyncFile = (() => Promise<void>) & { close?(): Promise<void> };

/** What a GroupCommit did since it was made: `commits / syncs` is the group size. */
export interface GroupCommitStats {
  commits: number;
  syncs: number;
}

/**
 * Group commit: a commit's promise settles once a disk sync that started after that commit has finished, and every
 * commit that lands while a sync is in flight shares the next one. So one fsync covers as many ceremonies' commits as
 * arrived during the previous one, and the event loop never waits for the disk (the sync runs on libuv's pool).
 *
 * Why an acknowledged write is as durable as with `synchronous=FULL`: SQLite in WAL mode has written a commit's frames
 * (the commit frame last) to the `-wal` file with write(2) before COMMIT returns; `FULL` differs from `NORMAL` in an
 * fsync of that file after each commit, and `after()` is that fsync, shared, awaited before the write is answered.
 * (Unlike `FULL`, other requests can read a commit before its sync has finished; anything they write is synced after
 * it, so no acknowledged write depends on data a power cut could undo.)
 *
 * A failed sync is final: after a writeback error Linux may mark the pages clean, so a later fsync can succeed without
 * the lost frames, and WAL recovery stops at the first bad frame, which would drop every later commit too. Every
 * later `after()` therefore fails, and `onFatal` is told once (the server exits so its supervisor restarts it on the
 * recovered file, as PostgreSQL does after a failed fsync).
 */
export class GroupCommit {
  private committed = 0;
  private synced = 0;
  private inFlight: Promise<void> | undefined;
  private failed: unknown;
  private closed = false;
  readonly stats: GroupCommitStats = { commits: 0, syncs: 0 };

  constructor(
    private readonly sync: SyncFile,
    private readonly onFatal: (err: unknown) => void = () => undefined,
  ) {}

  /**
   * Call right after a commit returned: resolves when it is on disk.
   * @throws the sync's error (e.g. EIO, ENOSPC), now and for every later commit: none of them may be acknowledged.
   */
  async after(): Promise<void> {
    if (this.failed !== undefined) throw this.failed;
    if (this.closed) throw new Error('the store is closed');
    const mine = ++this.committed;
    this.stats.commits++;
    while (this.synced < mine) {
      // A sync in flight may have started before this commit: wait for it, then (if still needed) start the next.
      this.inFlight ??= this.round();
      await this.inFlight;
    }
  }

  /** Marks the store failed (a broken transaction state): every later commit is refused, and onFatal is told. */
  fail(err: unknown): void {
    if (this.failed !== undefined) return;
    this.failed = err;
    this.onFatal(err);
  }

  /** Syncs every commit made so far (unless a sync failed), then releases the file. */
  async close(): Promise<void> {
    while (this.failed === undefined && (this.inFlight || this.synced < this.committed)) {
      this.inFlight ??= this.round();
      await this.inFlight.catch(() => undefined);
    }
    this.closed = true;
    await this.sync.close?.();
  }

  private async round(): Promise<void> {
    // Everything committed up to now is covered by a sync that starts now.
    const covers = this.committed;
    try {
      this.stats.syncs++;
      await this.sync();
      this.synced = Math.max(this.synced, covers);
    } catch (err) {
      this.fail(err);
      throw err;
    } finally {
      this.inFlight = undefined;
    }
  }
}

/**
 * fdatasync of the `-wal` file of SQLite's main database file `dbFile` (the resolved path SQLite reports, not a
 * symlink to it), opened once: SQLite keeps that file while any connection is open, and ours stays open. Its
 * directory is synced once too, so the file's own name survives a power cut.
 */
export function walFileSync(dbFile: string): SyncFile & { close(): Promise<void> } {
  const walPath = `${dbFile}-wal`;
  let handle: Promise<fs.FileHandle> | undefined;
  const open = async (): Promise<fs.FileHandle> => {
    const dir = await fs.open(dirname(walPath), constants.O_RDONLY | constants.O_DIRECTORY);
    try {
      await dir.sync();
    } finally {
      await dir.close();
    }
    return fs.open(walPath, 'r');
  };
  const sync = async (): Promise<void> => {
    handle ??= open().catch((err) => {
      handle = undefined;
      throw err;
    });
    await (await handle).datasync();
  };
  return Object.assign(sync, {
    async close() {
      const h = handle;
      handle = undefined;
      await (await h?.catch(() => undefined))?.close();
    },
  });
}

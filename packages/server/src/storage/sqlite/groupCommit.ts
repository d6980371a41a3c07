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
 * Why this is as durable as `synchronous=FULL`: SQLite in WAL mode has written a commit's frames (the commit frame
 * last) to the `-wal` file with write(2) before COMMIT returns; `synchronous=FULL` differs from `NORMAL` only in an
 * fsync of that file after each commit. `after()` is that fsync, shared, and no answer is sent before it.
 */
export class GroupCommit {
  private committed = 0;
  private synced = 0;
  private inFlight: Promise<void> | undefined;
  readonly stats: GroupCommitStats = { commits: 0, syncs: 0 };

  constructor(private readonly sync: SyncFile) {}

  /**
   * Call right after a commit returned: resolves when it is on disk.
   * @throws the sync's error (e.g. EIO, ENOSPC): the commit may not be durable, so it must not be acknowledged.
   */
  async after(): Promise<void> {
    const mine = ++this.committed;
    this.stats.commits++;
    while (this.synced < mine) {
      // A sync in flight may have started before this commit: wait for it, then (if still needed) start the next.
      this.inFlight ??= this.round();
      await this.inFlight;
    }
  }

  /** Waits for the sync in flight, if any, then releases the file. */
  async close(): Promise<void> {
    while (this.inFlight) await this.inFlight.catch(() => undefined);
    await this.sync.close?.();
  }

  private async round(): Promise<void> {
    // Everything committed up to now is covered by a sync that starts now.
    const covers = this.committed;
    try {
      this.stats.syncs++;
      await this.sync();
      this.synced = Math.max(this.synced, covers);
    } finally {
      this.inFlight = undefined;
    }
  }
}

/**
 * fdatasync of SQLite's `-wal` file, opened once (SQLite keeps the file while any connection is open, and ours stays
 * open); its directory is synced once too, so the file's own name survives a power cut.
 */
export function walFileSync(dbPath: string): SyncFile & { close(): Promise<void> } {
  const walPath = `${dbPath}-wal`;
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

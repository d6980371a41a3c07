/**
 * SQLite group commit (storage/sqlite/groupCommit.ts, durableDialect.ts): no write is answered before a disk sync
 * that started after its commit has finished; commits that arrive during a sync share the next one; transactions on
 * the one connection stay exclusive; a failed sync fails the writes it was to cover. On a real SQLite file with the
 * real fdatasync of its WAL.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { GroupCommit, walFileSync, type SyncFile } from '../src/storage/sqlite/groupCommit.js';
import { DurableSqliteDialect } from '../src/storage/sqlite/durableDialect.js';

function deferred() {
  let resolve!: () => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<void>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
}

/** A sync the test finishes by hand: `calls[i]` is the i-th sync started. */
function manualSync() {
  const calls: ReturnType<typeof deferred>[] = [];
  const sync: SyncFile = () => {
    const d = deferred();
    calls.push(d);
    return d.promise;
  };
  return { sync, calls };
}

const tick = () => new Promise((r) => setImmediate(r));

describe('GroupCommit', () => {
  it('a commit made while a sync is in flight waits for the next sync, not that one', async () => {
    const { sync, calls } = manualSync();
    const gc = new GroupCommit(sync);
    let aDone = false;
    let bDone = false;
    const a = gc.after().then(() => (aDone = true));
    await tick();
    expect(calls).toHaveLength(1);
    const b = gc.after().then(() => (bDone = true));
    calls[0]!.resolve();
    await a;
    await tick();
    expect(aDone).toBe(true);
    expect(bDone).toBe(false);
    expect(calls).toHaveLength(2);
    calls[1]!.resolve();
    await b;
    expect(gc.stats).toEqual({ commits: 2, syncs: 2 });
  });

  it('50 commits that arrive during one sync share the next one', async () => {
    const { sync, calls } = manualSync();
    const gc = new GroupCommit(sync);
    const first = gc.after();
    await tick();
    const rest = Array.from({ length: 50 }, () => gc.after());
    calls[0]!.resolve();
    await first;
    await tick();
    expect(calls).toHaveLength(2);
    calls[1]!.resolve();
    await Promise.all(rest);
    expect(gc.stats).toEqual({ commits: 51, syncs: 2 });
  });

  it('a failed sync fails the commits it was to cover; the next commit gets a new sync', async () => {
    const { sync, calls } = manualSync();
    const gc = new GroupCommit(sync);
    const a = gc.after();
    const b = gc.after();
    await tick();
    calls[0]!.reject(Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' }));
    await expect(a).rejects.toThrow('EIO');
    await expect(b).rejects.toThrow('EIO');
    const c = gc.after();
    await tick();
    expect(calls).toHaveLength(2);
    calls[1]!.resolve();
    await c;
  });
});

interface Db {
  t: { id: number; v: string };
  counter: { id: number; n: number };
}

describe('DurableSqliteDialect on a real file', () => {
  let dir: string;
  const open: { db: Kysely<Db>; raw: SQLite.Database }[] = [];
  afterEach(async () => {
    for (const o of open.splice(0)) await o.db.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  /** A database whose sync records, for each finished fdatasync of the WAL, the row ids committed before it began. */
  async function setup(opts: { failNext?: () => boolean } = {}) {
    dir = mkdtempSync(join(tmpdir(), 'latchkey-gc-'));
    const file = join(dir, 'g.db');
    const raw = new SQLite(file);
    raw.pragma('journal_mode = WAL');
    raw.pragma('synchronous = NORMAL');
    raw.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL); CREATE TABLE counter (id INTEGER PRIMARY KEY, n INTEGER NOT NULL)');
    raw.exec('INSERT INTO counter VALUES (1, 0)');
    // A second connection sees every committed row, durable or not: what a sync starting now will cover.
    const observer = new SQLite(file, { readonly: true });
    const durable = new Set<number>();
    const real = walFileSync(file);
    const sync: SyncFile = Object.assign(
      async () => {
        if (opts.failNext?.()) throw Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' });
        const covered = (observer.prepare('SELECT id FROM t').all() as { id: number }[]).map((r) => r.id);
        await real();
        for (const id of covered) durable.add(id);
      },
      { close: async () => (await real.close(), observer.close()) },
    );
    const commits = new GroupCommit(sync);
    const db = new Kysely<Db>({ dialect: new DurableSqliteDialect(raw, commits) });
    open.push({ db, raw });
    return { db, raw, commits, durable, file };
  }

  it('100 parallel writes (50 transactions, 50 autocommit): each answered after a sync covering it; fewer syncs than commits', async () => {
    const { db, commits, durable, file } = await setup();
    const early: number[] = [];
    const writes = Array.from({ length: 100 }, async (_, i) => {
      const id = i + 1;
      if (i % 2)
        await db.transaction().execute(async (trx) => {
          await trx
            .insertInto('t')
            .values({ id, v: `tx${i}` })
            .execute();
          await trx.selectFrom('t').select('id').where('id', '=', id).executeTakeFirstOrThrow();
        });
      else
        await db
          .insertInto('t')
          .values({ id, v: `auto${i}` })
          .execute();
      if (!durable.has(id)) early.push(id);
    });
    await Promise.all(writes);
    expect(early, 'writes answered before a sync covered them').toEqual([]);
    expect(commits.stats.commits).toBe(100);
    expect(commits.stats.syncs).toBeGreaterThan(0);
    expect(commits.stats.syncs).toBeLessThan(100);
    expect(statSync(`${file}-wal`).size).toBeGreaterThan(0);
  });

  it('reads wait for no sync; 50 read-modify-write transactions stay exclusive', async () => {
    const { db, commits } = await setup();
    await Promise.all(
      Array.from({ length: 50 }, () =>
        db.transaction().execute(async (trx) => {
          const { n } = await trx.selectFrom('counter').select('n').where('id', '=', 1).executeTakeFirstOrThrow();
          await tick();
          await trx
            .updateTable('counter')
            .set({ n: n + 1 })
            .where('id', '=', 1)
            .execute();
        }),
      ),
    );
    const before = commits.stats.commits;
    expect((await db.selectFrom('counter').select('n').executeTakeFirstOrThrow()).n).toBe(50);
    expect(commits.stats.commits).toBe(before);
  });

  it("a statement outside a transaction never joins another caller's open one (rolled back without it)", async () => {
    const { db } = await setup();
    const opened = deferred();
    const txn = db.transaction().execute(async (trx) => {
      await trx.insertInto('t').values({ id: 1, v: 'rolled back' }).execute();
      opened.resolve();
      await new Promise((r) => setTimeout(r, 30));
      throw new Error('abort');
    });
    await opened.promise;
    const outside = db.insertInto('t').values({ id: 2, v: 'kept' }).execute();
    await expect(txn).rejects.toThrow('abort');
    await outside;
    expect(await db.selectFrom('t').select(['id', 'v']).execute()).toEqual([{ id: 2, v: 'kept' }]);
    // The lock was released by the rollback: a later transaction runs.
    await db.transaction().execute((trx) => trx.insertInto('t').values({ id: 3, v: 'after' }).execute());
    expect((await sql<{ c: number }>`SELECT count(*) AS c FROM t`.execute(db)).rows[0]!.c).toBe(2);
  });

  it('a failed sync fails the write (not acknowledged); the next write is synced and answered', async () => {
    let fail = true;
    const { db } = await setup({ failNext: () => (fail ? ((fail = false), true) : false) });
    await expect(db.insertInto('t').values({ id: 1, v: 'x' }).execute()).rejects.toThrow('EIO');
    await db.insertInto('t').values({ id: 2, v: 'y' }).execute();
  });
});

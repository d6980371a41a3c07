/**
 * SQLite group commit (storage/sqlite/groupCommit.ts, durableDialect.ts): no write is answered before a disk sync
 * that started after its commit has finished; commits that arrive during a sync share the next one; transactions on
 * the one connection stay exclusive; a failed sync fails the writes it was to cover. On a real SQLite file with the
 * real fdatasync of its WAL.
 */
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
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

  it('a failed sync fails the commits it covered and every later one, with no new sync; onFatal is told once', async () => {
    const { sync, calls } = manualSync();
    const fatal: unknown[] = [];
    const gc = new GroupCommit(sync, (err) => fatal.push(err));
    const a = gc.after();
    const b = gc.after();
    await tick();
    calls[0]!.reject(Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' }));
    await expect(a).rejects.toThrow('EIO');
    await expect(b).rejects.toThrow('EIO');
    // After a writeback error a later fsync may succeed without the lost pages: nothing more is acknowledged.
    await expect(gc.after()).rejects.toThrow('EIO');
    await tick();
    expect(calls).toHaveLength(1);
    expect(fatal).toHaveLength(1);
  });

  it('close() syncs every commit made so far before it releases the file', async () => {
    const { sync, calls } = manualSync();
    const gc = new GroupCommit(sync);
    const a = gc.after();
    await tick();
    const b = gc.after();
    let closed = false;
    const c = gc.close().then(() => (closed = true));
    calls[0]!.resolve();
    await a;
    await tick();
    expect(closed).toBe(false);
    expect(calls).toHaveLength(2);
    calls[1]!.resolve();
    await Promise.all([b, c]);
    await expect(gc.after()).rejects.toThrow('closed');
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

  /** A new WAL database file with the two test tables, as the store opens SQLite (synchronous=NORMAL). */
  function freshDatabase(): { raw: SQLite.Database; file: string } {
    dir = mkdtempSync(join(tmpdir(), 'latchkey-gc-'));
    const file = join(dir, 'g.db');
    const raw = new SQLite(file);
    raw.pragma('journal_mode = WAL');
    raw.pragma('synchronous = NORMAL');
    raw.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL); CREATE TABLE counter (id INTEGER PRIMARY KEY, n INTEGER NOT NULL)');
    return { raw, file };
  }

  /** A database whose sync records, for each finished fdatasync of the WAL, the row ids committed before it began. */
  async function setup(opts: { failNext?: () => boolean } = {}) {
    const { raw, file } = freshDatabase();
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
    const fatal: unknown[] = [];
    const commits = new GroupCommit(sync, (err) => fatal.push(err));
    const db = new Kysely<Db>({ dialect: new DurableSqliteDialect(raw, commits) });
    open.push({ db, raw });
    return { db, raw, commits, durable, file, fatal };
  }

  it('100 parallel writes (50 transactions, 50 autocommit): each answered after a sync covering it; fewer syncs than commits', async () => {
    const { db, commits, durable, file } = await setup();
    const early: number[] = [];
    // Seeds for the UPDATE/DELETE … RETURNING writes below: their own row ids (1001+), synced before the count starts.
    await db
      .insertInto('t')
      .values(Array.from({ length: 50 }, (_, i) => ({ id: 1001 + i, v: 'seed' })))
      .execute();
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
      else if (i % 4 === 0)
        await db
          .insertInto('t')
          .values({ id, v: `auto${i}` })
          .returning('id')
          .executeTakeFirstOrThrow();
      else {
        // A consumption as the store does it (UPDATE … RETURNING, then the row's insert): a reader that writes.
        const seed = 1001 + (i >> 1);
        await db.updateTable('t').set({ v: 'used' }).where('id', '=', seed).returning('id').executeTakeFirstOrThrow();
        if (!durable.has(seed)) early.push(seed);
        await db
          .insertInto('t')
          .values({ id, v: `auto${i}` })
          .execute();
      }
      if (!durable.has(id)) early.push(id);
    });
    await Promise.all(writes);
    expect(early, 'writes answered before a sync covered them').toEqual([]);
    expect(commits.stats.commits).toBe(1 + 100 + 25);
    expect(commits.stats.syncs).toBeGreaterThan(0);
    expect(commits.stats.syncs).toBeLessThan(100);
    // A read-only transaction has nothing to sync.
    await db.transaction().execute((trx) => trx.selectFrom('t').select('id').execute());
    expect(commits.stats.commits).toBe(126);
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

  it('a failed sync fails the write and every later one (the store reports it once); nothing more is acknowledged', async () => {
    let fail = true;
    const { db, fatal } = await setup({ failNext: () => (fail ? ((fail = false), true) : false) });
    await expect(db.insertInto('t').values({ id: 1, v: 'x' }).execute()).rejects.toThrow('EIO');
    await expect(db.insertInto('t').values({ id: 2, v: 'y' }).execute()).rejects.toThrow('EIO');
    await expect(db.transaction().execute((trx) => trx.insertInto('t').values({ id: 3, v: 'z' }).execute())).rejects.toThrow('EIO');
    expect(fatal).toHaveLength(1);
  });

  it('a ROLLBACK that fails leaves the store refusing every statement instead of running them inside the open transaction', async () => {
    const { db, raw, file, fatal } = await setup();
    const prepare = raw.prepare.bind(raw);
    let failRollback = true;
    (raw as { prepare: (s: string) => SQLite.Statement }).prepare = (s: string) => {
      if (s === 'rollback' && failRollback) {
        failRollback = false;
        throw Object.assign(new Error('disk I/O error'), { code: 'SQLITE_IOERR' });
      }
      return prepare(s);
    };
    const txn = db.transaction().execute(async (trx) => {
      await trx.insertInto('t').values({ id: 1, v: 'x' }).execute();
      throw new Error('abort');
    });
    await expect(txn).rejects.toThrow();
    expect(raw.inTransaction).toBe(true);
    await expect(db.insertInto('t').values({ id: 2, v: 'y' }).execute()).rejects.toThrow('unusable');
    await expect(db.transaction().execute(async () => undefined)).rejects.toThrow('unusable');
    expect(fatal).toHaveLength(1);
    const other = new SQLite(file, { readonly: true });
    expect(other.prepare('SELECT id FROM t').all()).toEqual([]);
    other.close();
    raw.exec('ROLLBACK');
  });

  it('destroy() while a commit waits for its sync: the sync finishes and the write is answered before the file closes', async () => {
    const { raw } = freshDatabase();
    const { sync, calls } = manualSync();
    const commits = new GroupCommit(sync);
    const db = new Kysely<Db>({ dialect: new DurableSqliteDialect(raw, commits) });
    const w = db.insertInto('t').values({ id: 1, v: 'a' }).execute();
    while (calls.length === 0) await tick();
    let destroyed = false;
    const d = db.destroy().then(() => (destroyed = true));
    await tick();
    expect(destroyed).toBe(false);
    expect(raw.open).toBe(true);
    calls[0]!.resolve();
    await w;
    await d;
    expect(raw.open).toBe(false);
    await expect(db.insertInto('t').values({ id: 2, v: 'b' }).execute()).rejects.toThrow();
  });

  it('a simulated power cut: the disk as it was when the last finished sync began holds every acknowledged write', async () => {
    const { raw, file } = freshDatabase();
    // What a sync makes durable is at most what was written when it began: copy the files then, keep the copy of the
    // last sync that finished. A power cut at any moment leaves at least that on disk.
    let round = 0;
    let lastDurable: string | undefined;
    const real = walFileSync(file);
    const sync: SyncFile = Object.assign(
      async () => {
        const snap = join(dir, `snap-${++round}`);
        mkdirSync(snap);
        for (const f of ['g.db', 'g.db-wal']) if (existsSync(join(dir, f))) copyFileSync(join(dir, f), join(snap, f));
        await real();
        lastDurable = snap;
      },
      { close: () => real.close() },
    );
    const db = new Kysely<Db>({ dialect: new DurableSqliteDialect(raw, new GroupCommit(sync)) });
    open.push({ db, raw });
    // Each write with the disk as a power cut at the moment of its answer would leave it.
    const acked: { id: number; disk: string | undefined }[] = [];
    await Promise.all(
      Array.from({ length: 60 }, async (_, i) => {
        await new Promise((r) => setTimeout(r, i % 7));
        if (i % 2) await db.insertInto('t').values({ id: i, v: 'auto' }).execute();
        else await db.transaction().execute((trx) => trx.insertInto('t').values({ id: i, v: 'tx' }).execute());
        acked.push({ id: i, disk: lastDurable });
      }),
    );
    expect(round).toBeGreaterThan(1);
    const lost: number[] = [];
    for (const disk of new Set(acked.map((a) => a.disk))) {
      const kept = new Set<number>();
      if (disk) {
        const copy = new SQLite(join(disk, 'g.db'), { readonly: true });
        for (const r of copy.prepare('SELECT id FROM t').all() as { id: number }[]) kept.add(r.id);
        copy.close();
      }
      lost.push(...acked.filter((a) => a.disk === disk && !kept.has(a.id)).map((a) => a.id));
    }
    expect(lost, 'acknowledged writes a power cut at their answer would lose').toEqual([]);
  });
});

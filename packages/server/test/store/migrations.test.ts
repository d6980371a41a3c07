/** The Store contract (storage/store.ts): migrations and openStore, on both dialects (setup: ./setup.ts). */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/storage/open.js';
import type { Store } from '../../src/storage/store.js';
import { adminQuery, dialects, migrationNames, NOW, OPEN_TS, PG_URL, rand, runChild, settle, useStore } from './setup.js';

for (const dialect of dialects) {
  describe(dialect, () => {
    const ctx = useStore(dialect);
    const { newPool } = ctx;
    let store: Store;
    beforeAll(() => {
      store = ctx.store;
    });

    it('are idempotent: a second openStore on the same database while the first is open sees the same data', async () => {
      const poolId = await newPool({ marker: true });
      const again = await ctx.reopen();
      try {
        expect((await again.getPool(poolId))?.config).toEqual({ marker: true });
        await again.createPool({ id: `local_${rand(4)}x`, name: 'from-second', config: {}, createdAt: NOW, updatedAt: NOW });
      } finally {
        await again.close();
      }
      expect((await store.listPools(1000)).map((p) => p.name)).toContain('from-second');
    });

    it('are idempotent: close and reopen a fresh directory / schema, the data survives and every migration ran once', async () => {
      const check = async (opts: Parameters<typeof openStore>[0]) => {
        const first = await openStore(opts);
        await first.createPool({ id: 'local_reopen001', name: 'r', config: {}, createdAt: NOW, updatedAt: NOW });
        await first.close();
        for (let i = 0; i < 2; i++) {
          const next = await openStore(opts);
          try {
            expect((await next.getPool('local_reopen001'))?.name).toBe('r');
          } finally {
            await next.close();
          }
        }
      };
      if (dialect === 'sqlite') {
        const dir = mkdtempSync(join(tmpdir(), 'latchkey-store-reopen-'));
        try {
          await check({ dataDir: dir });
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      } else {
        const schema = ctx.freshSchema();
        await check({ databaseUrl: PG_URL, schema });
        const migrations = await adminQuery(`SELECT name FROM ${schema}.kysely_migration`);
        expect(migrations.rows.map((r: { name: string }) => r.name).sort()).toEqual(await migrationNames());
      }
    });

    it.runIf(dialect === 'postgres')('concurrent openStore calls (3) on one fresh PostgreSQL schema all succeed', async () => {
      const schema = ctx.freshSchema();
      const results = await Promise.all([1, 2, 3].map(() => settle(openStore({ databaseUrl: PG_URL, schema }))));
      const opened = results.filter((r) => r.ok).map((r) => (r as { value: Store }).value);
      try {
        expect(results.filter((r) => !r.ok).map((r) => String((r as { error: unknown }).error))).toEqual([]);
        await opened[0]!.createPool({ id: 'local_concurr01', name: 'c', config: {}, createdAt: NOW, updatedAt: NOW });
        for (const s of opened) expect((await s.getPool('local_concurr01'))?.name).toBe('c');
        const migrations = await adminQuery(`SELECT name FROM ${schema}.kysely_migration`);
        expect(migrations.rows.map((r: { name: string }) => r.name).sort()).toEqual(await migrationNames());
      } finally {
        for (const s of opened) await s.close();
      }
    });

    // openStore in a child process: its open sockets can be counted there, and a leaked pool could
    // not keep this test process alive.
    describe.runIf(dialect === 'postgres')('openStore failures and neighbours', () => {
      let out: { conflictError: string; socketsAfterFailure: number; second: string };
      beforeAll(async () => {
        const occupied = ctx.freshSchema();
        await adminQuery(`CREATE SCHEMA ${occupied}; CREATE TABLE ${occupied}.meta (key text)`);
        out = await runChild<typeof out>(
          `
          import { openStore } from ${JSON.stringify(OPEN_TS)};
          const url = ${JSON.stringify(PG_URL)};
          const sockets = () => process.getActiveResourcesInfo().filter((r) => r === 'TCPSocketWrap').length;
          const out = {};
          // A migration that fails (a table it creates is already there).
          try { await openStore({ databaseUrl: url, schema: ${JSON.stringify(occupied)} }); out.conflictError = 'opened'; }
          catch (e) { out.conflictError = String(e && e.message); }
          // Closed sockets leave the handle list shortly after; a leaked pool keeps its idle ones for 10 s
          // (pg's idleTimeoutMillis), so a bounded poll of 3 s still tells the two apart.
          for (const end = Date.now() + 3000; sockets() > 0 && Date.now() < end; ) await new Promise((r) => setTimeout(r, 20));
          out.socketsAfterFailure = sockets();
          // Two fresh schemas, one after the other, in a database where other schemas are migrated.
          const first = await openStore({ databaseUrl: url, schema: ${JSON.stringify(ctx.freshSchema())} });
          try {
            const second = await openStore({ databaseUrl: url, schema: ${JSON.stringify(ctx.freshSchema())} });
            out.second = 'opened';
            await second.close();
          } catch (e) { out.second = String(e && e.message); }
          await first.close();
          console.log(JSON.stringify(out));
          process.exit(0);
        `,
          {},
        );
      });

      it('a failing migration is reported as an Error naming it', () => {
        expect(out.conflictError).toMatch(/^migration 0001_initial failed: .*already exists/);
      });

      // Regression: Kysely's Migrator looks for its tables in every schema unless given
      // `migrationTableSchema`, and then skipped creating them in a fresh schema ("migration ? failed:
      // relation "kysely_migration_lock" does not exist"), so two servers could not share a database.
      it('a fresh schema next to already migrated ones opens', () => {
        expect(out.second).toBe('opened');
      });

      // Regression: a failed migration used to leave the Kysely instance (its pg.Pool) open.
      it('a failed openStore releases its database connections', () => {
        expect(out.socketsAfterFailure).toBe(0);
      });
    });
  });
}

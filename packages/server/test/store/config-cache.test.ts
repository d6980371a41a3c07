/**
 * The per-process pool / app-client cache (storage/kysely/configCache.ts) on both dialects: cache hits cost no
 * statement, and every pool, client and signing-key write on one store instance reaches another instance on the
 * same database within 1 s (two openStore() on one SQLite file / PostgreSQL schema, as two processes would be).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/storage/open.js';
import type { Store } from '../../src/storage/store.js';
import { StatementCounter } from '../../src/storage/statementCounter.js';
import { FIXED } from '../../src/config/defaults.js';
import { adminQuery, dialects, NOW, PG_URL, rand } from './setup.js';

/** Polls `read` until `ok` holds; the milliseconds it took (fails past 1 s: the bound the cache promises). */
async function within1s<T>(read: () => Promise<T>, ok: (v: T) => boolean): Promise<number> {
  const t0 = Date.now();
  for (;;) {
    if (ok(await read())) return Date.now() - t0;
    if (Date.now() - t0 > 1000) throw new Error('not visible within 1 s');
    await new Promise((r) => setTimeout(r, 10));
  }
}

for (const dialect of dialects) {
  describe(dialect, () => {
    const counter = new StatementCounter();
    let a: Store;
    let b: Store;
    let dir: string;
    const schema = `sc_cache_${rand(4)}`;
    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'latchkey-cache-'));
      const where = dialect === 'sqlite' ? { dataDir: dir } : { databaseUrl: PG_URL, schema };
      a = await openStore(where);
      b = await openStore({ ...where, onStatement: counter.observe });
    });
    afterAll(async () => {
      await a?.close();
      await b?.close();
      rmSync(dir, { recursive: true, force: true });
      if (dialect === 'postgres') await adminQuery(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    });

    const newPool = async () => {
      const id = `us-east-1_${rand(5)}`;
      await a.createPool({ id, name: `p-${id}`, config: { MfaConfiguration: 'OFF' }, createdAt: NOW, updatedAt: NOW });
      return id;
    };

    it('a cached pool or client costs no statement; each caller gets its own copy', async () => {
      const id = await newPool();
      await a.createClient({ id: `c${rand(8)}`, poolId: id, name: 'c', config: {}, createdAt: NOW, updatedAt: NOW });
      await b.getPool(id);
      counter.take();
      const p1 = (await b.getPool(id))!;
      const p2 = (await b.getPool(id))!;
      expect(counter.take().statements).toBe(0);
      (p1.config as Record<string, unknown>).MfaConfiguration = 'ON';
      expect(p2.config).toEqual({ MfaConfiguration: 'OFF' });
      expect((await b.getPool(id))!.config).toEqual({ MfaConfiguration: 'OFF' });
      // Past the re-check interval, one read of the version row and nothing else while nothing changed.
      await new Promise((r) => setTimeout(r, FIXED.configRecheckMs.default + 20));
      counter.take();
      await b.getPool(id);
      expect(counter.take()).toMatchObject({ statements: 1, reads: 1 });
    });

    it('pool writes on one instance are seen by the other within 1 s; a local write at once', async () => {
      const id = await newPool();
      expect((await b.getPool(id))!.name).toBe(`p-${id}`);
      expect(await a.updatePool(id, { MfaConfiguration: 'OPTIONAL' }, NOW + 1, 'renamed')).toBe(true);
      await within1s(
        () => b.getPool(id),
        (p) => p?.name === 'renamed' && p.config.MfaConfiguration === 'OPTIONAL',
      );
      expect(await b.updatePool(id, { MfaConfiguration: 'ON' }, NOW + 2)).toBe(true);
      expect((await b.getPool(id))!.config).toEqual({ MfaConfiguration: 'ON' });
      expect(await a.deletePool(id)).toBe(true);
      await within1s(
        () => b.getPool(id),
        (p) => p === undefined,
      );
      // An id looked up before it existed (cached as missing) appears once created elsewhere.
      const later = `us-east-1_${rand(5)}`;
      expect(await b.getPool(later)).toBeUndefined();
      await a.createPool({ id: later, name: 'later', config: {}, createdAt: NOW, updatedAt: NOW });
      await within1s(
        () => b.getPool(later),
        (p) => p?.name === 'later',
      );
    });

    it('client create, update and delete on one instance are seen by the other within 1 s', async () => {
      const poolId = await newPool();
      const id = `c${rand(8)}`;
      expect(await b.getClient(id)).toBeUndefined();
      await a.createClient({ id, poolId, name: 'one', config: { ExplicitAuthFlows: ['ALLOW_USER_AUTH'] }, createdAt: NOW, updatedAt: NOW });
      await within1s(
        () => b.getClient(id),
        (c) => c?.name === 'one',
      );
      expect(await a.updateClient(id, 'two', { ExplicitAuthFlows: [] }, NOW + 1)).toBe(true);
      await within1s(
        () => b.getClient(id),
        (c) => c?.name === 'two' && (c.config.ExplicitAuthFlows as string[]).length === 0,
      );
      expect(await a.deleteClient(poolId, id)).toBe(true);
      await within1s(
        () => b.getClient(id),
        (c) => c === undefined,
      );
    });

    it('a write made outside the store (SQL by an operator or an older release) reaches the cache within 1 s', async () => {
      const id = await newPool();
      expect((await b.getPool(id))!.name).toBe(`p-${id}`);
      if (dialect === 'sqlite') {
        const raw = new SQLite(join(dir, 'latchkey.db'));
        raw.prepare("UPDATE pools SET name = 'by sql' WHERE id = ?").run(id);
        raw.close();
      } else await adminQuery(`UPDATE ${schema}.pools SET name = 'by sql' WHERE id = '${id}'`);
      await within1s(
        () => b.getPool(id),
        (p) => p?.name === 'by sql',
      );
    });

    it('a signing-key rotation bumps the version too (the other instance drops its cached records)', async () => {
      const id = await newPool();
      await b.getPool(id);
      await new Promise((r) => setTimeout(r, FIXED.configRecheckMs.default + 20));
      const key = {
        poolId: id,
        alg: 'RS256' as const,
        createdAt: NOW,
        retiredAt: null,
        expiresAt: null,
        privateKeyEnc: 'x',
        publicJwk: {},
      };
      await a.rotateSigningKey({ ...key, kid: `k${rand(8)}` }, NOW, NOW + 1000);
      counter.take();
      await b.getPool(id);
      // The version row, then the pool row again: the cache was dropped.
      expect(counter.take()).toMatchObject({ statements: 2, reads: 2 });
    });

    it('under concurrent reads on one instance, the last of many writes on the other is seen within 1 s', async () => {
      const id = await newPool();
      let stop = false;
      const readers = Array.from({ length: 8 }, async () => {
        // Cache hits complete in microtasks: yield to timers between reads.
        while (!stop) {
          await b.getPool(id);
          await new Promise((r) => setImmediate(r));
        }
      });
      for (let i = 1; i <= 20; i++) {
        await a.updatePool(id, { MfaConfiguration: 'OFF', n: i } as never, NOW + i);
        await new Promise((r) => setTimeout(r, 5));
      }
      await within1s(
        () => b.getPool(id),
        (p) => (p?.config as { n?: number }).n === 20,
      );
      stop = true;
      await Promise.all(readers);
    });
  });
}

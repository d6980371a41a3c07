/**
 * The Store contract (storage/store.ts), against both dialects through openStore(): every method's
 * documented atomicity under concurrent callers, conflicts, cascades, keyset paging and migrations.
 *
 * On PostgreSQL, concurrent callers are spread over two Store instances (two connection pools) on
 * the same schema, as two server instances would be. On SQLite one Store is one connection, so the
 * callers interleave at every await on that connection.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { randomBytes, randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { normalizePgUrl, openStore } from '../src/storage/open.js';
import { migrationProvider } from '../src/storage/migrations/index.js';
import {
  StoreConflictError,
  type ChallengeRecord,
  type PasskeyRecord,
  type Store,
  type UserFilter,
  type UserRecord,
} from '../src/storage/store.js';

type Dialect = 'sqlite' | 'postgres';
const DIALECTS: Dialect[] = ['sqlite', 'postgres'];

const PG_URL = process.env.DATABASE_URL ?? 'postgres://127.0.0.1:5432/test';

/** Every migration the code knows, each of which must have run exactly once. */
const migrationNames = async () => Object.keys(await migrationProvider('postgres').getMigrations()).sort();

async function adminQuery(sql: string) {
  const c = new pg.Client({ connectionString: normalizePgUrl(PG_URL) });
  await c.connect();
  try {
    return await c.query(sql);
  } finally {
    await c.end();
  }
}

const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const OPEN_TS = fileURLToPath(new URL('../src/storage/open.ts', import.meta.url));

/** Runs an ES module snippet in a fresh Node process (TypeScript sources through tsx); parses its last stdout line. */
async function runChild<T>(code: string, env: Record<string, string>): Promise<T> {
  const { stdout } = await execFileAsync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...env },
    timeout: 60_000,
  });
  return JSON.parse(stdout.trim().split('\n').pop()!) as T;
}

const execFileAsync = promisify(execFile);
const rand = (n = 6) => randomBytes(n).toString('hex');
/** Every PostgreSQL schema this file creates (`sc_<random>`), dropped at the end. */
const schemas = new Set<string>();
const freshSchema = () => {
  const name = `sc_${rand(6)}`;
  schemas.add(name);
  return name;
};

afterAll(async () => {
  if (!DIALECTS.includes('postgres')) return;
  for (const name of schemas) await adminQuery(`DROP SCHEMA IF EXISTS ${name} CASCADE`);
});

interface Ctx {
  /** The store under test. */
  store: Store;
  /** A second instance on the same database (PostgreSQL) or the same store (SQLite). */
  other: Store;
  /** Alternates between the two, for concurrent callers. */
  pick(i: number): Store;
  /** Another openStore() on the same directory / schema (migrations run again). */
  reopen(): Promise<Store>;
  close(): Promise<void>;
}

async function openCtx(dialect: Dialect): Promise<Ctx> {
  if (dialect === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'latchkey-store-'));
    const store = await openStore({ dataDir: dir });
    return {
      store,
      other: store,
      pick: () => store,
      reopen: () => openStore({ dataDir: dir }),
      async close() {
        await store.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const schema = freshSchema();
  const store = await openStore({ databaseUrl: PG_URL, schema });
  const other = await openStore({ databaseUrl: PG_URL, schema });
  return {
    store,
    other,
    pick: (i) => (i % 2 === 0 ? store : other),
    reopen: () => openStore({ databaseUrl: PG_URL, schema }),
    async close() {
      await store.close();
      await other.close();
      await adminQuery(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    },
  };
}

const NOW = 1_750_000_000_000;

function userRecord(poolId: string, username: string, extra: Partial<UserRecord> = {}): UserRecord {
  return {
    poolId,
    id: randomUUID(),
    username,
    usernameKey: username.toLowerCase(),
    emailKey: null,
    status: 'CONFIRMED',
    enabled: true,
    attributes: {},
    srpSalt: null,
    srpVerifier: null,
    passwordSetAt: 0,
    passkeyCount: 0,
    tokensValidAfter: 0,
    createdAt: NOW,
    updatedAt: NOW,
    ...extra,
  };
}

function passkeyRecord(poolId: string, userId: string, credentialId: string, extra: Partial<PasskeyRecord> = {}): PasskeyRecord {
  return {
    poolId,
    userId,
    credentialId,
    publicKey: new Uint8Array(randomBytes(77)),
    algorithm: -7,
    signCount: 0,
    transports: ['internal', 'hybrid'],
    attachment: 'platform',
    aaguid: 'fbfc3007-154e-4ecc-8c0b-6e020557d7bd',
    backupEligible: true,
    backupState: true,
    userVerified: true,
    fmt: 'none',
    friendlyName: 'My passkey',
    relyingPartyId: 'example.com',
    createdAt: NOW,
    lastUsedAt: null,
    cloneWarnings: 0,
    ...extra,
  };
}

/** Rejection reason, or undefined when the promise fulfilled. */
const settle = <T>(p: Promise<T>) =>
  p.then(
    (value) => ({ ok: true as const, value }),
    (error: unknown) => ({ ok: false as const, error }),
  );

describe.each(DIALECTS)('Store contract (%s)', (dialect) => {
  let ctx: Ctx;
  let store: Store;

  beforeAll(async () => {
    ctx = await openCtx(dialect);
    store = ctx.store;
  });
  afterAll(async () => {
    await ctx?.close();
  });

  async function newPool(config: Record<string, unknown> = {}) {
    const id = `local_${randomBytes(9).toString('base64url').replace(/[-_]/g, 'x').slice(0, 9)}`;
    await store.createPool({ id, name: `pool-${id}`, config, createdAt: NOW, updatedAt: NOW });
    return id;
  }
  async function newUser(poolId: string, username = `user-${rand(4)}`, extra: Partial<UserRecord> = {}) {
    const u = userRecord(poolId, username, extra);
    await store.createUser(u);
    return u;
  }
  async function newClient(poolId: string) {
    const id = rand(13);
    await store.createClient({ id, poolId, name: 'client', config: {}, createdAt: NOW, updatedAt: NOW });
    return id;
  }

  it('reports its dialect', () => {
    expect(store.dialect).toBe(dialect);
  });

  describe('meta', () => {
    it('getOrPutMeta: 10 concurrent callers with different values all get the one stored value', async () => {
      const key = `race-${rand()}`;
      const values = Array.from({ length: 10 }, (_, i) => `value-${i}`);
      const results = await Promise.all(values.map((v, i) => ctx.pick(i).getOrPutMeta(key, v)));
      expect(new Set(results).size).toBe(1);
      expect(values).toContain(results[0]);
      expect(await store.getMeta(key)).toBe(results[0]);
      expect(await ctx.other.getMeta(key)).toBe(results[0]);
      expect(await store.getOrPutMeta(key, 'later')).toBe(results[0]);
      expect(await store.getMeta(`absent-${rand()}`)).toBeUndefined();
    });
  });

  describe('pools and clients', () => {
    it('createPool conflicts on the id; getPool / updatePool / listPools', async () => {
      const id = await newPool({ UsernameAttributes: ['email'] });
      const err = await store.createPool({ id, name: 'dup', config: {}, createdAt: NOW, updatedAt: NOW }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(StoreConflictError);
      expect((err as StoreConflictError).key).toBe('pool');
      expect(await store.getPool(id)).toEqual({
        id,
        name: `pool-${id}`,
        config: { UsernameAttributes: ['email'] },
        createdAt: NOW,
        updatedAt: NOW,
      });
      expect(await store.updatePool(id, { MfaConfiguration: 'OFF' }, NOW + 5)).toBe(true);
      expect(await store.getPool(id)).toMatchObject({ config: { MfaConfiguration: 'OFF' }, updatedAt: NOW + 5, createdAt: NOW });
      expect(await store.updatePool('local_nothere00', {}, NOW)).toBe(false);
      const all = await store.listPools(1000);
      const ids = all.map((p) => p.id);
      expect(ids).toContain(id);
      expect([...ids].sort()).toEqual(ids);
      const paged: string[] = [];
      let after: string | undefined;
      for (;;) {
        const page = await store.listPools(2, after);
        paged.push(...page.map((p) => p.id));
        if (page.length < 2) break;
        after = page[page.length - 1]!.id;
      }
      expect(paged).toEqual(ids);
    });

    it('clients: create conflict, get, update, list scoped and paged by id, delete', async () => {
      const poolId = await newPool();
      const otherPool = await newPool();
      const ids = await Promise.all([1, 2, 3, 4, 5].map(() => newClient(poolId)));
      const foreign = await newClient(otherPool);
      const err = await store
        .createClient({ id: ids[0]!, poolId, name: 'dup', config: {}, createdAt: NOW, updatedAt: NOW })
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(StoreConflictError);
      expect((err as StoreConflictError).key).toBe('client');
      expect(await store.updateClient(ids[0]!, 'renamed', { AccessTokenValidity: 5 }, NOW + 1)).toBe(true);
      expect(await store.getClient(ids[0]!)).toEqual({
        id: ids[0],
        poolId,
        name: 'renamed',
        config: { AccessTokenValidity: 5 },
        createdAt: NOW,
        updatedAt: NOW + 1,
      });
      const sorted = [...ids].sort();
      expect((await store.listClients(poolId, 100)).map((c) => c.id)).toEqual(sorted);
      expect((await store.listClients(poolId, 2)).map((c) => c.id)).toEqual(sorted.slice(0, 2));
      expect((await store.listClients(poolId, 2, sorted[1])).map((c) => c.id)).toEqual(sorted.slice(2, 4));
      expect((await store.listClients(poolId, 2, sorted[3])).map((c) => c.id)).toEqual(sorted.slice(4));
      expect(await store.deleteClient(otherPool, ids[0]!)).toBe(false); // not that pool's
      expect(await store.getClient(ids[0]!)).toBeDefined();
      expect(await store.deleteClient(poolId, ids[0]!)).toBe(true);
      expect(await store.deleteClient(poolId, ids[0]!)).toBe(false);
      expect(await store.getClient(ids[0]!)).toBeUndefined();
      expect(await store.getClient(foreign)).toBeDefined();
    });
  });

  describe('challenges and auth sessions', () => {
    it('consumeChallenge: 20 concurrent callers, exactly one gets the record', async () => {
      const poolId = await newPool();
      const user = await newUser(poolId);
      const challenge: ChallengeRecord = {
        challenge: randomBytes(32).toString('base64url'),
        kind: 'registration',
        poolId,
        userId: user.id,
        clientId: 'c'.repeat(26),
        expiresAt: NOW + 60_000,
      };
      await store.putChallenge(challenge);
      const results = await Promise.all(Array.from({ length: 20 }, (_, i) => ctx.pick(i).consumeChallenge(challenge.challenge, NOW)));
      const winners = results.filter((r) => r !== undefined);
      expect(winners).toHaveLength(1);
      expect(winners[0]).toEqual(challenge);
      expect(await store.consumeChallenge(challenge.challenge, NOW)).toBeUndefined();
    });

    it('consumeChallenge: expired (expiresAt <= now) and unknown challenges return undefined; expired ones are gone', async () => {
      const poolId = await newPool();
      const user = await newUser(poolId);
      const base = { kind: 'registration' as const, poolId, userId: user.id, clientId: 'c'.repeat(26) };
      await store.putChallenge({ ...base, challenge: 'expired-long-ago', expiresAt: NOW - 1 });
      await store.putChallenge({ ...base, challenge: 'expires-right-now', expiresAt: NOW });
      expect(await store.consumeChallenge('expired-long-ago', NOW)).toBeUndefined();
      expect(await store.consumeChallenge('expires-right-now', NOW)).toBeUndefined();
      expect(await store.consumeChallenge('expired-long-ago', NOW - 10)).toBeUndefined(); // consumed by the first attempt
      expect(await store.consumeChallenge(`unknown-${rand()}`, NOW)).toBeUndefined();
      // Concurrent callers on an expired one: nobody gets it.
      await store.putChallenge({ ...base, challenge: 'expired-race', expiresAt: NOW - 1 });
      const results = await Promise.all(Array.from({ length: 20 }, (_, i) => ctx.pick(i).consumeChallenge('expired-race', NOW)));
      expect(results.filter((r) => r !== undefined)).toEqual([]);
    });

    it('consumeAuthSession: 20 concurrent callers, exactly one gets the session (state round-trips); expired → undefined', async () => {
      const poolId = await newPool();
      const session = {
        idHash: randomBytes(32).toString('hex'),
        poolId,
        clientId: 'c'.repeat(26),
        userId: null,
        state: { step: 'WEB_AUTHN', nested: { n: 1, list: ['a'] } },
        expiresAt: NOW + 180_000,
      };
      await store.putAuthSession(session);
      const results = await Promise.all(Array.from({ length: 20 }, (_, i) => ctx.pick(i).consumeAuthSession(session.idHash, NOW)));
      const winners = results.filter((r) => r !== undefined);
      expect(winners).toHaveLength(1);
      expect(winners[0]).toEqual(session);
      expect(await store.consumeAuthSession(session.idHash, NOW)).toBeUndefined();

      const user = await newUser(poolId);
      const expired = { ...session, idHash: randomBytes(32).toString('hex'), userId: user.id, expiresAt: NOW };
      await store.putAuthSession(expired);
      const late = await Promise.all(Array.from({ length: 5 }, (_, i) => ctx.pick(i).consumeAuthSession(expired.idHash, NOW)));
      expect(late.filter((r) => r !== undefined)).toEqual([]);
      const fresh = { ...session, idHash: randomBytes(32).toString('hex'), userId: user.id };
      await store.putAuthSession(fresh);
      expect(await store.consumeAuthSession(fresh.idHash, NOW + 180_000)).toBeUndefined(); // expiresAt == now
    });
  });

  describe('passkeys', () => {
    it('addPasskey: 20 concurrent adds with limit 5 → exactly 5 added, passkeyCount 5', async () => {
      const poolId = await newPool();
      const user = await newUser(poolId);
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) => ctx.pick(i).addPasskey(passkeyRecord(poolId, user.id, `cred-${i}-${rand(3)}`), 5)),
      );
      expect(results.filter((r) => r === 'added')).toHaveLength(5);
      expect(results.filter((r) => r === 'limit')).toHaveLength(15);
      expect((await store.getUser(poolId, user.id))?.passkeyCount).toBe(5);
      expect(await store.listPasskeys(poolId, user.id, 100)).toHaveLength(5);
      expect(await store.addPasskey(passkeyRecord(poolId, user.id, `one-more-${rand(3)}`), 5)).toBe('limit');
      expect(await store.addPasskey(passkeyRecord(poolId, user.id, `raised-limit-${rand(3)}`), 6)).toBe('added');
      expect((await store.getUser(poolId, user.id))?.passkeyCount).toBe(6);
    });

    it('addPasskey: fields round-trip through getPasskey', async () => {
      const poolId = await newPool();
      const user = await newUser(poolId);
      const pk = passkeyRecord(poolId, user.id, `round-trip-${rand(3)}`, {
        attachment: null,
        transports: [],
        backupEligible: false,
        backupState: false,
        userVerified: false,
        signCount: 2 ** 32 - 1,
        algorithm: -257,
      });
      expect(await store.addPasskey(pk, 20)).toBe('added');
      const got = await store.getPasskey(poolId, pk.credentialId);
      expect(got).toEqual({ ...pk, publicKey: expect.any(Uint8Array) });
      expect(Buffer.from(got!.publicKey).equals(Buffer.from(pk.publicKey))).toBe(true);
      expect(await store.getPasskey(poolId, 'nope')).toBeUndefined();
      expect(await store.getPasskey(await newPool(), pk.credentialId)).toBeUndefined(); // scoped to the pool
    });

    it('addPasskey: a known credential id is exists-same-user / exists-other-user, counts unchanged', async () => {
      const poolId = await newPool();
      const alice = await newUser(poolId, 'alice');
      const bob = await newUser(poolId, 'bob');
      const cred = `dup-${rand(4)}`;
      expect(await store.addPasskey(passkeyRecord(poolId, alice.id, cred), 20)).toBe('added');
      expect(await store.addPasskey(passkeyRecord(poolId, alice.id, cred), 20)).toBe('exists-same-user');
      expect(await store.addPasskey(passkeyRecord(poolId, bob.id, cred), 20)).toBe('exists-other-user');
      expect((await store.getUser(poolId, alice.id))?.passkeyCount).toBe(1);
      expect((await store.getUser(poolId, bob.id))?.passkeyCount).toBe(0);
      expect((await store.getPasskey(poolId, cred))?.userId).toBe(alice.id);
      // The same credential id in another pool is another credential.
      const otherPool = await newPool();
      const carol = await newUser(otherPool, 'carol');
      expect(await store.addPasskey(passkeyRecord(otherPool, carol.id, cred), 20)).toBe('added');
    });

    it('addPasskey: concurrent adds of one credential id → one added, the rest exists-*, count bumped once', async () => {
      const poolId = await newPool();
      const alice = await newUser(poolId, 'alice');
      const bob = await newUser(poolId, 'bob');
      const cred = `race-${rand(4)}`;
      const same = await Promise.all(
        Array.from({ length: 10 }, (_, i) => ctx.pick(i).addPasskey(passkeyRecord(poolId, alice.id, cred), 20)),
      );
      expect(same.filter((r) => r === 'added')).toHaveLength(1);
      expect(same.filter((r) => r === 'exists-same-user')).toHaveLength(9);
      expect((await store.getUser(poolId, alice.id))?.passkeyCount).toBe(1);

      const cred2 = `race2-${rand(4)}`;
      const mixed = await Promise.all(
        Array.from({ length: 10 }, (_, i) => ctx.pick(i).addPasskey(passkeyRecord(poolId, i % 2 ? alice.id : bob.id, cred2), 20)),
      );
      expect(mixed.filter((r) => r === 'added')).toHaveLength(1);
      const owner = (await store.getPasskey(poolId, cred2))!.userId;
      mixed.forEach((r, i) => {
        if (r === 'added') return;
        expect(r).toBe((i % 2 ? alice.id : bob.id) === owner ? 'exists-same-user' : 'exists-other-user');
      });
      const counts = [(await store.getUser(poolId, alice.id))!.passkeyCount, (await store.getUser(poolId, bob.id))!.passkeyCount];
      expect(counts[0]! + counts[1]!).toBe(2); // cred + cred2
    });

    it('deletePasskey: only the owner, decrements passkeyCount, false the second time', async () => {
      const poolId = await newPool();
      const alice = await newUser(poolId, 'alice');
      const bob = await newUser(poolId, 'bob');
      const cred = `del-${rand(4)}`;
      await store.addPasskey(passkeyRecord(poolId, alice.id, cred), 20);
      await store.addPasskey(passkeyRecord(poolId, alice.id, `keep-${rand(4)}`), 20);
      expect(await store.deletePasskey(poolId, bob.id, cred)).toBe(false);
      expect((await store.getUser(poolId, bob.id))?.passkeyCount).toBe(0);
      expect((await store.getUser(poolId, alice.id))?.passkeyCount).toBe(2);
      expect(await store.getPasskey(poolId, cred)).toBeDefined();
      expect(await store.deletePasskey(await newPool(), alice.id, cred)).toBe(false);
      expect(await store.deletePasskey(poolId, alice.id, cred)).toBe(true);
      expect(await store.getPasskey(poolId, cred)).toBeUndefined();
      expect((await store.getUser(poolId, alice.id))?.passkeyCount).toBe(1);
      expect(await store.deletePasskey(poolId, alice.id, cred)).toBe(false);
      expect((await store.getUser(poolId, alice.id))?.passkeyCount).toBe(1);
    });

    it('deletePasskey: 10 concurrent deletes of one passkey → exactly one true, count decremented once', async () => {
      const poolId = await newPool();
      const alice = await newUser(poolId, 'alice');
      const cred = `del-race-${rand(4)}`;
      await store.addPasskey(passkeyRecord(poolId, alice.id, cred), 20);
      await store.addPasskey(passkeyRecord(poolId, alice.id, `other-${rand(4)}`), 20);
      const results = await Promise.all(Array.from({ length: 10 }, (_, i) => ctx.pick(i).deletePasskey(poolId, alice.id, cred)));
      expect(results.filter(Boolean)).toHaveLength(1);
      expect((await store.getUser(poolId, alice.id))?.passkeyCount).toBe(1);
    });

    it("listPasskeys: keyset pages in (createdAt, credentialId) order, ties on createdAt included, only the user's", async () => {
      const poolId = await newPool();
      const alice = await newUser(poolId, 'alice');
      const bob = await newUser(poolId, 'bob');
      // Lower-case letters and digits only, so byte order and any collation agree.
      const specs: [string, number][] = [
        ['k3', NOW + 100],
        ['a9', NOW + 100],
        ['m1', NOW + 100],
        ['b2', NOW + 50],
        ['z0', NOW + 50],
        ['c7', NOW + 300],
        ['c6', NOW + 300],
        ['q5', NOW + 200],
        ['d4', NOW + 10],
      ];
      for (const [id, at] of specs)
        expect(await store.addPasskey(passkeyRecord(poolId, alice.id, id, { createdAt: at }), 20)).toBe('added');
      await store.addPasskey(passkeyRecord(poolId, bob.id, 'b1', { createdAt: NOW + 100 }), 20);
      const expected = [...specs].sort((x, y) => x[1] - y[1] || (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0)).map(([id]) => id);
      expect(expected).toEqual(['d4', 'b2', 'z0', 'a9', 'k3', 'm1', 'q5', 'c6', 'c7']);

      expect((await store.listPasskeys(poolId, alice.id, 100)).map((p) => p.credentialId)).toEqual(expected);
      for (const size of [1, 2, 3, 4]) {
        const seen: string[] = [];
        let after: { createdAt: number; credentialId: string } | undefined;
        for (let guard = 0; guard < 50; guard++) {
          const page = await store.listPasskeys(poolId, alice.id, size, after);
          expect(page.length).toBeLessThanOrEqual(size);
          seen.push(...page.map((p) => p.credentialId));
          if (page.length < size) break;
          const last = page[page.length - 1]!;
          after = { createdAt: last.createdAt, credentialId: last.credentialId };
        }
        expect(seen, `page size ${size}`).toEqual(expected);
      }
      // A cursor in the middle of a tie continues inside the tie.
      expect(
        (await store.listPasskeys(poolId, alice.id, 2, { createdAt: NOW + 100, credentialId: 'a9' })).map((p) => p.credentialId),
      ).toEqual(['k3', 'm1']);
      // A cursor whose passkey was deleted still works.
      expect(
        (await store.listPasskeys(poolId, alice.id, 2, { createdAt: NOW + 100, credentialId: 'b0' })).map((p) => p.credentialId),
      ).toEqual(['k3', 'm1']);
    });

    it('recordPasskeyUse: guarded by the expected sign count; two concurrent updates → exactly one wins', async () => {
      const poolId = await newPool();
      const alice = await newUser(poolId, 'alice');
      const cred = `use-${rand(4)}`;
      await store.addPasskey(passkeyRecord(poolId, alice.id, cred, { signCount: 5 }), 20);
      const [a, b] = await Promise.all([
        store.recordPasskeyUse(
          poolId,
          cred,
          { signCount: 5, lastUsedAt: null },
          { signCount: 6, backupState: true, lastUsedAt: NOW + 1, cloneWarning: false },
        ),
        ctx.other.recordPasskeyUse(
          poolId,
          cred,
          { signCount: 5, lastUsedAt: null },
          { signCount: 7, backupState: false, lastUsedAt: NOW + 2, cloneWarning: false },
        ),
      ]);
      expect([a, b].filter(Boolean)).toHaveLength(1);
      const after = await store.getPasskey(poolId, cred);
      expect(after?.signCount).toBe(a ? 6 : 7);
      expect(after?.lastUsedAt).toBe(a ? NOW + 1 : NOW + 2);
      expect(after?.backupState).toBe(a);

      // Stale expectation: refused, nothing changes.
      expect(
        await store.recordPasskeyUse(
          poolId,
          cred,
          { signCount: 5, lastUsedAt: null },
          { signCount: 100, backupState: true, lastUsedAt: NOW + 3, cloneWarning: true },
        ),
      ).toBe(false);
      expect(await store.getPasskey(poolId, cred)).toEqual(after);

      // 20 concurrent uses with the current count, each advancing it: one wins.
      const current = after!.signCount;
      const many = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          ctx
            .pick(i)
            .recordPasskeyUse(
              poolId,
              cred,
              { signCount: current, lastUsedAt: after!.lastUsedAt },
              { signCount: current + 1 + i, backupState: true, lastUsedAt: NOW + 10 + i, cloneWarning: true },
            ),
        ),
      );
      expect(many.filter(Boolean)).toHaveLength(1);
      const winner = many.indexOf(true);
      const final = await store.getPasskey(poolId, cred);
      expect(final?.signCount).toBe(current + 1 + winner);
      expect(final?.lastUsedAt).toBe(NOW + 10 + winner);
      expect(final?.cloneWarnings).toBe(1); // counted for the winner only
      expect(
        await store.recordPasskeyUse(
          poolId,
          'unknown-cred',
          { signCount: 0, lastUsedAt: null },
          { signCount: 1, backupState: false, lastUsedAt: NOW, cloneWarning: false },
        ),
      ).toBe(false);
    });
    // Synced passkeys (Apple, Google) always report signCount 0, so a guard on the count alone would
    // let every concurrent caller through; the guard includes lastUsedAt.
    it('recordPasskeyUse: two concurrent uses with a counter that does not advance (0 → 0) → exactly one true', async () => {
      const poolId = await newPool();
      const alice = await newUser(poolId, 'alice');
      const cred = `zero-${rand(4)}`;
      await store.addPasskey(passkeyRecord(poolId, alice.id, cred, { signCount: 0 }), 20);
      const results = await Promise.all(
        [0, 1].map((i) =>
          ctx
            .pick(i)
            .recordPasskeyUse(
              poolId,
              cred,
              { signCount: 0, lastUsedAt: null },
              { signCount: 0, backupState: true, lastUsedAt: NOW + i, cloneWarning: false },
            ),
        ),
      );
      expect(results.filter(Boolean)).toHaveLength(1);
      // The next use, even within the same millisecond, moves lastUsedAt on, so the old expectation
      // (a replayed or concurrent use) no longer matches.
      const seen = (await store.getPasskey(poolId, cred))!;
      const use = { signCount: 0, backupState: true, lastUsedAt: seen.lastUsedAt!, cloneWarning: false };
      expect(await store.recordPasskeyUse(poolId, cred, { signCount: 0, lastUsedAt: seen.lastUsedAt }, use)).toBe(true);
      expect((await store.getPasskey(poolId, cred))!.lastUsedAt).toBeGreaterThan(seen.lastUsedAt!);
      expect(await store.recordPasskeyUse(poolId, cred, { signCount: 0, lastUsedAt: seen.lastUsedAt }, use)).toBe(false);
    });
  });

  describe('one-time codes', () => {
    const matches = (hash: string) => (h: string) => h === hash;

    it('useCode: 20 concurrent correct submissions → exactly one ok, then missing', async () => {
      const poolId = await newPool();
      const user = await newUser(poolId);
      await store.putCode({ poolId, userId: user.id, purpose: 'signup', codeHash: 'hash-1', attempts: 0, expiresAt: NOW + 60_000 });
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) => ctx.pick(i).useCode(poolId, user.id, 'signup', NOW, 100, matches('hash-1'))),
      );
      expect(results.filter((r) => r === 'ok')).toHaveLength(1);
      for (const r of results) expect(['ok', 'missing']).toContain(r);
      expect(await store.useCode(poolId, user.id, 'signup', NOW, 100, matches('hash-1'))).toBe('missing');
    });

    it('useCode: the attempt limit holds under concurrent wrong guesses, and then refuses the right code', async () => {
      const poolId = await newPool();
      const user = await newUser(poolId);
      await store.putCode({ poolId, userId: user.id, purpose: 'forgot', codeHash: 'right', attempts: 0, expiresAt: NOW + 60_000 });
      const wrong = await Promise.all(
        Array.from({ length: 10 }, (_, i) => ctx.pick(i).useCode(poolId, user.id, 'forgot', NOW, 3, matches('wrong'))),
      );
      expect(wrong.filter((r) => r === 'mismatch')).toHaveLength(3);
      expect(wrong.filter((r) => r === 'too-many')).toHaveLength(7);
      expect(await store.useCode(poolId, user.id, 'forgot', NOW, 3, matches('right'))).toBe('too-many');
      // A new code replaces the old one and resets the attempts.
      await store.putCode({ poolId, userId: user.id, purpose: 'forgot', codeHash: 'right-2', attempts: 0, expiresAt: NOW + 60_000 });
      expect(await store.useCode(poolId, user.id, 'forgot', NOW, 3, matches('right'))).toBe('mismatch');
      expect(await store.useCode(poolId, user.id, 'forgot', NOW, 3, matches('right-2'))).toBe('ok');
    });

    it('useCode: sequential attempts count up to the limit; purposes are separate; expired and missing codes', async () => {
      const poolId = await newPool();
      const user = await newUser(poolId);
      await store.putCode({ poolId, userId: user.id, purpose: 'verify_email', codeHash: 'e', attempts: 0, expiresAt: NOW + 60_000 });
      await store.putCode({ poolId, userId: user.id, purpose: 'signup', codeHash: 's', attempts: 0, expiresAt: NOW });
      expect(await store.useCode(poolId, user.id, 'verify_email', NOW, 2, matches('x'))).toBe('mismatch');
      expect(await store.useCode(poolId, user.id, 'verify_email', NOW, 2, matches('x'))).toBe('mismatch');
      expect(await store.useCode(poolId, user.id, 'verify_email', NOW, 2, matches('e'))).toBe('too-many');
      expect(await store.useCode(poolId, user.id, 'signup', NOW, 5, matches('s'))).toBe('expired');
      expect(await store.useCode(poolId, user.id, 'verify_phone_number', NOW, 5, matches('s'))).toBe('missing');
      expect(await store.useCode(poolId, randomUUID(), 'signup', NOW, 5, matches('s'))).toBe('missing');
    });

    it('putCode with a message: the code and its outbox row are one transaction (a failing message leaves no code)', async () => {
      const poolId = await newPool();
      const user = await newUser(poolId);
      const msg = { poolId, userId: user.id, destination: 'a@example.com', subject: 's', body: 'b', code: '123456', createdAt: NOW };
      await store.putCode({ poolId, userId: user.id, purpose: 'forgot', codeHash: 'h1', attempts: 0, expiresAt: NOW + 60_000 }, msg);
      expect((await store.listOutbox(poolId, 10)).map((m) => m.code)).toEqual(['123456']);
      // A message that cannot be stored (NOT NULL destination) rolls the new code back too.
      const bad = { ...msg, destination: null as unknown as string };
      await expect(
        store.putCode({ poolId, userId: user.id, purpose: 'forgot', codeHash: 'h2', attempts: 0, expiresAt: NOW + 60_000 }, bad),
      ).rejects.toThrow();
      expect(await store.useCode(poolId, user.id, 'forgot', NOW, 5, matches('h1'))).toBe('ok');
    });

    it('stand-in codes: counted like real ones under concurrency, never matching; expiry, reset and purge', async () => {
      const poolId = await newPool();
      expect(await store.useStandInCode(poolId, 'n1', 'forgot', NOW, 5)).toBe('missing');
      await store.putStandInCode(poolId, 'n1', 'forgot', NOW + 60_000);
      const results = await Promise.all(Array.from({ length: 12 }, (_, i) => ctx.pick(i).useStandInCode(poolId, 'n1', 'forgot', NOW, 5)));
      expect(results.filter((r) => r === 'mismatch')).toHaveLength(5);
      expect(results.filter((r) => r === 'too-many')).toHaveLength(7);
      // Purposes and names are separate; a new one resets the attempts; expired ones say so, then are purged.
      expect(await store.useStandInCode(poolId, 'n1', 'signup', NOW, 5)).toBe('missing');
      await store.putStandInCode(poolId, 'n1', 'forgot', NOW + 60_000);
      expect(await store.useStandInCode(poolId, 'n1', 'forgot', NOW, 5)).toBe('mismatch');
      expect(await store.useStandInCode(poolId, 'n1', 'forgot', NOW + 60_000, 5)).toBe('expired');
      await store.purgeExpired(NOW + 60_000);
      expect(await store.useStandInCode(poolId, 'n1', 'forgot', NOW + 60_000, 5)).toBe('missing');
    });
  });

  describe('users', () => {
    it('admitLoginAttempt: of 50 concurrent attempts exactly `threshold` are admitted; then one per lock window', async () => {
      const poolId = await newPool();
      const schedule = [1000, 2000, 4000];
      const admit = (i: number, now = NOW) => ctx.pick(i).admitLoginAttempt(poolId, 'key-a', now, 5, schedule);
      const first = await Promise.all(Array.from({ length: 50 }, (_, i) => admit(i)));
      expect(first.filter(Boolean)).toHaveLength(5);
      // Locked for 1 s from the fifth admission on: nothing more, then exactly one when it ends.
      expect(await admit(0, NOW + 999)).toBe(false);
      const second = await Promise.all(Array.from({ length: 50 }, (_, i) => admit(i, NOW + 1000)));
      expect(second.filter(Boolean)).toHaveLength(1);
      // The sixth attempt locked for 2 s, the seventh for 4 s, and every later one for the last entry.
      expect(await admit(1, NOW + 2999)).toBe(false);
      expect(await admit(1, NOW + 3000)).toBe(true);
      expect(await admit(1, NOW + 6999)).toBe(false);
      expect(await admit(1, NOW + 7000)).toBe(true);
      expect(await admit(1, NOW + 10_999)).toBe(false);
      expect(await admit(1, NOW + 11_000)).toBe(true);
      // Other keys and pools are separate; clearing forgets the count and the lock.
      expect(await ctx.store.admitLoginAttempt(poolId, 'key-b', NOW, 5, schedule)).toBe(true);
      expect(await ctx.store.admitLoginAttempt(await newPool(), 'key-a', NOW + 11_000, 5, schedule)).toBe(true);
      await ctx.other.clearLoginAttempts(poolId, ['key-a', 'key-never-used']);
      const afterClear = await Promise.all(Array.from({ length: 8 }, (_, i) => admit(i, NOW + 11_001)));
      expect(afterClear.filter(Boolean)).toHaveLength(5);
    });

    it('admitLoginAttempt below the threshold never locks; purgeExpired forgets idle unlocked counters only', async () => {
      const poolId = await newPool();
      for (let i = 1; i <= 4; i++) expect(await store.admitLoginAttempt(poolId, 'idle', NOW, 5, [60_000])).toBe(true);
      await store.admitLoginAttempt(poolId, 'locked', NOW, 1, [48 * 3600_000]);
      await store.purgeExpired(NOW + 25 * 3600_000);
      // 'idle' was forgotten (five more are admitted); 'locked' is still locked.
      const again = await Promise.all(
        Array.from({ length: 6 }, () => store.admitLoginAttempt(poolId, 'idle', NOW + 25 * 3600_000, 5, [60_000])),
      );
      expect(again.filter(Boolean)).toHaveLength(5);
      expect(await store.admitLoginAttempt(poolId, 'locked', NOW + 25 * 3600_000, 1, [48 * 3600_000])).toBe(false);
    });

    it('consumeAuthSessionAdmitting: 20 concurrent callers → one session, admitted in the same transaction', async () => {
      const poolId = await newPool();
      const client = await newClient(poolId);
      const session = { idHash: `h-${rand()}`, poolId, clientId: client, userId: null, state: { lk: 'k1' }, expiresAt: NOW + 60_000 };
      await store.putAuthSession(session);
      const attempt = (rec: { state: Record<string, unknown> }) => ({ loginKey: String(rec.state.lk), threshold: 1, lockMs: [60_000] });
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) => ctx.pick(i).consumeAuthSessionAdmitting(session.idHash, NOW, attempt)),
      );
      const won = results.filter((r) => r !== undefined);
      expect(won).toHaveLength(1);
      expect(won[0]).toEqual({ session: { ...session }, admitted: true });
      // The attempt was counted: with threshold 1 the key is now locked.
      expect(await store.admitLoginAttempt(poolId, 'k1', NOW, 1, [60_000])).toBe(false);
      // A second session for a locked key is consumed but not admitted; expired ones are not returned.
      const locked = { ...session, idHash: `h-${rand()}` };
      await store.putAuthSession(locked);
      expect(await store.consumeAuthSessionAdmitting(locked.idHash, NOW, attempt)).toEqual({ session: locked, admitted: false });
      const old = { ...session, idHash: `h-${rand()}`, expiresAt: NOW - 1 };
      await store.putAuthSession(old);
      expect(await store.consumeAuthSessionAdmitting(old.idHash, NOW, attempt)).toBeUndefined();
      expect(await store.consumeAuthSessionAdmitting(old.idHash, NOW, attempt)).toBeUndefined();
    });

    it('updateUser with a verifier guard: of 20 concurrent swaps from one verifier exactly one applies', async () => {
      const poolId = await newPool();
      const user = await newUser(poolId, 'cas', { srpSalt: 'aa', srpVerifier: 'v0' });
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          ctx.pick(i).updateUser(poolId, user.id, { srpSalt: 'bb', srpVerifier: `v${i + 1}` }, NOW, { srpVerifier: 'v0' }),
        ),
      );
      expect(results.filter(Boolean)).toHaveLength(1);
      const winner = results.indexOf(true) + 1;
      expect((await store.getUser(poolId, user.id))?.srpVerifier).toBe(`v${winner}`);
      // A null guard matches only a user without a password.
      expect(await store.updateUser(poolId, user.id, { srpVerifier: 'x' }, NOW, { srpVerifier: null })).toBe(false);
      const none = await newUser(poolId, 'nopw');
      expect(await store.updateUser(poolId, none.id, { srpSalt: 'cc', srpVerifier: 'x' }, NOW, { srpVerifier: null })).toBe(true);
    });

    it('createUser: username and email conflicts are StoreConflictError with the key; other pools and null emails are fine', async () => {
      const poolId = await newPool();
      const alice = await newUser(poolId, 'alice', { emailKey: 'alice@example.com', attributes: { email: 'alice@example.com' } });
      expect(await store.getUser(poolId, alice.id)).toEqual(alice);

      const byName = await store.createUser(userRecord(poolId, 'Alice')).catch((e: unknown) => e); // same usernameKey 'alice'
      expect(byName).toBeInstanceOf(StoreConflictError);
      expect((byName as StoreConflictError).key).toBe('username');

      const byEmail = await store.createUser(userRecord(poolId, 'alice2', { emailKey: 'alice@example.com' })).catch((e: unknown) => e);
      expect(byEmail).toBeInstanceOf(StoreConflictError);
      expect((byEmail as StoreConflictError).key).toBe('email');

      await newUser(poolId, 'no-email-1');
      await newUser(poolId, 'no-email-2');
      const otherPool = await newPool();
      await newUser(otherPool, 'alice', { emailKey: 'alice@example.com' });

      // updateUser onto a taken email.
      const bob = await newUser(poolId, 'bob');
      const upd = await store.updateUser(poolId, bob.id, { emailKey: 'alice@example.com' }, NOW + 1).catch((e: unknown) => e);
      expect(upd).toBeInstanceOf(StoreConflictError);
      expect((upd as StoreConflictError).key).toBe('email');
      expect(
        await store.updateUser(
          poolId,
          bob.id,
          { emailKey: 'bob@example.com', status: 'UNCONFIRMED', enabled: false, attributes: { email: 'bob@example.com' } },
          NOW + 2,
        ),
      ).toBe(true);
      expect(await store.getUser(poolId, bob.id)).toMatchObject({
        emailKey: 'bob@example.com',
        status: 'UNCONFIRMED',
        enabled: false,
        attributes: { email: 'bob@example.com' },
        updatedAt: NOW + 2,
      });
      expect(await store.updateUser(poolId, randomUUID(), { status: 'CONFIRMED' }, NOW)).toBe(false);

      expect((await store.findUserByLogin(poolId, 'alice', null))?.id).toBe(alice.id);
      expect((await store.findUserByLogin(poolId, 'nobody', 'alice@example.com'))?.id).toBe(alice.id);
      expect(await store.findUserByLogin(poolId, 'nobody', null)).toBeUndefined();
    });

    it('createUser: 10 concurrent creations of one username → one succeeds, nine StoreConflictError("username")', async () => {
      const poolId = await newPool();
      const results = await Promise.all(Array.from({ length: 10 }, (_, i) => settle(ctx.pick(i).createUser(userRecord(poolId, 'racer')))));
      expect(results.filter((r) => r.ok)).toHaveLength(1);
      for (const r of results) {
        if (r.ok) continue;
        expect(r.error).toBeInstanceOf(StoreConflictError);
        expect((r.error as StoreConflictError).key).toBe('username');
      }
      expect(await store.listUsers(poolId, 10, undefined, undefined)).toHaveLength(1);
    });

    it('listUsers: ordered by usernameKey, paged with `after`, filters = and ^= on username, email, sub and status', async () => {
      const poolId = await newPool();
      const mk = (username: string, email: string | null, extra: Partial<UserRecord> = {}) =>
        newUser(poolId, username, { emailKey: email?.toLowerCase() ?? null, attributes: email ? { email } : {}, ...extra });
      await mk('alice', 'alice@example.com');
      await mk('alfred', 'Alfred.X@Example.com');
      const bob = await mk('bob', 'first_last@example.com');
      await mk('a%b', null);
      await mk('axb', null);
      await mk('carol', 'carol@example.org', { status: 'UNCONFIRMED', enabled: false });
      await newUser(await newPool(), 'alice-elsewhere', { emailKey: 'alice2@example.com' });

      const all = await store.listUsers(poolId, 100, undefined, undefined);
      const keys = all.map((u) => u.usernameKey);
      expect(new Set(keys)).toEqual(new Set(['alice', 'alfred', 'bob', 'a%b', 'axb', 'carol']));
      // Alphanumeric names in code-point order.
      expect(keys.filter((k) => /^[a-z]+$/.test(k))).toEqual(['alfred', 'alice', 'axb', 'bob', 'carol']);
      const paged: string[] = [];
      let after: string | undefined;
      for (let guard = 0; guard < 20; guard++) {
        const page = await store.listUsers(poolId, 2, after, undefined);
        paged.push(...page.map((u) => u.usernameKey));
        if (page.length < 2) break;
        after = page[page.length - 1]!.usernameKey;
      }
      expect(paged).toEqual(keys);

      const names = async (filter: UserFilter, limit = 100, after?: string) =>
        (await store.listUsers(poolId, limit, after, filter)).map((u) => u.username);
      expect(await names({ attribute: 'username', op: '=', value: 'alice' })).toEqual(['alice']);
      expect(await names({ attribute: 'username', op: '=', value: 'ali' })).toEqual([]);
      expect(await names({ attribute: 'username', op: '^=', value: 'al' })).toEqual(['alfred', 'alice']);
      expect(await names({ attribute: 'username', op: '^=', value: 'al' }, 1)).toEqual(['alfred']);
      expect(await names({ attribute: 'username', op: '^=', value: 'al' }, 10, 'alfred')).toEqual(['alice']);
      expect(await names({ attribute: 'username', op: '^=', value: 'a%' })).toEqual(['a%b']); // not a LIKE wildcard
      expect(await names({ attribute: 'username', op: '^=', value: 'zz' })).toEqual([]);
      expect(await names({ attribute: 'sub', op: '=', value: bob.id })).toEqual(['bob']);
      expect(await names({ attribute: 'email', op: '=', value: 'alice@example.com' })).toEqual(['alice']);
      expect(await names({ attribute: 'email', op: '=', value: 'ALICE@example.COM' })).toEqual(['alice']);
      expect(await names({ attribute: 'email', op: '=', value: 'alice@example.co' })).toEqual([]);
      expect(await names({ attribute: 'email', op: '^=', value: 'al' })).toEqual(['alfred', 'alice']);
      expect(await names({ attribute: 'email', op: '^=', value: 'ALFRED.' })).toEqual(['alfred']);
      expect(await names({ attribute: 'user_status', op: '=', value: 'UNCONFIRMED' } as unknown as UserFilter)).toEqual(['carol']);
      expect(await names({ attribute: 'user_status', op: '=', value: 'CONFIRMED' } as unknown as UserFilter)).toEqual(
        keys.filter((k) => k !== 'carol'),
      );
    });

    // Email filters run as a LIKE over the stored attributes: `_` and `%` in the address must match
    // literally. Regression: they were stripped from the needle, so "first_last@example.com" was
    // never found and the prefix "first_" also matched "firstxlast@…".
    it('listUsers: email filters match addresses containing "_" literally', async () => {
      const poolId = await newPool();
      const mk = (username: string, email: string) => newUser(poolId, username, { emailKey: email, attributes: { email } });
      await mk('bob', 'first_last@example.com');
      await mk('dave', 'firstxlast@example.com');
      const names = async (filter: UserFilter) => (await store.listUsers(poolId, 100, undefined, filter)).map((u) => u.username);
      expect(await names({ attribute: 'email', op: '=', value: 'first_last@example.com' })).toEqual(['bob']);
      expect(await names({ attribute: 'email', op: '^=', value: 'first_' })).toEqual(['bob']);
    });

    it('deleteUser removes the user with passkeys, codes, challenges, sessions and token families; others untouched', async () => {
      const poolId = await newPool();
      const clientId = await newClient(poolId);
      const seed = async (name: string) => {
        const u = await newUser(poolId, name);
        const cred = `cred-${name}-${rand(3)}`;
        await store.addPasskey(passkeyRecord(poolId, u.id, cred), 20);
        await store.putCode({ poolId, userId: u.id, purpose: 'signup', codeHash: `code-${name}`, attempts: 0, expiresAt: NOW + 60_000 });
        const challenge = `ch-${name}-${rand(4)}`;
        await store.putChallenge({ challenge, kind: 'registration', poolId, userId: u.id, clientId, expiresAt: NOW + 60_000 });
        const idHash = `sess-${name}-${rand(4)}`;
        await store.putAuthSession({ idHash, poolId, clientId, userId: u.id, state: {}, expiresAt: NOW + 60_000 });
        const refreshHash = `rt-${name}-${rand(4)}`;
        await store.createTokenFamily({
          originJti: randomUUID(),
          poolId,
          clientId,
          userId: u.id,
          refreshHash,
          authTime: NOW,
          createdAt: NOW,
          expiresAt: NOW + 86_400_000,
          revokedAt: null,
        });
        return { u, cred, challenge, idHash, refreshHash };
      };
      const gone = await seed('gone');
      const kept = await seed('kept');
      expect(await store.deleteUser(poolId, gone.u.id)).toBe(true);
      expect(await store.getUser(poolId, gone.u.id)).toBeUndefined();
      expect(await store.getPasskey(poolId, gone.cred)).toBeUndefined();
      expect(await store.getTokenFamilyByRefreshHash(gone.refreshHash)).toBeUndefined();
      expect(await store.useCode(poolId, gone.u.id, 'signup', NOW, 5, () => true)).toBe('missing');
      expect(await store.consumeChallenge(gone.challenge, NOW)).toBeUndefined();
      expect(await store.consumeAuthSession(gone.idHash, NOW)).toBeUndefined();
      expect(await store.deleteUser(poolId, gone.u.id)).toBe(false);
      // The other user keeps everything.
      expect(await store.getUser(poolId, kept.u.id)).toBeDefined();
      expect(await store.getPasskey(poolId, kept.cred)).toBeDefined();
      expect(await store.getTokenFamilyByRefreshHash(kept.refreshHash)).toBeDefined();
      expect(await store.consumeChallenge(kept.challenge, NOW)).toBeDefined();
      expect(await store.consumeAuthSession(kept.idHash, NOW)).toBeDefined();
      expect(await store.useCode(poolId, kept.u.id, 'signup', NOW, 5, (h) => h === 'code-kept')).toBe('ok');
      // A username freed by deletion can be taken again.
      await newUser(poolId, 'gone');
    });

    it('deletePool removes the pool and everything in it; other pools untouched', async () => {
      const seed = async () => {
        const poolId = await newPool();
        const clientId = await newClient(poolId);
        const u = await newUser(poolId, 'someone', { emailKey: 'someone@example.com' });
        const cred = `cred-${rand(4)}`;
        await store.addPasskey(passkeyRecord(poolId, u.id, cred), 20);
        await store.putCode({ poolId, userId: u.id, purpose: 'signup', codeHash: 'h', attempts: 0, expiresAt: NOW + 60_000 });
        const challenge = `ch-${rand(4)}`;
        await store.putChallenge({ challenge, kind: 'registration', poolId, userId: u.id, clientId, expiresAt: NOW + 60_000 });
        const idHash = `sess-${rand(4)}`;
        await store.putAuthSession({ idHash, poolId, clientId, userId: null, state: {}, expiresAt: NOW + 60_000 });
        const refreshHash = `rt-${rand(4)}`;
        await store.createTokenFamily({
          originJti: randomUUID(),
          poolId,
          clientId,
          userId: u.id,
          refreshHash,
          authTime: NOW,
          createdAt: NOW,
          expiresAt: NOW + 86_400_000,
          revokedAt: null,
        });
        const kid = randomUUID();
        await store.rotateSigningKey(
          {
            kid,
            poolId,
            alg: 'RS256',
            privateKeyEnc: 'v1.x.y.z',
            publicJwk: { kid, kty: 'RSA' },
            createdAt: NOW,
            retiredAt: null,
            expiresAt: null,
          },
          NOW,
          NOW + 1000,
        );
        await store.addOutbox({
          poolId,
          userId: u.id,
          destination: 'someone@example.com',
          subject: 's',
          body: 'b',
          code: '123456',
          createdAt: NOW,
        });
        return { poolId, clientId, u, cred, challenge, idHash, refreshHash, kid };
      };
      const doomed = await seed();
      const kept = await seed();
      expect(await store.deletePool(doomed.poolId)).toBe(true);
      expect(await store.getPool(doomed.poolId)).toBeUndefined();
      expect(await store.getClient(doomed.clientId)).toBeUndefined();
      expect(await store.getUser(doomed.poolId, doomed.u.id)).toBeUndefined();
      expect(await store.getPasskey(doomed.poolId, doomed.cred)).toBeUndefined();
      expect(await store.getTokenFamilyByRefreshHash(doomed.refreshHash)).toBeUndefined();
      expect(await store.getSigningKey(doomed.kid)).toBeUndefined();
      expect(await store.listSigningKeys(doomed.poolId, NOW)).toEqual([]);
      expect(await store.listOutbox(doomed.poolId, 10)).toEqual([]);
      expect(await store.listClients(doomed.poolId, 10)).toEqual([]);
      expect(await store.listUsers(doomed.poolId, 10, undefined, undefined)).toEqual([]);
      expect(await store.useCode(doomed.poolId, doomed.u.id, 'signup', NOW, 5, () => true)).toBe('missing');
      expect(await store.consumeChallenge(doomed.challenge, NOW)).toBeUndefined();
      expect(await store.consumeAuthSession(doomed.idHash, NOW)).toBeUndefined();
      expect(await store.deletePool(doomed.poolId)).toBe(false);

      expect(await store.getPool(kept.poolId)).toBeDefined();
      expect(await store.getClient(kept.clientId)).toBeDefined();
      expect(await store.getUser(kept.poolId, kept.u.id)).toBeDefined();
      expect(await store.getPasskey(kept.poolId, kept.cred)).toBeDefined();
      expect(await store.getTokenFamilyByRefreshHash(kept.refreshHash)).toBeDefined();
      expect(await store.getSigningKey(kept.kid)).toBeDefined();
      expect(await store.listOutbox(kept.poolId, 10)).toHaveLength(1);
      expect(await store.consumeChallenge(kept.challenge, NOW)).toBeDefined();
      expect(await store.consumeAuthSession(kept.idHash, NOW)).toBeDefined();
    });
  });

  describe('tokens and signing keys', () => {
    it('revokeAllUserTokens revokes every family and moves tokensValidAfter; getTokenState reflects it', async () => {
      const poolId = await newPool();
      const clientId = await newClient(poolId);
      const alice = await newUser(poolId, 'alice');
      const bob = await newUser(poolId, 'bob');
      const fam = (userId: string) => ({
        originJti: randomUUID(),
        poolId,
        clientId,
        userId,
        refreshHash: `rt-${rand(8)}`,
        authTime: NOW,
        createdAt: NOW,
        expiresAt: NOW + 86_400_000,
        revokedAt: null,
      });
      const a1 = fam(alice.id);
      const a2 = fam(alice.id);
      const b1 = fam(bob.id);
      for (const f of [a1, a2, b1]) await store.createTokenFamily(f);
      expect(await store.getTokenFamilyByRefreshHash(a1.refreshHash)).toEqual(a1);

      const fresh = await store.getTokenState(poolId, a1.originJti, alice.id);
      expect(fresh.familyRevoked).toBe(false);
      expect(fresh.user?.id).toBe(alice.id);
      expect(fresh.user?.tokensValidAfter).toBe(0);
      // A family of another user, or an unknown one, never counts as valid.
      expect((await store.getTokenState(poolId, b1.originJti, alice.id)).familyRevoked).toBe(true);
      expect((await store.getTokenState(poolId, randomUUID(), alice.id)).familyRevoked).toBe(true);
      expect(await store.getTokenState(poolId, a1.originJti, randomUUID())).toEqual({ familyRevoked: true, user: undefined });

      await store.revokeAllUserTokens(poolId, alice.id, NOW + 500);
      for (const f of [a1, a2]) {
        const state = await store.getTokenState(poolId, f.originJti, alice.id);
        expect(state.familyRevoked).toBe(true);
        expect(state.user?.tokensValidAfter).toBe(NOW + 500);
        expect((await store.getTokenFamilyByRefreshHash(f.refreshHash))?.revokedAt).toBe(NOW + 500);
      }
      const bobState = await store.getTokenState(poolId, b1.originJti, bob.id);
      expect(bobState.familyRevoked).toBe(false);
      expect(bobState.user?.tokensValidAfter).toBe(0);

      // Single-family revocation: once.
      expect(await store.revokeTokenFamily(b1.originJti, NOW + 600)).toBe(true);
      expect(await store.revokeTokenFamily(b1.originJti, NOW + 700)).toBe(false);
      expect((await store.getTokenFamilyByRefreshHash(b1.refreshHash))?.revokedAt).toBe(NOW + 600);
      // Revoking again later keeps the first revocation time of already revoked families.
      await store.revokeAllUserTokens(poolId, alice.id, NOW + 900);
      expect((await store.getTokenFamilyByRefreshHash(a1.refreshHash))?.revokedAt).toBe(NOW + 500);
      expect((await store.getUser(poolId, alice.id))?.tokensValidAfter).toBe(NOW + 900);
    });

    it('rotateSigningKey retires the previous active key; listSigningKeys drops expired ones, newest first', async () => {
      const poolId = await newPool();
      const key = (kid: string, createdAt: number) => ({
        kid,
        poolId,
        alg: 'RS256',
        privateKeyEnc: 'v1.a.b.c',
        publicJwk: { kid },
        createdAt,
        retiredAt: null,
        expiresAt: null,
      });
      const k1 = `k1-${rand(3)}`;
      const k2 = `k2-${rand(3)}`;
      await store.rotateSigningKey(key(k1, NOW), NOW, NOW + 1000);
      await store.rotateSigningKey(key(k2, NOW + 10), NOW + 10, NOW + 1000);
      const keys = await store.listSigningKeys(poolId, NOW + 20);
      expect(keys.map((k) => k.kid)).toEqual([k2, k1]);
      expect(keys[0]).toMatchObject({ retiredAt: null, expiresAt: null, publicJwk: { kid: k2 } });
      expect(keys[1]).toMatchObject({ retiredAt: NOW + 10, expiresAt: NOW + 1000 });
      expect((await store.listSigningKeys(poolId, NOW + 1000)).map((k) => k.kid)).toEqual([k2]);
      expect((await store.getSigningKey(k1))?.poolId).toBe(poolId);
    });
  });

  describe('housekeeping', () => {
    it('purgeExpired removes expired challenges, sessions, codes, families and retired keys only', async () => {
      const poolId = await newPool();
      const clientId = await newClient(poolId);
      const u = await newUser(poolId);
      const v = await newUser(poolId);
      const at = NOW + 10_000_000; // far from other tests' rows, which expire around NOW
      await store.putChallenge({ challenge: `old-${rand()}`, kind: 'registration', poolId, userId: u.id, clientId, expiresAt: at - 1 });
      const liveChallenge = `live-${rand()}`;
      await store.putChallenge({ challenge: liveChallenge, kind: 'registration', poolId, userId: u.id, clientId, expiresAt: at + 60_000 });
      await store.putAuthSession({ idHash: `old-${rand()}`, poolId, clientId, userId: null, state: {}, expiresAt: at - 1 });
      await store.putCode({ poolId, userId: u.id, purpose: 'signup', codeHash: 'h', attempts: 0, expiresAt: at - 1 });
      await store.putCode({ poolId, userId: v.id, purpose: 'signup', codeHash: 'h', attempts: 0, expiresAt: at + 60_000 });
      await store.createTokenFamily({
        originJti: randomUUID(),
        poolId,
        clientId,
        userId: u.id,
        refreshHash: `old-${rand()}`,
        authTime: at,
        createdAt: at,
        expiresAt: at - 1,
        revokedAt: null,
      });
      const purged = await store.purgeExpired(at);
      expect(purged).toBeGreaterThanOrEqual(4);
      expect(await store.consumeChallenge(liveChallenge, at)).toBeDefined();
      expect(await store.useCode(poolId, v.id, 'signup', at, 5, () => true)).toBe('ok');
      expect(await store.useCode(poolId, u.id, 'signup', at, 5, () => true)).toBe('missing');
    });
  });

  describe('migrations', () => {
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
        const schema = freshSchema();
        await check({ databaseUrl: PG_URL, schema });
        const migrations = await adminQuery(`SELECT name FROM ${schema}.kysely_migration`);
        expect(migrations.rows.map((r: { name: string }) => r.name).sort()).toEqual(await migrationNames());
      }
    });

    it.runIf(dialect === 'postgres')('concurrent openStore calls (3) on one fresh PostgreSQL schema all succeed', async () => {
      const schema = freshSchema();
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
  });

  // openStore in a child process: its open sockets can be counted there, and a leaked pool could
  // not keep this test process alive.
  describe.runIf(dialect === 'postgres')('openStore failures and neighbours', () => {
    let out: { conflictError: string; socketsAfterFailure: number; second: string };
    beforeAll(async () => {
      const occupied = freshSchema();
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
        await new Promise((r) => setTimeout(r, 300));
        out.socketsAfterFailure = sockets();
        // Two fresh schemas, one after the other, in a database where other schemas are migrated.
        const first = await openStore({ databaseUrl: url, schema: ${JSON.stringify(freshSchema())} });
        try { const second = await openStore({ databaseUrl: url, schema: ${JSON.stringify(freshSchema())} }); out.second = 'opened'; await second.close(); }
        catch (e) { out.second = String(e && e.message); }
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

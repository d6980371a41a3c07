/**
 * The one setup of the Store contract tests (storage/store.ts), which run against both dialects
 * through openStore(). Each area file loops over the dialects:
 *
 *   for (const dialect of dialects) describe(dialect, () => { const t = useStore(dialect); it(…) });
 *
 * useStore opens a fresh store before the block's tests — a new SQLite file in a temporary directory,
 * or a new schema (`sc_<random>`) in the PostgreSQL database `test` on 127.0.0.1:5432 — and removes
 * it (the directory, or every schema the block created) after them.
 *
 * On PostgreSQL, concurrent callers are spread over two Store instances (two connection pools) on
 * the same schema, as two server instances would be (`t.pick(i)`). On SQLite one Store is one
 * connection, so the callers interleave at every await on that connection.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { randomBytes, randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, expect } from 'vitest';

import { normalizePgUrl, openStore } from '../../src/storage/open.js';
import { migrationProvider } from '../../src/storage/migrations/index.js';
import type { PasskeyRecord, Store, TokenFamilyRecord, UserRecord } from '../../src/storage/store.js';

export type Dialect = 'sqlite' | 'postgres';
export const dialects: Dialect[] = ['sqlite', 'postgres'];

export const PG_URL = process.env.DATABASE_URL ?? 'postgres://127.0.0.1:5432/test';

/** The epoch (ms) every record here is dated from; tests pass their own `now`. */
export const NOW = 1_750_000_000_000;

export const rand = (n = 6) => randomBytes(n).toString('hex');

/** Every migration the code knows, each of which must have run exactly once. */
export const migrationNames = async () => Object.keys(await migrationProvider('postgres').getMigrations()).sort();

export async function adminQuery(sql: string) {
  const c = new pg.Client({ connectionString: normalizePgUrl(PG_URL) });
  await c.connect();
  try {
    return await c.query(sql);
  } finally {
    await c.end();
  }
}

const REPO_ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
export const OPEN_TS = fileURLToPath(new URL('../../src/storage/open.ts', import.meta.url));
const execFileAsync = promisify(execFile);

/** Runs an ES module snippet in a fresh Node process (TypeScript sources through tsx); parses its last stdout line. */
export async function runChild<T>(code: string, env: Record<string, string>): Promise<T> {
  const { stdout } = await execFileAsync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...env },
    timeout: 60_000,
  });
  return JSON.parse(stdout.trim().split('\n').pop()!) as T;
}

/** Rejection reason, or undefined when the promise fulfilled. */
export const settle = <T>(p: Promise<T>) =>
  p.then(
    (value) => ({ ok: true as const, value }),
    (error: unknown) => ({ ok: false as const, error }),
  );

/** `n` concurrent calls of `f(i)`. */
export const concurrently = <T>(n: number, f: (i: number) => Promise<T>) => Promise.all(Array.from({ length: n }, (_, i) => f(i)));

export function userRecord(poolId: string, username: string, extra: Partial<UserRecord> = {}): UserRecord {
  return {
    poolId,
    id: randomUUID(),
    username,
    usernameKey: username.toLowerCase(),
    emailKey: null,
    status: 'CONFIRMED',
    enabled: true,
    attributes: {},
    pendingAttributes: {},
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

export function passkeyRecord(poolId: string, userId: string, credentialId: string, extra: Partial<PasskeyRecord> = {}): PasskeyRecord {
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

export function familyRecord(poolId: string, clientId: string, userId: string, extra: Partial<TokenFamilyRecord> = {}): TokenFamilyRecord {
  return {
    originJti: randomUUID(),
    poolId,
    clientId,
    userId,
    refreshHash: `rt-${rand(8)}`,
    authTime: NOW,
    createdAt: NOW,
    expiresAt: NOW + 86_400_000,
    revokedAt: null,
    ...extra,
  };
}

/** What a test block works with; the fields are set before its first test runs. */
export interface StoreTest {
  readonly dialect: Dialect;
  /** The store under test. */
  readonly store: Store;
  /** A second instance on the same database (PostgreSQL) or the same store (SQLite). */
  readonly other: Store;
  /** Alternates between the two, for concurrent callers. */
  pick(i: number): Store;
  /** Another openStore() on the same directory / schema (migrations run again). */
  reopen(): Promise<Store>;
  /** A new PostgreSQL schema name, dropped after the block. */
  freshSchema(): string;
  newPool(config?: Record<string, unknown>): Promise<string>;
  newUser(poolId: string, username?: string, extra?: Partial<UserRecord>): Promise<UserRecord>;
  newClient(poolId: string): Promise<string>;
  /** Stores a token family the way sign-in does (finishSignIn without a session). */
  newFamily(poolId: string, clientId: string, userId: string, extra?: Partial<TokenFamilyRecord>): Promise<TokenFamilyRecord>;
}

/** Opens a fresh store of `dialect` before the enclosing block's tests and removes it after them. */
export function useStore(dialect: Dialect): StoreTest {
  const schemas = new Set<string>();
  const freshSchema = () => {
    const name = `sc_${rand(6)}`;
    schemas.add(name);
    return name;
  };
  let store: Store | undefined;
  let other: Store | undefined;
  let reopen: () => Promise<Store>;
  let cleanup = async () => {};

  beforeAll(async () => {
    if (dialect === 'sqlite') {
      const dir = mkdtempSync(join(tmpdir(), 'latchkey-store-'));
      cleanup = async () => rmSync(dir, { recursive: true, force: true });
      store = other = await openStore({ dataDir: dir });
      reopen = () => openStore({ dataDir: dir });
    } else {
      const schema = freshSchema();
      store = await openStore({ databaseUrl: PG_URL, schema });
      other = await openStore({ databaseUrl: PG_URL, schema });
      reopen = () => openStore({ databaseUrl: PG_URL, schema });
    }
  });
  afterAll(async () => {
    await store?.close();
    if (other !== store) await other?.close();
    await cleanup();
    for (const name of schemas) await adminQuery(`DROP SCHEMA IF EXISTS ${name} CASCADE`);
  });

  const t: StoreTest = {
    dialect,
    get store() {
      if (!store) throw new Error('the store is opened in beforeAll: use it inside a test');
      return store;
    },
    get other() {
      if (!other) throw new Error('the store is opened in beforeAll: use it inside a test');
      return other;
    },
    pick: (i) => (i % 2 === 0 ? t.store : t.other),
    reopen: () => reopen(),
    freshSchema,
    async newPool(config = {}) {
      const id = `local_${randomBytes(9).toString('base64url').replace(/[-_]/g, 'x').slice(0, 9)}`;
      await t.store.createPool({ id, name: `pool-${id}`, config, createdAt: NOW, updatedAt: NOW });
      return id;
    },
    async newUser(poolId, username = `user-${rand(4)}`, extra = {}) {
      const u = userRecord(poolId, username, extra);
      await t.store.createUser(u);
      return u;
    },
    async newClient(poolId) {
      const id = rand(13);
      await t.store.createClient({ id, poolId, name: 'client', config: {}, createdAt: NOW, updatedAt: NOW });
      return id;
    },
    async newFamily(poolId, clientId, userId, extra = {}) {
      const family = familyRecord(poolId, clientId, userId, extra);
      expect(await t.store.finishSignIn({ now: family.createdAt, family })).toBe('ok');
      return family;
    },
  };
  return t;
}

/**
 * The two multi-process deployments every race suite runs its scenarios on: `latchkey serve --workers 2`
 * over one SQLite file, and two instances over one PostgreSQL database. Each gets a fresh pool and a store
 * opened by the test (to read the outbox); error lines in a server's log fail the suite.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import type { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { openStore } from '../../src/storage/open.js';
import type { Store } from '../../src/storage/store.js';
import { createTestPool, type TestPool } from './pool.js';
import {
  ADMIN_KEYS,
  createDatabase,
  dropDatabase,
  freePort,
  randomName,
  sdkClient,
  startServerProcess,
  type ServerProcess,
} from './processes.js';

export interface RaceDeployment {
  /** The i-th request of a burst goes to clients[i % clients.length]. */
  clients: CognitoIdentityProviderClient[];
  admin: CognitoIdentityProviderClient;
  /** The deployment's database, opened by the test. */
  store: Store;
  /** The endpoint of the first process (for signed Latchkey admin calls). */
  url: string;
}

export type RaceScenarios = (get: () => { d: RaceDeployment; pool: TestPool }) => void;

/** Defines `<label> on …SQLite…` and `<label> on …PostgreSQL…` suites, each running `scenarios`. */
export function onRaceDeployments(label: string, poolOptions: Parameters<typeof createTestPool>[1], scenarios: RaceScenarios): void {
  describe(`${label} on \`latchkey serve --workers 2\` over one SQLite file`, () => {
    let dataDir: string;
    let server: ServerProcess | undefined;
    let d: RaceDeployment;
    let pool: TestPool;

    beforeAll(async () => {
      dataDir = mkdtempSync(join(tmpdir(), 'latchkey-races-'));
      server = await startServerProcess({ name: 'workers', dataDir, workers: 2 });
      // New connection per request: the cluster primary hands them to both workers in turn.
      const clients = [sdkClient(server.url, undefined, { keepAlive: false }), sdkClient(server.url, undefined, { keepAlive: false })];
      const store = await openStore({ dataDir, migrate: false });
      d = { clients, admin: sdkClient(server.url, ADMIN_KEYS, { keepAlive: false }), store, url: server.url };
      pool = await createTestPool(d.admin, poolOptions);
    }, 90_000);

    afterAll(async () => {
      for (const c of d?.clients ?? []) c.destroy();
      d?.admin.destroy();
      await d?.store.close();
      if (server && !server.exitInfo()) {
        expect(server.errorLines()).toEqual([]);
        expect(await server.stop(15_000)).toEqual({ code: 0, signal: null });
      }
      rmSync(dataDir, { recursive: true, force: true });
    });

    scenarios(() => ({ d, pool }));
  });

  describe(`${label} on two instances over one PostgreSQL database`, () => {
    const dbName = `lk_races_${process.pid}_${Date.now().toString(36)}_${randomName('')}`;
    const schema = randomName('rc_');
    let A: ServerProcess | undefined;
    let B: ServerProcess | undefined;
    let d: RaceDeployment;
    let pool: TestPool;

    beforeAll(async () => {
      const dbUrl = await createDatabase(dbName);
      const [portA, portB] = [await freePort(), await freePort()];
      const publicUrl = `http://127.0.0.1:${portA}`;
      A = await startServerProcess({ name: 'A', port: portA, publicUrl, databaseUrl: dbUrl, databaseSchema: schema });
      B = await startServerProcess({ name: 'B', port: portB, publicUrl, databaseUrl: dbUrl, databaseSchema: schema });
      const store = await openStore({ databaseUrl: dbUrl, schema, migrate: false });
      d = { clients: [A.client, B.client], admin: A.admin, store, url: A.url };
      pool = await createTestPool(d.admin, poolOptions);
    }, 120_000);

    afterAll(async () => {
      await d?.store.close();
      for (const inst of [A, B]) {
        if (!inst) continue;
        expect(inst.errorLines(), `error lines of ${inst.name}`).toEqual([]);
        await inst.stop();
      }
      await dropDatabase(dbName);
    });

    scenarios(() => ({ d, pool }));
  });
}

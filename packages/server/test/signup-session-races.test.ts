/**
 * ConfirmSignUp's Session under bursts of parallel InitiateAuth USER_AUTH calls spread over processes:
 * `latchkey serve --workers 2` on one SQLite file, and two instances on one PostgreSQL database. Of
 * BURST uses of one Session exactly one signs in; every other answer is the expired-session error.
 * Before the change ConfirmSignUp returned no Session at all.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ConfirmSignUpCommand,
  InitiateAuthCommand,
  SignUpCommand,
  type CognitoIdentityProviderClient,
} from '@aws-sdk/client-cognito-identity-provider';
import { openStore } from '../src/storage/open.js';
import type { Store } from '../src/storage/store.js';
import { createTestPool, type TestPool } from './helpers/pool.js';
import {
  ADMIN_KEYS,
  createDatabase,
  dropDatabase,
  freePort,
  randomName,
  sdkClient,
  startServerProcess,
  type ServerProcess,
} from './helpers/processes.js';

const BURST = 20;
const EXPIRED = 'Invalid session for the user, session is expired.';

interface Deployment {
  /** The i-th request of a burst goes to clients[i % clients.length]. */
  clients: CognitoIdentityProviderClient[];
  admin: CognitoIdentityProviderClient;
  /** The deployment's database, opened by the test, to read the outbox. */
  store: Store;
}

async function outcome(p: Promise<{ AuthenticationResult?: unknown }>): Promise<string> {
  try {
    const r = await p;
    return r.AuthenticationResult ? 'ok' : 'no tokens';
  } catch (e) {
    const err = e as { name: string; message: string };
    return err.name === 'NotAuthorizedException' && err.message === EXPIRED ? 'expired' : `${err.name}: ${err.message}`;
  }
}

function scenarios(get: () => { d: Deployment; pool: TestPool }) {
  it(`${BURST} parallel InitiateAuth USER_AUTH with one sign-up Session, over the processes: exactly one signs in`, async () => {
    const { d, pool } = get();
    for (let round = 0; round < 3; round++) {
      const username = randomName(`race-signup-${round}-`);
      const email = `${username}@example.com`;
      await d.clients[0]!.send(
        new SignUpCommand({ ClientId: pool.clientId, Username: username, UserAttributes: [{ Name: 'email', Value: email }] }),
      );
      const message = (await d.store.listOutbox(pool.userPoolId, 50)).find((m) => m.destination === email);
      expect(message?.code).toBeTruthy();
      const { Session } = await d.clients[1]!.send(
        new ConfirmSignUpCommand({ ClientId: pool.clientId, Username: username, ConfirmationCode: message!.code! }),
      );
      expect(Session).toBeTruthy();
      const results = await Promise.all(
        Array.from({ length: BURST }, (_, i) =>
          outcome(
            d.clients[i % d.clients.length]!.send(
              new InitiateAuthCommand({ ClientId: pool.clientId, AuthFlow: 'USER_AUTH', Session, AuthParameters: { USERNAME: username } }),
            ),
          ),
        ),
      );
      expect(results.filter((r) => r !== 'ok' && r !== 'expired')).toEqual([]);
      expect(
        results.filter((r) => r === 'ok'),
        JSON.stringify(results),
      ).toHaveLength(1);
    }
  });
}

describe('sign-up Session races on `latchkey serve --workers 2` over one SQLite file', () => {
  let dataDir: string;
  let server: ServerProcess | undefined;
  let d: Deployment;
  let pool: TestPool;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'latchkey-signup-races-'));
    server = await startServerProcess({ name: 'workers', dataDir, workers: 2 });
    // New connection per request: the cluster primary hands them to both workers in turn.
    const clients = [sdkClient(server.url, undefined, { keepAlive: false }), sdkClient(server.url, undefined, { keepAlive: false })];
    const store = await openStore({ dataDir, migrate: false });
    d = { clients, admin: sdkClient(server.url, ADMIN_KEYS, { keepAlive: false }), store };
    pool = await createTestPool(d.admin);
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

describe('sign-up Session races on two instances over one PostgreSQL database', () => {
  const dbName = `lk_suraces_${process.pid}_${Date.now().toString(36)}`;
  const schema = randomName('su_');
  let A: ServerProcess | undefined;
  let B: ServerProcess | undefined;
  let d: Deployment;
  let pool: TestPool;

  beforeAll(async () => {
    const dbUrl = await createDatabase(dbName);
    const [portA, portB] = [await freePort(), await freePort()];
    const publicUrl = `http://127.0.0.1:${portA}`;
    A = await startServerProcess({ name: 'A', port: portA, publicUrl, databaseUrl: dbUrl, databaseSchema: schema });
    B = await startServerProcess({ name: 'B', port: portB, publicUrl, databaseUrl: dbUrl, databaseSchema: schema });
    const store = await openStore({ databaseUrl: dbUrl, schema, migrate: false });
    d = { clients: [A.client, B.client], admin: A.admin, store };
    pool = await createTestPool(d.admin);
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

/**
 * The send budget and the ConfirmSignUp attempt cap under bursts of 50 parallel requests spread over
 * processes: `latchkey serve --workers 2` on one SQLite file, and two instances on one PostgreSQL
 * database. The budgets are one guarded upsert (Store.admitBudget), so no process sees a stale count:
 * - 50 parallel ResendConfirmationCode for one user: with SignUp's code, at most 5 codes are sent.
 * - 50 parallel ForgotPassword for an unknown name (stand-ins): exactly 5 answered, 45 refused.
 * - 50 parallel wrong ConfirmSignUp codes: at most 20 are checked, 30 refused.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ConfirmSignUpCommand,
  ForgotPasswordCommand,
  ResendConfirmationCodeCommand,
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

const BURST = 50;
const LIMIT = 'Attempt limit exceeded, please try after some time.';

interface Deployment {
  /** The i-th request of a burst goes to clients[i % clients.length]. */
  clients: CognitoIdentityProviderClient[];
  admin: CognitoIdentityProviderClient;
  /** The deployment's database, opened by the test, to read the outbox. */
  store: Store;
}

async function outcome(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'ok';
  } catch (e) {
    const err = e as { name: string; message: string };
    return err.name === 'LimitExceededException' && err.message === LIMIT ? 'limit' : err.name;
  }
}

const count = (xs: string[], what: string) => xs.filter((x) => x === what).length;

function scenarios(get: () => { d: Deployment; pool: TestPool }) {
  const burst = (send: (c: CognitoIdentityProviderClient, i: number) => Promise<unknown>) =>
    Promise.all(Array.from({ length: BURST }, (_, i) => outcome(send(get().d.clients[i % get().d.clients.length]!, i))));
  const signUp = async (username: string) => {
    const { d, pool } = get();
    await d.clients[0]!.send(
      new SignUpCommand({
        ClientId: pool.clientId,
        Username: username,
        UserAttributes: [{ Name: 'email', Value: `${username}@example.com` }],
      }),
    );
  };

  it(`${BURST} parallel ResendConfirmationCode for one user: at most 5 codes sent in all (SignUp's included)`, async () => {
    const { d, pool } = get();
    const username = randomName('race-resend-');
    await signUp(username);
    const results = await burst((c) => c.send(new ResendConfirmationCodeCommand({ ClientId: pool.clientId, Username: username })));
    expect(results.filter((r) => r !== 'ok' && r !== 'limit')).toEqual([]);
    expect(count(results, 'ok'), JSON.stringify(results)).toBe(4);
    const sent = (await d.store.listOutbox(pool.userPoolId, 1000)).filter((m) => m.destination === `${username}@example.com`);
    expect(sent).toHaveLength(5);
  });

  it(`${BURST} parallel ForgotPassword for an unknown name: exactly 5 answered as sent, the rest refused`, async () => {
    const { pool } = get();
    const username = randomName('race-ghost-');
    const results = await burst((c) => c.send(new ForgotPasswordCommand({ ClientId: pool.clientId, Username: username })));
    expect(results.filter((r) => r !== 'ok' && r !== 'limit')).toEqual([]);
    expect(count(results, 'ok'), JSON.stringify(results)).toBe(5);
  });

  it(`${BURST} parallel wrong ConfirmSignUp codes: at most 20 checked, the other 30 refused`, async () => {
    const { pool } = get();
    const username = randomName('race-brute-');
    await signUp(username);
    const results = await burst((c, i) =>
      c.send(new ConfirmSignUpCommand({ ClientId: pool.clientId, Username: username, ConfirmationCode: String(100000 + i) })),
    );
    expect(count(results, 'ok')).toBe(0);
    expect(count(results, 'limit'), JSON.stringify(results)).toBe(BURST - 20);
  });
}

describe('send budget races on `latchkey serve --workers 2` over one SQLite file', () => {
  let dataDir: string;
  let server: ServerProcess | undefined;
  let d: Deployment;
  let pool: TestPool;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'latchkey-send-races-'));
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

describe('send budget races on two instances over one PostgreSQL database', () => {
  const dbName = `lk_sendraces_${process.pid}_${Date.now().toString(36)}`;
  const schema = randomName('sb_');
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

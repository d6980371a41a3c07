/**
 * EMAIL_OTP answers under bursts of 20 parallel requests, spread over processes as in
 * password-races.test.ts: `latchkey serve --workers 2` on one SQLite file, and two instances on one
 * PostgreSQL database. The code is read from the outbox through a store of the test's own.
 *
 * - One right code answered 20 times at once: exactly one sign-in; every other answer is refused.
 * - 20 wrong codes at once on one Session: at most 3 (the attempt limit) are evaluated.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  InitiateAuthCommand,
  RespondToAuthChallengeCommand,
  type CognitoIdentityProviderClient,
} from '@aws-sdk/client-cognito-identity-provider';
import { openStore } from '../src/storage/open.js';
import type { Store } from '../src/storage/store.js';
import { createTestPool, type TestPool } from './helpers/pool.js';
import { createUser } from './helpers/latchkeyAdmin.js';
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
const LIMIT = 3;

interface Deployment {
  clients: CognitoIdentityProviderClient[];
  admin: CognitoIdentityProviderClient;
  /** The deployment's database, opened by the test (for the outbox). */
  store: Store;
}

async function outcome(p: Promise<{ AuthenticationResult?: unknown }>): Promise<string> {
  try {
    const r = await p;
    return r.AuthenticationResult ? 'ok' : 'no tokens';
  } catch (e) {
    return (e as { name: string }).name;
  }
}

function scenarios(get: () => { d: Deployment; pool: TestPool }) {
  const pick = (i: number) => get().d.clients[i % get().d.clients.length]!;

  async function challenge(prefix: string) {
    const { d, pool } = get();
    const user = await createUser(d, pool, prefix);
    const r = await pick(0).send(
      new InitiateAuthCommand({
        ClientId: pool.clientId,
        AuthFlow: 'USER_AUTH',
        AuthParameters: { USERNAME: user.username, PREFERRED_CHALLENGE: 'EMAIL_OTP' },
      }),
    );
    expect(r.ChallengeName).toBe('EMAIL_OTP');
    const message = (await d.store.listOutbox(pool.userPoolId, 50)).find((m) => m.destination === `${user.username}@example.com`);
    return { user, session: r.Session!, code: message!.code! };
  }

  const respond = (i: number, username: string, session: string, code: string) =>
    outcome(
      pick(i).send(
        new RespondToAuthChallengeCommand({
          ClientId: get().pool.clientId,
          ChallengeName: 'EMAIL_OTP',
          Session: session,
          ChallengeResponses: { USERNAME: username, EMAIL_OTP_CODE: code },
        }),
      ),
    );

  it(`one right code answered ${BURST} times at once: exactly one sign-in`, async () => {
    const { user, session, code } = await challenge('otp-race');
    const results = await Promise.all(Array.from({ length: BURST }, (_, i) => respond(i, user.username, session, code)));
    expect(
      results.filter((r) => r === 'ok'),
      JSON.stringify(results),
    ).toHaveLength(1);
    expect(results.filter((r) => r !== 'ok' && r !== 'NotAuthorizedException')).toEqual([]);
  });

  it(`${BURST} wrong codes at once on one Session: at most ${LIMIT} evaluated, then the right code is refused too`, async () => {
    const { user, session, code } = await challenge('otp-wrong');
    const wrong = code === '00000000' ? '11111111' : '00000000';
    const results = await Promise.all(Array.from({ length: BURST }, (_, i) => respond(i, user.username, session, wrong)));
    expect(results.filter((r) => r === 'CodeMismatchException').length, JSON.stringify(results)).toBeLessThanOrEqual(LIMIT);
    expect(results.filter((r) => r !== 'CodeMismatchException' && r !== 'NotAuthorizedException')).toEqual([]);
    expect(await respond(0, user.username, session, code)).toBe('NotAuthorizedException');
  });
}

describe('EMAIL_OTP races on `latchkey serve --workers 2` over one SQLite file', () => {
  let dataDir: string;
  let server: ServerProcess | undefined;
  let d: Deployment;
  let pool: TestPool;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'latchkey-otp-races-'));
    server = await startServerProcess({ name: 'workers', dataDir, workers: 2 });
    // New connection per request: the cluster primary hands them to both workers in turn.
    const clients = [sdkClient(server.url, undefined, { keepAlive: false }), sdkClient(server.url, undefined, { keepAlive: false })];
    d = { clients, admin: sdkClient(server.url, ADMIN_KEYS, { keepAlive: false }), store: await openStore({ dataDir }) };
    pool = await createTestPool(d.admin, { factors: ['PASSWORD', 'EMAIL_OTP'] });
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

describe('EMAIL_OTP races on two instances over one PostgreSQL database', () => {
  const dbName = `lk_otp_races_${process.pid}_${Date.now().toString(36)}`;
  const schema = randomName('or_');
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
    d = { clients: [A.client, B.client], admin: A.admin, store: await openStore({ databaseUrl: dbUrl, schema }) };
    pool = await createTestPool(d.admin, { factors: ['PASSWORD', 'EMAIL_OTP'] });
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

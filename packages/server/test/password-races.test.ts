/**
 * The password lockout and ChangePassword under bursts of 50 parallel requests, where the old code
 * failed them: `latchkey serve --workers 2` on one SQLite file, and two instances on one PostgreSQL
 * database. Each burst is spread over the processes (new connections per request to the workers; the
 * two instances alternately), so no single process sees the whole race.
 *
 * - Lockout: 49 wrong passwords and the right one at index 45, all at once. At most the threshold (5)
 *   may be evaluated — every other answer is "Password attempts exceeded" — for USER_PASSWORD_AUTH,
 *   for SRP PASSWORD_VERIFIER answers (each on its own challenge) and for ChangePassword.
 * - ChangePassword with the right previous password 50 times at once: exactly one applies; a double
 *   submit does not lock the account.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ChangePasswordCommand,
  InitiateAuthCommand,
  RespondToAuthChallengeCommand,
  type CognitoIdentityProviderClient,
} from '@aws-sdk/client-cognito-identity-provider';
import { createSrpClientSession } from '../../client/src/internal/srp.js';
import { createTestPool, type TestPool } from './helpers/pool.js';
import { accessToken, createUser, initiatePasswordAuth, passwordVerifierInput, type TestUser } from './helpers/latchkeyAdmin.js';
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
const RIGHT_AT = 45;
const THRESHOLD = 5;
const LOCKED = 'Password attempts exceeded';
const INCORRECT = 'Incorrect username or password.';

/** One deployment under test: clients that reach different processes, and an admin client. */
interface Deployment {
  name: string;
  /** The i-th request of a burst goes to clients[i % clients.length]. */
  clients: CognitoIdentityProviderClient[];
  admin: CognitoIdentityProviderClient;
  processes: ServerProcess[];
}

type Outcome = 'ok' | 'incorrect' | 'locked' | string;

async function outcome(p: Promise<unknown>): Promise<Outcome> {
  try {
    await p;
    return 'ok';
  } catch (e) {
    const err = e as { name: string; message: string; $metadata?: { httpStatusCode?: number } };
    if (err.name === 'NotAuthorizedException' && err.message === LOCKED) return 'locked';
    if (err.name === 'NotAuthorizedException' && err.message === INCORRECT) return 'incorrect';
    return `${err.name}/${err.$metadata?.httpStatusCode}: ${err.message}`;
  }
}

const count = (xs: Outcome[], what: Outcome) => xs.filter((x) => x === what).length;

/**
 * Every answer is one of the expected kinds, and at most THRESHOLD guesses were evaluated — plus one per
 * lock window that ended while the burst ran (the first lock lasts 1 s; a slow machine may take longer
 * than that for 50 requests, and then one more guess is rightly admitted per elapsed second at most).
 */
async function expectAdmittedAtMostThreshold(burst: () => Promise<Outcome[]>) {
  const started = Date.now();
  const results = await burst();
  const windows = Math.floor((Date.now() - started) / 1000);
  expect(
    results.filter((r) => r !== 'ok' && r !== 'incorrect' && r !== 'locked'),
    'unexpected answers',
  ).toEqual([]);
  const evaluated = count(results, 'ok') + count(results, 'incorrect');
  // The right guess, if it was among the admitted ones, rightly cleared the budget: a fresh one follows.
  const budgets = 1 + count(results, 'ok');
  expect(evaluated, JSON.stringify(results)).toBeLessThanOrEqual(budgets * THRESHOLD + windows);
  expect(count(results, 'locked')).toBeGreaterThanOrEqual(BURST - budgets * THRESHOLD - windows);
}

const guess = (i: number, user: TestUser) => (i === RIGHT_AT ? user.password : `Wr0ng-guess-${i}`);

function raceScenarios(get: () => { d: Deployment; pool: TestPool }) {
  const pick = (i: number) => get().d.clients[i % get().d.clients.length]!;

  it(`${BURST} parallel USER_PASSWORD_AUTH guesses, the right one at ${RIGHT_AT}: at most ${THRESHOLD} evaluated`, async () => {
    const { d, pool } = get();
    const user = await createUser(d, pool, 'race-pw');
    await expectAdmittedAtMostThreshold(() =>
      Promise.all(
        Array.from({ length: BURST }, (_, i) => outcome(initiatePasswordAuth(pick(i), pool.clientId, user.username, guess(i, user)))),
      ),
    );
  });

  it(
    `${BURST} parallel SRP PASSWORD_VERIFIER answers (one challenge ` +
      `each), the right one at ${RIGHT_AT}: at most ${THRESHOLD} evaluated`,
    async () => {
      const { d, pool } = get();
      const user = await createUser(d, pool, 'race-srp');
      const inputs = [];
      for (let i = 0; i < BURST; i++) {
        const srp = createSrpClientSession();
        const challenge = await pick(i).send(
          new InitiateAuthCommand({
            ClientId: pool.clientId,
            AuthFlow: 'USER_SRP_AUTH',
            AuthParameters: { USERNAME: user.username, SRP_A: srp.srpA },
          }),
        );
        inputs.push(await passwordVerifierInput(pool, pool.clientId, challenge, srp, guess(i, user)));
      }
      await expectAdmittedAtMostThreshold(() =>
        Promise.all(inputs.map((input, i) => outcome(pick(i + 1).send(new RespondToAuthChallengeCommand(input))))),
      );
    },
  );

  it(
    `${BURST} parallel ChangePassword guesses with one access token, ` + `the right one at ${RIGHT_AT}: at most ${THRESHOLD} evaluated`,
    async () => {
      const { d, pool } = get();
      const user = await createUser(d, pool, 'race-change');
      const token = await accessToken({ client: pick(0) }, pool.clientId, user);
      await expectAdmittedAtMostThreshold(() =>
        Promise.all(
          Array.from({ length: BURST }, (_, i) =>
            outcome(
              pick(i).send(
                new ChangePasswordCommand({
                  AccessToken: token,
                  PreviousPassword: guess(i, user),
                  ProposedPassword: `New-Passw0rd-${i}`,
                }),
              ),
            ),
          ),
        ),
      );
    },
  );

  it(`${BURST} parallel ChangePassword calls with the right previous password: exactly one applies`, async () => {
    const { d, pool } = get();
    const user = await createUser(d, pool, 'race-cas');
    const token = await accessToken({ client: pick(0) }, pool.clientId, user);
    const results = await Promise.all(
      Array.from({ length: BURST }, (_, i) =>
        outcome(
          pick(i).send(
            new ChangePasswordCommand({
              AccessToken: token,
              PreviousPassword: user.password,
              ProposedPassword: `New-Passw0rd-${i}`,
            }),
          ),
        ),
      ),
    );
    expect(results.filter((r) => r !== 'ok' && r !== 'incorrect' && r !== 'locked')).toEqual([]);
    expect(count(results, 'ok'), JSON.stringify(results)).toBe(1);
    // The winner's password is the one that signs in; the old one does not. (Calls that checked the old
    // password after the change are real wrong guesses on the user's budget and may have locked it for
    // a few seconds: wait that out, bounded.)
    const winner = results.indexOf('ok');
    let signIn: Outcome = 'locked';
    for (let i = 0; i < 40 && signIn === 'locked'; i++) {
      signIn = await outcome(initiatePasswordAuth(pick(1), pool.clientId, user.username, `New-Passw0rd-${winner}`));
      if (signIn === 'locked') await new Promise((r) => setTimeout(r, 500));
    }
    expect(signIn).toBe('ok');
    expect(await outcome(initiatePasswordAuth(pick(0), pool.clientId, user.username, user.password))).toBe('incorrect');
  });

  it('a double submit of ChangePassword: one applies, and the account is not locked by it', async () => {
    const { d, pool } = get();
    const user = await createUser(d, pool, 'race-double');
    const token = await accessToken({ client: pick(0) }, pool.clientId, user);
    const submit = (i: number) =>
      outcome(
        pick(i).send(
          new ChangePasswordCommand({ AccessToken: token, PreviousPassword: user.password, ProposedPassword: 'Double-Passw0rd' }),
        ),
      );
    const results = await Promise.all([submit(0), submit(1)]);
    expect(results.sort()).toEqual(['incorrect', 'ok']);
    // The account is not locked by it: the new password signs in at once, and changes again.
    // (The loser counted at most one guess: its previous password was checked before or after the
    // winner's change.)
    expect(await outcome(initiatePasswordAuth(pick(0), pool.clientId, user.username, 'Double-Passw0rd'))).toBe('ok');
    expect(
      await outcome(
        pick(1).send(
          new ChangePasswordCommand({ AccessToken: token, PreviousPassword: 'Double-Passw0rd', ProposedPassword: 'Third-Passw0rd' }),
        ),
      ),
    ).toBe('ok');
    expect(await outcome(initiatePasswordAuth(pick(1), pool.clientId, user.username, 'Third-Passw0rd'))).toBe('ok');
  });
}

describe('races on `latchkey serve --workers 2` over one SQLite file', () => {
  let dataDir: string;
  let server: ServerProcess | undefined;
  let d: Deployment;
  let pool: TestPool;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'latchkey-races-'));
    server = await startServerProcess({ name: 'workers', dataDir, workers: 2 });
    // New connection per request: the cluster primary hands them to both workers in turn.
    const clients = [sdkClient(server.url, undefined, { keepAlive: false }), sdkClient(server.url, undefined, { keepAlive: false })];
    d = { name: 'workers', clients, admin: sdkClient(server.url, ADMIN_KEYS, { keepAlive: false }), processes: [server] };
    pool = await createTestPool(d.admin);
  }, 90_000);

  afterAll(async () => {
    for (const c of d?.clients ?? []) c.destroy();
    d?.admin.destroy();
    if (server && !server.exitInfo()) {
      expect(server.errorLines()).toEqual([]);
      expect(await server.stop(15_000)).toEqual({ code: 0, signal: null });
    }
    rmSync(dataDir, { recursive: true, force: true });
  });

  raceScenarios(() => ({ d, pool }));
});

describe('races on two instances over one PostgreSQL database', () => {
  const dbName = `lk_races_${process.pid}_${Date.now().toString(36)}`;
  const schema = randomName('rc_');
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
    d = { name: 'two instances', clients: [A.client, B.client], admin: A.admin, processes: [A, B] };
    pool = await createTestPool(d.admin);
  }, 120_000);

  afterAll(async () => {
    for (const inst of [A, B]) {
      if (!inst) continue;
      expect(inst.errorLines(), `error lines of ${inst.name}`).toEqual([]);
      await inst.stop();
    }
    await dropDatabase(dbName);
  });

  raceScenarios(() => ({ d, pool }));
});

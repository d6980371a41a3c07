/**
 * The send budget and the ConfirmSignUp attempt cap under bursts of 50 parallel requests spread over
 * processes: `latchkey serve --workers 2` on one SQLite file, and two instances on one PostgreSQL
 * database. The budgets are one guarded upsert (Store.admitBudget), so no process sees a stale count:
 * - 50 parallel ResendConfirmationCode for one user: with SignUp's code, at most 5 codes are sent.
 * - 50 parallel ForgotPassword for an unknown name (stand-ins): exactly 5 answered, 45 refused.
 * - 50 parallel wrong ConfirmSignUp codes: at most 20 are checked, 30 refused.
 */
import { expect, it } from 'vitest';
import {
  ConfirmSignUpCommand,
  ForgotPasswordCommand,
  ResendConfirmationCodeCommand,
  SignUpCommand,
  type CognitoIdentityProviderClient,
} from '@aws-sdk/client-cognito-identity-provider';
import type { TestPool } from './helpers/pool.js';
import { onRaceDeployments, type RaceDeployment } from './helpers/raceDeployments.js';
import { randomName } from './helpers/processes.js';

const BURST = 50;
const LIMIT = 'Attempt limit exceeded, please try after some time.';

type Deployment = RaceDeployment;

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

onRaceDeployments('send budget races', {}, scenarios);

/**
 * EMAIL_OTP answers under bursts of 50 parallel requests, spread over processes as in
 * password-races.test.ts: `latchkey serve --workers 2` on one SQLite file, and two instances on one
 * PostgreSQL database. The code is read from the outbox through a store of the test's own.
 *
 * - One right code answered 50 times at once: exactly one sign-in; every other answer is refused.
 * - 50 wrong codes at once on one Session: at most 3 (the attempt limit) are evaluated.
 */
import { expect, it } from 'vitest';
import {
  InitiateAuthCommand,
  RespondToAuthChallengeCommand,
  type CognitoIdentityProviderClient,
} from '@aws-sdk/client-cognito-identity-provider';
import type { TestPool } from './helpers/pool.js';
import { onRaceDeployments, type RaceDeployment } from './helpers/raceDeployments.js';
import { createUser } from './helpers/latchkeyAdmin.js';

const BURST = 50;
const LIMIT = 3;

type Deployment = RaceDeployment;

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

onRaceDeployments('EMAIL_OTP races', { factors: ['PASSWORD', 'EMAIL_OTP'] }, scenarios);

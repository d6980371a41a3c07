/**
 * ConfirmSignUp's Session under bursts of parallel InitiateAuth USER_AUTH calls spread over processes:
 * `latchkey serve --workers 2` on one SQLite file, and two instances on one PostgreSQL database. Of
 * BURST uses of one Session exactly one signs in; every other answer is the expired-session error.
 * Before the change ConfirmSignUp returned no Session at all.
 */
import { expect, it } from 'vitest';
import {
  ConfirmSignUpCommand,
  InitiateAuthCommand,
  SignUpCommand,
  type CognitoIdentityProviderClient,
} from '@aws-sdk/client-cognito-identity-provider';
import type { TestPool } from './helpers/pool.js';
import { onRaceDeployments, type RaceDeployment } from './helpers/raceDeployments.js';
import { randomName } from './helpers/processes.js';

const BURST = 50;
const EXPIRED = 'Invalid session for the user, session is expired.';

type Deployment = RaceDeployment;

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

onRaceDeployments('sign-up Session races', {}, scenarios);

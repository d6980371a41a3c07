/**
 * The passkey extensions under bursts of parallel requests spread over processes (`latchkey serve --workers 2`
 * on one SQLite file; two instances on one PostgreSQL database):
 *  - LatchkeyAdminDeleteWebAuthnCredential with GlobalSignOut, BURST times at once for one passkey: exactly one
 *    deletes (and signs the user out), the others find nothing; the passkey count drops by exactly one;
 *  - a conditional-create challenge answered BURST times at once with registrations without user presence:
 *    exactly one passkey is added (the challenge is single-use, whatever the number of workers or instances).
 */
import { expect, it } from 'vitest';
import { GetUserCommand, type CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { VirtualAuthenticator } from '@latchkey/virtual-authenticator';
import type { TestPool } from './helpers/pool.js';
import { onRaceDeployments, type RaceDeployment } from './helpers/raceDeployments.js';
import { ADMIN_KEYS } from './helpers/processes.js';
import { accessToken, completeRegistration, createUser, registerPasskey, signedFetch } from './helpers/latchkeyAdmin.js';

const BURST = 50;

/** The endpoint URL an SDK client of the deployment talks to (for the signed Latchkey calls the SDK has no command for). */
async function endpointOf(client: CognitoIdentityProviderClient): Promise<string> {
  const ep = await (client.config.endpoint as unknown as () => Promise<{ protocol: string; hostname: string; port?: number }>)();
  return `${ep.protocol}//${ep.hostname}${ep.port ? `:${ep.port}` : ''}`;
}

async function outcome(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'ok';
  } catch (e) {
    return (e as { name: string }).name;
  }
}

function scenarios(get: () => { d: RaceDeployment; pool: TestPool }) {
  it(`${BURST} parallel admin deletes with GlobalSignOut of one passkey: exactly one deletes, the count drops by one`, async () => {
    const { d, pool } = get();
    const endpoints = await Promise.all(d.clients.map(endpointOf));
    const user = await createUser(d, pool, 'race-admin-delete');
    const token = await accessToken({ client: d.clients[0]! }, pool.clientId, user);
    const keep = await registerPasskey({ client: d.clients[0]! }, token, new VirtualAuthenticator());
    const target = await registerPasskey({ client: d.clients[1]! }, token, new VirtualAuthenticator());
    const results = await Promise.all(
      Array.from({ length: BURST }, (_, i) =>
        signedFetch(endpoints[i % endpoints.length]!, ADMIN_KEYS, 'LatchkeyAdminDeleteWebAuthnCredential', {
          UserPoolId: pool.userPoolId,
          Username: user.username,
          CredentialId: target.id,
          GlobalSignOut: true,
        }).then((r) => (r.status === 200 ? 'ok' : String(r.json?.__type))),
      ),
    );
    expect(results.filter((r) => r !== 'ok' && r !== 'ResourceNotFoundException')).toEqual([]);
    expect(
      results.filter((r) => r === 'ok'),
      JSON.stringify(results),
    ).toHaveLength(1);
    const stored = await d.store.getPasskey(pool.userPoolId, keep.id);
    expect(await d.store.getPasskey(pool.userPoolId, target.id)).toBeUndefined();
    expect((await d.store.getUser(pool.userPoolId, stored!.userId))!.passkeyCount).toBe(1);
    expect(await outcome(d.clients[1]!.send(new GetUserCommand({ AccessToken: token })))).toBe('NotAuthorizedException');
  });

  it(`${BURST} parallel silent registrations on one conditional-create challenge: exactly one passkey is added`, async () => {
    const { d, pool } = get();
    const user = await createUser(d, pool, 'race-conditional');
    const token = await accessToken({ client: d.clients[0]! }, pool.clientId, user);
    const endpoint = await endpointOf(d.clients[0]!);
    const start = await fetch(`${endpoint}/`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-amz-json-1.1',
        'x-amz-target': 'AWSCognitoIdentityProviderService.StartWebAuthnRegistration',
      },
      body: JSON.stringify({ AccessToken: token, LatchkeyConditionalCreate: true }),
    });
    expect(start.status).toBe(200);
    const options = ((await start.json()) as { CredentialCreationOptions: never }).CredentialCreationOptions;
    const credentials = await Promise.all(
      Array.from({ length: BURST }, () => new VirtualAuthenticator().createCredential(options, { userPresence: false })),
    );
    const results = await Promise.all(
      credentials.map((c, i) => outcome(completeRegistration({ client: d.clients[i % d.clients.length]! }, token, c))),
    );
    expect(results.filter((r) => r !== 'ok' && r !== 'WebAuthnChallengeNotFoundException')).toEqual([]);
    expect(
      results.filter((r) => r === 'ok'),
      JSON.stringify(results),
    ).toHaveLength(1);
    const winner = credentials[results.indexOf('ok')]!;
    const stored = await d.store.getPasskey(pool.userPoolId, winner.id);
    expect(stored).toBeDefined();
    expect((await d.store.listPasskeys(pool.userPoolId, stored!.userId, 100)).map((p) => p.credentialId)).toEqual([winner.id]);
    expect((await d.store.getUser(pool.userPoolId, stored!.userId))!.passkeyCount).toBe(1);
  });
}

onRaceDeployments('passkey extension races', {}, scenarios);

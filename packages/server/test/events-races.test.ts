/**
 * Lifecycle events under bursts of 50 parallel requests on both race deployments (`serve --workers 2` over one
 * SQLite file; two instances over one PostgreSQL database): an event commits with its change, so a change that
 * exactly one of the racers makes is reported exactly once — read back from the outbox with the test's own store.
 *
 * - 50 ChangePassword calls from one previous password: one succeeds, one password.changed.
 * - 50 DeleteWebAuthnCredential calls for one passkey: one succeeds, one passkey.deleted.
 */
import { expect, it } from 'vitest';
import { ChangePasswordCommand, DeleteWebAuthnCredentialCommand } from '@aws-sdk/client-cognito-identity-provider';
import { VirtualAuthenticator } from '@latchkey/virtual-authenticator';
import type { TestPool } from './helpers/pool.js';
import { onRaceDeployments, type RaceDeployment } from './helpers/raceDeployments.js';
import { accessToken, createUser, registerPasskey } from './helpers/latchkeyAdmin.js';

const BURST = 50;

const outcome = (p: Promise<unknown>) =>
  p.then(
    () => 'ok',
    (e: { name: string }) => e.name,
  );

function scenarios(get: () => { d: RaceDeployment; pool: TestPool }) {
  const pick = (i: number) => get().d.clients[i % get().d.clients.length]!;
  const eventsOf = async (sub: string, type: string) =>
    (await get().d.store.listUserEvents(get().pool.userPoolId, sub, 500)).filter((e) => e.type === type);

  it(`${BURST} concurrent ChangePassword from one password: one succeeds and one password.changed is recorded`, async () => {
    const { d, pool } = get();
    const user = await createUser(d, pool, 'evrace');
    const token = await accessToken({ client: pick(0) }, pool.clientId, user);
    const results = await Promise.all(
      Array.from({ length: BURST }, (_, i) =>
        outcome(
          pick(i).send(
            new ChangePasswordCommand({ AccessToken: token, PreviousPassword: user.password, ProposedPassword: `Passw0rd-${i}` }),
          ),
        ),
      ),
    );
    expect(results.filter((r) => r === 'ok')).toHaveLength(1);
    // (createUser's AdminSetUserPassword records one too.)
    const changes = (await eventsOf(user.sub, 'password.changed')).filter((e) => e.detail.operation === 'ChangePassword');
    expect(changes).toHaveLength(1);
  }, 60_000);

  it(`${BURST} concurrent DeleteWebAuthnCredential of one passkey: one succeeds and one passkey.deleted is recorded`, async () => {
    const { d, pool } = get();
    const user = await createUser(d, pool, 'evrace');
    const token = await accessToken({ client: pick(0) }, pool.clientId, user);
    const credential = await registerPasskey({ client: pick(0) }, token, new VirtualAuthenticator());
    const results = await Promise.all(
      Array.from({ length: BURST }, (_, i) =>
        outcome(pick(i).send(new DeleteWebAuthnCredentialCommand({ AccessToken: token, CredentialId: credential.id }))),
      ),
    );
    expect(results.filter((r) => r === 'ok')).toHaveLength(1);
    expect(results.filter((r) => r !== 'ok').every((r) => r === 'ResourceNotFoundException')).toBe(true);
    expect(await eventsOf(user.sub, 'passkey.registered')).toHaveLength(1);
    expect(await eventsOf(user.sub, 'passkey.deleted')).toHaveLength(1);
  }, 60_000);
}

onRaceDeployments('lifecycle events', { userVerification: 'preferred' }, scenarios);

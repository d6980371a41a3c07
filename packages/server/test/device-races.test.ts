/**
 * The device SRP step under bursts of parallel requests spread over processes: `latchkey serve --workers 2`
 * on one SQLite file, and two instances on one PostgreSQL database. One DEVICE_PASSWORD_VERIFIER answer
 * sent BURST times at once gives exactly one token set (the step's session is consumed once); a
 * DEVICE_SRP_AUTH answer sent BURST times at once gives exactly one DEVICE_PASSWORD_VERIFIER challenge; BURST
 * ConfirmDevice calls with different verifiers store exactly one (a device's secret cannot be swapped).
 */
import { expect, it } from 'vitest';
import { ConfirmDeviceCommand, RespondToAuthChallengeCommand } from '@aws-sdk/client-cognito-identity-provider';
import type { TestPool } from './helpers/pool.js';
import { onRaceDeployments, type RaceDeployment } from './helpers/raceDeployments.js';
import { createUser } from './helpers/latchkeyAdmin.js';
import { answerDeviceSrpAuth, confirmNewDevice, devicePasswordVerifierInput, passwordSignInWithDevice } from './helpers/devices.js';
import { createDeviceSecret, createSrpClientSession } from '../../client/src/internal/srp.js';

const BURST = 50;
const EXPIRED = 'Invalid session for the user, session is expired.';

async function outcome(p: Promise<{ AuthenticationResult?: unknown; ChallengeName?: string }>): Promise<string> {
  try {
    const r = await p;
    return r.AuthenticationResult ? 'tokens' : (r.ChallengeName ?? 'nothing');
  } catch (e) {
    const err = e as { name: string; message: string };
    return err.name === 'NotAuthorizedException' && err.message === EXPIRED ? 'expired' : `${err.name}: ${err.message}`;
  }
}

function scenarios(get: () => { d: RaceDeployment; pool: TestPool }) {
  async function deviceUser(d: RaceDeployment, pool: TestPool, prefix: string) {
    const user = await createUser({ admin: d.admin }, pool, prefix);
    const first = (await passwordSignInWithDevice(d.clients[0]!, pool, user.username, user.password)).AuthenticationResult!;
    const device = await confirmNewDevice(d.clients[1]!, first);
    return { user, device };
  }

  it(`one DEVICE_PASSWORD_VERIFIER answer sent ${BURST} times in parallel, over the processes: exactly one token set`, async () => {
    const { d, pool } = get();
    for (let round = 0; round < 2; round++) {
      const { user, device } = await deviceUser(d, pool, `race-dev-${round}`);
      const step = await passwordSignInWithDevice(d.clients[0]!, pool, user.username, user.password, device.deviceKey);
      expect(step.ChallengeName).toBe('DEVICE_SRP_AUTH');
      const { srp, out } = await answerDeviceSrpAuth(d.clients[1]!, pool, device, step.Session!, user.username);
      const input = await devicePasswordVerifierInput(pool, device, out, srp);
      const results = await Promise.all(
        Array.from({ length: BURST }, (_, i) => outcome(d.clients[i % d.clients.length]!.send(new RespondToAuthChallengeCommand(input)))),
      );
      expect(results.filter((r) => r !== 'tokens' && r !== 'expired')).toEqual([]);
      expect(
        results.filter((r) => r === 'tokens'),
        JSON.stringify(results),
      ).toHaveLength(1);
      // The device sign-in made no new device.
      const devices = await d.store.listDevices(pool.userPoolId, user.sub, 10);
      expect(devices.map((f) => f.deviceKey)).toEqual([device.deviceKey]);
    }
  });

  it(`${BURST} parallel ConfirmDevice of one device with different verifiers: exactly one is stored`, async () => {
    const { d, pool } = get();
    const user = await createUser({ admin: d.admin }, pool, 'race-confirm');
    const first = (await passwordSignInWithDevice(d.clients[0]!, pool, user.username, user.password)).AuthenticationResult!;
    const meta = first.NewDeviceMetadata!;
    const secrets = await Promise.all(Array.from({ length: BURST }, () => createDeviceSecret(meta.DeviceGroupKey!, meta.DeviceKey!)));
    const results = await Promise.all(
      secrets.map((secret, i) =>
        outcome(
          d.clients[i % d.clients.length]!.send(
            new ConfirmDeviceCommand({
              AccessToken: first.AccessToken!,
              DeviceKey: meta.DeviceKey!,
              DeviceSecretVerifierConfig: { PasswordVerifier: secret.PasswordVerifier, Salt: secret.Salt },
            }),
          ) as Promise<{ ChallengeName?: string }>,
        ),
      ),
    );
    const won = results.map((r, i) => [r, i] as const).filter(([r]) => r === 'nothing');
    expect(results.filter((r) => r !== 'nothing' && r !== 'ResourceNotFoundException: Device does not exist.')).toEqual([]);
    expect(won).toHaveLength(1);
    // The stored verifier is the winner's: its device password signs in, another one's does not.
    const winner = secrets[won[0]![1]]!;
    const device = { deviceKey: meta.DeviceKey!, groupKey: meta.DeviceGroupKey!, password: winner.randomPassword };
    const step = await passwordSignInWithDevice(d.clients[1]!, pool, user.username, user.password, device.deviceKey);
    const { srp, out } = await answerDeviceSrpAuth(d.clients[0]!, pool, device, step.Session!, user.username);
    const done = await d.clients[1]!.send(new RespondToAuthChallengeCommand(await devicePasswordVerifierInput(pool, device, out, srp)));
    expect(done.AuthenticationResult?.AccessToken).toBeTruthy();
    const loser = { ...device, password: secrets[(won[0]![1] + 1) % BURST]!.randomPassword };
    const step2 = await passwordSignInWithDevice(d.clients[0]!, pool, user.username, user.password, device.deviceKey);
    const two = await answerDeviceSrpAuth(d.clients[1]!, pool, loser, step2.Session!, user.username);
    const refused = await outcome(
      d.clients[0]!.send(new RespondToAuthChallengeCommand(await devicePasswordVerifierInput(pool, loser, two.out, two.srp))),
    );
    expect(refused).toBe('NotAuthorizedException: Incorrect username or password.');
  });

  it(`one DEVICE_SRP_AUTH answer sent ${BURST} times in parallel: exactly one DEVICE_PASSWORD_VERIFIER challenge`, async () => {
    const { d, pool } = get();
    const { user, device } = await deviceUser(d, pool, 'race-devsrp');
    const step = await passwordSignInWithDevice(d.clients[0]!, pool, user.username, user.password, device.deviceKey);
    const srpA = createSrpClientSession().srpA;
    const input = {
      ClientId: pool.clientId,
      ChallengeName: 'DEVICE_SRP_AUTH' as const,
      Session: step.Session!,
      ChallengeResponses: { USERNAME: user.username, DEVICE_KEY: device.deviceKey, SRP_A: srpA },
    };
    const results = await Promise.all(
      Array.from({ length: BURST }, (_, i) => outcome(d.clients[i % d.clients.length]!.send(new RespondToAuthChallengeCommand(input)))),
    );
    expect(results.filter((r) => r !== 'DEVICE_PASSWORD_VERIFIER' && r !== 'expired')).toEqual([]);
    expect(results.filter((r) => r === 'DEVICE_PASSWORD_VERIFIER')).toHaveLength(1);
  });
}

onRaceDeployments(
  'device SRP races',
  { deviceConfiguration: { ChallengeRequiredOnNewDevice: false, DeviceOnlyRememberedOnUserPrompt: false } },
  scenarios,
);

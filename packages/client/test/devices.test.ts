/**
 * @latchkey/auth against the real Latchkey server (SQLite), remembered devices: sign in (SRP) →
 * rememberDevice → signOut → sign in on the device (DEVICE_SRP_AUTH / DEVICE_PASSWORD_VERIFIER) →
 * fetchDevices → forgetDevice (its sign-in revoked) → the next sign-in is on a new device; the same with
 * USER_PASSWORD_AUTH, and a device an administrator forgot. Each scenario also runs through the real
 * aws-amplify v6 on the same server, and the outputs (and the challenges on the wire) must be equal.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AdminForgetDeviceCommand } from '@aws-sdk/client-cognito-identity-provider';
import * as latchkey from '@latchkey/auth';
import { startTestServer, type TestServer } from '../../server/test/helpers/harness.js';
import { createTestPool, type TestPool } from '../../server/test/helpers/pool.js';
import { createUser } from '../../server/test/helpers/latchkeyAdmin.js';

type AuthApi = Pick<typeof latchkey, 'signIn' | 'signOut' | 'fetchAuthSession' | 'rememberDevice' | 'fetchDevices' | 'forgetDevice'>;

let server: TestServer;
let pool: TestPool;
let amplify: AuthApi;
const libraries = (): [string, AuthApi][] => [
  ['@latchkey/auth', latchkey],
  ['aws-amplify', amplify],
];
/** RespondToAuthChallenge ChallengeNames as sent, per library run. */
let challenges: string[] = [];
const realFetch = globalThis.fetch;

beforeAll(async () => {
  // Both libraries name the device from navigator.userAgent (Node 20 has no navigator: Amplify would skip ConfirmDevice).
  if (typeof globalThis.navigator === 'undefined')
    Object.defineProperty(globalThis, 'navigator', { value: { userAgent: 'Mozilla/5.0 (Latchkey test)' }, configurable: true });
  const { Amplify } = await import('aws-amplify');
  amplify = await import('aws-amplify/auth');
  server = await startTestServer('sqlite');
  pool = await createTestPool(server.admin, { deviceConfiguration: { DeviceOnlyRememberedOnUserPrompt: true } });
  const config = {
    Auth: { Cognito: { userPoolId: pool.userPoolId, userPoolClientId: pool.clientId, userPoolEndpoint: server.endpoint + '/' } },
  };
  Amplify.configure(config);
  latchkey.configure(config, { storage: latchkey.createMemoryStorage(), retry: { baseDelayMs: 1, jitterMs: 1 } });
  globalThis.fetch = async (input, init) => {
    const target = new Headers(init?.headers).get('x-amz-target') ?? '';
    if (target.endsWith('RespondToAuthChallenge') && typeof init?.body === 'string') challenges.push(JSON.parse(init.body).ChallengeName);
    return realFetch(input, init);
  };
});
afterEach(async () => {
  for (const [, lib] of libraries()) await lib.signOut().catch(() => undefined);
});
afterAll(async () => {
  globalThis.fetch = realFetch;
  await server?.stop();
});

/** Runs the scenario with each library (a fresh user each) and expects equal outputs. */
async function both<T>(scenario: (lib: AuthApi, user: { username: string; password: string; sub: string }) => Promise<T>): Promise<T> {
  const outputs: T[] = [];
  for (const [name, lib] of libraries()) {
    const user = await createUser(server, pool, `dev-${name.replace(/\W/g, '')}`);
    outputs.push(await scenario(lib, user));
  }
  expect(outputs[0], 'the same outputs as aws-amplify').toEqual(outputs[1]);
  return outputs[0]!;
}

const deviceKeyOf = async (lib: AuthApi) => (await lib.fetchAuthSession()).tokens?.accessToken.payload.device_key as string | undefined;

describe('remembered devices (same outputs as aws-amplify)', () => {
  it('SRP: rememberDevice → signOut → sign in on the device → fetchDevices → forgetDevice → a new device', async () => {
    const out = await both(async (lib, user) => {
      challenges = [];
      const first = await lib.signIn({ username: user.username, password: user.password });
      const key = await deviceKeyOf(lib);
      const confirmed = (await server.services.store.listDevices(pool.userPoolId, user.sub, 10)).map((d) => [
        d.deviceKey === key,
        d.remembered,
      ]);
      await lib.rememberDevice();
      await lib.signOut();
      challenges = [];
      const again = await lib.signIn({ username: user.username, password: user.password });
      const onDevice = challenges;
      const sameDevice = (await deviceKeyOf(lib)) === key;
      // Refresh presents the device's key (the server requires it for a device's refresh token).
      const refreshed = (await lib.fetchAuthSession({ forceRefresh: true })).tokens?.accessToken.payload.device_key === key;
      const devices = await lib.fetchDevices();
      const listed = devices.map((d) => ({
        isMine: d.id === key,
        name: d.name,
        attributes: Object.keys(d.attributes).sort(),
        remembered: d.attributes['dev:device_remembered_status'],
        dates: [d.createDate, d.lastModifiedDate, d.lastAuthenticatedDate].map((x) => x instanceof Date),
      }));
      const bound = (await lib.fetchAuthSession()).tokens!.accessToken.toString();
      await lib.forgetDevice();
      const revoked = (await server.call('GetUser', { AccessToken: bound })).json.__type;
      await lib.signOut().catch(() => undefined);
      challenges = [];
      const third = await lib.signIn({ username: user.username, password: user.password });
      const after = challenges;
      const newKey = await deviceKeyOf(lib);
      return {
        first,
        confirmed,
        again,
        onDevice,
        sameDevice,
        refreshed,
        listed,
        revoked,
        third,
        after,
        newDevice: !!newKey && newKey !== key,
      };
    });
    expect(out.confirmed).toEqual([[true, false]]);
    expect(out.onDevice).toEqual(['PASSWORD_VERIFIER', 'DEVICE_SRP_AUTH', 'DEVICE_PASSWORD_VERIFIER']);
    expect(out.sameDevice).toBe(true);
    expect(out.refreshed).toBe(true);
    expect(out.listed).toEqual([
      {
        isMine: true,
        name: 'Mozilla/5.0 (Latchkey test)',
        attributes: ['dev:device_remembered_status', 'device_name', 'device_status'],
        remembered: 'remembered',
        dates: [true, true, true],
      },
    ]);
    expect(out.revoked).toBe('NotAuthorizedException');
    expect(out.after).toEqual(['PASSWORD_VERIFIER']);
    expect(out.newDevice).toBe(true);
  });

  it('USER_PASSWORD_AUTH on a remembered device, then a device an administrator forgot (retried without it)', async () => {
    const out = await both(async (lib, user) => {
      const options = { authFlowType: 'USER_PASSWORD_AUTH' as const };
      await lib.signIn({ username: user.username, password: user.password, options });
      const key = await deviceKeyOf(lib);
      await lib.rememberDevice();
      await lib.signOut();
      challenges = [];
      const again = await lib.signIn({ username: user.username, password: user.password, options });
      const onDevice = challenges;
      const sameDevice = (await deviceKeyOf(lib)) === key;
      await lib.signOut();
      await server.admin.send(new AdminForgetDeviceCommand({ UserPoolId: pool.userPoolId, Username: user.username, DeviceKey: key! }));
      challenges = [];
      const retried = await lib.signIn({ username: user.username, password: user.password, options });
      const newKey = await deviceKeyOf(lib);
      return { again, onDevice, sameDevice, retried, retriedChallenges: challenges, newDevice: !!newKey && newKey !== key };
    });
    expect(out.onDevice).toEqual(['DEVICE_SRP_AUTH', 'DEVICE_PASSWORD_VERIFIER']);
    expect(out.sameDevice).toBe(true);
    expect(out.retried.isSignedIn).toBe(true);
    expect(out.retriedChallenges).toEqual([]);
    expect(out.newDevice).toBe(true);
  });

  it('rememberDevice / fetchDevices / forgetDevice signed out: the same error', async () => {
    const out = await both(async (lib) => {
      const name = (e: Error) => e.name;
      return Promise.all([lib.rememberDevice().catch(name), lib.fetchDevices().catch(name), lib.forgetDevice().catch(name)]);
    });
    expect(out).toEqual(['UserUnAuthenticatedException', 'UserUnAuthenticatedException', 'UserUnAuthenticatedException']);
  });
});

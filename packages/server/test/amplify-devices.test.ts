import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Amplify } from 'aws-amplify';
import { signIn, signOut, fetchAuthSession, rememberDevice, fetchDevices, forgetDevice } from 'aws-amplify/auth';
import { AdminForgetDeviceCommand } from '@aws-sdk/client-cognito-identity-provider';
import { DIALECTS, startTestServer, type TestServer } from './helpers/harness.js';
import { createTestPool, type TestPool } from './helpers/pool.js';
import { createUser } from './helpers/latchkeyAdmin.js';
import { jwtClaims } from './helpers/devices.js';

// The real, unmodified aws-amplify v6 against a live server (issue 13 item 5), on both dialects: sign in →
// rememberDevice → signOut → sign in again on the device (DEVICE_SRP_AUTH / DEVICE_PASSWORD_VERIFIER) →
// fetchDevices → forgetDevice (its tokens revoked) → the next sign-in is on a new device.
describe.each(DIALECTS)('aws-amplify remembered devices on %s', (dialect) => {
  let server: TestServer;
  let pool: TestPool;
  /** Every challenge the server answered, in order (the wire tells which path Amplify took). */
  const challenges: string[] = [];

  beforeAll(async () => {
    // aws-amplify names the device it confirms from `navigator` (a browser's, or Node ≥ 21's); Node 20 has none,
    // and Amplify then skips ConfirmDevice silently. Give it what a browser has.
    if (typeof globalThis.navigator === 'undefined')
      Object.defineProperty(globalThis, 'navigator', { value: { userAgent: 'Mozilla/5.0 (Latchkey test)' }, configurable: true });
    server = await startTestServer(dialect);
    pool = await createTestPool(server.admin, {
      deviceConfiguration: { ChallengeRequiredOnNewDevice: false, DeviceOnlyRememberedOnUserPrompt: true },
    });
    Amplify.configure({
      Auth: { Cognito: { userPoolId: pool.userPoolId, userPoolClientId: pool.clientId, userPoolEndpoint: server.endpoint + '/' } },
    });
  });
  afterAll(async () => {
    await signOut().catch(() => undefined);
    await server.stop();
  });

  const accessClaims = async () => jwtClaims((await fetchAuthSession()).tokens!.accessToken.toString());
  const devicesOf = (userId: string) => server.services.store.listDevices(pool.userPoolId, userId, 60);

  /** Wraps fetch so the test sees each RespondToAuthChallenge's ChallengeName (Amplify's wire, read only). */
  function watchChallenges(): () => void {
    const real = globalThis.fetch;
    globalThis.fetch = async (input, init) => {
      const target = new Headers(init?.headers).get('x-amz-target') ?? '';
      if (target.endsWith('RespondToAuthChallenge') && typeof init?.body === 'string') challenges.push(JSON.parse(init.body).ChallengeName);
      return real(input, init);
    };
    return () => {
      globalThis.fetch = real;
    };
  }

  it('SRP sign-in → rememberDevice → signOut → signIn on the device → fetchDevices → forgetDevice → a new device', async () => {
    const unwatch = watchChallenges();
    try {
      const user = await createUser(server, pool, `amp${dialect}`);
      const first = await signIn({ username: user.username, password: user.password });
      expect(first.isSignedIn).toBe(true);
      const firstClaims = await accessClaims();
      const deviceKey = firstClaims.device_key as string;
      expect(deviceKey).toMatch(/^[\w-]+_[0-9a-f-]{36}$/);
      // Amplify confirmed the device it was handed (ConfirmDevice); the pool asks the user before remembering.
      let rows = await devicesOf(user.sub);
      expect(rows.map((d) => [d.deviceKey, d.remembered])).toEqual([[deviceKey, false]]);
      await rememberDevice();
      rows = await devicesOf(user.sub);
      expect(rows.map((d) => [d.deviceKey, d.remembered])).toEqual([[deviceKey, true]]);
      await signOut();

      challenges.length = 0;
      const again = await signIn({ username: user.username, password: user.password });
      expect(again.isSignedIn).toBe(true);
      expect(challenges).toEqual(['PASSWORD_VERIFIER', 'DEVICE_SRP_AUTH', 'DEVICE_PASSWORD_VERIFIER']);
      const onDevice = await accessClaims();
      expect(onDevice.device_key).toBe(deviceKey);
      const devices = await fetchDevices();
      expect(devices.map((d) => d.id)).toEqual([deviceKey]);
      expect(devices[0]!.attributes['dev:device_remembered_status']).toBe('remembered');
      expect(devices[0]!.name).toBeTruthy();
      expect(devices[0]!.lastAuthenticatedDate).toBeInstanceOf(Date);

      // The same device with USER_PASSWORD_AUTH (Amplify presents DEVICE_KEY in InitiateAuth).
      await signOut();
      challenges.length = 0;
      expect(
        (await signIn({ username: user.username, password: user.password, options: { authFlowType: 'USER_PASSWORD_AUTH' } })).isSignedIn,
      ).toBe(true);
      expect(challenges).toEqual(['DEVICE_SRP_AUTH', 'DEVICE_PASSWORD_VERIFIER']);
      expect((await accessClaims()).device_key).toBe(deviceKey);

      const bound = (await fetchAuthSession()).tokens!.accessToken.toString();
      await forgetDevice();
      // The sign-in made on the forgotten device is revoked with it.
      const revoked = await server.call('GetUser', { AccessToken: bound });
      expect(revoked.json.__type).toBe('NotAuthorizedException');
      expect(await devicesOf(user.sub)).toEqual([]);
      await signOut().catch(() => undefined);

      challenges.length = 0;
      expect((await signIn({ username: user.username, password: user.password })).isSignedIn).toBe(true);
      expect(challenges).toEqual(['PASSWORD_VERIFIER']);
      const fresh = (await accessClaims()).device_key as string;
      expect(fresh).toMatch(/^[\w-]+_[0-9a-f-]{36}$/);
      expect(fresh).not.toBe(deviceKey);
      await rememberDevice();
      await signOut();

      // Forgotten behind Amplify's back (an administrator): the stale key gets "Device does not exist.", Amplify
      // forgets it and signs in again without it, on a new device.
      await server.admin.send(new AdminForgetDeviceCommand({ UserPoolId: pool.userPoolId, Username: user.username, DeviceKey: fresh }));
      challenges.length = 0;
      expect((await signIn({ username: user.username, password: user.password })).isSignedIn).toBe(true);
      expect(challenges).toEqual(['PASSWORD_VERIFIER', 'PASSWORD_VERIFIER']);
      const third = (await accessClaims()).device_key as string;
      expect([deviceKey, fresh]).not.toContain(third);
      await signOut();
    } finally {
      unwatch();
    }
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Amplify } from 'aws-amplify';
import {
  signIn,
  signOut,
  confirmSignIn,
  fetchAuthSession,
  rememberDevice,
  fetchDevices,
  forgetDevice,
  setUpTOTP,
  verifyTOTPSetup,
  updateMFAPreference,
} from 'aws-amplify/auth';
import { AdminForgetDeviceCommand, SetUserPoolMfaConfigCommand } from '@aws-sdk/client-cognito-identity-provider';
import { totp } from './helpers/totp.js';
import { DIALECTS, startTestServer, type TestServer } from './helpers/harness.js';
import { createTestPool, type TestPool } from './helpers/pool.js';
import { createUser } from './helpers/latchkeyAdmin.js';
import { jwtClaims } from './helpers/devices.js';

// The real, unmodified aws-amplify v6 against a live server (issue 13 item 5), on both dialects: sign in →
// rememberDevice → signOut → sign in again on the device (DEVICE_SRP_AUTH / DEVICE_PASSWORD_VERIFIER) →
// fetchDevices → forgetDevice (its tokens revoked) → the next sign-in is on a new device; and with TOTP MFA, the
// remembered device signs in without the MFA step, until it is forgotten.
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
  it('with TOTP MFA: rememberDevice → signOut → sign in without MFA → fetchDevices → forgetDevice → MFA again', async () => {
    const mfaPool = await createTestPool(server.admin, { deviceConfiguration: { DeviceOnlyRememberedOnUserPrompt: true } });
    await server.admin.send(
      new SetUserPoolMfaConfigCommand({
        UserPoolId: mfaPool.userPoolId,
        MfaConfiguration: 'OPTIONAL',
        SoftwareTokenMfaConfiguration: { Enabled: true },
      }),
    );
    Amplify.configure({
      Auth: { Cognito: { userPoolId: mfaPool.userPoolId, userPoolClientId: mfaPool.clientId, userPoolEndpoint: server.endpoint + '/' } },
    });
    const now = () => server.clock.now();
    const user = await createUser(server, mfaPool, `ampmfa${dialect}`);
    expect((await signIn({ username: user.username, password: user.password })).isSignedIn).toBe(true);
    const { sharedSecret } = await setUpTOTP();
    await verifyTOTPSetup({ code: totp(sharedSecret, now()) });
    await updateMFAPreference({ totp: 'PREFERRED' });
    await signOut();
    // MFA, on a new device (Amplify confirms it), which the user then remembers.
    const first = await signIn({ username: user.username, password: user.password });
    expect(first.nextStep.signInStep).toBe('CONFIRM_SIGN_IN_WITH_TOTP_CODE');
    expect((await confirmSignIn({ challengeResponse: totp(sharedSecret, now(), 1) })).isSignedIn).toBe(true);
    const deviceKey = (await accessClaims()).device_key as string;
    await rememberDevice();
    await signOut();
    // On the remembered device: no MFA step.
    challenges.length = 0;
    const unwatch = watchChallenges();
    try {
      const again = await signIn({ username: user.username, password: user.password });
      expect(again).toEqual({ isSignedIn: true, nextStep: { signInStep: 'DONE' } });
      expect(challenges).toEqual(['PASSWORD_VERIFIER', 'DEVICE_SRP_AUTH', 'DEVICE_PASSWORD_VERIFIER']);
    } finally {
      unwatch();
    }
    // Both sign-ins' devices are tracked (the enrolment's too); only the one remembered skips MFA.
    const devices = await fetchDevices();
    expect(devices).toHaveLength(2);
    expect(devices.find((d) => d.id === deviceKey)?.attributes['dev:device_remembered_status']).toBe('remembered');
    await forgetDevice();
    await signOut().catch(() => undefined);
    // Forgotten: MFA again.
    const after = await signIn({ username: user.username, password: user.password });
    expect(after.nextStep.signInStep).toBe('CONFIRM_SIGN_IN_WITH_TOTP_CODE');
  });
});

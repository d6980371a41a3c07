/**
 * A remembered device skips MFA, as in Cognito (issue 13 items 5/6): with TOTP MFA on, a sign-in presenting
 * a remembered device's key answers DEVICE_SRP_AUTH / DEVICE_PASSWORD_VERIFIER instead of
 * SOFTWARE_TOKEN_MFA; a forgotten device's key gets "Device does not exist." and, without it, MFA again. On
 * SQLite and PostgreSQL; TOTP codes from the tests' own RFC 6238 (helpers/totp.ts).
 */
import { describe, expect, it } from 'vitest';
import {
  AssociateSoftwareTokenCommand,
  ForgetDeviceCommand,
  RespondToAuthChallengeCommand,
  SetUserMFAPreferenceCommand,
  SetUserPoolMfaConfigCommand,
  VerifySoftwareTokenCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { DIALECTS, useServerWithPool, type TestServer } from './helpers/harness.js';
import type { TestPool } from './helpers/pool.js';
import { expectServiceError } from './helpers/errors.js';
import { createUser } from './helpers/latchkeyAdmin.js';
import { totp } from './helpers/totp.js';
import { completeDeviceAuth, confirmNewDevice, jwtClaims, passwordSignInWithDevice } from './helpers/devices.js';

describe.each(DIALECTS)('remembered devices and MFA on %s', (dialect) => {
  let srv: TestServer;
  let pool: TestPool;
  useServerWithPool(
    dialect,
    {
      pool: { deviceConfiguration: { ChallengeRequiredOnNewDevice: false, DeviceOnlyRememberedOnUserPrompt: false } },
      setup: async (s, p) => {
        await s.admin.send(
          new SetUserPoolMfaConfigCommand({
            UserPoolId: p.userPoolId,
            MfaConfiguration: 'OPTIONAL',
            SoftwareTokenMfaConfiguration: { Enabled: true },
          }),
        );
      },
    },
    (s, p) => {
      srv = s;
      pool = p;
    },
  );

  it('TOTP sign-in hands out a device; on it DEVICE_SRP_AUTH replaces SOFTWARE_TOKEN_MFA; forgotten, MFA again', async () => {
    const user = await createUser(srv, pool, `mfadev-${dialect}`);
    // Enrol TOTP (the first sign-in has no MFA yet).
    const enrol = (await passwordSignInWithDevice(srv.client, pool, user.username, user.password)).AuthenticationResult!;
    const { SecretCode } = await srv.client.send(new AssociateSoftwareTokenCommand({ AccessToken: enrol.AccessToken! }));
    await srv.client.send(
      new VerifySoftwareTokenCommand({ AccessToken: enrol.AccessToken!, UserCode: totp(SecretCode!, srv.clock.now()) }),
    );
    await srv.client.send(
      new SetUserMFAPreferenceCommand({ AccessToken: enrol.AccessToken!, SoftwareTokenMfaSettings: { Enabled: true, PreferredMfa: true } }),
    );
    // Password → SOFTWARE_TOKEN_MFA (the next step's code: the enrolment used this one) → tokens with a new device.
    const mfa = await passwordSignInWithDevice(srv.client, pool, user.username, user.password);
    expect(mfa.ChallengeName).toBe('SOFTWARE_TOKEN_MFA');
    const done = await srv.client.send(
      new RespondToAuthChallengeCommand({
        ClientId: pool.clientId,
        ChallengeName: 'SOFTWARE_TOKEN_MFA',
        Session: mfa.Session!,
        ChallengeResponses: { USERNAME: user.username, SOFTWARE_TOKEN_MFA_CODE: totp(SecretCode!, srv.clock.now(), 1) },
      }),
    );
    const device = await confirmNewDevice(srv.client, done.AuthenticationResult!);
    // On the remembered device: the device proof, no MFA.
    const step = await passwordSignInWithDevice(srv.client, pool, user.username, user.password, device.deviceKey);
    expect(step.ChallengeName).toBe('DEVICE_SRP_AUTH');
    const onDevice = await completeDeviceAuth(srv.client, pool, device, step.Session!, user.username);
    expect(onDevice.ChallengeName).toBeUndefined();
    expect(jwtClaims(onDevice.AuthenticationResult!.AccessToken!).device_key).toBe(device.deviceKey);
    // Forgotten: its key is refused, and without it MFA is asked again.
    await srv.client.send(
      new ForgetDeviceCommand({ AccessToken: onDevice.AuthenticationResult!.AccessToken!, DeviceKey: device.deviceKey }),
    );
    await expectServiceError(
      passwordSignInWithDevice(srv.client, pool, user.username, user.password, device.deviceKey),
      'ResourceNotFoundException',
      'Device does not exist.',
    );
    expect((await passwordSignInWithDevice(srv.client, pool, user.username, user.password)).ChallengeName).toBe('SOFTWARE_TOKEN_MFA');
  });
});

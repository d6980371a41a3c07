import { describe, expect, it } from 'vitest';
import {
  AdminForgetDeviceCommand,
  AdminGetDeviceCommand,
  AdminInitiateAuthCommand,
  AdminRespondToAuthChallengeCommand,
  AdminListDevicesCommand,
  AdminSetUserPasswordCommand,
  AdminUpdateDeviceStatusCommand,
  ConfirmDeviceCommand,
  DescribeUserPoolCommand,
  ForgetDeviceCommand,
  GetDeviceCommand,
  GetTokensFromRefreshTokenCommand,
  GetUserCommand,
  InitiateAuthCommand,
  ListDevicesCommand,
  RespondToAuthChallengeCommand,
  UpdateDeviceStatusCommand,
  UpdateUserPoolCommand,
  type AuthenticationResultType,
} from '@aws-sdk/client-cognito-identity-provider';
import { DIALECTS, useServerWithPool, type TestServer } from './helpers/harness.js';
import { createTestPool, type TestPool } from './helpers/pool.js';
import { expectServiceError } from './helpers/errors.js';
import { createUser, passwordVerifierInput, signedCall, type TestUser } from './helpers/latchkeyAdmin.js';
import { createSrpClientSession } from '../../client/src/internal/srp.js';
import {
  answerDeviceSrpAuth,
  completeDeviceAuth,
  confirmNewDevice,
  devicePasswordVerifierInput,
  jwtClaims,
  passwordSignInWithDevice,
  type TestDevice,
} from './helpers/devices.js';

const NO_DEVICE = 'Device does not exist.';
const DEVICE_KEY_RE = /^[\w-]+_[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe.each(DIALECTS)('remembered devices on %s', (dialect) => {
  let srv: TestServer;
  let pool: TestPool;
  useServerWithPool(
    dialect,
    { pool: { deviceConfiguration: { ChallengeRequiredOnNewDevice: false, DeviceOnlyRememberedOnUserPrompt: false } } },
    (s, p) => {
      srv = s;
      pool = p;
    },
  );

  /** A user with one confirmed (remembered) device, and the sign-in that made it. */
  async function userWithDevice(prefix = 'dev'): Promise<{ user: TestUser; device: TestDevice; first: AuthenticationResultType }> {
    const user = await createUser(srv, pool, prefix);
    const first = (await passwordSignInWithDevice(srv.client, pool, user.username, user.password)).AuthenticationResult!;
    const device = await confirmNewDevice(srv.client, first);
    expect(device.userConfirmationNecessary).toBe(false);
    return { user, device, first };
  }

  /** USER_SRP_AUTH with the device key in the PASSWORD_VERIFIER answer, as aws-amplify sends it. */
  async function srpWithDevice(user: TestUser, deviceKey: string) {
    const srp = createSrpClientSession();
    const init = await srv.client.send(
      new InitiateAuthCommand({
        ClientId: pool.clientId,
        AuthFlow: 'USER_SRP_AUTH',
        AuthParameters: { USERNAME: user.username, SRP_A: srp.srpA },
      }),
    );
    const input = await passwordVerifierInput(pool, pool.clientId, init, srp, user.password);
    input.ChallengeResponses.DEVICE_KEY = deviceKey;
    return { init, input, send: () => srv.client.send(new RespondToAuthChallengeCommand(input)) };
  }

  it('DescribeUserPool shows the DeviceConfiguration; UpdateUserPool changes it; a mistyped member: SerializationException', async () => {
    const d = await srv.admin.send(new DescribeUserPoolCommand({ UserPoolId: pool.userPoolId }));
    expect(d.UserPool?.DeviceConfiguration).toEqual({ ChallengeRequiredOnNewDevice: false, DeviceOnlyRememberedOnUserPrompt: false });
    const other = await createTestPool(srv.admin);
    await srv.admin.send(
      new UpdateUserPoolCommand({ UserPoolId: other.userPoolId, DeviceConfiguration: { DeviceOnlyRememberedOnUserPrompt: true } }),
    );
    const after = await srv.admin.send(new DescribeUserPoolCommand({ UserPoolId: other.userPoolId }));
    expect(after.UserPool?.DeviceConfiguration).toEqual({ DeviceOnlyRememberedOnUserPrompt: true });
    const bad = await signedCall(srv, 'UpdateUserPool', {
      UserPoolId: other.userPoolId,
      DeviceConfiguration: { ChallengeRequiredOnNewDevice: 'yes' },
    });
    expect(bad.status).toBe(400);
    expect(bad.json.__type).toBe('SerializationException');
    // A pool without a DeviceConfiguration tracks no devices: no NewDeviceMetadata.
    const plain = await createTestPool(srv.admin);
    const u = await createUser(srv, plain, 'nodev');
    const r = await passwordSignInWithDevice(srv.client, plain, u.username, u.password);
    expect(r.AuthenticationResult?.NewDeviceMetadata).toBeUndefined();
    expect(jwtClaims(r.AuthenticationResult!.AccessToken!).device_key).toBeUndefined();
  });

  it('a sign-in hands out NewDeviceMetadata and a device_key claim; ConfirmDevice; GetDevice and ListDevices as Cognito', async () => {
    const before = Math.floor(Date.now() / 1000) - 1;
    const { user, device, first } = await userWithDevice();
    expect(device.deviceKey).toMatch(DEVICE_KEY_RE);
    expect(device.deviceKey.startsWith(pool.userPoolId.split('_')[0]! + '_')).toBe(true);
    expect(device.groupKey.length).toBeGreaterThan(0);
    expect(jwtClaims(first.AccessToken!).device_key).toBe(device.deviceKey);
    const got = await srv.client.send(new GetDeviceCommand({ AccessToken: first.AccessToken!, DeviceKey: device.deviceKey }));
    expect(got.Device?.DeviceKey).toBe(device.deviceKey);
    expect(got.Device?.DeviceAttributes).toEqual([
      { Name: 'device_status', Value: 'valid' },
      { Name: 'device_name', Value: 'Test device' },
      { Name: 'dev:device_remembered_status', Value: 'remembered' },
    ]);
    for (const date of [got.Device?.DeviceCreateDate, got.Device?.DeviceLastModifiedDate, got.Device?.DeviceLastAuthenticatedDate]) {
      expect(date).toBeInstanceOf(Date);
      expect(date!.getTime() / 1000).toBeGreaterThanOrEqual(before);
    }
    const raw = await srv.call('GetDevice', { AccessToken: first.AccessToken!, DeviceKey: device.deviceKey });
    expect(Number.isInteger(raw.json.Device.DeviceCreateDate)).toBe(true);
    const list = await srv.client.send(new ListDevicesCommand({ AccessToken: first.AccessToken! }));
    expect(list.Devices?.map((d) => d.DeviceKey)).toEqual([device.deviceKey]);
    expect(list.PaginationToken).toBeUndefined();
    // ConfirmDevice once: a second confirmation of the same device is refused.
    await expectServiceError(
      srv.client.send(
        new ConfirmDeviceCommand({
          AccessToken: first.AccessToken!,
          DeviceKey: device.deviceKey,
          DeviceSecretVerifierConfig: { PasswordVerifier: 'AAEC', Salt: 'AAEC' },
        }),
      ),
      'ResourceNotFoundException',
      NO_DEVICE,
    );
    void user;
  });

  it('ConfirmDevice refuses a verifier that is not one, and a device key that is not the caller’s', async () => {
    const a = await createUser(srv, pool, 'cfa');
    const b = await createUser(srv, pool, 'cfb');
    const ra = (await passwordSignInWithDevice(srv.client, pool, a.username, a.password)).AuthenticationResult!;
    const rb = (await passwordSignInWithDevice(srv.client, pool, b.username, b.password)).AuthenticationResult!;
    const confirm = (token: string, key: string, PasswordVerifier: string) =>
      srv.client.send(
        new ConfirmDeviceCommand({ AccessToken: token, DeviceKey: key, DeviceSecretVerifierConfig: { PasswordVerifier, Salt: 'AQID' } }),
      );
    await expectServiceError(confirm(ra.AccessToken!, ra.NewDeviceMetadata!.DeviceKey!, 'AQ=='), 'InvalidParameterException');
    await expectServiceError(confirm(ra.AccessToken!, ra.NewDeviceMetadata!.DeviceKey!, 'not base64!'), 'InvalidParameterException');
    await expectServiceError(confirm(ra.AccessToken!, rb.NewDeviceMetadata!.DeviceKey!, 'AQID'), 'ResourceNotFoundException', NO_DEVICE);
    await expectServiceError(
      confirm(ra.AccessToken!, 'us-east-1_00000000-0000-0000-0000-000000000000', 'AQID'),
      'ResourceNotFoundException',
    );
    // The user's own unconfirmed device, with the access token of another of their sign-ins: only the sign-in that
    // was handed the device (its device_key claim) confirms it.
    const ra2 = (await passwordSignInWithDevice(srv.client, pool, a.username, a.password)).AuthenticationResult!;
    await expectServiceError(confirm(ra.AccessToken!, ra2.NewDeviceMetadata!.DeviceKey!, 'AQID'), 'ResourceNotFoundException', NO_DEVICE);
    await expectServiceError(confirm(ra2.AccessToken!, ra.NewDeviceMetadata!.DeviceKey!, 'AQID'), 'ResourceNotFoundException', NO_DEVICE);
    expect((await confirm(ra2.AccessToken!, ra2.NewDeviceMetadata!.DeviceKey!, 'AQID')).UserConfirmationNecessary).toBe(false);
  });

  it('USER_SRP_AUTH with a remembered DEVICE_KEY → DEVICE_SRP_AUTH → DEVICE_PASSWORD_VERIFIER → tokens bound to the device', async () => {
    const { user, device } = await userWithDevice('srpdev');
    const { init, send } = await srpWithDevice(user, device.deviceKey);
    // USERNAME and USER_ID_FOR_SRP carry one value: aws-amplify stores the device under one and looks it up under the other.
    expect(init.ChallengeParameters?.USERNAME).toBe(init.ChallengeParameters?.USER_ID_FOR_SRP);
    const step = await send();
    expect(step.ChallengeName).toBe('DEVICE_SRP_AUTH');
    expect(step.ChallengeParameters).toEqual({});
    expect(step.AuthenticationResult).toBeUndefined();
    const { srp, out } = await answerDeviceSrpAuth(srv.client, pool, device, step.Session!, init.ChallengeParameters!.USERNAME!);
    expect(out.ChallengeName).toBe('DEVICE_PASSWORD_VERIFIER');
    expect(Object.keys(out.ChallengeParameters!).sort()).toEqual(['DEVICE_KEY', 'SALT', 'SECRET_BLOCK', 'SRP_B', 'USERNAME']);
    expect(out.ChallengeParameters!.USERNAME).toBe(init.ChallengeParameters!.USER_ID_FOR_SRP);
    expect(out.ChallengeParameters!.DEVICE_KEY).toBe(device.deviceKey);
    const done = await srv.client.send(new RespondToAuthChallengeCommand(await devicePasswordVerifierInput(pool, device, out, srp)));
    expect(done.AuthenticationResult?.AccessToken).toBeTruthy();
    expect(done.AuthenticationResult?.NewDeviceMetadata).toBeUndefined();
    expect(jwtClaims(done.AuthenticationResult!.AccessToken!)).toMatchObject({ device_key: device.deviceKey, sub: user.sub });
    // The refresh token refreshes with its device's key, not another one, nor none.
    const rt = done.AuthenticationResult!.RefreshToken!;
    const refreshed = await srv.client.send(
      new InitiateAuthCommand({
        ClientId: pool.clientId,
        AuthFlow: 'REFRESH_TOKEN_AUTH',
        AuthParameters: { REFRESH_TOKEN: rt, DEVICE_KEY: device.deviceKey },
      }),
    );
    expect(jwtClaims(refreshed.AuthenticationResult!.AccessToken!).device_key).toBe(device.deviceKey);
    const viaSdk = await srv.client.send(
      new GetTokensFromRefreshTokenCommand({ ClientId: pool.clientId, RefreshToken: rt, DeviceKey: device.deviceKey }),
    );
    expect(viaSdk.AuthenticationResult?.AccessToken).toBeTruthy();
    const refresh = (RefreshToken: string, DeviceKey?: string) =>
      srv.client.send(new GetTokensFromRefreshTokenCommand({ ClientId: pool.clientId, RefreshToken, DeviceKey }));
    await expectServiceError(
      refresh(rt, 'us-east-1_00000000-0000-0000-0000-000000000000'),
      'NotAuthorizedException',
      'Invalid Refresh Token',
    );
    // As Cognito: with device tracking on, the device key is required, and the device must be confirmed.
    await expectServiceError(refresh(rt), 'NotAuthorizedException', 'Invalid Refresh Token');
    const unconfirmed = (await passwordSignInWithDevice(srv.client, pool, user.username, user.password)).AuthenticationResult!;
    await expectServiceError(
      refresh(unconfirmed.RefreshToken!, unconfirmed.NewDeviceMetadata!.DeviceKey!),
      'NotAuthorizedException',
      'Invalid Refresh Token',
    );
  });

  it('USER_PASSWORD_AUTH with a remembered DEVICE_KEY goes through DEVICE_SRP_AUTH too', async () => {
    const { user, device } = await userWithDevice('pwdev');
    const step = await passwordSignInWithDevice(srv.client, pool, user.username, user.password, device.deviceKey);
    expect(step.ChallengeName).toBe('DEVICE_SRP_AUTH');
    const done = await completeDeviceAuth(srv.client, pool, device, step.Session!, user.username);
    expect(jwtClaims(done.AuthenticationResult!.AccessToken!).device_key).toBe(device.deviceKey);
  });

  it('USER_AUTH PASSWORD and AdminInitiateAuth ADMIN_USER_PASSWORD_AUTH with a remembered DEVICE_KEY: DEVICE_SRP_AUTH too', async () => {
    const { user, device } = await userWithDevice('uadev');
    const ua = await srv.client.send(
      new InitiateAuthCommand({
        ClientId: pool.clientId,
        AuthFlow: 'USER_AUTH',
        AuthParameters: { USERNAME: user.username, PASSWORD: user.password, PREFERRED_CHALLENGE: 'PASSWORD', DEVICE_KEY: device.deviceKey },
      }),
    );
    expect(ua.ChallengeName).toBe('DEVICE_SRP_AUTH');
    expect((await completeDeviceAuth(srv.client, pool, device, ua.Session!, user.username)).AuthenticationResult?.AccessToken).toBeTruthy();
    const admin = await srv.admin.send(
      new AdminInitiateAuthCommand({
        UserPoolId: pool.userPoolId,
        ClientId: pool.clientId,
        AuthFlow: 'ADMIN_USER_PASSWORD_AUTH',
        AuthParameters: { USERNAME: user.username, PASSWORD: user.password, DEVICE_KEY: device.deviceKey },
      }),
    );
    expect(admin.ChallengeName).toBe('DEVICE_SRP_AUTH');
    const srp = createSrpClientSession();
    const step = await srv.admin.send(
      new AdminRespondToAuthChallengeCommand({
        UserPoolId: pool.userPoolId,
        ClientId: pool.clientId,
        ChallengeName: 'DEVICE_SRP_AUTH',
        Session: admin.Session!,
        ChallengeResponses: { USERNAME: user.username, DEVICE_KEY: device.deviceKey, SRP_A: srp.srpA },
      }),
    );
    const input = await devicePasswordVerifierInput(pool, device, step, srp);
    const done = await srv.admin.send(new AdminRespondToAuthChallengeCommand({ UserPoolId: pool.userPoolId, ...input }));
    expect(jwtClaims(done.AuthenticationResult!.AccessToken!).device_key).toBe(device.deviceKey);
  });

  it('refusals: another user’s device key, a wrong device password, a reused or another step’s session', async () => {
    const { user: alice, device: aliceDevice } = await userWithDevice('alice');
    const { user: bob, device: bobDevice, first: bobTokens } = await userWithDevice('bob');
    // Alice presenting Bob's key: no DEVICE_SRP_AUTH; the SRP step's session survives for the retry without it (aws-amplify).
    const tried = await srpWithDevice(alice, bobDevice.deviceKey);
    await expectServiceError(tried.send(), 'ResourceNotFoundException', NO_DEVICE);
    delete tried.input.ChallengeResponses.DEVICE_KEY;
    const retried = await srv.client.send(new RespondToAuthChallengeCommand(tried.input));
    expect(retried.AuthenticationResult?.NewDeviceMetadata?.DeviceKey).toBeTruthy();
    await expectServiceError(
      passwordSignInWithDevice(srv.client, pool, alice.username, alice.password, bobDevice.deviceKey),
      'ResourceNotFoundException',
      NO_DEVICE,
    );
    // Bob's token cannot read, change or forget Alice's device.
    const t = bobTokens.AccessToken!;
    await expectServiceError(
      srv.client.send(new GetDeviceCommand({ AccessToken: t, DeviceKey: aliceDevice.deviceKey })),
      'ResourceNotFoundException',
      NO_DEVICE,
    );
    await expectServiceError(
      srv.client.send(
        new UpdateDeviceStatusCommand({ AccessToken: t, DeviceKey: aliceDevice.deviceKey, DeviceRememberedStatus: 'not_remembered' }),
      ),
      'ResourceNotFoundException',
    );
    await expectServiceError(
      srv.client.send(new ForgetDeviceCommand({ AccessToken: t, DeviceKey: aliceDevice.deviceKey })),
      'ResourceNotFoundException',
    );
    expect((await srv.client.send(new ListDevicesCommand({ AccessToken: t }))).Devices?.map((d) => d.DeviceKey)).toEqual([
      bobDevice.deviceKey,
    ]);

    // A wrong device password: NotAuthorizedException, and the session is gone.
    const s1 = await passwordSignInWithDevice(srv.client, pool, bob.username, bob.password, bobDevice.deviceKey);
    const a1 = await answerDeviceSrpAuth(srv.client, pool, bobDevice, s1.Session!, bob.username);
    const wrong = await devicePasswordVerifierInput(pool, bobDevice, a1.out, a1.srp, 'not-the-device-password');
    await expectServiceError(
      srv.client.send(new RespondToAuthChallengeCommand(wrong)),
      'NotAuthorizedException',
      'Incorrect username or password.',
    );
    const right = await devicePasswordVerifierInput(pool, bobDevice, a1.out, a1.srp);
    await expectServiceError(srv.client.send(new RespondToAuthChallengeCommand(right)), 'NotAuthorizedException');

    // A DEVICE_PASSWORD_VERIFIER answer used twice: the second is refused.
    const s2 = await passwordSignInWithDevice(srv.client, pool, bob.username, bob.password, bobDevice.deviceKey);
    const a2 = await answerDeviceSrpAuth(srv.client, pool, bobDevice, s2.Session!, bob.username);
    const once = await devicePasswordVerifierInput(pool, bobDevice, a2.out, a2.srp);
    expect((await srv.client.send(new RespondToAuthChallengeCommand(once))).AuthenticationResult?.AccessToken).toBeTruthy();
    await expectServiceError(srv.client.send(new RespondToAuthChallengeCommand(once)), 'NotAuthorizedException');

    // Sessions of another step: the DEVICE_SRP_AUTH session answered as DEVICE_PASSWORD_VERIFIER and the
    // other way round; the DEVICE_SRP_AUTH session answered twice.
    const s3 = await passwordSignInWithDevice(srv.client, pool, bob.username, bob.password, bobDevice.deviceKey);
    const a3 = await answerDeviceSrpAuth(srv.client, pool, bobDevice, s3.Session!, bob.username);
    await expectServiceError(answerDeviceSrpAuth(srv.client, pool, bobDevice, s3.Session!, bob.username), 'NotAuthorizedException');
    await expectServiceError(answerDeviceSrpAuth(srv.client, pool, bobDevice, a3.out.Session!, bob.username), 'NotAuthorizedException');
    const s4 = await passwordSignInWithDevice(srv.client, pool, bob.username, bob.password, bobDevice.deviceKey);
    const crossed = { ...(await devicePasswordVerifierInput(pool, bobDevice, a3.out, a3.srp)), Session: s4.Session! };
    await expectServiceError(srv.client.send(new RespondToAuthChallengeCommand(crossed)), 'NotAuthorizedException');
    // Another device's key in the DEVICE_SRP_AUTH answer.
    const s5 = await passwordSignInWithDevice(srv.client, pool, bob.username, bob.password, bobDevice.deviceKey);
    await expectServiceError(answerDeviceSrpAuth(srv.client, pool, aliceDevice, s5.Session!, bob.username), 'NotAuthorizedException');
  });

  it('a device set not_remembered between DEVICE_SRP_AUTH and DEVICE_PASSWORD_VERIFIER: the proof is refused', async () => {
    const { user, device, first } = await userWithDevice('unremember');
    const step = await passwordSignInWithDevice(srv.client, pool, user.username, user.password, device.deviceKey);
    expect(step.ChallengeName).toBe('DEVICE_SRP_AUTH');
    const { srp, out } = await answerDeviceSrpAuth(srv.client, pool, device, step.Session!, user.username);
    await srv.client.send(
      new UpdateDeviceStatusCommand({
        AccessToken: first.AccessToken!,
        DeviceKey: device.deviceKey,
        DeviceRememberedStatus: 'not_remembered',
      }),
    );
    await expectServiceError(
      srv.client.send(new RespondToAuthChallengeCommand(await devicePasswordVerifierInput(pool, device, out, srp))),
      'ResourceNotFoundException',
      NO_DEVICE,
    );
  });

  it('ForgetDevice revokes the sign-ins bound to the device; its key then starts no DEVICE_SRP_AUTH', async () => {
    const { user, device, first } = await userWithDevice('forget');
    const viaDevice = await completeDeviceAuth(
      srv.client,
      pool,
      device,
      (await passwordSignInWithDevice(srv.client, pool, user.username, user.password, device.deviceKey)).Session!,
      user.username,
    );
    // Another sign-in, on another device, survives.
    const elsewhere = (await passwordSignInWithDevice(srv.client, pool, user.username, user.password)).AuthenticationResult!;
    await srv.client.send(
      new ForgetDeviceCommand({ AccessToken: viaDevice.AuthenticationResult!.AccessToken!, DeviceKey: device.deviceKey }),
    );
    for (const tokens of [first, viaDevice.AuthenticationResult!]) {
      await expectServiceError(srv.client.send(new GetUserCommand({ AccessToken: tokens.AccessToken! })), 'NotAuthorizedException');
      await expectServiceError(
        srv.client.send(
          new InitiateAuthCommand({
            ClientId: pool.clientId,
            AuthFlow: 'REFRESH_TOKEN_AUTH',
            AuthParameters: { REFRESH_TOKEN: tokens.RefreshToken! },
          }),
        ),
        'NotAuthorizedException',
        'Refresh Token has been revoked',
      );
    }
    expect((await srv.client.send(new GetUserCommand({ AccessToken: elsewhere.AccessToken! }))).Username).toBe(user.username);
    await expectServiceError(
      passwordSignInWithDevice(srv.client, pool, user.username, user.password, device.deviceKey),
      'ResourceNotFoundException',
      NO_DEVICE,
    );
    await expectServiceError(
      srv.client.send(new ForgetDeviceCommand({ AccessToken: elsewhere.AccessToken!, DeviceKey: device.deviceKey })),
      'ResourceNotFoundException',
    );
    expect((await srv.client.send(new ListDevicesCommand({ AccessToken: elsewhere.AccessToken! }))).Devices).toEqual([]);
  });

  it('admin forms: AdminListDevices pages, AdminGetDevice, AdminUpdateDeviceStatus (no DEVICE_SRP_AUTH), AdminForgetDevice', async () => {
    const user = await createUser(srv, pool, 'adm');
    const devices: TestDevice[] = [];
    for (let i = 0; i < 3; i++) {
      const r = (await passwordSignInWithDevice(srv.client, pool, user.username, user.password)).AuthenticationResult!;
      devices.push(await confirmNewDevice(srv.client, r, `device ${i}`));
    }
    const seen: string[] = [];
    let token: string | undefined;
    do {
      const page = await srv.admin.send(
        new AdminListDevicesCommand({ UserPoolId: pool.userPoolId, Username: user.username, Limit: 2, PaginationToken: token }),
      );
      expect(page.Devices!.length).toBeLessThanOrEqual(2);
      seen.push(...page.Devices!.map((d) => d.DeviceKey!));
      token = page.PaginationToken;
    } while (token);
    expect(seen.sort()).toEqual(devices.map((d) => d.deviceKey).sort());
    await expectServiceError(
      srv.admin.send(
        new AdminListDevicesCommand({ UserPoolId: pool.userPoolId, Username: user.username, PaginationToken: 'forged.token' }),
      ),
      'InvalidParameterException',
    );
    const d0 = devices[0]!;
    await srv.admin.send(
      new AdminUpdateDeviceStatusCommand({
        UserPoolId: pool.userPoolId,
        Username: user.username,
        DeviceKey: d0.deviceKey,
        DeviceRememberedStatus: 'not_remembered',
      }),
    );
    const got = await srv.admin.send(
      new AdminGetDeviceCommand({ UserPoolId: pool.userPoolId, Username: user.username, DeviceKey: d0.deviceKey }),
    );
    expect(got.Device?.DeviceAttributes).toContainEqual({ Name: 'dev:device_remembered_status', Value: 'not_remembered' });
    // A known device that is not remembered: tokens at once, bound to it, and no new device.
    const direct = await passwordSignInWithDevice(srv.client, pool, user.username, user.password, d0.deviceKey);
    expect(direct.AuthenticationResult?.NewDeviceMetadata).toBeUndefined();
    expect(jwtClaims(direct.AuthenticationResult!.AccessToken!).device_key).toBe(d0.deviceKey);
    await srv.admin.send(new AdminForgetDeviceCommand({ UserPoolId: pool.userPoolId, Username: user.username, DeviceKey: d0.deviceKey }));
    await expectServiceError(
      srv.admin.send(new AdminGetDeviceCommand({ UserPoolId: pool.userPoolId, Username: user.username, DeviceKey: d0.deviceKey })),
      'ResourceNotFoundException',
      NO_DEVICE,
    );
    await expectServiceError(
      srv.client.send(new GetUserCommand({ AccessToken: direct.AuthenticationResult!.AccessToken! })),
      'NotAuthorizedException',
    );
    const other = await createUser(srv, pool, 'adm2');
    await expectServiceError(
      srv.admin.send(
        new AdminGetDeviceCommand({ UserPoolId: pool.userPoolId, Username: other.username, DeviceKey: devices[1]!.deviceKey }),
      ),
      'ResourceNotFoundException',
      NO_DEVICE,
    );
  });

  it('a temporary password set by an administrator comes before the device: NEW_PASSWORD_REQUIRED, not DEVICE_SRP_AUTH', async () => {
    const { user, device } = await userWithDevice('temp');
    await srv.admin.send(
      new AdminSetUserPasswordCommand({ UserPoolId: pool.userPoolId, Username: user.username, Password: 'Temp0rary!', Permanent: false }),
    );
    const r = await passwordSignInWithDevice(srv.client, pool, user.username, 'Temp0rary!', device.deviceKey);
    expect(r.ChallengeName).toBe('NEW_PASSWORD_REQUIRED');
  });

  it('DeviceOnlyRememberedOnUserPrompt: UserConfirmationNecessary; DEVICE_SRP_AUTH once the user remembers the device', async () => {
    const prompt = await createTestPool(srv.admin, { deviceConfiguration: { DeviceOnlyRememberedOnUserPrompt: true } });
    const user = await createUser(srv, prompt, 'prompt');
    const first = (await passwordSignInWithDevice(srv.client, prompt, user.username, user.password)).AuthenticationResult!;
    const device = await confirmNewDevice(srv.client, first);
    expect(device.userConfirmationNecessary).toBe(true);
    const notYet = await passwordSignInWithDevice(srv.client, prompt, user.username, user.password, device.deviceKey);
    expect(notYet.ChallengeName).toBeUndefined();
    expect(notYet.AuthenticationResult?.NewDeviceMetadata).toBeUndefined();
    await srv.client.send(
      new UpdateDeviceStatusCommand({ AccessToken: first.AccessToken!, DeviceKey: device.deviceKey, DeviceRememberedStatus: 'remembered' }),
    );
    const now = await passwordSignInWithDevice(srv.client, prompt, user.username, user.password, device.deviceKey);
    expect(now.ChallengeName).toBe('DEVICE_SRP_AUTH');
    const done = await completeDeviceAuth(srv.client, prompt, device, now.Session!, user.username);
    expect(done.AuthenticationResult?.AccessToken).toBeTruthy();
  });
});

/**
 * Pool MFA configuration, TOTP enrolment (AssociateSoftwareToken / VerifySoftwareToken), MFA preferences
 * and the SOFTWARE_TOKEN_MFA / MFA_SETUP / SELECT_MFA_TYPE challenges over the wire, on SQLite and
 * PostgreSQL. TOTP codes come from the tests' own RFC 6238 (helpers/totp.ts), at the server's clock.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AdminCreateUserCommand,
  AdminGetUserCommand,
  AdminSetUserMFAPreferenceCommand,
  AdminSetUserPasswordCommand,
  AssociateSoftwareTokenCommand,
  CognitoIdentityProviderClient,
  DescribeUserPoolCommand,
  GetUserCommand,
  GetUserPoolMfaConfigCommand,
  SetUserMFAPreferenceCommand,
  SetUserPoolMfaConfigCommand,
  VerifySoftwareTokenCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { DIALECTS, startTestServer, type TestServer } from './helpers/harness.js';
import { createTestPool, type TestPool } from './helpers/pool.js';
import { expectRawError, expectServiceError } from './helpers/errors.js';
import { totp } from './helpers/totp.js';

const PASSWORD = 'Passw0rdX';

describe.each(DIALECTS)('TOTP MFA on %s', (dialect) => {
  let server: TestServer;
  let pool: TestPool;
  let client: CognitoIdentityProviderClient;
  let n = 0;
  const now = () => server.clock.now();

  async function createUser(prefix: string, attrs: Record<string, string> = {}) {
    const username = `${prefix}-${dialect}-${++n}`;
    await server.admin.send(
      new AdminCreateUserCommand({
        UserPoolId: pool.userPoolId,
        Username: username,
        MessageAction: 'SUPPRESS',
        UserAttributes: Object.entries(attrs).map(([Name, Value]) => ({ Name, Value })),
      }),
    );
    await server.admin.send(
      new AdminSetUserPasswordCommand({ UserPoolId: pool.userPoolId, Username: username, Password: PASSWORD, Permanent: true }),
    );
    return username;
  }
  const passwordAuth = (username: string) =>
    server.call('InitiateAuth', {
      ClientId: pool.clientId,
      AuthFlow: 'USER_PASSWORD_AUTH',
      AuthParameters: { USERNAME: username, PASSWORD: PASSWORD },
    });
  const respond = (challenge: string, session: string, responses: Record<string, string>) =>
    server.call('RespondToAuthChallenge', {
      ClientId: pool.clientId,
      ChallengeName: challenge,
      Session: session,
      ChallengeResponses: responses,
    });
  async function tokenOf(username: string): Promise<string> {
    const r = await passwordAuth(username);
    expect(r.status, JSON.stringify(r.json)).toBe(200);
    return r.json.AuthenticationResult.AccessToken;
  }
  /** A user with TOTP verified and enabled (preferred); returns the secret and the step the verification used. */
  async function totpUser(prefix: string) {
    const username = await createUser(prefix);
    const token = await tokenOf(username);
    const { SecretCode } = await client.send(new AssociateSoftwareTokenCommand({ AccessToken: token }));
    await client.send(
      new VerifySoftwareTokenCommand({ AccessToken: token, UserCode: totp(SecretCode!, now()), FriendlyDeviceName: 'phone' }),
    );
    await client.send(
      new SetUserMFAPreferenceCommand({ AccessToken: token, SoftwareTokenMfaSettings: { Enabled: true, PreferredMfa: true } }),
    );
    return { username, secret: SecretCode!, token };
  }

  beforeAll(async () => {
    server = await startTestServer(dialect);
    pool = await createTestPool(server.admin);
    client = new CognitoIdentityProviderClient({
      region: 'local',
      endpoint: server.endpoint,
      credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
    });
    await server.admin.send(
      new SetUserPoolMfaConfigCommand({
        UserPoolId: pool.userPoolId,
        MfaConfiguration: 'OPTIONAL',
        SoftwareTokenMfaConfiguration: { Enabled: true },
      }),
    );
  });
  afterAll(async () => {
    await server.stop();
  });

  describe('pool configuration', () => {
    it('GetUserPoolMfaConfig reports defaults; Cognito refuses OFF with a factor and ON with none', async () => {
      const fresh = await createTestPool(server.admin, { rpId: null });
      const got = await server.admin.send(new GetUserPoolMfaConfigCommand({ UserPoolId: fresh.userPoolId }));
      expect(got).toMatchObject({ MfaConfiguration: 'OFF', SoftwareTokenMfaConfiguration: { Enabled: false } });
      await expectServiceError(
        server.admin.send(new SetUserPoolMfaConfigCommand({ UserPoolId: fresh.userPoolId, MfaConfiguration: 'ON' })),
        'InvalidParameterException',
        "Invalid MFA configuration given, can't disable all MFAs with a required or optional configuration.",
      );
      await expectServiceError(
        server.admin.send(
          new SetUserPoolMfaConfigCommand({
            UserPoolId: fresh.userPoolId,
            MfaConfiguration: 'OFF',
            SoftwareTokenMfaConfiguration: { Enabled: true },
          }),
        ),
        'InvalidParameterException',
        "Invalid MFA configuration given, can't turn off MFA and configure an MFA together.",
      );
      await expectServiceError(
        server.admin.send(
          new SetUserPoolMfaConfigCommand({
            UserPoolId: fresh.userPoolId,
            MfaConfiguration: 'ON',
            SmsMfaConfiguration: { SmsAuthenticationMessage: 'no placeholder here' },
          }),
        ),
        'InvalidParameterException',
      );
      const set = await server.admin.send(
        new SetUserPoolMfaConfigCommand({
          UserPoolId: fresh.userPoolId,
          MfaConfiguration: 'ON',
          SoftwareTokenMfaConfiguration: { Enabled: true },
          EmailMfaConfiguration: { Message: 'Your code is {####}', Subject: 'Code' },
        }),
      );
      expect(set).toMatchObject({
        MfaConfiguration: 'ON',
        SoftwareTokenMfaConfiguration: { Enabled: true },
        EmailMfaConfiguration: { Message: 'Your code is {####}', Subject: 'Code' },
      });
      const described = await server.admin.send(new DescribeUserPoolCommand({ UserPoolId: fresh.userPoolId }));
      expect(described.UserPool?.MfaConfiguration).toBe('ON');
      // OFF clears the factors.
      await server.admin.send(new SetUserPoolMfaConfigCommand({ UserPoolId: fresh.userPoolId, MfaConfiguration: 'OFF' }));
      const off = await server.admin.send(new GetUserPoolMfaConfigCommand({ UserPoolId: fresh.userPoolId }));
      expect(off.SoftwareTokenMfaConfiguration).toEqual({ Enabled: false });
      expect(off.EmailMfaConfiguration).toBeUndefined();
    });
  });

  describe('enrolment and preferences', () => {
    it('associate → verify → prefer; GetUser and AdminGetUser report it; the verifying code cannot be reused', async () => {
      const username = await createUser('enrol');
      const token = await tokenOf(username);
      await expectServiceError(
        client.send(new SetUserMFAPreferenceCommand({ AccessToken: token, SoftwareTokenMfaSettings: { Enabled: true } })),
        'InvalidParameterException',
        'User has not verified software token mfa',
      );
      const { SecretCode, Session } = await client.send(new AssociateSoftwareTokenCommand({ AccessToken: token }));
      expect(SecretCode).toMatch(/^[A-Z2-7]{32}$/);
      expect(Session).toBeUndefined();
      await expectServiceError(
        client.send(new VerifySoftwareTokenCommand({ AccessToken: token, UserCode: totp(SecretCode!, now(), 5) })),
        'EnableSoftwareTokenMFAException',
      );
      const code = totp(SecretCode!, now());
      expect(await client.send(new VerifySoftwareTokenCommand({ AccessToken: token, UserCode: code }))).toMatchObject({
        Status: 'SUCCESS',
      });
      // Verified: the pending secret is gone, so the same code does not verify twice.
      await expectServiceError(
        client.send(new VerifySoftwareTokenCommand({ AccessToken: token, UserCode: code })),
        'EnableSoftwareTokenMFAException',
      );
      const before = await client.send(new GetUserCommand({ AccessToken: token }));
      expect(before.UserMFASettingList).toBeUndefined();
      expect(before.PreferredMfaSetting).toBeUndefined();
      await client.send(
        new SetUserMFAPreferenceCommand({ AccessToken: token, SoftwareTokenMfaSettings: { Enabled: true, PreferredMfa: true } }),
      );
      const me = await client.send(new GetUserCommand({ AccessToken: token }));
      expect(me).toMatchObject({ UserMFASettingList: ['SOFTWARE_TOKEN_MFA'], PreferredMfaSetting: 'SOFTWARE_TOKEN_MFA' });
      const admin = await server.admin.send(new AdminGetUserCommand({ UserPoolId: pool.userPoolId, Username: username }));
      expect(admin).toMatchObject({ UserMFASettingList: ['SOFTWARE_TOKEN_MFA'], PreferredMfaSetting: 'SOFTWARE_TOKEN_MFA' });
      // The code that verified the token cannot sign in: its step is the last accepted one.
      const first = await passwordAuth(username);
      expect(first.json.ChallengeName).toBe('SOFTWARE_TOKEN_MFA');
      expectRawError(
        await respond('SOFTWARE_TOKEN_MFA', first.json.Session, { USERNAME: username, SOFTWARE_TOKEN_MFA_CODE: code }),
        'CodeMismatchException',
      );
    });

    it('AdminSetUserMFAPreference refuses SMS without a phone, email without an email; disabling clears the preference', async () => {
      const username = await createUser('admin-pref');
      await expectServiceError(
        server.admin.send(
          new AdminSetUserMFAPreferenceCommand({ UserPoolId: pool.userPoolId, Username: username, SMSMfaSettings: { Enabled: true } }),
        ),
        'InvalidParameterException',
        'User does not have delivery config set to turn on SMS_MFA',
      );
      await expectServiceError(
        server.admin.send(
          new AdminSetUserMFAPreferenceCommand({ UserPoolId: pool.userPoolId, Username: username, EmailMfaSettings: { Enabled: true } }),
        ),
        'InvalidParameterException',
        'User does not have delivery config set to turn on EMAIL_OTP',
      );
      await expectServiceError(
        server.admin.send(
          new AdminSetUserMFAPreferenceCommand({
            UserPoolId: pool.userPoolId,
            Username: username,
            WebAuthnMfaSettings: { Enabled: true },
          }),
        ),
        'InvalidParameterException',
      );
      const { username: u2 } = await totpUser('admin-pref2');
      await server.admin.send(
        new AdminSetUserMFAPreferenceCommand({ UserPoolId: pool.userPoolId, Username: u2, SoftwareTokenMfaSettings: { Enabled: false } }),
      );
      const got = await server.admin.send(new AdminGetUserCommand({ UserPoolId: pool.userPoolId, Username: u2 }));
      expect(got.UserMFASettingList).toBeUndefined();
      expect(got.PreferredMfaSetting).toBeUndefined();
      expect((await passwordAuth(u2)).json.AuthenticationResult).toBeDefined();
    });

    it('re-association replaces the pending secret: a code of the previous one fails, the verified one keeps signing in', async () => {
      const { username, secret, token } = await totpUser('reassoc');
      const a = await client.send(new AssociateSoftwareTokenCommand({ AccessToken: token }));
      const b = await client.send(new AssociateSoftwareTokenCommand({ AccessToken: token }));
      expect(a.SecretCode).not.toBe(b.SecretCode);
      await expectServiceError(
        client.send(new VerifySoftwareTokenCommand({ AccessToken: token, UserCode: totp(a.SecretCode!, now(), 1) })),
        'EnableSoftwareTokenMFAException',
      );
      // Until the new secret is verified, the old verified one is still the second factor.
      const r = await passwordAuth(username);
      const ok = await respond('SOFTWARE_TOKEN_MFA', r.json.Session, {
        USERNAME: username,
        SOFTWARE_TOKEN_MFA_CODE: totp(secret, now(), 1),
      });
      expect(ok.json.AuthenticationResult?.AccessToken).toBeTruthy();
      await client.send(new VerifySoftwareTokenCommand({ AccessToken: token, UserCode: totp(b.SecretCode!, now()) }));
      const r2 = await passwordAuth(username);
      expectRawError(
        await respond('SOFTWARE_TOKEN_MFA', r2.json.Session, { USERNAME: username, SOFTWARE_TOKEN_MFA_CODE: totp(secret, now(), -1) }),
        'CodeMismatchException',
      );
    });
  });

  describe('SOFTWARE_TOKEN_MFA after the first factor', () => {
    it('a wrong code keeps the Session; the right one signs in once; the same code again is refused (replay)', async () => {
      const { username, secret } = await totpUser('signin');
      const r = await passwordAuth(username);
      expect(r.json).toMatchObject({ ChallengeName: 'SOFTWARE_TOKEN_MFA', ChallengeParameters: {} });
      const wrong = await respond('SOFTWARE_TOKEN_MFA', r.json.Session, {
        USERNAME: username,
        SOFTWARE_TOKEN_MFA_CODE: totp(secret, now(), 3),
      });
      expectRawError(wrong, 'CodeMismatchException');
      expect(wrong.json.message).toBe('Invalid code received for user');
      const code = totp(secret, now(), 1);
      const ok = await respond('SOFTWARE_TOKEN_MFA', r.json.Session, { USERNAME: username, SOFTWARE_TOKEN_MFA_CODE: code });
      expect(ok.json.AuthenticationResult?.AccessToken).toBeTruthy();
      // The Session is spent.
      expectRawError(
        await respond('SOFTWARE_TOKEN_MFA', r.json.Session, { USERNAME: username, SOFTWARE_TOKEN_MFA_CODE: code }),
        'NotAuthorizedException',
      );
      // The code is spent, on a new Session too (no replay within its window).
      const again = await passwordAuth(username);
      expectRawError(
        await respond('SOFTWARE_TOKEN_MFA', again.json.Session, { USERNAME: username, SOFTWARE_TOKEN_MFA_CODE: code }),
        'CodeMismatchException',
      );
      // An earlier step than the last accepted one is refused too; the next step works.
      expectRawError(
        await respond('SOFTWARE_TOKEN_MFA', again.json.Session, { USERNAME: username, SOFTWARE_TOKEN_MFA_CODE: totp(secret, now()) }),
        'CodeMismatchException',
      );
      server.clock.advance(60_000);
      const later = await passwordAuth(username);
      const ok2 = await respond('SOFTWARE_TOKEN_MFA', later.json.Session, {
        USERNAME: username,
        SOFTWARE_TOKEN_MFA_CODE: totp(secret, now()),
      });
      expect(ok2.json.AuthenticationResult).toBeDefined();
    });

    it('a Session of another step is refused; the attempt limit per Session holds', async () => {
      const { username, secret } = await totpUser('steps');
      const r = await passwordAuth(username);
      const code = totp(secret, now(), 1);
      expectRawError(await respond('MFA_SETUP', r.json.Session, { USERNAME: username }), 'NotAuthorizedException');
      expectRawError(
        await respond('SELECT_MFA_TYPE', r.json.Session, { USERNAME: username, ANSWER: 'SOFTWARE_TOKEN_MFA' }),
        'NotAuthorizedException',
      );
      expectRawError(await respond('SMS_MFA', r.json.Session, { USERNAME: username, SMS_MFA_CODE: '123456' }), 'NotAuthorizedException');
      // A password alone cannot enrol a new authenticator: only an MFA_SETUP Session may associate or verify.
      await expectServiceError(client.send(new AssociateSoftwareTokenCommand({ Session: r.json.Session })), 'NotAuthorizedException');
      await expectServiceError(
        client.send(new VerifySoftwareTokenCommand({ Session: r.json.Session, UserCode: code })),
        'NotAuthorizedException',
      );
      // Those did not spend the SOFTWARE_TOKEN_MFA Session: its own answer still works.
      const ok = await respond('SOFTWARE_TOKEN_MFA', r.json.Session, { USERNAME: username, SOFTWARE_TOKEN_MFA_CODE: code });
      expect(ok.json.AuthenticationResult).toBeDefined();
      const s2 = (await passwordAuth(username)).json.Session;
      for (let i = 0; i < 3; i++)
        expectRawError(
          await respond('SOFTWARE_TOKEN_MFA', s2, { USERNAME: username, SOFTWARE_TOKEN_MFA_CODE: '000000' }),
          'CodeMismatchException',
        );
      const over = await respond('SOFTWARE_TOKEN_MFA', s2, { USERNAME: username, SOFTWARE_TOKEN_MFA_CODE: totp(secret, now(), 1) });
      expectRawError(over, 'NotAuthorizedException');
    });

    it('ADMIN_USER_PASSWORD_AUTH gets the same challenge, answered through AdminRespondToAuthChallenge', async () => {
      const { username, secret } = await totpUser('admin-flow');
      const { AdminInitiateAuthCommand, AdminRespondToAuthChallengeCommand } = await import('@aws-sdk/client-cognito-identity-provider');
      const r = await server.admin.send(
        new AdminInitiateAuthCommand({
          UserPoolId: pool.userPoolId,
          ClientId: pool.clientId,
          AuthFlow: 'ADMIN_USER_PASSWORD_AUTH',
          AuthParameters: { USERNAME: username, PASSWORD },
        }),
      );
      expect(r.ChallengeName).toBe('SOFTWARE_TOKEN_MFA');
      const ok = await server.admin.send(
        new AdminRespondToAuthChallengeCommand({
          UserPoolId: pool.userPoolId,
          ClientId: pool.clientId,
          ChallengeName: 'SOFTWARE_TOKEN_MFA',
          Session: r.Session,
          ChallengeResponses: { USERNAME: username, SOFTWARE_TOKEN_MFA_CODE: totp(secret, now(), 1) },
        }),
      );
      expect(ok.AuthenticationResult?.IdToken).toBeTruthy();
    });
  });

  describe('MFA_SETUP when the pool requires MFA', () => {
    let onPool: TestPool;
    beforeAll(async () => {
      onPool = await createTestPool(server.admin);
      await server.admin.send(
        new SetUserPoolMfaConfigCommand({
          UserPoolId: onPool.userPoolId,
          MfaConfiguration: 'ON',
          SoftwareTokenMfaConfiguration: { Enabled: true },
        }),
      );
    });

    it('a NEW_PASSWORD_REQUIRED answer leads to the MFA step too', async () => {
      const username = `newpw-${dialect}-${++n}`;
      await server.admin.send(
        new AdminCreateUserCommand({
          UserPoolId: onPool.userPoolId,
          Username: username,
          TemporaryPassword: 'Temp0rary!',
          MessageAction: 'SUPPRESS',
        }),
      );
      const r = await server.call('InitiateAuth', {
        ClientId: onPool.clientId,
        AuthFlow: 'USER_PASSWORD_AUTH',
        AuthParameters: { USERNAME: username, PASSWORD: 'Temp0rary!' },
      });
      expect(r.json.ChallengeName).toBe('NEW_PASSWORD_REQUIRED');
      const next = await server.call('RespondToAuthChallenge', {
        ClientId: onPool.clientId,
        ChallengeName: 'NEW_PASSWORD_REQUIRED',
        Session: r.json.Session,
        ChallengeResponses: { USERNAME: username, NEW_PASSWORD: PASSWORD },
      });
      expect(next.json).toMatchObject({ ChallengeName: 'MFA_SETUP', ChallengeParameters: { MFAS_CAN_SETUP: '["SOFTWARE_TOKEN_MFA"]' } });
      expect(next.json.AuthenticationResult).toBeUndefined();
    });

    it('passwordless one-time codes are no first factor while MFA is required', async () => {
      const otpPool = await createTestPool(server.admin, { factors: ['PASSWORD', 'EMAIL_OTP'] });
      const username = `otp-on-${dialect}-${++n}`;
      await server.admin.send(
        new AdminCreateUserCommand({
          UserPoolId: otpPool.userPoolId,
          Username: username,
          MessageAction: 'SUPPRESS',
          UserAttributes: [
            { Name: 'email', Value: `${username}@example.com` },
            { Name: 'email_verified', Value: 'true' },
          ],
        }),
      );
      await server.admin.send(
        new AdminSetUserPasswordCommand({ UserPoolId: otpPool.userPoolId, Username: username, Password: PASSWORD, Permanent: true }),
      );
      const init = () =>
        server.call('InitiateAuth', {
          ClientId: otpPool.clientId,
          AuthFlow: 'USER_AUTH',
          AuthParameters: { USERNAME: username, PREFERRED_CHALLENGE: 'EMAIL_OTP' },
        });
      expect((await init()).json.ChallengeName).toBe('EMAIL_OTP');
      await server.admin.send(
        new SetUserPoolMfaConfigCommand({
          UserPoolId: otpPool.userPoolId,
          MfaConfiguration: 'ON',
          SoftwareTokenMfaConfiguration: { Enabled: true },
        }),
      );
      const r = await init();
      expect(r.json.ChallengeName).toBe('SELECT_CHALLENGE');
      expect(r.json.AvailableChallenges).toEqual(['PASSWORD', 'PASSWORD_SRP']);
    });

    it('MFA_SETUP → AssociateSoftwareToken(Session) → VerifySoftwareToken(Session) → answer; every Session single-use', async () => {
      const username = `setup-${dialect}-${++n}`;
      await server.admin.send(new AdminCreateUserCommand({ UserPoolId: onPool.userPoolId, Username: username, MessageAction: 'SUPPRESS' }));
      await server.admin.send(
        new AdminSetUserPasswordCommand({ UserPoolId: onPool.userPoolId, Username: username, Password: PASSWORD, Permanent: true }),
      );
      const init = () =>
        server.call('InitiateAuth', {
          ClientId: onPool.clientId,
          AuthFlow: 'USER_PASSWORD_AUTH',
          AuthParameters: { USERNAME: username, PASSWORD },
        });
      const answer = (challenge: string, session: string, responses: Record<string, string> = {}) =>
        server.call('RespondToAuthChallenge', {
          ClientId: onPool.clientId,
          ChallengeName: challenge,
          Session: session,
          ChallengeResponses: { USERNAME: username, ...responses },
        });
      const r = await init();
      expect(r.json).toMatchObject({ ChallengeName: 'MFA_SETUP', ChallengeParameters: { MFAS_CAN_SETUP: '["SOFTWARE_TOKEN_MFA"]' } });
      // Not set up yet: the MFA_SETUP answer is refused.
      expectRawError(await answer('MFA_SETUP', r.json.Session), 'NotAuthorizedException');
      const assoc = await client.send(new AssociateSoftwareTokenCommand({ Session: r.json.Session }));
      expect(assoc.SecretCode).toMatch(/^[A-Z2-7]{32}$/);
      expect(assoc.Session).toBeTruthy();
      // The MFA_SETUP Session was consumed by the association.
      await expectServiceError(client.send(new AssociateSoftwareTokenCommand({ Session: r.json.Session })), 'NotAuthorizedException');
      await expectServiceError(
        client.send(new VerifySoftwareTokenCommand({ Session: assoc.Session, UserCode: totp(assoc.SecretCode!, now(), 4) })),
        'EnableSoftwareTokenMFAException',
      );
      const verified = await client.send(
        new VerifySoftwareTokenCommand({ Session: assoc.Session, UserCode: totp(assoc.SecretCode!, now()), FriendlyDeviceName: 'app' }),
      );
      expect(verified.Status).toBe('SUCCESS');
      expect(verified.Session).toBeTruthy();
      await expectServiceError(
        client.send(new VerifySoftwareTokenCommand({ Session: assoc.Session, UserCode: totp(assoc.SecretCode!, now(), 1) })),
        'NotAuthorizedException',
      );
      const done = await answer('MFA_SETUP', verified.Session!);
      expect(done.json.AuthenticationResult?.AccessToken).toBeTruthy();
      // The MFA_SETUP Session is spent.
      expectRawError(await answer('MFA_SETUP', verified.Session!), 'NotAuthorizedException');
      // From now on the user signs in with TOTP (enabled and preferred by the setup).
      const next = await init();
      expect(next.json.ChallengeName).toBe('SOFTWARE_TOKEN_MFA');
      const ok = await answer('SOFTWARE_TOKEN_MFA', next.json.Session, { SOFTWARE_TOKEN_MFA_CODE: totp(assoc.SecretCode!, now(), 1) });
      expect(ok.json.AuthenticationResult).toBeDefined();
    });
  });
});

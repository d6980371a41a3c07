/**
 * Regression tests of the MFA bypasses a security review found, over the wire with the real AWS SDK on
 * SQLite and PostgreSQL (docs/security.md, "MFA"):
 *  1. a username-less passkey sign-in is not offered while MFA is ON with SINGLE_FACTOR passkeys, and a
 *     WEB_AUTHN Session issued before MFA was switched on does not finish with one factor;
 *  2. with MFA OPTIONAL, a user who enabled MFA cannot sign in with an EMAIL_OTP / SMS_OTP code or a
 *     passkey alone, unless the passkey (with user verification) satisfies MFA: FactorConfiguration
 *     MULTI_FACTOR_WITH_USER_VERIFICATION and the user's WebAuthnMfaSettings enabled; the InitiateAuth
 *     answer is the same as for a user without MFA (decided only after the factor);
 *  3. a NEW_PASSWORD_REQUIRED answer follows UpdateUserAttributes' rules (pending values, verified flags
 *     reset) and cannot send the MFA code to an address it changes;
 *  4. NEW_PASSWORD_REQUIRED's userAttributes hold only what the client may read.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AdminCreateUserCommand,
  AdminGetUserCommand,
  AdminSetUserMFAPreferenceCommand,
  AdminSetUserPasswordCommand,
  CreateUserPoolClientCommand,
  InitiateAuthCommand,
  RespondToAuthChallengeCommand,
  SetUserPoolMfaConfigCommand,
  type InitiateAuthCommandOutput,
} from '@aws-sdk/client-cognito-identity-provider';
import { VirtualAuthenticator } from '@latchkey/virtual-authenticator';
import { DIALECTS, startTestServer, type TestServer } from './helpers/harness.js';
import { createTestPool, type TestPool } from './helpers/pool.js';
import { expectServiceError } from './helpers/errors.js';
import { accessToken, attr, createUser, outboxCode, parseRequestOptions, registerPasskey, type TestUser } from './helpers/latchkeyAdmin.js';

const PASSWORDLESS_WITH_MFA = 'Passwordless sign-in is not available to a user with multi-factor authentication.';
type Factor = 'SINGLE_FACTOR' | 'MULTI_FACTOR_WITH_USER_VERIFICATION';

describe.each(DIALECTS)('MFA bypass regressions on %s', (dialect) => {
  let srv: TestServer;
  let n = 0;
  beforeAll(async () => {
    srv = await startTestServer(dialect);
  });
  afterAll(async () => {
    await srv.stop();
  });

  const mfaConfig = (pool: TestPool, mode: 'ON' | 'OPTIONAL' | 'OFF', factor: Factor = 'SINGLE_FACTOR', sms = false) =>
    srv.admin.send(
      new SetUserPoolMfaConfigCommand({
        UserPoolId: pool.userPoolId,
        MfaConfiguration: mode,
        ...(mode === 'OFF' ? {} : { SoftwareTokenMfaConfiguration: { Enabled: true } }),
        ...(mode === 'OFF' ? {} : { EmailMfaConfiguration: { Message: 'Your MFA code is {####}', Subject: 'Code' } }),
        ...(mode !== 'OFF' && sms ? { SmsMfaConfiguration: { SmsAuthenticationMessage: 'Your MFA code is {####}' } } : {}),
        WebAuthnConfiguration: { RelyingPartyId: 'localhost', UserVerification: 'preferred', FactorConfiguration: factor },
      }),
    );
  const enableMfa = (pool: TestPool, username: string, opts: { email?: boolean; sms?: boolean; webAuthn?: boolean }) =>
    srv.admin.send(
      new AdminSetUserMFAPreferenceCommand({
        UserPoolId: pool.userPoolId,
        Username: username,
        ...(opts.email ? { EmailMfaSettings: { Enabled: true, PreferredMfa: true } } : {}),
        ...(opts.sms ? { SMSMfaSettings: { Enabled: true } } : {}),
        ...(opts.webAuthn ? { WebAuthnMfaSettings: { Enabled: true } } : {}),
      }),
    );
  /** A user (verified email, password) with one passkey, registered while the pool has no MFA. */
  async function passkeyUser(pool: TestPool): Promise<{ user: TestUser; key: VirtualAuthenticator }> {
    const user = await createUser(srv, pool, `byp${++n}`);
    const key = new VirtualAuthenticator();
    await registerPasskey(srv, await accessToken(srv, pool.clientId, user), key);
    return { user, key };
  }
  const initiate = (pool: TestPool, params: Record<string, string>) =>
    srv.client.send(new InitiateAuthCommand({ ClientId: pool.clientId, AuthFlow: 'USER_AUTH', AuthParameters: params }));
  const answerPasskey = async (pool: TestPool, r: InitiateAuthCommandOutput, key: VirtualAuthenticator, uv?: boolean) => {
    const options = parseRequestOptions(r.ChallengeParameters?.CREDENTIAL_REQUEST_OPTIONS);
    const credential = await key.getAssertion(options, uv === undefined ? {} : { userVerification: uv });
    return srv.client.send(
      new RespondToAuthChallengeCommand({
        ClientId: pool.clientId,
        ChallengeName: 'WEB_AUTHN',
        Session: r.Session,
        ChallengeResponses: {
          ...(r.ChallengeParameters?.USERNAME ? { USERNAME: r.ChallengeParameters.USERNAME } : {}),
          CREDENTIAL: JSON.stringify(credential),
        },
      }),
    );
  };
  const passkeySignIn = async (pool: TestPool, user: TestUser | null, key: VirtualAuthenticator, uv?: boolean) => {
    const r = await initiate(pool, { ...(user ? { USERNAME: user.username } : {}), PREFERRED_CHALLENGE: 'WEB_AUTHN' });
    expect(r.ChallengeName).toBe('WEB_AUTHN');
    return answerPasskey(pool, r, key, uv);
  };

  describe('1. username-less passkey sign-in under MFA ON', () => {
    let pool: TestPool;
    beforeAll(async () => {
      pool = await createTestPool(srv.admin, { userVerification: 'preferred' });
    });

    it('SINGLE_FACTOR passkeys: no discoverable challenge while MFA is ON (USERNAME is required, as in Cognito)', async () => {
      const { key } = await passkeyUser(pool);
      expect((await passkeySignIn(pool, null, key)).AuthenticationResult?.AccessToken).toBeTruthy();
      await mfaConfig(pool, 'ON', 'SINGLE_FACTOR');
      try {
        await expectServiceError(initiate(pool, { PREFERRED_CHALLENGE: 'WEB_AUTHN' }), 'InvalidParameterException');
      } finally {
        await mfaConfig(pool, 'OFF');
      }
    });

    it('a WEB_AUTHN Session issued before MFA was switched ON does not finish with one factor (username-less and typed)', async () => {
      const { user, key } = await passkeyUser(pool);
      const bare = await initiate(pool, { PREFERRED_CHALLENGE: 'WEB_AUTHN' });
      const typed = await initiate(pool, { USERNAME: user.username, PREFERRED_CHALLENGE: 'WEB_AUTHN' });
      expect([bare.ChallengeName, typed.ChallengeName]).toEqual(['WEB_AUTHN', 'WEB_AUTHN']);
      await mfaConfig(pool, 'ON', 'SINGLE_FACTOR');
      try {
        await expectServiceError(answerPasskey(pool, bare, key), 'NotAuthorizedException', 'Incorrect username or passkey.');
        await expectServiceError(answerPasskey(pool, typed, key), 'NotAuthorizedException', 'Incorrect username or passkey.');
      } finally {
        await mfaConfig(pool, 'OFF');
      }
    });
  });

  describe('2. passwordless first factors of a user with MFA (MFA OPTIONAL)', () => {
    let pool: TestPool;
    beforeAll(async () => {
      pool = await createTestPool(srv.admin, { userVerification: 'preferred', factors: ['PASSWORD', 'WEB_AUTHN', 'EMAIL_OTP'] });
    });

    it('EMAIL_OTP: offered alike, but the right code of a user with email MFA enabled is refused (no tokens)', async () => {
      await mfaConfig(pool, 'OPTIONAL');
      const plain = await createUser(srv, pool, `plain${++n}`);
      const withMfa = await createUser(srv, pool, `otpmfa${++n}`);
      await enableMfa(pool, withMfa.username, { email: true });
      // The InitiateAuth answers do not tell the two users apart.
      const a = await initiate(pool, { USERNAME: plain.username });
      const b = await initiate(pool, { USERNAME: withMfa.username });
      expect(b.AvailableChallenges).toEqual(a.AvailableChallenges);
      expect(b.AvailableChallenges).toContain('EMAIL_OTP');
      for (const [u, ok] of [
        [plain, true],
        [withMfa, false],
      ] as const) {
        const r = await initiate(pool, { USERNAME: u.username, PREFERRED_CHALLENGE: 'EMAIL_OTP' });
        expect(r.ChallengeName).toBe('EMAIL_OTP');
        const code = await outboxCode(srv, pool.userPoolId, `${u.username}@example.com`);
        const respond = () =>
          srv.client.send(
            new RespondToAuthChallengeCommand({
              ClientId: pool.clientId,
              ChallengeName: 'EMAIL_OTP',
              Session: r.Session,
              ChallengeResponses: { USERNAME: u.username, EMAIL_OTP_CODE: code },
            }),
          );
        if (ok) expect((await respond()).AuthenticationResult?.AccessToken).toBeTruthy();
        else {
          await expectServiceError(respond(), 'NotAuthorizedException', PASSWORDLESS_WITH_MFA);
          // The Session is spent: the same right code does not sign in on a retry.
          await expectServiceError(respond(), 'NotAuthorizedException');
        }
      }
    });

    it('SINGLE_FACTOR passkey: refused to a user with MFA enabled (typed and username-less), signs in a user without', async () => {
      const { user: plain, key: plainKey } = await passkeyUser(pool);
      const { user, key } = await passkeyUser(pool);
      await mfaConfig(pool, 'OPTIONAL', 'SINGLE_FACTOR');
      await enableMfa(pool, user.username, { email: true });
      expect((await passkeySignIn(pool, plain, plainKey)).AuthenticationResult?.AccessToken).toBeTruthy();
      await expectServiceError(passkeySignIn(pool, user, key), 'NotAuthorizedException', 'Incorrect username or passkey.');
      await expectServiceError(passkeySignIn(pool, null, key), 'NotAuthorizedException', 'Incorrect username or passkey.');
    });

    it('MULTI_FACTOR_WITH_USER_VERIFICATION: a verified passkey satisfies MFA only for a user who enabled passkey MFA', async () => {
      const { user: enabled, key: enabledKey } = await passkeyUser(pool);
      const { user: notEnabled, key: notEnabledKey } = await passkeyUser(pool);
      await mfaConfig(pool, 'OPTIONAL', 'MULTI_FACTOR_WITH_USER_VERIFICATION');
      await enableMfa(pool, enabled.username, { email: true, webAuthn: true });
      await enableMfa(pool, notEnabled.username, { email: true });
      expect((await passkeySignIn(pool, enabled, enabledKey, true)).AuthenticationResult?.AccessToken).toBeTruthy();
      expect((await passkeySignIn(pool, null, enabledKey, true)).AuthenticationResult?.AccessToken).toBeTruthy();
      // Without user verification the passkey is one factor.
      await expectServiceError(passkeySignIn(pool, enabled, enabledKey, false), 'NotAuthorizedException');
      await expectServiceError(passkeySignIn(pool, notEnabled, notEnabledKey, true), 'NotAuthorizedException');
      // WebAuthnMfaSettings off again: one factor again.
      await srv.admin.send(
        new AdminSetUserMFAPreferenceCommand({
          UserPoolId: pool.userPoolId,
          Username: enabled.username,
          WebAuthnMfaSettings: { Enabled: false },
        }),
      );
      await expectServiceError(passkeySignIn(pool, enabled, enabledKey, true), 'NotAuthorizedException');
    });
  });

  describe('3 and 4. NEW_PASSWORD_REQUIRED', () => {
    /** A user with a verified email and phone, whose password an admin has reset to a temporary one. */
    async function tempPasswordUser(pool: TestPool, attrs: Record<string, string> = {}) {
      const username = `np${++n}-${dialect}`;
      const email = `${username}@example.com`;
      const phone = `+1555987${String(1000 + n).slice(-4)}`;
      await srv.admin.send(
        new AdminCreateUserCommand({
          UserPoolId: pool.userPoolId,
          Username: username,
          MessageAction: 'SUPPRESS',
          UserAttributes: Object.entries({
            email,
            email_verified: 'true',
            phone_number: phone,
            phone_number_verified: 'true',
            ...attrs,
          }).map(([Name, Value]) => ({ Name, Value })),
        }),
      );
      await srv.admin.send(
        new AdminSetUserPasswordCommand({ UserPoolId: pool.userPoolId, Username: username, Password: 'Temp0rary1', Permanent: false }),
      );
      return { username, email, phone };
    }
    const challenge = async (pool: TestPool, username: string, clientId = pool.clientId) => {
      const r = await srv.client.send(
        new InitiateAuthCommand({
          ClientId: clientId,
          AuthFlow: 'USER_PASSWORD_AUTH',
          AuthParameters: { USERNAME: username, PASSWORD: 'Temp0rary1' },
        }),
      );
      expect(r.ChallengeName).toBe('NEW_PASSWORD_REQUIRED');
      return r;
    };
    const answer = (pool: TestPool, username: string, session: string | undefined, attrs: Record<string, string>) =>
      srv.client.send(
        new RespondToAuthChallengeCommand({
          ClientId: pool.clientId,
          ChallengeName: 'NEW_PASSWORD_REQUIRED',
          Session: session,
          ChallengeResponses: {
            USERNAME: username,
            NEW_PASSWORD: 'NewPassw0rd1',
            ...Object.fromEntries(Object.entries(attrs).map(([k, v]) => [`userAttributes.${k}`, v])),
          },
        }),
      );
    /** An MFA code message (the pool's MFA message template). */
    const isMfaCode = (m: { body: string }) => m.body.startsWith('Your MFA code is ');
    const sentTo = async (pool: TestPool, destination: string) =>
      (await srv.services.store.listOutbox(pool.userPoolId, 200)).filter((m) => m.destination === destination).length;
    const adminAttrs = async (pool: TestPool, username: string) =>
      (await srv.admin.send(new AdminGetUserCommand({ UserPoolId: pool.userPoolId, Username: username }))).UserAttributes;

    it('3. email MFA: an answer moving the email elsewhere is refused (Session kept), the MFA code goes to the old address', async () => {
      const pool = await createTestPool(srv.admin, {});
      await mfaConfig(pool, 'OPTIONAL');
      const u = await tempPasswordUser(pool);
      await enableMfa(pool, u.username, { email: true });
      const r = await challenge(pool, u.username);
      const attacker = `attacker-${u.username}@evil.example`;
      await expectServiceError(answer(pool, u.username, r.Session, { email: attacker }), 'InvalidParameterException');
      expect(await sentTo(pool, attacker)).toBe(0);
      expect(attr(await adminAttrs(pool, u.username), 'email')).toBe(u.email);
      const ok = await answer(pool, u.username, r.Session, {});
      expect(ok.ChallengeName).toBe('EMAIL_OTP');
      expect(await sentTo(pool, u.email)).toBe(1);
    });

    it('3. SMS and email MFA: email changed → SMS_MFA to the unchanged phone; the new email is unverified', async () => {
      const pool = await createTestPool(srv.admin, {});
      await mfaConfig(pool, 'OPTIONAL', 'SINGLE_FACTOR', true);
      const u = await tempPasswordUser(pool);
      await enableMfa(pool, u.username, { email: true, sms: true });
      const r = await challenge(pool, u.username);
      const other = `other-${u.username}@example.org`;
      const next = await answer(pool, u.username, r.Session, { email: other });
      expect(next.ChallengeName).toBe('SMS_MFA');
      expect(next.ChallengeParameters?.CODE_DELIVERY_DESTINATION).toMatch(/^\+\*+\d{4}$/);
      const attrs = await adminAttrs(pool, u.username);
      expect([attr(attrs, 'email'), attr(attrs, 'email_verified')]).toEqual([other, 'false']);
      const sent = await srv.services.store.listOutbox(pool.userPoolId, 200);
      expect(sent.filter(isMfaCode).map((m) => m.destination)).toEqual([u.phone]);
    });

    it('3. AttributesRequireVerificationBeforeUpdate: the new email stays pending and the MFA code goes to the verified one', async () => {
      const pool = await createTestPool(srv.admin, { verifyBeforeUpdate: ['email'] });
      await mfaConfig(pool, 'OPTIONAL');
      const u = await tempPasswordUser(pool);
      await enableMfa(pool, u.username, { email: true });
      const r = await challenge(pool, u.username);
      const other = `pending-${u.username}@example.org`;
      const next = await answer(pool, u.username, r.Session, { email: other });
      expect(next.ChallengeName).toBe('EMAIL_OTP');
      const attrs = await adminAttrs(pool, u.username);
      expect([attr(attrs, 'email'), attr(attrs, 'email_verified')]).toEqual([u.email, 'true']);
      // The pending address gets its verification code (UpdateUserAttributes' rule), the MFA code the verified one.
      const sent = await srv.services.store.listOutbox(pool.userPoolId, 200);
      expect(sent.filter(isMfaCode).map((m) => m.destination)).toEqual([u.email]);
      expect(sent.filter((m) => m.destination === other).length).toBe(1);
    });

    it('4. userAttributes holds only what the client may read: no developer-only attribute, only its ReadAttributes', async () => {
      const pool = await createTestPool(srv.admin, {
        schema: [{ Name: 'secret', AttributeDataType: 'String', DeveloperOnlyAttribute: true }],
      });
      const u = await tempPasswordUser(pool, { 'dev:custom:secret': 'hunter2', name: 'Ann' });
      const all = JSON.parse((await challenge(pool, u.username)).ChallengeParameters!.userAttributes!) as Record<string, string>;
      expect(all).toEqual({ email: u.email, phone_number: u.phone, name: 'Ann' });
      const narrow = await srv.admin.send(
        new CreateUserPoolClientCommand({
          UserPoolId: pool.userPoolId,
          ClientName: 'narrow',
          ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
          ReadAttributes: ['email', 'email_verified'],
        }),
      );
      const some = JSON.parse((await challenge(pool, u.username, narrow.UserPoolClient!.ClientId!)).ChallengeParameters!.userAttributes!);
      expect(some).toEqual({ email: u.email });
    });
  });
});

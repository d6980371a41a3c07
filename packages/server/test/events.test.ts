/**
 * Lifecycle events (docs/events.md) through a real loopback receiver: every type arrives with the documented body,
 * signed so that verifyWebhookSignature accepts it with the pool's webhook secret; a receiver that is down is
 * retried with the same id until it recovers; the webhook URL is validated. On SQLite and PostgreSQL, in process.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AdminConfirmSignUpCommand,
  AdminCreateUserCommand,
  AdminDeleteUserCommand,
  AdminDisableUserCommand,
  AdminListUserAuthEventsCommand,
  type AuthEventType,
  AdminSetUserMFAPreferenceCommand,
  AdminSetUserPasswordCommand,
  AssociateSoftwareTokenCommand,
  DeleteWebAuthnCredentialCommand,
  InitiateAuthCommand,
  RespondToAuthChallengeCommand,
  SetUserMFAPreferenceCommand,
  SetUserPoolMfaConfigCommand,
  SignUpCommand,
  VerifySoftwareTokenCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { VirtualAuthenticator } from '@latchkey/virtual-authenticator';
import { DIALECTS, startTestServer, type TestServer } from './helpers/harness.js';
import { createTestPool, type TestPool } from './helpers/pool.js';
import { expectNoInternalErrors, expectServiceError } from './helpers/errors.js';
import { EventReceiver } from './helpers/eventReceiver.js';
import {
  PASSWORD,
  accessToken,
  adminCreateConfirmedUser,
  initiatePasswordAuth,
  registerPasskey,
  signedCall,
} from './helpers/latchkeyAdmin.js';
import { verifyWebhookSignature } from '../src/security/webhookSignature.js';
import { totp } from './helpers/totp.js';

const GOOGLE = 'ea9b8d66-4d01-1d21-3ce4-b6b48cb575d4';

describe.each(DIALECTS)('lifecycle events on %s', (dialect) => {
  let server: TestServer;
  let pool: TestPool;
  let secret: string;
  const receiver = new EventReceiver();
  let n = 0;
  const uniq = (p: string) => `${p}-${++n}-${dialect}`;

  beforeAll(async () => {
    await receiver.start();
    server = await startTestServer(dialect, { env: { LATCHKEY_EVENT_RETRY_BASE_MS: '50', LATCHKEY_EVENT_POLL_MS: '20' } });
    pool = await createTestPool(server.admin, { userVerification: 'preferred' });
    const r = await signedCall(server, 'LatchkeyUpdateUserPoolSettings', {
      UserPoolId: pool.userPoolId,
      Settings: { eventWebhookUrl: receiver.url },
    });
    expect(r.status).toBe(200);
    expect(r.json.Settings.eventWebhookUrl).toBe(receiver.url);
    secret = r.json.Settings.webhookSecret;
  });
  afterAll(async () => {
    expectNoInternalErrors(server);
    await server.stop();
    await receiver.stop();
  });

  const of = (username: string) => receiver.received.filter((r) => r.json.username === username);
  const typesOf = (username: string) => of(username).map((r) => r.json.type);

  it('every type arrives once, signed (verifyWebhookSignature with the pool secret), with the documented body', async () => {
    const name = uniq('alice');
    await server.admin.send(
      new AdminCreateUserCommand({
        UserPoolId: pool.userPoolId,
        Username: name,
        MessageAction: 'SUPPRESS',
        UserAttributes: [{ Name: 'email', Value: `${name}@example.com` }],
      }),
    );
    await server.admin.send(
      new AdminSetUserPasswordCommand({ UserPoolId: pool.userPoolId, Username: name, Password: PASSWORD, Permanent: true }),
    );
    await expect(initiatePasswordAuth(server.client, pool.clientId, name, 'Wrong-pass1')).rejects.toThrow();
    const token = await accessToken(server, pool.clientId, { username: name, password: PASSWORD });
    const credential = await registerPasskey(server, token, new VirtualAuthenticator({ aaguid: GOOGLE }));
    await server.client.send(new DeleteWebAuthnCredentialCommand({ AccessToken: token, CredentialId: credential.id }));
    await server.admin.send(new AdminDisableUserCommand({ UserPoolId: pool.userPoolId, Username: name }));
    await server.admin.send(new AdminDeleteUserCommand({ UserPoolId: pool.userPoolId, Username: name }));

    const other = uniq('bob');
    await server.client.send(new SignUpCommand({ ClientId: pool.clientId, Username: other, Password: PASSWORD }));
    await server.admin.send(new AdminConfirmSignUpCommand({ UserPoolId: pool.userPoolId, Username: other }));

    const expected = [
      'user.created',
      'password.changed',
      'signin.failed',
      'signin.succeeded',
      'passkey.registered',
      'passkey.deleted',
      'user.disabled',
      'user.deleted',
    ];
    await receiver.waitFor(() => of(name).length >= expected.length && of(other).length >= 2, 10_000);
    expect([...typesOf(name)].sort()).toEqual([...expected].sort());
    expect(typesOf(other)).toEqual(['user.created', 'user.confirmed']);

    const sub = of(name).find((r) => r.json.type === 'user.created')!.json.sub;
    for (const r of [...of(name), ...of(other)]) {
      expect(() => verifyWebhookSignature(secret, r.signature, r.raw)).not.toThrow();
      expect(() =>
        verifyWebhookSignature(
          secret.replace(/.$/, (c) => (c === 'a' ? 'b' : 'a')),
          r.signature,
          r.raw,
        ),
      ).toThrow();
      expect(Object.keys(r.json).sort()).toEqual(['detail', 'id', 'sub', 'time', 'type', 'userPoolId', 'username']);
      expect(r.json.userPoolId).toBe(pool.userPoolId);
      expect(new Date(r.json.time).toISOString()).toBe(r.json.time);
    }
    expect(of(name).every((r) => r.json.sub === sub)).toBe(true);
    expect(new Set(of(name).map((r) => r.json.id)).size).toBe(expected.length);

    const detail = (type: string) => of(name).find((r) => r.json.type === type)!.json.detail;
    expect(detail('signin.succeeded')).toMatchObject({ factor: 'PASSWORD', clientId: pool.clientId, ip: '127.0.0.1' });
    expect(String(detail('signin.succeeded').userAgent)).toMatch(/aws-sdk-js/);
    expect(detail('signin.failed')).toMatchObject({ factor: 'USER_PASSWORD_AUTH', reason: 'NotAuthorizedException', ip: '127.0.0.1' });
    expect(detail('passkey.registered')).toEqual({
      credentialId: credential.id,
      provider: 'Google Password Manager',
      aaguid: GOOGLE,
      clientId: pool.clientId,
    });
    expect(detail('passkey.deleted')).toEqual({ credentialId: credential.id, provider: 'Google Password Manager', aaguid: GOOGLE });
    expect(detail('password.changed')).toEqual({ operation: 'AdminSetUserPassword', permanent: true });
  });

  it('mfa.changed: VerifySoftwareToken, SetUserMFAPreference and AdminSetUserMFAPreference, committed with the change', async () => {
    const p = await createTestPool(server.admin);
    const set = await signedCall(server, 'LatchkeyUpdateUserPoolSettings', {
      UserPoolId: p.userPoolId,
      Settings: { eventWebhookUrl: receiver.url },
    });
    expect(set.status).toBe(200);
    await server.admin.send(
      new SetUserPoolMfaConfigCommand({
        UserPoolId: p.userPoolId,
        MfaConfiguration: 'OPTIONAL',
        SoftwareTokenMfaConfiguration: { Enabled: true },
      }),
    );
    const name = uniq('erin');
    await adminCreateConfirmedUser(server.admin, p.userPoolId, name);
    const token = await accessToken(server, p.clientId, { username: name, password: PASSWORD });
    const mfaEvents = () => of(name).filter((r) => r.json.type === 'mfa.changed');

    // Refused by the store's guard (no verified authenticator yet): nothing changes, so no event.
    await expectServiceError(
      server.client.send(new SetUserMFAPreferenceCommand({ AccessToken: token, SoftwareTokenMfaSettings: { Enabled: true } })),
      'InvalidParameterException',
    );
    const { SecretCode } = await server.client.send(new AssociateSoftwareTokenCommand({ AccessToken: token }));
    await server.client.send(new VerifySoftwareTokenCommand({ AccessToken: token, UserCode: totp(SecretCode!, server.clock.now()) }));
    await server.client.send(
      new SetUserMFAPreferenceCommand({ AccessToken: token, SoftwareTokenMfaSettings: { Enabled: true, PreferredMfa: true } }),
    );
    // The sign-in now needs the TOTP step; its success names it.
    const first = await server.client.send(
      new InitiateAuthCommand({ ClientId: p.clientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: name, PASSWORD } }),
    );
    expect(first.ChallengeName).toBe('SOFTWARE_TOKEN_MFA');
    const done = await server.client.send(
      new RespondToAuthChallengeCommand({
        ClientId: p.clientId,
        ChallengeName: 'SOFTWARE_TOKEN_MFA',
        Session: first.Session,
        ChallengeResponses: { USERNAME: name, SOFTWARE_TOKEN_MFA_CODE: totp(SecretCode!, server.clock.now(), 1) },
      }),
    );
    expect(done.AuthenticationResult?.AccessToken).toBeTruthy();
    await server.admin.send(
      new AdminSetUserMFAPreferenceCommand({ UserPoolId: p.userPoolId, Username: name, SoftwareTokenMfaSettings: { Enabled: false } }),
    );

    await receiver.waitFor(() => mfaEvents().length >= 3 && of(name).filter((r) => r.json.type === 'signin.succeeded').length >= 2, 10_000);
    const details = mfaEvents().map((r) => r.json.detail);
    expect(details).toHaveLength(3);
    expect(details).toEqual(
      expect.arrayContaining([
        { operation: 'VerifySoftwareToken', totpVerified: true, enabled: [], disabled: [] },
        { operation: 'SetUserMFAPreference', enabled: ['SOFTWARE_TOKEN_MFA'], disabled: [], preferred: 'SOFTWARE_TOKEN_MFA' },
        { operation: 'AdminSetUserMFAPreference', enabled: [], disabled: ['SOFTWARE_TOKEN_MFA'] },
      ]),
    );
    for (const r of mfaEvents()) expect(() => verifyWebhookSignature(set.json.Settings.webhookSecret, r.signature, r.raw)).not.toThrow();
    const signIns = of(name)
      .filter((r) => r.json.type === 'signin.succeeded')
      .map((r) => r.json.detail);
    expect(signIns).toEqual(
      expect.arrayContaining([expect.objectContaining({ factor: 'PASSWORD', mfa: 'SOFTWARE_TOKEN_MFA', clientId: p.clientId })]),
    );
    // AdminListUserAuthEvents reports the MFA step of that sign-in.
    const listed = await server.admin.send(new AdminListUserAuthEventsCommand({ UserPoolId: p.userPoolId, Username: name }));
    expect(listed.AuthEvents!.filter((e) => e.EventType === 'SignIn')[0]!.ChallengeResponses).toEqual([
      { ChallengeName: 'Password', ChallengeResponse: 'Success' },
      { ChallengeName: 'Mfa', ChallengeResponse: 'Success' },
    ]);
  });

  it('a receiver that is down: retried with the same id, delivered once it recovers', async () => {
    receiver.status = 503;
    const refusedBefore = receiver.refused;
    const name = uniq('carol');
    await server.admin.send(new AdminCreateUserCommand({ UserPoolId: pool.userPoolId, Username: name, MessageAction: 'SUPPRESS' }));
    await receiver.waitFor(() => receiver.refused >= refusedBefore + 3, 10_000, 'three refused attempts');
    expect(of(name)).toEqual([]);
    receiver.status = 200;
    const recovered = Date.now();
    await receiver.waitFor(() => of(name).length > 0, 10_000, 'the delivery after the outage');
    expect(Date.now() - recovered).toBeLessThan(5_000);
    expect(typesOf(name)).toEqual(['user.created']);
    // Every refused attempt carried the id that was finally delivered: receivers de-duplicate by it.
    const id = of(name)[0]!.json.id;
    expect(receiver.refusedIds.slice(-3)).toEqual([id, id, id]);
  });

  it('eventWebhookUrl: https://, or http:// on loopback only; empty turns delivery off', async () => {
    const set = (eventWebhookUrl: string) =>
      signedCall(server, 'LatchkeyUpdateUserPoolSettings', { UserPoolId: pool.userPoolId, Settings: { eventWebhookUrl } });
    for (const bad of ['http://example.com/hook', 'ftp://127.0.0.1/x', 'not a url', 'https://example.com/#frag', 'http://10.0.0.1/']) {
      const r = await set(bad);
      expect({ bad, status: r.status, type: r.json.__type }).toEqual({ bad, status: 400, type: 'InvalidParameterException' });
    }
    for (const good of ['https://hooks.example.com/latchkey?token=x', 'http://localhost:9/x', 'http://[::1]:9/', '', receiver.url]) {
      expect((await set(good)).status).toBe(200);
    }
  });

  it("AdminListUserAuthEvents: Cognito's AuthEventType from the stored events (no webhook needed), newest first, paged", async () => {
    const quiet = await createTestPool(server.admin); // no eventWebhookUrl: recorded, not delivered
    const name = uniq('dave');
    await adminCreateConfirmedUser(server.admin, quiet.userPoolId, name);
    await initiatePasswordAuth(server.client, quiet.clientId, name);
    await expect(initiatePasswordAuth(server.client, quiet.clientId, name, 'Wrong-pass1')).rejects.toThrow();
    const list = (extra: { MaxResults?: number; NextToken?: string } = {}) =>
      server.admin.send(new AdminListUserAuthEventsCommand({ UserPoolId: quiet.userPoolId, Username: name, ...extra }));
    // The failed sign-in is recorded after its answer: wait (bounded) for it.
    let events: AuthEventType[] = [];
    for (let i = 0; i < 100 && events.length < 4; i++) {
      events = (await list()).AuthEvents!;
      if (events.length < 4) await new Promise((r) => setTimeout(r, 20));
    }
    expect(events.map((e) => [e.EventType, e.EventResponse])).toEqual([
      ['SignIn', 'Fail'],
      ['SignIn', 'Pass'],
      ['PasswordChange', 'Pass'],
      ['SignUp', 'Pass'],
    ]);
    const [failed, passed] = events as [AuthEventType, AuthEventType];
    expect(failed.ChallengeResponses).toEqual([{ ChallengeName: 'Password', ChallengeResponse: 'Failure' }]);
    expect(passed.ChallengeResponses).toEqual([{ ChallengeName: 'Password', ChallengeResponse: 'Success' }]);
    expect(passed.EventContextData?.IpAddress).toBe('127.0.0.1');
    expect(passed.EventContextData?.DeviceName).toMatch(/aws-sdk-js/);
    expect(passed.EventRisk).toEqual({ RiskDecision: 'NoRisk', RiskLevel: 'Low', CompromisedCredentialsDetected: false });
    expect(passed.CreationDate).toBeInstanceOf(Date);
    expect(Math.abs(passed.CreationDate!.getTime() - Date.now())).toBeLessThan(60_000);
    expect(new Set(events.map((e) => e.EventId)).size).toBe(4);

    const first = await list({ MaxResults: 3 });
    expect(first.AuthEvents).toHaveLength(3);
    const rest = await list({ MaxResults: 3, NextToken: first.NextToken });
    expect(rest.NextToken).toBeUndefined();
    expect([...first.AuthEvents!, ...rest.AuthEvents!].map((e) => e.EventId)).toEqual(events.map((e) => e.EventId));
    // Nothing was queued for delivery in a pool without a webhook.
    expect(receiver.received.some((r) => r.json.username === name)).toBe(false);

    await expectServiceError(list({ NextToken: 'forged.token' }), 'InvalidParameterException');
    await expectServiceError(list({ MaxResults: 61 }), 'InvalidParameterException');
    await expectServiceError(
      server.admin.send(new AdminListUserAuthEventsCommand({ UserPoolId: quiet.userPoolId, Username: 'nobody' })),
      'UserNotFoundException',
    );
    await expectServiceError(
      server.admin.send(new AdminListUserAuthEventsCommand({ UserPoolId: 'us-east-1_nothere', Username: name })),
      'ResourceNotFoundException',
    );
  });

  it('passkeyChangeEmail (off by default): the user is emailed when a passkey is added or removed', async () => {
    for (const on of [false, true]) {
      const p = await createTestPool(server.admin, { userVerification: 'preferred' });
      if (on) {
        const r = await signedCall(server, 'LatchkeyUpdateUserPoolSettings', {
          UserPoolId: p.userPoolId,
          Settings: { passkeyChangeEmail: true },
        });
        expect(r.json.Settings.passkeyChangeEmail).toBe(true);
      }
      const name = uniq('erin');
      await adminCreateConfirmedUser(server.admin, p.userPoolId, name);
      const token = await accessToken(server, p.clientId, { username: name, password: PASSWORD });
      const credential = await registerPasskey(server, token, new VirtualAuthenticator({ aaguid: GOOGLE }));
      await server.client.send(new DeleteWebAuthnCredentialCommand({ AccessToken: token, CredentialId: credential.id }));
      // Sent after the answer: wait (bounded) for both, or make sure none comes.
      const notices = async () =>
        (await server.services.store.listOutbox(p.userPoolId, 50)).filter((m) => m.destination === `${name}@example.com`);
      for (let i = 0; i < 50 && on && (await notices()).length < 2; i++) await new Promise((r) => setTimeout(r, 20));
      if (!on) await new Promise((r) => setTimeout(r, 200));
      const got = await notices();
      if (!on) expect(got).toEqual([]);
      else {
        expect(got.map((m) => m.subject).sort()).toEqual([
          'A passkey was added to your account',
          'A passkey was removed from your account',
        ]);
        expect(got.every((m) => m.body.includes('Google Password Manager'))).toBe(true);
      }
    }
  });
  it('passkeyChangeEmail: only to a verified email, and charged to the send budget (at most 5 notices per window)', async () => {
    const p = await createTestPool(server.admin, { userVerification: 'preferred' });
    const r = await signedCall(server, 'LatchkeyUpdateUserPoolSettings', {
      UserPoolId: p.userPoolId,
      Settings: { passkeyChangeEmail: true },
    });
    expect(r.status).toBe(200);
    const notices = async (email: string) =>
      (await server.services.store.listOutbox(p.userPoolId, 100)).filter((m) => m.destination === email);
    const cycle = async (token: string, times: number) => {
      for (let i = 0; i < times; i++) {
        const credential = await registerPasskey(server, token, new VirtualAuthenticator({ aaguid: GOOGLE }));
        await server.client.send(new DeleteWebAuthnCredentialCommand({ AccessToken: token, CredentialId: credential.id }));
      }
    };

    // An unverified address may be anyone's: no notice.
    const unverified = uniq('uv');
    await server.admin.send(
      new AdminCreateUserCommand({
        UserPoolId: p.userPoolId,
        Username: unverified,
        MessageAction: 'SUPPRESS',
        UserAttributes: [{ Name: 'email', Value: `${unverified}@example.com` }],
      }),
    );
    await server.admin.send(
      new AdminSetUserPasswordCommand({ UserPoolId: p.userPoolId, Username: unverified, Password: PASSWORD, Permanent: true }),
    );
    await cycle(await accessToken(server, p.clientId, { username: unverified, password: PASSWORD }), 1);

    // A verified one: 8 changes, at most 5 notices (the budget), the rest logged as not sent.
    const verified = uniq('v');
    await adminCreateConfirmedUser(server.admin, p.userPoolId, verified);
    await cycle(await accessToken(server, p.clientId, { username: verified, password: PASSWORD }), 4);
    for (let i = 0; i < 100 && (await notices(`${verified}@example.com`)).length < 5; i++) await new Promise((res) => setTimeout(res, 20));
    await new Promise((res) => setTimeout(res, 300));
    expect(await notices(`${verified}@example.com`)).toHaveLength(5);
    expect(await notices(`${unverified}@example.com`)).toEqual([]);
    expect(server.log.lines.filter((l) => l.msg === 'passkey notice not sent: send budget used up')).toHaveLength(3);
  });
});

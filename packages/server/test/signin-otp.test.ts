/**
 * USER_AUTH with EMAIL_OTP and SMS_OTP, driven by the real aws-amplify v6 (and by raw calls where
 * Amplify cannot reach a case), on SQLite and PostgreSQL: the preferred challenge, first-factor
 * selection, a wrong code on the same Session, the attempt limit, expiry (the injected clock), a used
 * code and another Session's code, unknown users with existence errors prevented, and the pool rules.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Amplify } from 'aws-amplify';
import { signIn, confirmSignIn, signOut, getCurrentUser } from 'aws-amplify/auth';
import { AdminCreateUserCommand, AdminSetUserPasswordCommand } from '@aws-sdk/client-cognito-identity-provider';
import { DIALECTS, startTestServer, type TestServer } from './helpers/harness.js';
import { createTestPool, type TestPool } from './helpers/pool.js';

const PASSWORD = 'Passw0rdX';

describe.each(DIALECTS)('EMAIL_OTP / SMS_OTP sign-in on %s', (dialect) => {
  let server: TestServer;
  let pool: TestPool;
  let n = 0;

  /** A confirmed user with a verified email and phone number (and a password). */
  async function createOtpUser(prefix: string) {
    const username = `${prefix}-${dialect}-${++n}`;
    const phone = `+1555123${String(1000 + n).slice(-4)}`;
    await server.admin.send(
      new AdminCreateUserCommand({
        UserPoolId: pool.userPoolId,
        Username: username,
        MessageAction: 'SUPPRESS',
        UserAttributes: [
          { Name: 'email', Value: `${username}@example.com` },
          { Name: 'email_verified', Value: 'true' },
          { Name: 'phone_number', Value: phone },
          { Name: 'phone_number_verified', Value: 'true' },
        ],
      }),
    );
    await server.admin.send(
      new AdminSetUserPasswordCommand({ UserPoolId: pool.userPoolId, Username: username, Password: PASSWORD, Permanent: true }),
    );
    return { username, email: `${username}@example.com`, phone };
  }

  /** The newest outbox message to `destination`. */
  async function lastCode(destination: string): Promise<string> {
    const messages = await server.services.store.listOutbox(pool.userPoolId, 50);
    const m = messages.find((x) => x.destination === destination);
    expect(m, `a message to ${destination}`).toBeTruthy();
    return m!.code!;
  }

  const initiate = (username: string, preferred?: string, clientId = pool.clientId) =>
    server.call('InitiateAuth', {
      ClientId: clientId,
      AuthFlow: 'USER_AUTH',
      AuthParameters: { USERNAME: username, ...(preferred ? { PREFERRED_CHALLENGE: preferred } : {}) },
    });
  const answer = (username: string, session: string, code: string, factor = 'EMAIL_OTP') =>
    server.call('RespondToAuthChallenge', {
      ClientId: pool.clientId,
      ChallengeName: factor,
      Session: session,
      ChallengeResponses: { USERNAME: username, [factor === 'EMAIL_OTP' ? 'EMAIL_OTP_CODE' : 'SMS_OTP_CODE']: code },
    });

  beforeAll(async () => {
    server = await startTestServer(dialect);
    pool = await createTestPool(server.admin, { factors: ['PASSWORD', 'EMAIL_OTP', 'SMS_OTP', 'WEB_AUTHN'] });
    Amplify.configure({
      Auth: { Cognito: { userPoolId: pool.userPoolId, userPoolClientId: pool.clientId, userPoolEndpoint: server.endpoint + '/' } },
    });
  });
  afterEach(async () => {
    server.clock.offset = 0;
    await signOut().catch(() => undefined);
  });
  afterAll(async () => {
    await server.stop();
  });

  it('Amplify: preferredChallenge EMAIL_OTP → CONFIRM_SIGN_IN_WITH_EMAIL_CODE → the 8-digit code → signed in', async () => {
    const u = await createOtpUser('eotp');
    const r = await signIn({ username: u.username, options: { authFlowType: 'USER_AUTH', preferredChallenge: 'EMAIL_OTP' } });
    expect(r.nextStep).toEqual({
      signInStep: 'CONFIRM_SIGN_IN_WITH_EMAIL_CODE',
      codeDeliveryDetails: { deliveryMedium: 'EMAIL', destination: 'e***@e***' },
    });
    const code = await lastCode(u.email);
    expect(code).toMatch(/^\d{8}$/);
    const done = await confirmSignIn({ challengeResponse: code });
    expect(done).toMatchObject({ isSignedIn: true, nextStep: { signInStep: 'DONE' } });
    expect((await getCurrentUser()).username).toBe(u.username);
  });

  it('Amplify: no preference → first-factor selection lists the OTPs → EMAIL_OTP → code → signed in', async () => {
    const u = await createOtpUser('sel');
    const r = await signIn({ username: u.username, options: { authFlowType: 'USER_AUTH' } });
    expect(r.nextStep.signInStep).toBe('CONTINUE_SIGN_IN_WITH_FIRST_FACTOR_SELECTION');
    expect((r.nextStep as { availableChallenges?: string[] }).availableChallenges).toEqual([
      'PASSWORD',
      'PASSWORD_SRP',
      'EMAIL_OTP',
      'SMS_OTP',
    ]);
    const step = await confirmSignIn({ challengeResponse: 'EMAIL_OTP' });
    expect(step.nextStep).toMatchObject({
      signInStep: 'CONFIRM_SIGN_IN_WITH_EMAIL_CODE',
      codeDeliveryDetails: { deliveryMedium: 'EMAIL' },
    });
    const done = await confirmSignIn({ challengeResponse: await lastCode(u.email) });
    expect(done.isSignedIn).toBe(true);
  });

  it('Amplify: SMS_OTP preferred and selected → CONFIRM_SIGN_IN_WITH_SMS_CODE → code from the outbox → signed in', async () => {
    const u = await createOtpUser('sms');
    const r = await signIn({ username: u.username, options: { authFlowType: 'USER_AUTH', preferredChallenge: 'SMS_OTP' } });
    expect(r.nextStep).toEqual({
      signInStep: 'CONFIRM_SIGN_IN_WITH_SMS_CODE',
      codeDeliveryDetails: { deliveryMedium: 'SMS', destination: `+*******${u.phone.slice(-4)}` },
    });
    expect((await confirmSignIn({ challengeResponse: await lastCode(u.phone) })).isSignedIn).toBe(true);
    await signOut();
    const sel = await signIn({ username: u.username, options: { authFlowType: 'USER_AUTH' } });
    expect(sel.nextStep.signInStep).toBe('CONTINUE_SIGN_IN_WITH_FIRST_FACTOR_SELECTION');
    expect((await confirmSignIn({ challengeResponse: 'SMS_OTP' })).nextStep.signInStep).toBe('CONFIRM_SIGN_IN_WITH_SMS_CODE');
    expect((await confirmSignIn({ challengeResponse: await lastCode(u.phone) })).isSignedIn).toBe(true);
  });

  it('Amplify: a wrong code → CodeMismatchException, then the right code on the same Session signs in', async () => {
    const u = await createOtpUser('wrong');
    await signIn({ username: u.username, options: { authFlowType: 'USER_AUTH', preferredChallenge: 'EMAIL_OTP' } });
    const code = await lastCode(u.email);
    const wrong = code === '00000000' ? '11111111' : '00000000';
    await expect(confirmSignIn({ challengeResponse: wrong })).rejects.toMatchObject({ name: 'CodeMismatchException' });
    expect((await confirmSignIn({ challengeResponse: code })).isSignedIn).toBe(true);
  });

  it('Amplify: three wrong codes, then even the right one → NotAuthorizedException', async () => {
    const u = await createOtpUser('limit');
    await signIn({ username: u.username, options: { authFlowType: 'USER_AUTH', preferredChallenge: 'EMAIL_OTP' } });
    const code = await lastCode(u.email);
    const wrong = code === '00000000' ? '11111111' : '00000000';
    for (let i = 0; i < 3; i++)
      await expect(confirmSignIn({ challengeResponse: wrong })).rejects.toMatchObject({ name: 'CodeMismatchException' });
    await expect(confirmSignIn({ challengeResponse: code })).rejects.toMatchObject({ name: 'NotAuthorizedException' });
  });

  it('Amplify: a code answered after 3 minutes (injected clock) → ExpiredCodeException', async () => {
    const u = await createOtpUser('exp');
    await signIn({ username: u.username, options: { authFlowType: 'USER_AUTH', preferredChallenge: 'EMAIL_OTP' } });
    const code = await lastCode(u.email);
    server.clock.advance(3 * 60_000 + 1000);
    await expect(confirmSignIn({ challengeResponse: code })).rejects.toMatchObject({ name: 'ExpiredCodeException' });
  });

  it('a client with a 10-minute AuthSessionValidity: the code still dies after 3 minutes (ExpiredCodeException)', async () => {
    const { CreateUserPoolClientCommand } = await import('@aws-sdk/client-cognito-identity-provider');
    const long = await server.admin.send(
      new CreateUserPoolClientCommand({
        UserPoolId: pool.userPoolId,
        ClientName: 'long-session',
        ExplicitAuthFlows: ['ALLOW_USER_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
        AuthSessionValidity: 10,
      }),
    );
    const clientId = long.UserPoolClient!.ClientId!;
    const u = await createOtpUser('longsess');
    const r = await initiate(u.username, 'EMAIL_OTP', clientId);
    const code = await lastCode(u.email);
    server.clock.advance(3 * 60_000 + 1000);
    const late = await server.call('RespondToAuthChallenge', {
      ClientId: clientId,
      ChallengeName: 'EMAIL_OTP',
      Session: r.json.Session,
      ChallengeResponses: { USERNAME: u.username, EMAIL_OTP_CODE: code },
    });
    expect(late.json.__type).toBe('ExpiredCodeException');
  });

  it('a used code is refused; a code from another Session is a mismatch there', async () => {
    const u = await createOtpUser('reuse');
    const first = await initiate(u.username, 'EMAIL_OTP');
    expect(first.json).toMatchObject({
      ChallengeName: 'EMAIL_OTP',
      ChallengeParameters: { CODE_DELIVERY_DELIVERY_MEDIUM: 'EMAIL', CODE_DELIVERY_DESTINATION: 'r***@e***' },
    });
    const code1 = await lastCode(u.email);
    const second = await initiate(u.username, 'EMAIL_OTP');
    const code2 = await lastCode(u.email);
    // Session 1's code does not open session 2 (and the other way round).
    expect((await answer(u.username, second.json.Session, code1)).json.__type).toBe(code1 === code2 ? undefined : 'CodeMismatchException');
    const ok = await answer(u.username, first.json.Session, code1);
    expect(ok.json.AuthenticationResult?.AccessToken).toBeTruthy();
    const again = await answer(u.username, first.json.Session, code1);
    expect(again.json.__type).toBe('NotAuthorizedException');
    // An EMAIL_OTP Session does not answer an SMS_OTP challenge.
    expect((await answer(u.username, second.json.Session, code2, 'SMS_OTP')).json.__type).toBe('NotAuthorizedException');
  });

  it('unknown users (existence errors prevented): the same challenge shape; every code is a mismatch, then the limit', async () => {
    const real = await createOtpUser('known');
    const known = await initiate(real.username, 'EMAIL_OTP');
    const unknown = await initiate(`nobody-${dialect}@example.com`, 'EMAIL_OTP');
    expect(unknown.status).toBe(200);
    expect(Object.keys(unknown.json).sort()).toEqual(Object.keys(known.json).sort());
    expect(unknown.json).toMatchObject({
      ChallengeName: 'EMAIL_OTP',
      ChallengeParameters: { CODE_DELIVERY_DELIVERY_MEDIUM: 'EMAIL', CODE_DELIVERY_DESTINATION: 'n***@e***' },
    });
    const byName = await initiate(`nobody-${dialect}`, 'EMAIL_OTP');
    expect(byName.json.ChallengeParameters.CODE_DELIVERY_DESTINATION).toMatch(/^[a-z]\*\*\*@[a-z]\*\*\*$/);
    // Stable for the name.
    expect((await initiate(`nobody-${dialect}`, 'EMAIL_OTP')).json.ChallengeParameters).toEqual(byName.json.ChallengeParameters);
    const sel = await initiate(`nobody-${dialect}@example.com`);
    // A stand-in's passkeys are derived from the name under the server key: WEB_AUTHN may or may not follow.
    expect(sel.json.AvailableChallenges.slice(0, 3)).toEqual(['PASSWORD', 'PASSWORD_SRP', 'EMAIL_OTP']);
    expect(sel.json.AvailableChallenges).not.toContain('SMS_OTP');
    for (let i = 0; i < 3; i++)
      expect((await answer('nobody', unknown.json.Session, '12345678')).json.__type).toBe('CodeMismatchException');
    expect((await answer('nobody', unknown.json.Session, '12345678')).json.__type).toBe('NotAuthorizedException');
  });

  it('unknown users: the SELECT_CHALLENGE answer EMAIL_OTP gives the same challenge as the preference', async () => {
    const name = `ghost-${dialect}`;
    const preferred = await initiate(name, 'EMAIL_OTP');
    const sel = await initiate(name);
    expect(sel.json.AvailableChallenges).toContain('EMAIL_OTP');
    const chosen = await server.call('RespondToAuthChallenge', {
      ClientId: pool.clientId,
      ChallengeName: 'SELECT_CHALLENGE',
      Session: sel.json.Session,
      ChallengeResponses: { USERNAME: name, ANSWER: 'EMAIL_OTP' },
    });
    expect(chosen.json.ChallengeName).toBe('EMAIL_OTP');
    expect(chosen.json.ChallengeParameters).toEqual(preferred.json.ChallengeParameters);
    expect((await answer(name, chosen.json.Session, '12345678')).json.__type).toBe('CodeMismatchException');
  });

  it('a disabled user: the right code is answered "User is disabled." and no tokens', async () => {
    const u = await createOtpUser('disabled');
    const { AdminDisableUserCommand } = await import('@aws-sdk/client-cognito-identity-provider');
    await server.admin.send(new AdminDisableUserCommand({ UserPoolId: pool.userPoolId, Username: u.username }));
    const r = await initiate(u.username, 'EMAIL_OTP');
    const refused = await answer(u.username, r.json.Session, await lastCode(u.email));
    expect(refused.json).toMatchObject({ __type: 'NotAuthorizedException', message: 'User is disabled.' });
  });

  it('a user without a verified email is not offered EMAIL_OTP; an answer outside AvailableChallenges is refused', async () => {
    const username = `noemail-${dialect}`;
    await server.admin.send(
      new AdminCreateUserCommand({
        UserPoolId: pool.userPoolId,
        Username: username,
        MessageAction: 'SUPPRESS',
        UserAttributes: [{ Name: 'email', Value: `${username}@example.com` }],
      }),
    );
    await server.admin.send(
      new AdminSetUserPasswordCommand({ UserPoolId: pool.userPoolId, Username: username, Password: PASSWORD, Permanent: true }),
    );
    const sel = await initiate(username);
    expect(sel.json.AvailableChallenges).toEqual(['PASSWORD', 'PASSWORD_SRP']);
    const r = await server.call('RespondToAuthChallenge', {
      ClientId: pool.clientId,
      ChallengeName: 'SELECT_CHALLENGE',
      Session: sel.json.Session,
      ChallengeResponses: { USERNAME: username, ANSWER: 'EMAIL_OTP' },
    });
    expect(r.json.__type).toBe('InvalidParameterException');
  });

  it('a pool without the factor: PREFERRED_CHALLENGE EMAIL_OTP → InvalidParameterException; not offered', async () => {
    const plain = await createTestPool(server.admin, { factors: ['PASSWORD'] });
    const r = await initiate('anyone', 'EMAIL_OTP', plain.clientId);
    expect(r.json.__type).toBe('InvalidParameterException');
    const sel = await initiate('anyone', undefined, plain.clientId);
    expect(sel.json.AvailableChallenges).toEqual(['PASSWORD', 'PASSWORD_SRP']);
  });

  it('pool settings: EMAIL_OTP / SMS_OTP round-trip; without PASSWORD or on LITE → InvalidParameterException', async () => {
    const { DescribeUserPoolCommand, CreateUserPoolCommand, UpdateUserPoolCommand } = await import(
      '@aws-sdk/client-cognito-identity-provider'
    );
    const described = await server.admin.send(new DescribeUserPoolCommand({ UserPoolId: pool.userPoolId }));
    expect(described.UserPool!.Policies!.SignInPolicy!.AllowedFirstAuthFactors).toEqual(['PASSWORD', 'EMAIL_OTP', 'SMS_OTP', 'WEB_AUTHN']);
    const made = await server.admin.send(
      new CreateUserPoolCommand({
        PoolName: 'otp-settings',
        Policies: { SignInPolicy: { AllowedFirstAuthFactors: ['PASSWORD', 'SMS_OTP'] } },
      }),
    );
    const id = made.UserPool!.Id!;
    expect(made.UserPool!.Policies!.SignInPolicy!.AllowedFirstAuthFactors).toEqual(['PASSWORD', 'SMS_OTP']);
    await server.admin.send(
      new UpdateUserPoolCommand({ UserPoolId: id, Policies: { SignInPolicy: { AllowedFirstAuthFactors: ['PASSWORD', 'EMAIL_OTP'] } } }),
    );
    const after = await server.admin.send(new DescribeUserPoolCommand({ UserPoolId: id }));
    expect(after.UserPool!.Policies!.SignInPolicy!.AllowedFirstAuthFactors).toEqual(['PASSWORD', 'EMAIL_OTP']);
    const refused = async (p: Promise<unknown>) => {
      const err = await p.then(
        () => undefined,
        (e: { name: string }) => e,
      );
      expect(err?.name).toBe('InvalidParameterException');
    };
    await refused(
      server.admin.send(
        new CreateUserPoolCommand({ PoolName: 'otp-only', Policies: { SignInPolicy: { AllowedFirstAuthFactors: ['EMAIL_OTP'] } } }),
      ),
    );
    await refused(
      server.admin.send(
        new UpdateUserPoolCommand({
          UserPoolId: id,
          UserPoolTier: 'LITE',
          Policies: { SignInPolicy: { AllowedFirstAuthFactors: ['PASSWORD', 'EMAIL_OTP'] } },
        }),
      ),
    );
  });
});

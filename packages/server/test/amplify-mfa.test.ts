/**
 * The real, unmodified aws-amplify v6 against a live server, on SQLite and PostgreSQL: TOTP enrolment
 * (setUpTOTP → verifyTOTPSetup → updateMFAPreference → fetchMFAPreference) and every MFA sign-in step
 * (TOTP code, TOTP setup, MFA selection, SMS and email codes, the setup selection and email setup).
 * TOTP codes come from the tests' own RFC 6238 (helpers/totp.ts); SMS and email codes from the outbox.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Amplify } from 'aws-amplify';
import {
  confirmSignIn,
  fetchMFAPreference,
  getCurrentUser,
  setUpTOTP,
  signIn,
  signOut,
  updateMFAPreference,
  verifyTOTPSetup,
} from 'aws-amplify/auth';
import {
  AdminCreateUserCommand,
  AdminSetUserPasswordCommand,
  SetUserPoolMfaConfigCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { DIALECTS, startTestServer, type TestServer } from './helpers/harness.js';
import { createTestPool, type TestPool } from './helpers/pool.js';
import { totp } from './helpers/totp.js';

const PASSWORD = 'Passw0rdX';

describe.each(DIALECTS)('aws-amplify MFA on %s', (dialect) => {
  let server: TestServer;
  let n = 0;
  const now = () => server.clock.now();

  function configure(pool: TestPool) {
    Amplify.configure({
      Auth: { Cognito: { userPoolId: pool.userPoolId, userPoolClientId: pool.clientId, userPoolEndpoint: server.endpoint + '/' } },
    });
  }
  async function mfaPool(mode: 'ON' | 'OPTIONAL', factors: { totp?: boolean; sms?: boolean; email?: boolean }) {
    const pool = await createTestPool(server.admin);
    await server.admin.send(
      new SetUserPoolMfaConfigCommand({
        UserPoolId: pool.userPoolId,
        MfaConfiguration: mode,
        SoftwareTokenMfaConfiguration: { Enabled: factors.totp === true },
        ...(factors.sms ? { SmsMfaConfiguration: { SmsAuthenticationMessage: 'Your code is {####}' } } : {}),
        ...(factors.email ? { EmailMfaConfiguration: { Message: 'Your code is {####}', Subject: 'Code' } } : {}),
      }),
    );
    return pool;
  }
  async function createUser(pool: TestPool, attrs: Record<string, string>) {
    const username = `mfa-${dialect}-${++n}`;
    await server.admin.send(
      new AdminCreateUserCommand({
        UserPoolId: pool.userPoolId,
        Username: username,
        MessageAction: 'SUPPRESS',
        UserAttributes: Object.entries(attrs).map(([Name, Value]) => ({ Name, Value: Value.replace('$u', username) })),
      }),
    );
    await server.admin.send(
      new AdminSetUserPasswordCommand({ UserPoolId: pool.userPoolId, Username: username, Password: PASSWORD, Permanent: true }),
    );
    return username;
  }
  async function lastCode(pool: TestPool, destination: string): Promise<string> {
    const m = (await server.services.store.listOutbox(pool.userPoolId, 50)).find((x) => x.destination === destination);
    expect(m, `a message to ${destination}`).toBeTruthy();
    return m!.code!;
  }

  beforeAll(async () => {
    server = await startTestServer(dialect);
  });
  afterEach(async () => {
    server.clock.offset = 0;
    await signOut().catch(() => undefined);
  });
  afterAll(async () => {
    await server.stop();
  });

  it('TOTP setup → verify → preference → fetch, then SRP sign-in with CONFIRM_SIGN_IN_WITH_TOTP_CODE', async () => {
    const pool = await mfaPool('OPTIONAL', { totp: true, sms: true, email: true });
    configure(pool);
    const username = await createUser(pool, { email: '$u@example.com', phone_number: '+15550001111' });
    expect((await signIn({ username, password: PASSWORD })).isSignedIn).toBe(true);
    expect(await fetchMFAPreference()).toEqual({ preferred: undefined, enabled: undefined });
    const details = await setUpTOTP();
    expect(details.sharedSecret).toMatch(/^[A-Z2-7]{32}$/);
    expect(details.getSetupUri('Latchkey').toString()).toContain(`secret=${details.sharedSecret}`);
    await verifyTOTPSetup({ code: totp(details.sharedSecret, now()), options: { friendlyDeviceName: 'phone' } });
    await updateMFAPreference({ totp: 'PREFERRED' });
    expect(await fetchMFAPreference()).toEqual({ preferred: 'TOTP', enabled: ['TOTP'] });
    await signOut();

    const r = await signIn({ username, password: PASSWORD });
    expect(r).toMatchObject({ isSignedIn: false, nextStep: { signInStep: 'CONFIRM_SIGN_IN_WITH_TOTP_CODE' } });
    // A wrong code, then the right one on the same sign-in (Amplify keeps the Session).
    await expect(confirmSignIn({ challengeResponse: totp(details.sharedSecret, now(), 5) })).rejects.toMatchObject({
      name: 'CodeMismatchException',
    });
    const done = await confirmSignIn({ challengeResponse: totp(details.sharedSecret, now(), 1) });
    expect(done).toMatchObject({ isSignedIn: true, nextStep: { signInStep: 'DONE' } });
    expect((await getCurrentUser()).username).toBe(username);

    // SMS and email too, none preferred: Amplify asks which one; each code comes from the outbox.
    await updateMFAPreference({ totp: 'NOT_PREFERRED', sms: 'ENABLED', email: 'ENABLED' });
    expect(await fetchMFAPreference()).toEqual({ preferred: undefined, enabled: ['SMS', 'TOTP', 'EMAIL'] });
    await signOut();
    const sel = await signIn({ username, password: PASSWORD });
    expect(sel.nextStep).toMatchObject({ signInStep: 'CONTINUE_SIGN_IN_WITH_MFA_SELECTION', allowedMFATypes: ['SMS', 'TOTP', 'EMAIL'] });
    const sms = await confirmSignIn({ challengeResponse: 'SMS' });
    expect(sms.nextStep).toMatchObject({
      signInStep: 'CONFIRM_SIGN_IN_WITH_SMS_CODE',
      codeDeliveryDetails: { deliveryMedium: 'SMS', destination: expect.stringMatching(/1111$/) },
    });
    const smsCode = await lastCode(pool, '+15550001111');
    expect(smsCode).toMatch(/^\d{6}$/);
    // The pool's SmsAuthenticationMessage, {####} replaced by the code.
    const sent = (await server.services.store.listOutbox(pool.userPoolId, 50)).find((m) => m.destination === '+15550001111');
    expect(sent?.body).toBe(`Your code is ${smsCode}`);
    expect((await confirmSignIn({ challengeResponse: smsCode })).isSignedIn).toBe(true);
    await signOut();
    await signIn({ username, password: PASSWORD });
    const email = await confirmSignIn({ challengeResponse: 'EMAIL' });
    expect(email.nextStep).toMatchObject({
      signInStep: 'CONFIRM_SIGN_IN_WITH_EMAIL_CODE',
      codeDeliveryDetails: { deliveryMedium: 'EMAIL' },
    });
    expect((await confirmSignIn({ challengeResponse: await lastCode(pool, `${username}@example.com`) })).isSignedIn).toBe(true);
    await signOut();
    await signIn({ username, password: PASSWORD });
    expect((await confirmSignIn({ challengeResponse: 'TOTP' })).nextStep.signInStep).toBe('CONFIRM_SIGN_IN_WITH_TOTP_CODE');
    // The code that signed in before is spent (no replay in its window); a later step's code signs in.
    await expect(confirmSignIn({ challengeResponse: totp(details.sharedSecret, now(), 1) })).rejects.toMatchObject({
      name: 'CodeMismatchException',
    });
    server.clock.advance(60_000);
    expect((await confirmSignIn({ challengeResponse: totp(details.sharedSecret, now()) })).isSignedIn).toBe(true);
  });

  it('USER_PASSWORD_AUTH with SMS preferred: CONFIRM_SIGN_IN_WITH_SMS_CODE', async () => {
    const pool = await mfaPool('OPTIONAL', { sms: true });
    configure(pool);
    const username = await createUser(pool, { phone_number: '+15550002222' });
    await signIn({ username, password: PASSWORD, options: { authFlowType: 'USER_PASSWORD_AUTH' } });
    await updateMFAPreference({ sms: 'PREFERRED' });
    expect(await fetchMFAPreference()).toEqual({ preferred: 'SMS', enabled: ['SMS'] });
    await signOut();
    const r = await signIn({ username, password: PASSWORD, options: { authFlowType: 'USER_PASSWORD_AUTH' } });
    expect(r.nextStep.signInStep).toBe('CONFIRM_SIGN_IN_WITH_SMS_CODE');
    expect((await confirmSignIn({ challengeResponse: await lastCode(pool, '+15550002222') })).isSignedIn).toBe(true);
  });

  it('MFA required, TOTP only: CONTINUE_SIGN_IN_WITH_TOTP_SETUP → confirmSignIn(code); the next sign-in asks for a code', async () => {
    const pool = await mfaPool('ON', { totp: true });
    configure(pool);
    const username = await createUser(pool, {});
    const r = await signIn({ username, password: PASSWORD });
    expect(r.nextStep.signInStep).toBe('CONTINUE_SIGN_IN_WITH_TOTP_SETUP');
    const secret = (r.nextStep as { totpSetupDetails: { sharedSecret: string } }).totpSetupDetails.sharedSecret;
    expect((await confirmSignIn({ challengeResponse: totp(secret, now()) })).isSignedIn).toBe(true);
    expect(await fetchMFAPreference()).toEqual({ preferred: 'TOTP', enabled: ['TOTP'] });
    await signOut();
    expect((await signIn({ username, password: PASSWORD })).nextStep.signInStep).toBe('CONFIRM_SIGN_IN_WITH_TOTP_CODE');
    expect((await confirmSignIn({ challengeResponse: totp(secret, now(), 1) })).isSignedIn).toBe(true);
  });

  it('MFA required, TOTP or email, a user without email: CONTINUE_SIGN_IN_WITH_MFA_SETUP_SELECTION → TOTP, or → EMAIL setup', async () => {
    const pool = await mfaPool('ON', { totp: true, email: true });
    configure(pool);
    const a = await createUser(pool, {});
    const r = await signIn({ username: a, password: PASSWORD });
    expect(r.nextStep).toMatchObject({ signInStep: 'CONTINUE_SIGN_IN_WITH_MFA_SETUP_SELECTION', allowedMFATypes: ['TOTP', 'EMAIL'] });
    const setup = await confirmSignIn({ challengeResponse: 'TOTP' });
    expect(setup.nextStep.signInStep).toBe('CONTINUE_SIGN_IN_WITH_TOTP_SETUP');
    const secret = (setup.nextStep as { totpSetupDetails: { sharedSecret: string } }).totpSetupDetails.sharedSecret;
    expect((await confirmSignIn({ challengeResponse: totp(secret, now()) })).isSignedIn).toBe(true);
    await signOut();

    const b = await createUser(pool, {});
    await signIn({ username: b, password: PASSWORD });
    const emailSetup = await confirmSignIn({ challengeResponse: 'EMAIL' });
    expect(emailSetup.nextStep.signInStep).toBe('CONTINUE_SIGN_IN_WITH_EMAIL_SETUP');
    const code = await confirmSignIn({ challengeResponse: `${b}@example.com` });
    expect(code.nextStep.signInStep).toBe('CONFIRM_SIGN_IN_WITH_EMAIL_CODE');
    expect((await confirmSignIn({ challengeResponse: await lastCode(pool, `${b}@example.com`) })).isSignedIn).toBe(true);
    expect(await fetchMFAPreference()).toEqual({ preferred: 'EMAIL', enabled: ['EMAIL'] });
  });
});

/**
 * @latchkey/auth against the real Latchkey server (SQLite), passwordless: EMAIL_OTP / SMS_OTP sign-in
 * by preference and by first-factor selection, a wrong code then the right one on the same Session,
 * and signUp without a password → confirmSignUp → autoSignIn → a passkey (virtual authenticator).
 * Each scenario also runs through the real aws-amplify v6 on the same server, and the outputs must be
 * equal: the point of the library is that code written against Amplify sees the same values.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AdminCreateUserCommand } from '@aws-sdk/client-cognito-identity-provider';
import { VirtualAuthenticator, installVirtualAuthenticator } from '@latchkey/virtual-authenticator';
import * as latchkey from '@latchkey/auth';
import { startTestServer, type TestServer } from '../../server/test/helpers/harness.js';
import { createTestPool, type TestPool } from '../../server/test/helpers/pool.js';
import { outboxCode } from '../../server/test/helpers/latchkeyAdmin.js';

type AuthApi = Pick<
  typeof latchkey,
  'signIn' | 'confirmSignIn' | 'signOut' | 'getCurrentUser' | 'signUp' | 'confirmSignUp' | 'autoSignIn' | 'associateWebAuthnCredential'
>;

// The authenticator must be installed before aws-amplify looks at the globals; import Amplify lazily.
let uninstall: (() => void) | undefined;
const use = (a: VirtualAuthenticator) => {
  uninstall?.();
  uninstall = installVirtualAuthenticator(a, { origin: 'http://localhost:3000' });
};

let server: TestServer;
let pool: TestPool;
let amplify: AuthApi;
let n = 0;
const libraries = (): [string, AuthApi][] => [
  ['@latchkey/auth', latchkey],
  ['aws-amplify', amplify],
];

beforeAll(async () => {
  use(new VirtualAuthenticator());
  const { Amplify } = await import('aws-amplify');
  amplify = await import('aws-amplify/auth');
  server = await startTestServer('sqlite');
  pool = await createTestPool(server.admin, { factors: ['PASSWORD', 'EMAIL_OTP', 'SMS_OTP', 'WEB_AUTHN'], userVerification: 'required' });
  const config = {
    Auth: { Cognito: { userPoolId: pool.userPoolId, userPoolClientId: pool.clientId, userPoolEndpoint: server.endpoint + '/' } },
  };
  Amplify.configure(config);
  latchkey.configure(config, { storage: latchkey.createMemoryStorage(), retry: { baseDelayMs: 1, jitterMs: 1 } });
});
afterEach(async () => {
  for (const [, lib] of libraries()) await lib.signOut().catch(() => undefined);
});
afterAll(async () => {
  uninstall?.();
  uninstall = undefined;
  await server?.stop();
});

/** A confirmed user with a verified email and phone number and no password. */
async function createOtpUser(prefix: string) {
  const username = `${prefix}-${++n}`;
  const email = `${username}@example.com`;
  const phone = `+1555123${String(1000 + n).slice(-4)}`;
  await server.admin.send(
    new AdminCreateUserCommand({
      UserPoolId: pool.userPoolId,
      Username: username,
      MessageAction: 'SUPPRESS',
      UserAttributes: [
        { Name: 'email', Value: email },
        { Name: 'email_verified', Value: 'true' },
        { Name: 'phone_number', Value: phone },
        { Name: 'phone_number_verified', Value: 'true' },
      ],
    }),
  );
  return { username, email, phone };
}

const code = (destination: string) => outboxCode(server, pool.userPoolId, destination);
const wrongCode = (right: string) => (right === '00000000' ? '11111111' : '00000000');

/** Runs `scenario` with each library in turn and returns the outputs by library name. */
async function both<T>(scenario: (lib: AuthApi) => Promise<T>): Promise<T> {
  const outputs: T[] = [];
  for (const [, lib] of libraries()) {
    outputs.push(await scenario(lib));
    await lib.signOut();
  }
  expect(outputs[0], 'the same outputs as aws-amplify').toEqual(outputs[1]);
  return outputs[0]!;
}

describe('EMAIL_OTP / SMS_OTP sign-in (same outputs as aws-amplify)', () => {
  it('preferredChallenge EMAIL_OTP → CONFIRM_SIGN_IN_WITH_EMAIL_CODE → a wrong code (CodeMismatchException) → the right one', async () => {
    const u = await createOtpUser('email');
    const outputs = await both(async (lib) => {
      const first = await lib.signIn({ username: u.username, options: { authFlowType: 'USER_AUTH', preferredChallenge: 'EMAIL_OTP' } });
      const right = await code(u.email);
      const error = await lib.confirmSignIn({ challengeResponse: wrongCode(right) }).catch((e: Error) => e);
      // still in progress: the same Session takes the right code
      const done = await lib.confirmSignIn({ challengeResponse: right });
      const user = await lib.getCurrentUser();
      return { first, error: { name: (error as Error).name, message: (error as Error).message }, done, user };
    });
    expect(outputs.first).toEqual({
      isSignedIn: false,
      nextStep: {
        signInStep: 'CONFIRM_SIGN_IN_WITH_EMAIL_CODE',
        codeDeliveryDetails: { deliveryMedium: 'EMAIL', destination: 'e***@e***' },
      },
    });
    expect(outputs.error.name).toBe('CodeMismatchException');
    expect(outputs.done).toEqual({ isSignedIn: true, nextStep: { signInStep: 'DONE' } });
    expect(outputs.user).toMatchObject({ username: u.username, signInDetails: { loginId: u.username, authFlowType: 'USER_AUTH' } });
  });

  it('no preference → CONTINUE_SIGN_IN_WITH_FIRST_FACTOR_SELECTION → EMAIL_OTP → code → signed in', async () => {
    const u = await createOtpUser('select');
    const outputs = await both(async (lib) => {
      const first = await lib.signIn({ username: u.username, options: { authFlowType: 'USER_AUTH' } });
      const selected = await lib.confirmSignIn({ challengeResponse: 'EMAIL_OTP' });
      const done = await lib.confirmSignIn({ challengeResponse: await code(u.email) });
      return { first, selected, done };
    });
    expect(outputs.first).toEqual({
      isSignedIn: false,
      nextStep: {
        signInStep: 'CONTINUE_SIGN_IN_WITH_FIRST_FACTOR_SELECTION',
        // as Cognito, the pool's factors the user could use (no passkey yet); PASSWORD even without one
        availableChallenges: ['PASSWORD', 'PASSWORD_SRP', 'EMAIL_OTP', 'SMS_OTP'],
      },
    });
    expect(outputs.selected.nextStep).toEqual({
      signInStep: 'CONFIRM_SIGN_IN_WITH_EMAIL_CODE',
      codeDeliveryDetails: { deliveryMedium: 'EMAIL', destination: 's***@e***' },
    });
    expect(outputs.done.isSignedIn).toBe(true);
  });

  it('SMS_OTP by preference and by selection → CONFIRM_SIGN_IN_WITH_SMS_CODE → code → signed in', async () => {
    const u = await createOtpUser('sms');
    const outputs = await both(async (lib) => {
      const preferred = await lib.signIn({ username: u.username, options: { authFlowType: 'USER_AUTH', preferredChallenge: 'SMS_OTP' } });
      const done = await lib.confirmSignIn({ challengeResponse: await code(u.phone) });
      await lib.signOut();
      await lib.signIn({ username: u.username, options: { authFlowType: 'USER_AUTH' } });
      const selected = await lib.confirmSignIn({ challengeResponse: 'SMS_OTP' });
      const again = await lib.confirmSignIn({ challengeResponse: await code(u.phone) });
      return { preferred, done, selected, again };
    });
    const smsStep = {
      signInStep: 'CONFIRM_SIGN_IN_WITH_SMS_CODE',
      codeDeliveryDetails: { deliveryMedium: 'SMS', destination: `+*******${u.phone.slice(-4)}` },
    };
    expect(outputs.preferred).toEqual({ isSignedIn: false, nextStep: smsStep });
    expect(outputs.selected).toEqual({ isSignedIn: false, nextStep: smsStep });
    expect(outputs.done.isSignedIn && outputs.again.isSignedIn).toBe(true);
  });
});

describe('passwordless sign-up (same outputs as aws-amplify)', () => {
  it('signUp without a password → confirmSignUp → COMPLETE_AUTO_SIGN_IN → autoSignIn → a passkey → passkey sign-in', async () => {
    let run = 0;
    const outputs = await both(async (lib) => {
      const username = `nopw-${++run}-${++n}`;
      const email = `${username}@example.com`;
      const up = await lib.signUp({ username, options: { userAttributes: { email }, autoSignIn: { authFlowType: 'USER_AUTH' } } });
      const confirmed = await lib.confirmSignUp({ username, confirmationCode: await code(email) });
      // Without ConfirmSignUp's Session, USER_AUTH with no factor could not return tokens here.
      const auto = await lib.autoSignIn();
      const user = await lib.getCurrentUser();
      use(new VirtualAuthenticator());
      await lib.associateWebAuthnCredential();
      await lib.signOut();
      const passkey = await lib.signIn({ username, options: { authFlowType: 'USER_AUTH', preferredChallenge: 'WEB_AUTHN' } });
      const again = await lib.getCurrentUser();
      return {
        up: { ...up, userId: typeof up.userId },
        confirmed,
        auto,
        user: { username: user.username === username, userId: typeof user.userId, signInDetails: user.signInDetails?.authFlowType },
        passkey,
        again: again.username === username,
      };
    });
    expect(outputs.up).toEqual({
      isSignUpComplete: false,
      userId: 'string',
      nextStep: {
        signUpStep: 'CONFIRM_SIGN_UP',
        codeDeliveryDetails: { attributeName: 'email', deliveryMedium: 'EMAIL', destination: 'n***@e***' },
      },
    });
    expect(outputs.confirmed).toEqual({ isSignUpComplete: true, nextStep: { signUpStep: 'COMPLETE_AUTO_SIGN_IN' } });
    expect(outputs.auto).toEqual({ isSignedIn: true, nextStep: { signInStep: 'DONE' } });
    expect(outputs.user).toEqual({ username: true, userId: 'string', signInDetails: 'USER_AUTH' });
    expect(outputs.passkey).toEqual({ isSignedIn: true, nextStep: { signInStep: 'DONE' } });
    expect(outputs.again).toBe(true);
  });
});

/**
 * The real aws-amplify v6 in Node, passwordless: signUp without a password → confirmSignUp (outbox code)
 * → autoSignIn() (USER_AUTH with ConfirmSignUp's Session: tokens, no second code) → a passkey
 * (associateWebAuthnCredential, virtual authenticator) → signOut → passkey sign-in. And
 * deleteUserAttributes. On SQLite and PostgreSQL.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AdminGetUserCommand } from '@aws-sdk/client-cognito-identity-provider';
import { VirtualAuthenticator, installVirtualAuthenticator } from '@latchkey/virtual-authenticator';
import { DIALECTS, startTestServer, type TestServer } from './helpers/harness.js';
import { createTestPool, type TestPool } from './helpers/pool.js';
import { attr, outboxCode } from './helpers/latchkeyAdmin.js';

// The authenticator must be installed before aws-amplify looks at the globals; import Amplify lazily.
let uninstall: (() => void) | undefined;
const use = (a: VirtualAuthenticator) => {
  uninstall?.();
  uninstall = installVirtualAuthenticator(a, { origin: 'http://localhost:3000' });
};

describe.each(DIALECTS)('aws-amplify passwordless on %s', (dialect) => {
  let server: TestServer;
  let pool: TestPool;
  let amplify: typeof import('aws-amplify');
  let auth: typeof import('aws-amplify/auth');
  let n = 0;

  beforeAll(async () => {
    use(new VirtualAuthenticator());
    amplify = await import('aws-amplify');
    auth = await import('aws-amplify/auth');
    server = await startTestServer(dialect);
    pool = await createTestPool(server.admin, { userVerification: 'required', schema: [{ Name: 'team', AttributeDataType: 'String' }] });
    amplify.Amplify.configure({
      Auth: { Cognito: { userPoolId: pool.userPoolId, userPoolClientId: pool.clientId, userPoolEndpoint: server.endpoint + '/' } },
    });
  });
  afterEach(async () => {
    await auth.signOut().catch(() => undefined);
  });
  afterAll(async () => {
    uninstall?.();
    uninstall = undefined;
    await server.stop();
  });

  // aws-amplify debounces autoSignIn process-wide on the leading edge (signUpHelpers: debounce(…, 300)): a call
  // within 300 ms of the previous one is dropped and its promise never settles. An app signs up once; this file
  // signs up several users in one process, so each autoSignIn waits until Amplify's window has passed.
  let lastAutoSignIn = 0;
  async function autoSignIn() {
    const wait = lastAutoSignIn + 400 - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    lastAutoSignIn = Date.now();
    return auth.autoSignIn();
  }

  /** signUp without a password (autoSignIn USER_AUTH) → confirmSignUp with the outbox code. */
  async function signUpPasswordless() {
    const username = `nopw${++n}-${dialect}`;
    const email = `${username}@example.com`;
    const up = await auth.signUp({ username, options: { userAttributes: { email }, autoSignIn: { authFlowType: 'USER_AUTH' } } });
    expect(up).toMatchObject({ isSignUpComplete: false, nextStep: { signUpStep: 'CONFIRM_SIGN_UP' } });
    const confirmed = await auth.confirmSignUp({ username, confirmationCode: await outboxCode(server, pool.userPoolId, email) });
    expect(confirmed).toMatchObject({ isSignUpComplete: true, nextStep: { signUpStep: 'COMPLETE_AUTO_SIGN_IN' } });
    return { username, email };
  }

  it('signUp without a password → confirmSignUp → autoSignIn → a passkey → passkey sign-in', async () => {
    const { username } = await signUpPasswordless();
    const signedIn = await autoSignIn();
    expect(signedIn).toMatchObject({ isSignedIn: true, nextStep: { signInStep: 'DONE' } });
    expect((await auth.getCurrentUser()).username).toBe(username);

    const a = new VirtualAuthenticator();
    use(a);
    await auth.associateWebAuthnCredential();
    expect((await auth.listWebAuthnCredentials()).credentials).toHaveLength(1);
    await auth.signOut();

    const again = await auth.signIn({ username, options: { authFlowType: 'USER_AUTH', preferredChallenge: 'WEB_AUTHN' } });
    expect(again).toMatchObject({ isSignedIn: true, nextStep: { signInStep: 'DONE' } });
    expect((await auth.getCurrentUser()).username).toBe(username);
    // A passwordless user has no password to sign in with.
    await auth.signOut();
    await expect(auth.signIn({ username, password: 'Passw0rdX', options: { authFlowType: 'USER_PASSWORD_AUTH' } })).rejects.toMatchObject({
      name: 'NotAuthorizedException',
    });
  });

  it('signUp without a password where the pool allows only passwords: EmptySignUpPassword', async () => {
    const passwordOnly = await createTestPool(server.admin, { factors: ['PASSWORD'] });
    amplify.Amplify.configure({
      Auth: {
        Cognito: { userPoolId: passwordOnly.userPoolId, userPoolClientId: passwordOnly.clientId, userPoolEndpoint: server.endpoint + '/' },
      },
    });
    try {
      await expect(
        auth.signUp({ username: `pwonly-${dialect}`, options: { userAttributes: { email: `pwonly-${dialect}@example.com` } } }),
      ).rejects.toMatchObject({ name: 'EmptySignUpPassword' });
    } finally {
      amplify.Amplify.configure({
        Auth: { Cognito: { userPoolId: pool.userPoolId, userPoolClientId: pool.clientId, userPoolEndpoint: server.endpoint + '/' } },
      });
    }
  });

  it('deleteUserAttributes removes the attributes (and email_verified with email)', async () => {
    const { username, email } = await signUpPasswordless();
    await autoSignIn();
    await auth.updateUserAttributes({ userAttributes: { given_name: 'Ada', 'custom:team': 'core' } });
    expect(await auth.fetchUserAttributes()).toMatchObject({ given_name: 'Ada', 'custom:team': 'core', email });
    await auth.deleteUserAttributes({ userAttributeKeys: ['given_name', 'custom:team', 'email'] });
    const after = await auth.fetchUserAttributes();
    expect(after.given_name).toBeUndefined();
    expect(after['custom:team']).toBeUndefined();
    expect(after.email).toBeUndefined();
    expect(after.email_verified).toBeUndefined();
    const admin = await server.admin.send(new AdminGetUserCommand({ UserPoolId: pool.userPoolId, Username: username }));
    expect(attr(admin.UserAttributes, 'email')).toBeUndefined();
    await expect(auth.deleteUserAttributes({ userAttributeKeys: ['sub'] })).rejects.toMatchObject({ name: 'InvalidParameterException' });
  });
});

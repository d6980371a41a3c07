import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { VirtualAuthenticator, installVirtualAuthenticator } from '@latchkey/virtual-authenticator';
import { DIALECTS, startTestServer, type TestServer } from './helpers/harness.js';
import { createTestPool, type TestPool } from './helpers/pool.js';
import { adminCreateConfirmedUser } from './helpers/latchkeyAdmin.js';

// The authenticator must be installed before aws-amplify looks at the globals; import Amplify lazily.
let uninstall: (() => void) | undefined;
const use = (a: VirtualAuthenticator) => {
  uninstall?.();
  uninstall = installVirtualAuthenticator(a, { origin: 'http://localhost:3000' });
};

describe.each(DIALECTS)('aws-amplify passkeys on %s', (dialect) => {
  let server: TestServer;
  let pool: TestPool;
  let amplify: typeof import('aws-amplify');
  let auth: typeof import('aws-amplify/auth');
  const username = `pat-${dialect}`;
  const password = 'Passw0rdX';

  beforeAll(async () => {
    use(new VirtualAuthenticator());
    amplify = await import('aws-amplify');
    auth = await import('aws-amplify/auth');
    server = await startTestServer(dialect);
    pool = await createTestPool(server.admin, { userVerification: 'required' });
    amplify.Amplify.configure({
      Auth: { Cognito: { userPoolId: pool.userPoolId, userPoolClientId: pool.clientId, userPoolEndpoint: server.endpoint + '/' } },
    });
    await adminCreateConfirmedUser(server.admin, pool.userPoolId, username, password);
  });
  afterEach(async () => {
    await auth.signOut().catch(() => undefined);
  });
  afterAll(async () => {
    uninstall?.();
    uninstall = undefined;
    await server.stop();
  });

  it("runs the seed's practical example: three passkeys, pages of 2, delete the first", async () => {
    await auth.signIn({ username, password });
    const authenticators = [
      new VirtualAuthenticator({ algorithms: ['ES256'] }),
      new VirtualAuthenticator({ algorithms: ['EdDSA'], attachment: 'cross-platform' }),
      new VirtualAuthenticator({ algorithms: ['RS256'], backupEligible: true, backupState: true }),
    ];
    for (const a of authenticators) {
      use(a);
      await auth.associateWebAuthnCredential();
    }
    const page1 = await auth.listWebAuthnCredentials({ pageSize: 2 });
    expect(page1.credentials).toHaveLength(2);
    expect(page1.nextToken).toBeTruthy();
    const page2 = await auth.listWebAuthnCredentials({ pageSize: 2, nextToken: page1.nextToken });
    expect(page2.credentials).toHaveLength(1);
    expect(page2.nextToken).toBeUndefined();
    const all = [...page1.credentials, ...page2.credentials];
    expect(new Set(all.map((c) => c.credentialId)).size).toBe(3);
    expect(all.map((c) => c.credentialId)).toEqual(authenticators.map((a) => a.credentials[0]!.id));
    for (const c of all) {
      expect(c.createdAt).toBeInstanceOf(Date);
      expect(Math.abs(c.createdAt!.getTime() - Date.now())).toBeLessThan(60_000);
      expect(c.relyingPartyId).toBe('localhost');
      expect(c.friendlyCredentialName).toBeTruthy();
    }
    expect(all[1]!.authenticatorAttachment).toBe('cross-platform');
    await auth.deleteWebAuthnCredential({ credentialId: all[0]!.credentialId! });
    const after = await auth.listWebAuthnCredentials();
    expect(after.credentials.map((c) => c.credentialId)).toEqual([all[1]!.credentialId, all[2]!.credentialId]);
    expect(after.nextToken).toBeUndefined();

    // excludeCredentials: the same authenticator cannot register twice.
    use(authenticators[1]!);
    await expect(auth.associateWebAuthnCredential()).rejects.toMatchObject({ name: 'PasskeyAlreadyExists' });
  });

  it('signs in with USER_AUTH + WEB_AUTHN, and through first-factor selection', async () => {
    const a = new VirtualAuthenticator();
    use(a);
    await auth.signIn({ username, password });
    await auth.associateWebAuthnCredential();
    await auth.signOut();

    const direct = await auth.signIn({ username, options: { authFlowType: 'USER_AUTH', preferredChallenge: 'WEB_AUTHN' } });
    expect(direct).toMatchObject({ isSignedIn: true, nextStep: { signInStep: 'DONE' } });
    expect((await auth.getCurrentUser()).username).toBe(username);
    await auth.signOut();

    const select = await auth.signIn({ username, options: { authFlowType: 'USER_AUTH' } });
    expect(select.nextStep.signInStep).toBe('CONTINUE_SIGN_IN_WITH_FIRST_FACTOR_SELECTION');
    expect((select.nextStep as { availableChallenges?: string[] }).availableChallenges).toEqual(['PASSWORD', 'PASSWORD_SRP', 'WEB_AUTHN']);
    const done = await auth.confirmSignIn({ challengeResponse: 'WEB_AUTHN' });
    expect(done.isSignedIn).toBe(true);
    expect((await auth.getCurrentUser()).username).toBe(username);
    await auth.signOut();

    for (const choice of ['PASSWORD_SRP', 'PASSWORD'] as const) {
      const sel = await auth.signIn({ username, options: { authFlowType: 'USER_AUTH' } });
      expect(sel.nextStep.signInStep).toBe('CONTINUE_SIGN_IN_WITH_FIRST_FACTOR_SELECTION');
      const step = await auth.confirmSignIn({ challengeResponse: choice });
      expect(step.nextStep.signInStep).toBe('CONFIRM_SIGN_IN_WITH_PASSWORD');
      const fin = await auth.confirmSignIn({ challengeResponse: password });
      expect(fin.isSignedIn).toBe(true);
      expect((await auth.getCurrentUser()).username).toBe(username);
      await auth.signOut();
    }
    const pw = await auth.signIn({ username, password, options: { authFlowType: 'USER_AUTH', preferredChallenge: 'PASSWORD' } });
    expect(pw.isSignedIn).toBe(true);
    expect((await auth.getCurrentUser()).username).toBe(username);
    await auth.signOut();
    const srp = await auth.signIn({ username, password, options: { authFlowType: 'USER_AUTH', preferredChallenge: 'PASSWORD_SRP' } });
    expect(srp.isSignedIn).toBe(true);
    expect((await auth.getCurrentUser()).username).toBe(username);

    // The passkey's counter and last use were recorded by the sign-ins.
    const stored = await server.services.store.getPasskey(pool.userPoolId, a.credentials[0]!.id);
    expect(stored!.signCount).toBe(2);
    expect(stored!.lastUsedAt).not.toBeNull();
  });
});

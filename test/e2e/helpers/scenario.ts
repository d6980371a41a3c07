import { afterAll, beforeAll, expect } from 'vitest';
import { startPageFixture, type PageFixture } from './fixture.js';
import { steps } from './steps.js';

const SETUP_TIMEOUT = 120_000;

interface Credential {
  credentialId: string;
  friendlyCredentialName?: string;
  relyingPartyId?: string;
  authenticatorAttachment?: string;
  authenticatorTransports?: string[];
  createdAt?: Date;
}
interface ListOutput {
  credentials: Credential[];
  nextToken?: string;
}
interface SignInOutput {
  isSignedIn: boolean;
  nextStep: { signInStep: string };
}
interface CurrentUser {
  username: string;
  userId: string;
  signInDetails?: { loginId?: string; authFlowType?: string };
}

/**
 * The seed's browser scenario, against whichever library the page bundles (its `window.run` API):
 * CORS, SRP sign-in, three passkeys on three CDP authenticators with pages of 2, deletion,
 * excludeCredentials, sign-out, passkey sign-in. Registers the hooks and the tests in the calling
 * `describe` (tests share one browser page and run in order); returns the fixture and `step` so
 * the test file can add steps after the scenario's.
 */
export function passkeyScenario(opts: { entry: string; title: string; alias?: Record<string, string> }): {
  fixture: () => PageFixture;
  step: ReturnType<typeof steps>;
} {
  const step = steps();
  let fx: PageFixture | undefined;
  const get = () => {
    if (!fx) throw new Error('fixture not started');
    return fx;
  };
  // Credential ids registered on each authenticator, in order.
  const registered: { authenticatorId: string; credentialId: string }[] = [];

  beforeAll(async () => {
    fx = await startPageFixture(opts);
  }, SETUP_TIMEOUT);
  afterAll(async () => {
    await fx?.close();
  }, SETUP_TIMEOUT);

  step('calls the Latchkey endpoint cross-origin: preflight passes, error type header exposed', async () => {
    const { page, server, web } = get();
    expect(new URL(page.url()).origin).toBe(web.origin);
    expect(await page.evaluate('window.isSecureContext')).toBe(true);
    // A non-simple request (custom content type and headers) from the page's origin, as Amplify sends.
    const res = (await page.evaluate(`fetch(${JSON.stringify(`http://localhost:${server.port}/`)}, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-amz-json-1.1',
        'x-amz-target': 'AWSCognitoIdentityProviderService.ListWebAuthnCredentials',
        'x-amz-user-agent': 'e2e',
        'cache-control': 'no-store',
      },
      body: JSON.stringify({ AccessToken: 'not-a-token' }),
    }).then(async (r) => ({
      status: r.status,
      errorType: r.headers.get('x-amzn-errortype'),
      requestId: r.headers.get('x-amzn-requestid'),
      body: await r.json(),
    }))`)) as {
      status: number;
      errorType: string | null;
      requestId: string | null;
      body: { __type: string };
    };
    expect(res.status).toBe(400);
    expect(res.body.__type).toBe('NotAuthorizedException');
    expect(res.errorType).toMatch(/^NotAuthorizedException/);
    expect(res.requestId).toBeTruthy();
  });

  step('signs in with the default signIn (USER_SRP_AUTH)', async () => {
    const f = get();
    expect(await f.call('currentUser')).toMatchObject({ ok: false, name: 'UserUnAuthenticatedException' });
    const out = await f.ok<SignInOutput>('signInSrp', f.username, f.password);
    expect(out).toMatchObject({ isSignedIn: true, nextStep: { signInStep: 'DONE' } });
    const user = await f.ok<CurrentUser>('currentUser');
    expect(user.username).toBe(f.username);
    expect(user.userId).toBe(f.sub);
    expect(user.signInDetails).toMatchObject({ loginId: f.username, authFlowType: 'USER_SRP_AUTH' });
  });

  step("runs the seed's practical example: three passkeys on three authenticators, pages of 2, delete the first", async () => {
    const f = get();
    expect(await f.storedPasskeys()).toHaveLength(0);
    for (let i = 0; i < 3; i++) {
      const authenticatorId = await f.authenticators.switchTo();
      expect(await f.ok('register')).toBeNull();
      const onAuthenticator = await f.authenticators.credentials(authenticatorId);
      expect(onAuthenticator).toHaveLength(1);
      expect(onAuthenticator[0]).toMatchObject({ rpId: 'localhost', isResidentCredential: true });
      registered.push({ authenticatorId, credentialId: onAuthenticator[0]!.credentialId });
    }
    const ids = registered.map((r) => r.credentialId);
    expect(new Set(ids).size).toBe(3);
    expect((await f.storedPasskeys()).map((p) => p.credentialId).sort()).toEqual([...ids].sort());

    const page1 = await f.ok<ListOutput>('list', 2);
    expect(page1.credentials).toHaveLength(2);
    expect(page1.nextToken).toEqual(expect.any(String));
    const page2 = await f.ok<ListOutput>('list', 2, page1.nextToken);
    expect(page2.credentials).toHaveLength(1);
    expect(page2.nextToken).toBeUndefined();
    const all = [...page1.credentials, ...page2.credentials];
    expect(all.map((c) => c.credentialId)).toEqual(ids); // oldest first
    for (const c of all) {
      expect(c.relyingPartyId).toBe('localhost');
      expect(c.friendlyCredentialName).toBeTruthy();
      expect(c.createdAt).toBeInstanceOf(Date);
      expect(Math.abs(c.createdAt!.getTime() - Date.now())).toBeLessThan(60_000);
      expect(c.authenticatorAttachment).toBe('platform');
      expect(c.authenticatorTransports).toContain('internal');
    }

    expect(await f.ok('remove', ids[0])).toBeNull();
    const after = await f.ok<ListOutput>('list');
    expect(after.credentials.map((c) => c.credentialId)).toEqual([ids[1], ids[2]]);
    expect(after.nextToken).toBeUndefined();
    const stored = await f.storedPasskeys();
    expect(stored.map((p) => p.credentialId).sort()).toEqual([ids[1], ids[2]].sort());
    expect(await f.server.services.store.getPasskey(f.pool.userPoolId, ids[0]!)).toBeUndefined();
    for (const p of stored) expect(p).toMatchObject({ userId: f.sub, relyingPartyId: 'localhost', userVerified: true });
  });

  step('refuses a second passkey on the same authenticator (excludeCredentials → PasskeyAlreadyExists)', async () => {
    const f = get();
    const current = registered[2]!;
    expect(f.authenticators.attached).toEqual([current.authenticatorId]);
    const out = await f.call('register');
    expect(out).toMatchObject({ ok: false, name: 'PasskeyAlreadyExists' });
    expect(await f.authenticators.credentials(current.authenticatorId)).toHaveLength(1);
    expect(await f.storedPasskeys()).toHaveLength(2);
  });

  step('signs out, then signs in with the passkey (USER_AUTH, preferredChallenge WEB_AUTHN)', async () => {
    const f = get();
    expect(await f.ok('signOut')).toBeNull();
    expect(await f.call('currentUser')).toMatchObject({ ok: false, name: 'UserUnAuthenticatedException' });
    expect(await f.call('list')).toMatchObject({ ok: false, name: 'UserUnAuthenticatedException' });

    const current = registered[2]!;
    const before = await f.server.services.store.getPasskey(f.pool.userPoolId, current.credentialId);
    expect(before!.lastUsedAt).toBeNull();
    const out = await f.ok<SignInOutput>('signInPasskey', f.username);
    expect(out).toMatchObject({ isSignedIn: true, nextStep: { signInStep: 'DONE' } });
    const user = await f.ok<CurrentUser>('currentUser');
    expect(user.username).toBe(f.username);
    expect(user.userId).toBe(f.sub);

    // The server verified this authenticator's assertion and recorded the use.
    const [onAuthenticator] = await f.authenticators.credentials(current.authenticatorId);
    const after = await f.server.services.store.getPasskey(f.pool.userPoolId, current.credentialId);
    expect(after!.lastUsedAt).not.toBeNull();
    expect(after!.signCount).toBe(onAuthenticator!.signCount);
    expect(await f.storedPasskeys()).toHaveLength(2);
    const listed = await f.ok<ListOutput>('list');
    expect(listed.credentials.map((c) => c.credentialId)).toEqual([registered[1]!.credentialId, current.credentialId]);
  });

  return { fixture: get, step };
}

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AdminCreateUserCommand,
  AdminSetUserPasswordCommand,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  SetUserPoolMfaConfigCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { VirtualAuthenticator, installVirtualAuthenticator } from '@latchkey/virtual-authenticator';
import { startTestServer, type TestServer } from './helpers/harness.js';

/** The account page's HTTP surface (the click-through flows are in test/e2e/). */
describe('account page (GET /account)', () => {
  let server: TestServer;
  let dev: { userPoolId: string; userPoolClientId: string };

  beforeAll(async () => {
    server = await startTestServer('sqlite', { bootstrap: true });
    dev = server.devPool!;
  });
  afterAll(async () => {
    await server?.stop();
  });

  const get = (path: string, headers: Record<string, string> = {}) => fetch(server.endpoint + path, { headers });

  it('serves the page for the development pool with a strict CSP', async () => {
    const res = await get('/account');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html; charset=utf-8/);
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'self'");
    expect(csp).toMatch(/script-src 'self'(;|$)/);
    expect(csp).toContain("connect-src 'self'");
    expect(csp).toContain("img-src 'self' data:");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    const html = await res.text();
    const config = JSON.parse(/<script type="application\/json" id="latchkey-config">(.*?)<\/script>/s.exec(html)![1]!);
    expect(config).toEqual({
      userPoolId: dev.userPoolId,
      userPoolClientId: dev.userPoolClientId,
      endpoint: `${server.endpoint}/`,
      relyingPartyId: 'localhost',
    });
    expect(html).toContain('<script type="module" src="/account/app.js"></script>');
    expect(html).toContain('<link rel="stylesheet" href="/account/style.css">');
    // No executable inline script (the CSP would block it) and no external resources.
    expect(html.match(/<script(?![^>]*(type="application\/json"|src="\/account\/app\.js"))/g)).toBeNull();
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//);
  });

  it('has labelled inputs and the named controls the browser tests use', async () => {
    const html = await (await get('/account')).text();
    for (const [id, label] of [
      ['username', 'Username'],
      ['password', 'Password'],
    ]) {
      expect(html).toContain(`<label for="${id}">${label}</label>`);
      expect(html).toMatch(new RegExp(`<input id="${id}"`));
    }
    for (const name of ['Sign in with password', 'Sign in with a passkey', 'Add a passkey', 'Sign out']) {
      expect(html).toMatch(new RegExp(`<button[^>]*>${name}</button>`));
    }
    expect(html).toContain('<ul id="passkey-list" class="passkeys" aria-label="Your passkeys">');
    expect(html).toContain('role="status" aria-live="polite"');
    expect(html).toContain('role="alert"');
    expect(html).toContain('<html lang="en">');
  });

  it('offers "Sign in with an email code" only when the pool allows EMAIL_OTP, with a labelled code field', async () => {
    // The development pool allows PASSWORD and WEB_AUTHN only: no email-code button (every click would fail).
    const devHtml = await (await get('/account')).text();
    expect(devHtml).not.toContain('Sign in with an email code');
    expect(devHtml).not.toContain('"emailOtp"');
    const { UserPool } = await server.admin.send(
      new CreateUserPoolCommand({
        PoolName: 'otp',
        Policies: { SignInPolicy: { AllowedFirstAuthFactors: ['PASSWORD', 'EMAIL_OTP'] } },
      }),
    );
    const { UserPoolClient } = await server.admin.send(new CreateUserPoolClientCommand({ UserPoolId: UserPool!.Id!, ClientName: 'web' }));
    const html = await (await get(`/account?pool=${UserPool!.Id}&client=${UserPoolClient!.ClientId}`)).text();
    expect(html).toContain('"emailOtp":true');
    expect(html).toMatch(/<button id="signin-email-code" type="button"[^>]*>Sign in with an email code<\/button>/);
    expect(html).toContain('<label for="email-code">Code</label>');
    expect(html).toMatch(/<input id="email-code"[^>]*autocomplete="one-time-code"/);
    expect(html).toContain('<h1 id="code-title" tabindex="-1">Enter your code</h1>');
    for (const name of ['Sign in with the code', 'Cancel']) expect(html).toMatch(new RegExp(`<button[^>]*>${name}</button>`));
  });

  it('offers the authenticator-app section only when the pool has TOTP MFA', async () => {
    const devHtml = await (await get('/account')).text();
    expect(devHtml).not.toContain('totp-section');
    const { UserPool } = await server.admin.send(new CreateUserPoolCommand({ PoolName: 'totp' }));
    await server.admin.send(
      new SetUserPoolMfaConfigCommand({
        UserPoolId: UserPool!.Id!,
        MfaConfiguration: 'OPTIONAL',
        SoftwareTokenMfaConfiguration: { Enabled: true },
      }),
    );
    const { UserPoolClient } = await server.admin.send(new CreateUserPoolClientCommand({ UserPoolId: UserPool!.Id!, ClientName: 'web' }));
    const html = await (await get(`/account?pool=${UserPool!.Id}&client=${UserPoolClient!.ClientId}`)).text();
    expect(html).toContain('"totp":true');
    expect(html).toContain('<h2 id="totp-title">Authenticator app</h2>');
    expect(html).toContain('<label for="totp-code">Code from the app</label>');
    expect(html).toMatch(/<img id="totp-qr"[^>]*alt="QR code for your authenticator app"/);
    for (const name of ['Set up an authenticator app', 'Remove authenticator app', 'Verify and turn on', 'Cancel setup'])
      expect(html).toMatch(new RegExp(`<button[^>]*>${name}</button>`));
  });

  it('selects another pool and client from the query, and the client alone', async () => {
    const { UserPool } = await server.admin.send(new CreateUserPoolCommand({ PoolName: 'other' }));
    const { UserPoolClient } = await server.admin.send(new CreateUserPoolClientCommand({ UserPoolId: UserPool!.Id!, ClientName: 'web' }));
    for (const query of [
      `?pool=${UserPool!.Id}&client=${UserPoolClient!.ClientId}`,
      `?client=${UserPoolClient!.ClientId}`,
      `?pool=${UserPool!.Id}`,
    ]) {
      const res = await get(`/account${query}`);
      expect(res.status, query).toBe(200);
      const html = await res.text();
      expect(html).toContain(`"userPoolId":"${UserPool!.Id}"`);
      expect(html).toContain(`"userPoolClientId":"${UserPoolClient!.ClientId}"`);
      expect(html).not.toContain('relyingPartyId');
    }
    // A client of another pool is refused.
    const mismatch = await get(`/account?pool=${UserPool!.Id}&client=${dev.userPoolClientId}`);
    expect(mismatch.status).toBe(400);
    expect(await mismatch.text()).toContain('does not belong to user pool');
    // A confidential client (with a secret) cannot be used by a browser page.
    const secret = await server.admin.send(
      new CreateUserPoolClientCommand({ UserPoolId: UserPool!.Id!, ClientName: 'server', GenerateSecret: true }),
    );
    const confidential = await get(`/account?client=${secret.UserPoolClient!.ClientId}`);
    expect(confidential.status).toBe(400);
    expect(await confidential.text()).toContain('client secret');
  });

  it('answers HTML error pages for bad, unknown or missing ids, escaping what it echoes', async () => {
    const bad = await get('/account?pool=bad');
    expect(bad.status).toBe(400);
    expect(bad.headers.get('content-type')).toMatch(/^text\/html/);
    expect(bad.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(await bad.text()).toContain('is not a valid user pool id');

    const xss = await get('/account?client=%3Cscript%3Ealert(1)%3C/script%3E');
    expect(xss.status).toBe(400);
    const xssHtml = await xss.text();
    expect(xssHtml).not.toContain('<script>alert(1)');
    expect(xssHtml).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');

    expect((await get('/account?pool=a&pool=b')).status).toBe(400);
    expect((await get('/account?pool=local_Nope123&client=nope')).status).toBe(404);
    expect((await get('/account?pool=local_Nope123')).status).toBe(404);
  });

  it('uses the request origin as the endpoint and never echoes a malformed Host', async () => {
    const page = async (host: string) => (await server.app.inject({ method: 'GET', url: '/account', headers: { host } })).body;
    expect(await page('auth.example.test:8443')).toContain('"endpoint":"http://auth.example.test:8443/"');
    const odd = await page('x"></script><script>alert(1)</script>');
    expect(odd).not.toContain('alert(1)');
    expect(odd).toContain(`"endpoint":"${server.services.config.publicUrl}/"`);
  });

  it('serves app.js and style.css with their content types', async () => {
    const js = await get('/account/app.js');
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(js.headers.get('x-content-type-options')).toBe('nosniff');
    const code = await js.text();
    expect(code.length).toBeGreaterThan(1000);
    expect(code).toContain('ListWebAuthnCredentials');
    expect(code).not.toMatch(/^import\s|\bimport\(/m); // self-contained bundle

    const css = await get('/account/style.css');
    expect(css.status).toBe(200);
    expect(css.headers.get('content-type')).toBe('text/css; charset=utf-8');
    expect(await css.text()).toContain('.passkey');

    const etag = js.headers.get('etag')!;
    expect(etag).toMatch(/^"[0-9a-f]{32}"$/);
    expect((await get('/account/app.js', { 'if-none-match': etag })).status).toBe(304);
  });

  it('ListWebAuthnCredentials adds LastUsedAt (Latchkey extension) once a passkey signed in', async () => {
    const uninstall = installVirtualAuthenticator(new VirtualAuthenticator(), { origin: 'http://localhost:3000' });
    try {
      const auth = await import('@latchkey/auth');
      auth.configure(
        {
          Auth: {
            Cognito: { userPoolId: dev.userPoolId, userPoolClientId: dev.userPoolClientId, userPoolEndpoint: `${server.endpoint}/` },
          },
        },
        { storage: auth.createMemoryStorage() },
      );
      await server.admin.send(new AdminCreateUserCommand({ UserPoolId: dev.userPoolId, Username: 'lena', MessageAction: 'SUPPRESS' }));
      await server.admin.send(
        new AdminSetUserPasswordCommand({ UserPoolId: dev.userPoolId, Username: 'lena', Password: 'Passw0rdX', Permanent: true }),
      );
      const rawList = async () => {
        const { tokens } = await auth.fetchAuthSession();
        const r = await server.call('ListWebAuthnCredentials', { AccessToken: tokens!.accessToken.toString() });
        expect(r.status).toBe(200);
        return r.json.Credentials as { CreatedAt: number; LastUsedAt?: number }[];
      };
      await auth.signIn({ username: 'lena', password: 'Passw0rdX' });
      await auth.associateWebAuthnCredential();
      const [fresh] = await rawList();
      expect(fresh).not.toHaveProperty('LastUsedAt');
      await auth.signOut();
      const before = Date.now() / 1000;
      expect((await auth.signInWithPasskey({ username: 'lena' })).isSignedIn).toBe(true);
      const [used] = await rawList();
      expect(used!.LastUsedAt).toBeGreaterThanOrEqual(Math.floor(before) - 1);
      expect(used!.LastUsedAt).toBeLessThanOrEqual(Date.now() / 1000 + 1);
      await auth.signOut();
    } finally {
      uninstall();
    }
  });
});

describe('account page without a development pool', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer('sqlite', { bootstrap: false });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('answers 400 with an explanation', async () => {
    const res = await fetch(`${server.endpoint}/account`);
    expect(res.status).toBe(400);
    const html = await res.text();
    expect(html).toContain('No user pool selected');
    expect(html).toContain('/account?pool=&lt;user pool id&gt;&amp;client=&lt;app client id&gt;');
  });
});

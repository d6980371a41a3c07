import { AdminCreateUserCommand, AdminGetUserCommand, AdminSetUserPasswordCommand } from '@aws-sdk/client-cognito-identity-provider';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startTestServer, type TestServer } from '../../../packages/server/test/helpers/harness.js';
import { createTestPool, type TestPool } from '../../../packages/server/test/helpers/pool.js';
import type { PasskeyRecord } from '../../../packages/server/src/storage/types.js';
import { launchBrowser, recordPageErrors, VirtualAuthenticators } from './browser.js';
import { bundlePage, pageHtml, type Bundle } from './bundle.js';
import { startStaticServer, type StaticServer } from './static.js';

/** What a `window.run.*` call settled to, errors flattened to what tests assert on. */
export type Outcome<T = unknown> =
  | { ok: true; value: T }
  | { ok: false; name: string; message: string; underlying?: { name: string; message: string } };

export interface PageFixture {
  server: TestServer;
  pool: TestPool;
  username: string;
  password: string;
  /** The user's `sub` (the store's user id). */
  sub: string;
  web: StaticServer;
  browser: Browser;
  context: BrowserContext;
  page: Page;
  authenticators: VirtualAuthenticators;
  /** Console errors, page errors and failed requests seen so far. */
  errors: string[];
  /** Calls `window.run[fn](...args)` in the page. */
  call<T = unknown>(fn: string, ...args: unknown[]): Promise<Outcome<T>>;
  /** Like `call`, but throws (with the page's error and log) unless it resolved. */
  ok<T = unknown>(fn: string, ...args: unknown[]): Promise<T>;
  /** The user's passkeys as the server stores them. */
  storedPasskeys(): Promise<PasskeyRecord[]>;
  close(): Promise<void>;
}

// A string, not a function: nothing the test transpiler adds can leak into the page.
const CALL_IN_PAGE = `async ([fn, args]) => {
  try {
    const value = await window.run[fn](...args);
    return { ok: true, value: value === undefined ? null : value };
  } catch (e) {
    const u = e && e.underlyingError;
    const underlying = u ? { name: String(u.name), message: String(u.message) } : undefined;
    return { ok: false, name: String(e && e.name), message: String(e && e.message), underlying };
  }
}`;

/**
 * Everything a browser passkey suite needs: a Latchkey server (SQLite) with a pool like the seed's
 * (RP ID localhost, user verification required) and one confirmed user with a password; the page
 * bundled from test/e2e/pages/<entry> and served from another origin (http://localhost:<port>);
 * Chromium with the CDP WebAuthn domain enabled.
 */
export async function startPageFixture(opts: {
  entry: string;
  title: string;
  alias?: Record<string, string>;
  username?: string;
  /** The server's store (default SQLite). */
  dialect?: 'sqlite' | 'postgres';
  /** The pool's AllowedFirstAuthFactors (default PASSWORD and WEB_AUTHN). */
  factors?: ('PASSWORD' | 'WEB_AUTHN' | 'EMAIL_OTP' | 'SMS_OTP')[];
}): Promise<PageFixture> {
  const cleanups: (() => Promise<unknown> | unknown)[] = [];
  const close = async () => {
    for (const fn of cleanups.reverse())
      await Promise.resolve()
        .then(fn)
        .catch(() => undefined);
  };
  try {
    const bundle: Bundle = await bundlePage(opts.entry, opts.alias);
    cleanups.push(() => bundle.remove());

    const server = await startTestServer(opts.dialect ?? 'sqlite');
    cleanups.push(() => server.stop());
    const pool = await createTestPool(server.admin, { rpId: 'localhost', userVerification: 'required', factors: opts.factors });
    const username = opts.username ?? 'pat';
    const password = 'Passw0rdX-e2e';
    await server.admin.send(
      new AdminCreateUserCommand({
        UserPoolId: pool.userPoolId,
        Username: username,
        MessageAction: 'SUPPRESS',
        UserAttributes: [
          { Name: 'email', Value: `${username}@example.com` },
          { Name: 'email_verified', Value: 'true' },
        ],
      }),
    );
    await server.admin.send(
      new AdminSetUserPasswordCommand({ UserPoolId: pool.userPoolId, Username: username, Password: password, Permanent: true }),
    );
    const user = await server.admin.send(new AdminGetUserCommand({ UserPoolId: pool.userPoolId, Username: username }));
    const sub = user.UserAttributes?.find((a) => a.Name === 'sub')?.Value;
    if (!sub) throw new Error('AdminGetUser returned no sub');

    // The app origin (localhost:<static port>) differs from the endpoint's (localhost:<server port>): CORS.
    const endpoint = `http://localhost:${server.port}/`;
    const web = await startStaticServer(bundle.dir, {
      '/': pageHtml(opts.title, { userPoolId: pool.userPoolId, userPoolClientId: pool.clientId, userPoolEndpoint: endpoint }),
    });
    cleanups.push(() => web.close());

    const browser = await launchBrowser();
    cleanups.push(() => browser.close());
    const context = await browser.newContext();
    const page = await context.newPage();
    const errors = recordPageErrors(page);
    const authenticators = await VirtualAuthenticators.enable(context, page);
    cleanups.push(() => authenticators.detach());

    await page.goto(web.origin + '/');
    await page.waitForFunction('typeof window.run === "object"', undefined, { timeout: 15_000 }).catch((err: Error) => {
      throw new Error(`the page did not load its bundle: ${err.message}\n${errors.join('\n')}`);
    });

    const call = <T>(fn: string, ...args: unknown[]) =>
      page.evaluate(`(${CALL_IN_PAGE})(${JSON.stringify([fn, args])})`) as Promise<Outcome<T>>;
    return {
      server,
      pool,
      username,
      password,
      sub,
      web,
      browser,
      context,
      page,
      authenticators,
      errors,
      call,
      close,
      async ok<T>(fn: string, ...args: unknown[]) {
        const out = await call<T>(fn, ...args);
        if (!out.ok) {
          throw new Error(
            `window.run.${fn}(${args.map((a) => JSON.stringify(a)).join(', ')}) rejected: ${out.name}: ${out.message}` +
              (out.underlying ? ` (underlying ${out.underlying.name}: ${out.underlying.message})` : '') +
              (errors.length ? `\npage log:\n${errors.join('\n')}` : ''),
          );
        }
        return out.value;
      },
      storedPasskeys: () => server.services.store.listPasskeys(pool.userPoolId, sub, 100),
    };
  } catch (err) {
    await close();
    throw err;
  }
}

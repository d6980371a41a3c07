/**
 * Real browser, @latchkey/auth: the same scenario as amplify-browser.test.ts with the page bundling
 * packages/client/src (esbuild alias `@latchkey/auth`), plus the library's extensions (username-less
 * passkey sign-in, getPasskeySupport). Needs Chromium ($CHROMIUM_PATH or /usr/bin/chromium).
 */
import { describe, expect } from 'vitest';
import { join } from 'node:path';
import { CHROMIUM_PATH, suiteTitle, uncaughtPageErrors } from './helpers/browser.js';
import { ROOT } from './helpers/bundle.js';
import { passkeyScenario } from './helpers/scenario.js';

describe.skipIf(!CHROMIUM_PATH)(suiteTitle('@latchkey/auth in Chromium against Latchkey'), () => {
  const { fixture, step } = passkeyScenario({
    entry: 'latchkey-auth.ts',
    title: '@latchkey/auth e2e',
    alias: { '@latchkey/auth': join(ROOT, 'packages/client/src/index.ts'), '@latchkey/wire': join(ROOT, 'packages/wire/src/index.ts') },
  });

  step('reports passkey support in the browser (getPasskeySupport)', async () => {
    const f = fixture();
    expect(await f.ok('passkeySupport')).toMatchObject({ supported: true });
  });

  step('signs in with a discoverable passkey and no username (signInWithPasskey())', async () => {
    const f = fixture();
    await f.ok('signOut');
    expect(await f.call('currentUser')).toMatchObject({ ok: false, name: 'UserUnAuthenticatedException' });
    expect(await f.ok('signInUsernameless')).toMatchObject({ isSignedIn: true, nextStep: { signInStep: 'DONE' } });
    expect(await f.ok('currentUser')).toMatchObject({ username: f.username, userId: f.sub });
  });

  step('raised no uncaught errors in the page', () => {
    expect(uncaughtPageErrors(fixture().errors)).toEqual([]);
  });
});

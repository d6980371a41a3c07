/**
 * Real browser, real aws-amplify v6: a page bundling `aws-amplify` / `aws-amplify/auth` (esbuild),
 * served from http://localhost:<port>, talks cross-origin to a Latchkey server; Chromium's CDP virtual
 * authenticators do the WebAuthn ceremonies. Needs Chromium ($CHROMIUM_PATH or /usr/bin/chromium).
 */
import { describe, expect } from 'vitest';
import { CHROMIUM_PATH, suiteTitle, uncaughtPageErrors } from './helpers/browser.js';
import { passkeyScenario } from './helpers/scenario.js';

describe.skipIf(!CHROMIUM_PATH)(suiteTitle('aws-amplify v6 in Chromium against Latchkey'), () => {
  const { fixture, step } = passkeyScenario({ entry: 'amplify.ts', title: 'aws-amplify e2e' });

  step('raised no uncaught errors in the page', () => {
    expect(uncaughtPageErrors(fixture().errors)).toEqual([]);
  });
});

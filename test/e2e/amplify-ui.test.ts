/**
 * Real browser, real Amplify UI: `@aws-amplify/ui-react`'s <Authenticator> in its passwordless
 * configuration (test/e2e/pages/amplify-ui.tsx, bundled by esbuild with the ui-react CSS), served from
 * http://localhost:<port>, against a Latchkey server; driven by clicks and typing as a person would, with
 * a CDP virtual authenticator for the passkey. Sign up with an email code → autoSignIn → the passkey
 * prompt → a passkey → sign out → sign in with the passkey → sign out → sign in with an email code.
 * Screenshots of each step go to test-results/amplify-ui/. Needs Chromium ($CHROMIUM_PATH or /usr/bin/chromium).
 */
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import {
  AdminCreateUserCommand,
  AdminGetUserCommand,
  AdminSetUserPasswordCommand,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  InitiateAuthCommand,
  SetUserPoolMfaConfigCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import type { Browser, Page } from 'playwright-core';
import { startTestServer, type TestServer } from '../../packages/server/test/helpers/harness.js';
import type { TestPool } from '../../packages/server/test/helpers/pool.js';
import {
  CHROMIUM_PATH,
  launchBrowser,
  recordPageErrors,
  suiteTitle,
  uncaughtPageErrors,
  VirtualAuthenticators,
} from './helpers/browser.js';
import { bundlePage, pageHtml, ROOT, type Bundle } from './helpers/bundle.js';
import { startStaticServer, type StaticServer } from './helpers/static.js';
import { steps } from './helpers/steps.js';

const SETUP_TIMEOUT = 60_000;
/** How long one UI transition may take (a click → the next screen). */
const UI_TIMEOUT = 10_000;
const SHOTS = join(ROOT, 'test-results/amplify-ui');
const EMAIL = 'robin@example.com';

/** A pool for the passwordless Authenticator: email as the username, passwords, email codes and passkeys first. */
async function createPasswordlessPool(server: TestServer): Promise<TestPool> {
  const pool = await server.admin.send(
    new CreateUserPoolCommand({
      PoolName: `amplify-ui-${Date.now()}`,
      UsernameAttributes: ['email'],
      AutoVerifiedAttributes: ['email'],
      Policies: { SignInPolicy: { AllowedFirstAuthFactors: ['PASSWORD', 'EMAIL_OTP', 'WEB_AUTHN'] } },
    }),
  );
  const userPoolId = pool.UserPool!.Id!;
  await server.admin.send(
    new SetUserPoolMfaConfigCommand({
      UserPoolId: userPoolId,
      WebAuthnConfiguration: { RelyingPartyId: 'localhost', UserVerification: 'required' },
    }),
  );
  const client = await server.admin.send(
    new CreateUserPoolClientCommand({
      UserPoolId: userPoolId,
      ClientName: 'amplify-ui',
      GenerateSecret: false,
      ExplicitAuthFlows: ['ALLOW_USER_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
      PreventUserExistenceErrors: 'ENABLED',
    }),
  );
  return { userPoolId, clientId: client.UserPoolClient!.ClientId! };
}

/**
 * Whether this server signs in with email codes: a real InitiateAuth USER_AUTH with PREFERRED_CHALLENGE
 * EMAIL_OTP for a confirmed user of the pool (with an email and a password) must answer the EMAIL_OTP challenge.
 */
async function probeEmailOtp(server: TestServer, pool: TestPool): Promise<boolean> {
  const username = 'probe@example.com';
  await server.admin.send(
    new AdminCreateUserCommand({
      UserPoolId: pool.userPoolId,
      Username: username,
      MessageAction: 'SUPPRESS',
      UserAttributes: [
        { Name: 'email', Value: username },
        { Name: 'email_verified', Value: 'true' },
      ],
    }),
  );
  await server.admin.send(
    new AdminSetUserPasswordCommand({ UserPoolId: pool.userPoolId, Username: username, Password: 'Passw0rdX-probe', Permanent: true }),
  );
  try {
    const out = await server.client.send(
      new InitiateAuthCommand({
        ClientId: pool.clientId,
        AuthFlow: 'USER_AUTH',
        AuthParameters: { USERNAME: username, PREFERRED_CHALLENGE: 'EMAIL_OTP' },
      }),
    );
    return out.ChallengeName === 'EMAIL_OTP';
  } catch {
    return false;
  }
}

// One server for the file, started at collection time: the EMAIL_OTP describe is skipped by what it answers.
const server = CHROMIUM_PATH ? await startTestServer('sqlite') : undefined;
const pool = server ? await createPasswordlessPool(server) : undefined;
const serverSupportsEmailOtp = server && pool ? await probeEmailOtp(server, pool) : false;
const EMAIL_OTP_SKIP_REASON =
  'SKIPPED: this server does not sign in with email codes yet (InitiateAuth USER_AUTH with PREFERRED_CHALLENGE EMAIL_OTP ' +
  'did not answer the EMAIL_OTP challenge); runs by itself once it does';
if (server && !serverSupportsEmailOtp) console.warn(`[e2e] skipping the Amplify UI email-code sign-in: ${EMAIL_OTP_SKIP_REASON}`);

describe.skipIf(!CHROMIUM_PATH)(suiteTitle('@aws-amplify/ui-react <Authenticator> (passwordless) in Chromium against Latchkey'), () => {
  const inOrder = steps();
  /** A step of the story; when it fails, a screenshot of the page as it was (<n>-failed.png) and the page's log. */
  const step = (name: string, fn: () => Promise<void> | void) =>
    inOrder(name, async () => {
      try {
        await fn();
      } catch (err) {
        await screenshot('failed').catch(() => undefined);
        if (err instanceof Error && errors.length) err.message += `\npage log:\n${errors.join('\n')}`;
        throw err;
      }
    });
  const cleanups: (() => Promise<unknown> | unknown)[] = [];
  let page: Page;
  let authenticators: VirtualAuthenticators;
  let authenticatorId: string;
  let errors: string[] = [];
  let shot = 0;

  const srv = () => server!;
  const userPool = () => pool!;
  /** A screenshot of the page as it is now: test-results/amplify-ui/<n>-<name>.png. */
  const screenshot = (name: string) =>
    page.screenshot({ path: join(SHOTS, `${String(++shot).padStart(2, '0')}-${name}.png`), fullPage: true });
  /** Codes sent to `destination`, newest first. */
  const codesTo = async (destination: string) =>
    (await srv().services.store.listOutbox(userPool().userPoolId, 200)).filter((m) => m.destination === destination);
  /** Waits for a code newer than the `known` messages to `destination`. */
  async function newCode(destination: string, known: number): Promise<string> {
    const until = Date.now() + UI_TIMEOUT;
    for (;;) {
      const messages = await codesTo(destination);
      if (messages.length > known && messages[0]!.code) return messages[0]!.code;
      if (Date.now() > until) throw new Error(`no new code to ${destination} (still ${messages.length})\n${errors.join('\n')}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  const signedInHeading = () => page.getByRole('heading', { name: `Signed in as ${EMAIL}` });
  const sub = async () =>
    (await srv().admin.send(new AdminGetUserCommand({ UserPoolId: userPool().userPoolId, Username: EMAIL }))).UserAttributes?.find(
      (a) => a.Name === 'sub',
    )?.Value;

  beforeAll(async () => {
    rmSync(SHOTS, { recursive: true, force: true });
    mkdirSync(SHOTS, { recursive: true });
    try {
      const bundle: Bundle = await bundlePage('amplify-ui.tsx', {}, { jsx: 'automatic' });
      cleanups.push(() => bundle.remove());
      const config = {
        userPoolId: userPool().userPoolId,
        userPoolClientId: userPool().clientId,
        userPoolEndpoint: `http://localhost:${srv().port}/`,
      };
      const web: StaticServer = await startStaticServer(bundle.dir, {
        '/': pageHtml('Amplify UI e2e', config, '/app.js', '<link rel="stylesheet" href="/app.css">', '<div id="root"></div>'),
      });
      cleanups.push(() => web.close());
      const browser: Browser = await launchBrowser();
      cleanups.push(() => browser.close());
      const context = await browser.newContext({ viewport: { width: 800, height: 900 } });
      context.setDefaultTimeout(UI_TIMEOUT);
      page = await context.newPage();
      errors = recordPageErrors(page);
      authenticators = await VirtualAuthenticators.enable(context, page);
      cleanups.push(() => authenticators.detach());
      authenticatorId = await authenticators.add();
      await page.goto(web.origin + '/');
    } catch (err) {
      for (const fn of cleanups.reverse())
        await Promise.resolve()
          .then(fn)
          .catch(() => undefined);
      cleanups.length = 0;
      throw err;
    }
  }, SETUP_TIMEOUT);
  afterAll(async () => {
    for (const fn of cleanups.reverse())
      await Promise.resolve()
        .then(fn)
        .catch(() => undefined);
    await server?.stop();
  }, SETUP_TIMEOUT);

  describe('sign-up with an email code, a passkey from the prompt, passkey sign-in', () => {
    step('shows the sign-up form: the password fields shown but optional (ui-react 6.15 keeps them for EMAIL_OTP)', async () => {
      expect(await page.getByRole('tab', { name: 'Create Account' }).getAttribute('aria-selected')).toBe('true');
      await page.getByLabel('Email').waitFor();
      await screenshot('sign-up-form');
      for (const label of ['Password', 'Confirm Password'])
        expect(await page.getByLabel(label, { exact: true }).getAttribute('required'), label).toBeNull();
    });

    step('signs up with an email (no password) and types the emailed code: signed in (autoSignIn)', async () => {
      await page.getByLabel('Email').fill(EMAIL);
      await page.getByRole('button', { name: 'Create account with Email OTP' }).click();
      await page.getByLabel('Confirmation Code').waitFor();
      await screenshot('confirm-sign-up');
      const code = await newCode(EMAIL, 0);
      await page.getByLabel('Confirmation Code').fill(code);
      await screenshot('confirm-sign-up-code-typed');
      await page.getByRole('button', { name: 'Confirm', exact: true }).click();
      await page.getByRole('heading', { name: 'Sign in faster with Passkey' }).waitFor();
      expect(await sub()).toBeTruthy();
      // Signed in by ConfirmSignUp's Session: no second code was sent.
      expect(await codesTo(EMAIL)).toHaveLength(1);
      await screenshot('passkey-prompt');
    });

    step('creates a passkey from the prompt (virtual authenticator, user verification), then continues', async () => {
      expect(await srv().services.store.listPasskeys(userPool().userPoolId, (await sub())!, 10)).toHaveLength(0);
      await page.getByRole('button', { name: 'Create a Passkey' }).click();
      await page.getByRole('heading', { name: 'Passkey created successfully!' }).waitFor();
      const onAuthenticator = await authenticators.credentials(authenticatorId);
      expect(onAuthenticator).toHaveLength(1);
      expect(onAuthenticator[0]).toMatchObject({ rpId: 'localhost', isResidentCredential: true });
      const stored = await srv().services.store.listPasskeys(userPool().userPoolId, (await sub())!, 10);
      expect(stored.map((p) => p.credentialId)).toEqual([onAuthenticator[0]!.credentialId]);
      expect(stored[0]).toMatchObject({ relyingPartyId: 'localhost', userVerified: true });
      await screenshot('passkey-created');
      await page.getByRole('button', { name: 'Continue', exact: true }).click();
      await signedInHeading().waitFor();
      expect(await page.getByTestId('user-id').textContent()).toBe(await sub());
      await screenshot('signed-in-after-sign-up');
    });

    step('signs out', async () => {
      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.getByRole('tab', { name: 'Sign In' }).click();
      await page.getByLabel('Email').waitFor();
      await screenshot('signed-out');
    });

    step('signs in choosing the passkey ("Other sign-in options" → "Sign In with Passkey")', async () => {
      const [credential] = await authenticators.credentials(authenticatorId);
      const before = await srv().services.store.getPasskey(userPool().userPoolId, credential!.credentialId);
      expect(before!.lastUsedAt).toBeNull();
      await page.getByLabel('Email').fill(EMAIL);
      await page.getByRole('button', { name: 'Other sign-in options' }).click();
      await page.getByRole('button', { name: 'Sign In with Passkey' }).waitFor();
      await screenshot('sign-in-options');
      await page.getByRole('button', { name: 'Sign In with Passkey' }).click();
      await signedInHeading().waitFor();
      const after = await srv().services.store.getPasskey(userPool().userPoolId, credential!.credentialId);
      expect(after!.lastUsedAt).not.toBeNull();
      expect(after!.signCount).toBe((await authenticators.credentials(authenticatorId))[0]!.signCount);
      await screenshot('signed-in-with-passkey');
    });

    step('signs out again', async () => {
      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.getByRole('tab', { name: 'Sign In' }).click();
      await page.getByLabel('Email').waitFor();
      await screenshot('signed-out-again');
    });
  });

  describe.skipIf(!serverSupportsEmailOtp)(
    serverSupportsEmailOtp ? 'sign-in with an email code' : `sign-in with an email code — ${EMAIL_OTP_SKIP_REASON}`,
    () => {
      step('signs in with an email code ("Sign In with Email" → the emailed code)', async () => {
        const known = (await codesTo(EMAIL)).length;
        await page.getByLabel('Email').fill(EMAIL);
        await page.getByRole('button', { name: 'Sign In with Email' }).click();
        const codeField = page.getByLabel(/code/i);
        await codeField.waitFor();
        await screenshot('sign-in-email-code');
        await codeField.fill(await newCode(EMAIL, known));
        await page.getByRole('button', { name: 'Confirm', exact: true }).click();
        await signedInHeading().waitFor();
        await screenshot('signed-in-with-email-code');
      });
    },
  );

  describe('the page', () => {
    step('raised no uncaught errors', () => {
      expect(uncaughtPageErrors(errors)).toEqual([]);
    });
  });
});

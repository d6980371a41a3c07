/**
 * The account page served by Latchkey at GET /account (same origin as the endpoint), driven like a
 * user would: labels, roles and clicks. Password sign-in, two passkeys on two CDP virtual
 * authenticators, deletion with its confirmation, sign-out, passkey sign-in. Saves a screenshot of
 * the passkey list to test-results/. Then, on a pool that allows EMAIL_OTP, sign-in with an email code
 * read from the outbox, a wrong code first (the dev pool does not offer it). Then, on a pool with TOTP MFA, an
 * authenticator app set up from the page's QR code (drawn locally: no request leaves the origin), a sign-in with
 * its code, and its removal. Needs Chromium ($CHROMIUM_PATH or /usr/bin/chromium).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import {
  AdminCreateUserCommand,
  AdminGetUserCommand,
  AdminSetUserPasswordCommand,
  SetUserPoolMfaConfigCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import type { Browser, Locator, Page } from 'playwright-core';
import { startTestServer, type TestServer } from '../../packages/server/test/helpers/harness.js';
import { outboxCode } from '../../packages/server/test/helpers/latchkeyAdmin.js';
import { createTestPool } from '../../packages/server/test/helpers/pool.js';
import { totp } from '../../packages/server/test/helpers/totp.js';
import {
  CHROMIUM_PATH,
  launchBrowser,
  recordPageErrors,
  suiteTitle,
  uncaughtPageErrors,
  VirtualAuthenticators,
} from './helpers/browser.js';
import { ROOT } from './helpers/bundle.js';
import { steps } from './helpers/steps.js';

const RESULTS = join(ROOT, 'test-results');

describe.skipIf(!CHROMIUM_PATH)(suiteTitle('account page (/account) in Chromium'), () => {
  const step = steps();
  let server: TestServer;
  let browser: Browser;
  let page: Page;
  let authenticators: VirtualAuthenticators;
  let errors: string[];
  let poolId: string;
  let sub: string;
  const username = 'robin';
  const password = 'Passw0rdX-account';
  /** credential ids, in the order they were added, with the authenticator holding each. */
  const added: { authenticatorId: string; credentialId: string }[] = [];

  const stored = () => server.services.store.listPasskeys(poolId, sub, 100);
  const list = () => page.getByRole('list', { name: 'Your passkeys' });
  const item = (credentialId: string): Locator => list().locator(`li[data-credential-id="${credentialId}"]`);
  const state = (s: string) => page.waitForSelector(`body[data-state="${s}"]`);
  const idle = () => page.waitForSelector('main[aria-busy="false"], main:not([aria-busy])');

  beforeAll(async () => {
    server = await startTestServer('sqlite', { bootstrap: true });
    poolId = server.devPool!.userPoolId;
    await server.admin.send(
      new AdminCreateUserCommand({
        UserPoolId: poolId,
        Username: username,
        MessageAction: 'SUPPRESS',
        UserAttributes: [
          { Name: 'email', Value: `${username}@example.com` },
          { Name: 'email_verified', Value: 'true' },
        ],
      }),
    );
    await server.admin.send(
      new AdminSetUserPasswordCommand({ UserPoolId: poolId, Username: username, Password: password, Permanent: true }),
    );
    const user = await server.admin.send(new AdminGetUserCommand({ UserPoolId: poolId, Username: username }));
    sub = user.UserAttributes!.find((a) => a.Name === 'sub')!.Value!;

    browser = await launchBrowser();
    const context = await browser.newContext({ viewport: { width: 900, height: 800 } });
    page = await context.newPage();
    page.setDefaultTimeout(20_000);
    errors = recordPageErrors(page);
    authenticators = await VirtualAuthenticators.enable(context, page);
  }, 120_000);

  afterAll(async () => {
    await authenticators?.detach();
    await browser?.close();
    await server?.stop();
  }, 120_000);

  step('serves the page at /account and shows the sign-in form', async () => {
    const url = `${server.endpoint.replace('127.0.0.1', 'localhost')}/account`;
    const res = await page.goto(url);
    expect(res?.status()).toBe(200);
    await state('signed-out').catch(async (err: Error) => {
      const alert = await page
        .locator('#error')
        .textContent()
        .catch(() => '');
      throw new Error(
        `the account page did not reach the sign-in form (body[data-state]=${await page.evaluate('document.body.dataset.state')}, ` +
          `alert: ${JSON.stringify(alert)}): ${err.message}\n${errors.join('\n')}`,
      );
    });
    await expect(page.getByRole('heading', { name: 'Sign in' }).isVisible()).resolves.toBe(true);
    expect(await page.evaluate('window.isSecureContext')).toBe(true);
    // The development pool does not allow EMAIL_OTP: the page does not offer it.
    expect(await page.getByRole('button', { name: 'Sign in with an email code' }).count()).toBe(0);
  });

  step('rejects a wrong password with an alert', async () => {
    await page.getByLabel('Username').fill(username);
    await page.getByLabel('Password').fill('not-the-password');
    await page.getByRole('button', { name: 'Sign in with password' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toBe('Incorrect username or password.');
    expect(await page.evaluate('document.body.dataset.state')).toBe('signed-out');
  });

  // It once answered "This sign-in needs a step this page does not support
  // (CONTINUE_SIGN_IN_WITH_FIRST_FACTOR_SELECTION)"; the next step proves the password still works after it.
  step('a passkey sign-in of an account without passkeys says to sign in with the password, then add one', async () => {
    await idle();
    await page.getByLabel('Username').fill(username);
    await page.getByLabel('Password').fill('');
    await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
    await expect
      .poll(() => page.getByRole('alert').textContent())
      .toBe('No passkey on this account yet: sign in with your password, then add one.');
    expect(await page.evaluate('document.body.dataset.state')).toBe('signed-out');
    await idle();
    expect(await page.evaluate('document.activeElement?.id')).toBe('password');
  });

  step('signs in with the password', async () => {
    await page.getByLabel('Username').fill(username);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Sign in with password' }).click();
    await state('signed-in');
    await expect
      .poll(() => page.getByRole('heading', { level: 1 }).filter({ visible: true }).textContent())
      .toBe(`Signed in as ${username}`);
    await idle();
    await expect.poll(() => page.getByText('You have no passkeys yet').isVisible()).toBe(true);
    expect(await list().getByRole('listitem').count()).toBe(0);
  });

  step('adds two passkeys, one per authenticator', async () => {
    for (let i = 1; i <= 2; i++) {
      const authenticatorId = await authenticators.switchTo();
      await page.getByRole('button', { name: 'Add a passkey' }).click();
      await expect.poll(() => page.getByRole('status').textContent(), { timeout: 20_000 }).toBe('Passkey added.');
      await expect.poll(() => list().getByRole('listitem').count()).toBe(i);
      const [credential] = await authenticators.credentials(authenticatorId);
      expect(credential).toBeDefined();
      added.push({ authenticatorId, credentialId: credential!.credentialId });
      await expect(item(credential!.credentialId).isVisible()).resolves.toBe(true);
    }
    expect(
      await list()
        .locator('li')
        .evaluateAll((lis) => lis.map((li) => li.getAttribute('data-credential-id'))),
    ).toEqual(added.map((a) => a.credentialId));
    await expect.poll(() => page.getByText('You have no passkeys yet').isVisible()).toBe(false);
    for (const a of added) {
      const text = await item(a.credentialId).textContent();
      expect(text).toContain('Added');
      expect(text).toContain('Never used');
      expect(await item(a.credentialId).locator('.passkey-kind').textContent()).toBe('Built-in');
    }
    expect((await stored()).map((p) => p.credentialId).sort()).toEqual(added.map((a) => a.credentialId).sort());

    mkdirSync(RESULTS, { recursive: true });
    await page.locator('.card').screenshot({ path: join(RESULTS, 'account-passkeys.png') });
  });

  step('refuses a second passkey on the same device', async () => {
    await page.getByRole('button', { name: 'Add a passkey' }).click();
    await expect
      .poll(() => page.getByRole('alert').textContent(), { timeout: 20_000 })
      .toBe('This device already has a passkey for this account.');
    expect(await stored()).toHaveLength(2);
    expect(await list().getByRole('listitem').count()).toBe(2);
  });

  step('deletes a passkey only after confirmation', async () => {
    const first = item(added[0]!.credentialId);
    const name = (await first.locator('.passkey-name').textContent())!;
    // Cancel first: nothing is deleted.
    await first.getByRole('button', { name: 'Delete', exact: true }).click();
    const confirm = first.getByRole('group', { name: `Delete ${name}?` });
    await expect(confirm.isVisible()).resolves.toBe(true);
    await confirm.getByRole('button', { name: 'Cancel' }).click();
    await expect.poll(() => confirm.count()).toBe(0);
    expect(await stored()).toHaveLength(2);

    await first.getByRole('button', { name: 'Delete', exact: true }).click();
    await first
      .getByRole('group', { name: `Delete ${name}?` })
      .getByRole('button', { name: 'Confirm delete' })
      .click();
    await expect.poll(() => page.getByRole('status').textContent()).toBe(`Deleted ${name}.`);
    await expect.poll(() => list().getByRole('listitem').count()).toBe(1);
    await expect(item(added[1]!.credentialId).isVisible()).resolves.toBe(true);
    expect((await stored()).map((p) => p.credentialId)).toEqual([added[1]!.credentialId]);
  });

  step('signs out', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await state('signed-out');
    // main.ts documents "Signed out." and currently says "You have signed out.": accept either.
    await expect.poll(() => page.getByRole('status').textContent()).toMatch(/signed out\.$/i);
    await expect(page.getByRole('heading', { name: 'Sign in' }).isVisible()).resolves.toBe(true);
  });

  step('signs in with the remaining passkey', async () => {
    const remaining = added[1]!;
    expect(authenticators.attached).toEqual([remaining.authenticatorId]);
    await page.getByLabel('Username').fill(username);
    await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
    await state('signed-in');
    await expect
      .poll(() => page.getByRole('heading', { level: 1 }).filter({ visible: true }).textContent())
      .toBe(`Signed in as ${username}`);
    await idle();
    await expect.poll(() => list().getByRole('listitem').count()).toBe(1);
    await expect.poll(() => item(remaining.credentialId).locator('.passkey-last-used').textContent()).toMatch(/^Last used /);
    const usedAt = await item(remaining.credentialId).locator('.passkey-last-used time').getAttribute('datetime');
    expect(Math.abs(Date.parse(usedAt!) - Date.now())).toBeLessThan(60_000);

    const record = await server.services.store.getPasskey(poolId, remaining.credentialId);
    expect(record!.lastUsedAt).not.toBeNull();
    const [onAuthenticator] = await authenticators.credentials(remaining.authenticatorId);
    expect(record!.signCount).toBe(onAuthenticator!.signCount);
    await page.locator('.card').screenshot({ path: join(RESULTS, 'account-passkeys-after-passkey-sign-in.png') });
  });

  step('on a pool that allows EMAIL_OTP: an email code signs in, after a wrong code and its alert', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await state('signed-out');
    const otp = await createTestPool(server.admin, { factors: ['PASSWORD', 'WEB_AUTHN', 'EMAIL_OTP'] });
    const email = 'casey@example.com';
    await server.admin.send(
      new AdminCreateUserCommand({
        UserPoolId: otp.userPoolId,
        Username: 'casey',
        MessageAction: 'SUPPRESS',
        UserAttributes: [
          { Name: 'email', Value: email },
          { Name: 'email_verified', Value: 'true' },
        ],
      }),
    );
    await page.goto(`${server.endpoint.replace('127.0.0.1', 'localhost')}/account?pool=${otp.userPoolId}&client=${otp.clientId}`);
    await state('signed-out');
    await page.getByLabel('Username').fill('casey');
    await page.getByRole('button', { name: 'Sign in with an email code' }).click();
    await state('email-code');
    await expect(page.getByRole('heading', { name: 'Enter your code' }).isVisible()).resolves.toBe(true);
    expect(await page.locator('#code-sent').textContent()).toBe('We sent a code to c***@e***.');
    await idle();
    expect(await page.evaluate('document.activeElement?.id')).toBe('email-code');
    const code = await outboxCode(server, otp.userPoolId, email);

    await page.getByLabel('Code', { exact: true }).fill(code === '00000000' ? '11111111' : '00000000');
    await page.getByRole('button', { name: 'Sign in with the code' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toBe('That code is not right. Check it and try again.');
    await idle();
    expect(await page.evaluate('document.body.dataset.state')).toBe('email-code');
    expect(await page.getByLabel('Code', { exact: true }).getAttribute('aria-invalid')).toBe('true');

    await page.getByLabel('Code', { exact: true }).fill(code);
    await page.getByLabel('Code', { exact: true }).press('Enter');
    await state('signed-in');
    await expect.poll(() => page.getByRole('heading', { level: 1 }).filter({ visible: true }).textContent()).toBe('Signed in as casey');
    await idle();
    await page.locator('.card').screenshot({ path: join(RESULTS, 'account-email-code-signed-in.png') });
  });

  step('on a pool with TOTP MFA: sets up an authenticator app from a locally drawn QR code, signs in with it, removes it', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await state('signed-out');
    const mfa = await createTestPool(server.admin, { factors: ['PASSWORD', 'WEB_AUTHN'] });
    await server.admin.send(
      new SetUserPoolMfaConfigCommand({
        UserPoolId: mfa.userPoolId,
        MfaConfiguration: 'OPTIONAL',
        SoftwareTokenMfaConfiguration: { Enabled: true },
      }),
    );
    await server.admin.send(new AdminCreateUserCommand({ UserPoolId: mfa.userPoolId, Username: 'dana', MessageAction: 'SUPPRESS' }));
    await server.admin.send(
      new AdminSetUserPasswordCommand({ UserPoolId: mfa.userPoolId, Username: 'dana', Password: password, Permanent: true }),
    );
    const origin = server.endpoint.replace('127.0.0.1', 'localhost');
    const foreign: string[] = [];
    page.on('request', (r) => {
      if (!r.url().startsWith(origin) && !r.url().startsWith('data:')) foreign.push(r.url());
    });
    const signInWithPassword = async () => {
      await state('signed-out');
      await page.getByLabel('Username').fill('dana');
      await page.getByLabel('Password').fill(password);
      await page.getByRole('button', { name: 'Sign in with password' }).click();
    };
    await page.goto(`${origin}/account?pool=${mfa.userPoolId}&client=${mfa.clientId}`);
    await signInWithPassword();
    await state('signed-in');
    const section = page.getByRole('region', { name: 'Authenticator app' });
    await expect.poll(() => section.getAttribute('data-totp')).toBe('off');
    await page.getByRole('button', { name: 'Set up an authenticator app' }).click();
    const qr = page.getByRole('img', { name: 'QR code for your authenticator app' });
    await expect.poll(() => qr.isVisible()).toBe(true);
    expect(await qr.getAttribute('src')).toMatch(/^data:image\/svg\+xml/);
    await page.locator('.card').screenshot({ path: join(RESULTS, 'account-totp-qr.png') });
    const secret = ((await page.locator('#totp-secret').textContent()) ?? '').replace(/\s/g, '');
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(await qr.getAttribute('data-uri')).toBe(`otpauth://totp/Latchkey:dana?secret=${secret}&issuer=Latchkey`);
    await idle();
    await page.getByLabel('Code from the app').fill(totp(secret, Date.now(), 5));
    await page.getByRole('button', { name: 'Verify and turn on' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toMatch(/^That code is not right/);
    await idle();
    await page.getByLabel('Code from the app').fill(totp(secret, Date.now()));
    await page.getByLabel('Code from the app').press('Enter');
    await expect.poll(() => section.getAttribute('data-totp')).toBe('on');
    await idle();
    await page.locator('.card').screenshot({ path: join(RESULTS, 'account-totp-on.png') });

    await page.getByRole('button', { name: 'Sign out' }).click();
    await signInWithPassword();
    await state('email-code');
    expect(await page.locator('#code-sent').textContent()).toBe('Enter the 6-digit code from your authenticator app.');
    await idle();
    await page.getByLabel('Code', { exact: true }).fill(totp(secret, Date.now(), 1));
    await page.getByLabel('Code', { exact: true }).press('Enter');
    await state('signed-in');
    await expect.poll(() => section.getAttribute('data-totp')).toBe('on');
    await idle();
    await page.getByRole('button', { name: 'Remove authenticator app' }).click();
    await expect.poll(() => section.getAttribute('data-totp')).toBe('off');
    await idle();
    await page.getByRole('button', { name: 'Sign out' }).click();
    await signInWithPassword();
    await state('signed-in');
    expect(foreign).toEqual([]);
  });

  step('raised no uncaught errors in the page', () => {
    expect(uncaughtPageErrors(errors)).toEqual([]);
  });
});

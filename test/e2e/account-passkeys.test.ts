/**
 * The account page's passkey extensions in Chromium with CDP virtual authenticators, clicked through as a
 * user would: the automatic passkey upgrade (conditional create) after a password sign-in; provider name and
 * icon, "Synced" / "This device only", last used with date and time; inline rename; autofill sign-in by a click
 * on the username field; and a passkey deleted on the server that the device still offers: the page says so,
 * calls PublicKeyCredential.signalUnknownCredential (a page-side spy records it) and Chromium removes the
 * credential from the virtual authenticator.
 *
 * Headless Chromium reports `conditionalCreate` but leaves a conditional create pending for ever (it waits for
 * its password manager, which a test profile has not used), so the page-side shim below turns the page's
 * conditional `create()` into an ordinary one after recording that the page asked for `mediation: 'conditional'`;
 * the rest of the path (Start with LatchkeyConditionalCreate, the registration, the page's message) is real.
 * The server's acceptance of a registration without user presence only for such a Start is tested over the wire
 * (packages/server/test/passkeys-extensions.test.ts).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { AdminCreateUserCommand, AdminGetUserCommand, AdminSetUserPasswordCommand } from '@aws-sdk/client-cognito-identity-provider';
import type { Browser, Locator, Page } from 'playwright-core';
import { VirtualAuthenticator } from '@latchkey/virtual-authenticator';
import { startTestServer, type TestServer } from '../../packages/server/test/helpers/harness.js';
import { accessToken, registerPasskey, signedCall } from '../../packages/server/test/helpers/latchkeyAdmin.js';
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
const GOOGLE = 'ea9b8d66-4d01-1d21-3ce4-b6b48cb575d4';

/** Page-side spies: every Signal API call and the mediation of every ceremony, recorded in window.__passkeySpy. */
const SPY = `(() => {
  const spy = { signals: [], ceremonies: [] };
  window.__passkeySpy = spy;
  const pkc = window.PublicKeyCredential;
  for (const m of ['signalUnknownCredential', 'signalAllAcceptedCredentials', 'signalCurrentUserDetails']) {
    const original = pkc && pkc[m];
    if (typeof original !== 'function') continue;
    pkc[m] = function (options) {
      spy.signals.push({ method: m, options: JSON.parse(JSON.stringify(options)) });
      return original.call(pkc, options);
    };
  }
  const c = navigator.credentials;
  const create = c.create.bind(c), get = c.get.bind(c);
  c.create = (o) => {
    spy.ceremonies.push({ op: 'create', mediation: o && o.mediation });
    if (o && o.mediation === 'conditional') { const { mediation, ...rest } = o; return create(rest); }
    return create(o);
  };
  c.get = (o) => { spy.ceremonies.push({ op: 'get', mediation: o && o.mediation }); return get(o); };
})();`;

interface Spy {
  signals: { method: string; options: Record<string, unknown> }[];
  ceremonies: { op: string; mediation?: string }[];
}

describe.skipIf(!CHROMIUM_PATH)(suiteTitle('account page passkey extensions in Chromium'), () => {
  const step = steps();
  let server: TestServer;
  let browser: Browser;
  let page: Page;
  let authenticators: VirtualAuthenticators;
  let authenticatorId: string;
  let errors: string[];
  let poolId: string;
  let sub: string;
  let onDevice: string;
  let synced: string;
  const username = 'noor';
  const password = 'Passw0rdX-noor';

  const list = () => page.getByRole('list', { name: 'Your passkeys' });
  const item = (credentialId: string): Locator => list().locator(`li[data-credential-id="${credentialId}"]`);
  const state = (s: string) => page.waitForSelector(`body[data-state="${s}"]`);
  const idle = () => page.waitForSelector('main[aria-busy="false"], main:not([aria-busy])');
  const spy = () => page.evaluate(() => (window as unknown as { __passkeySpy: Spy }).__passkeySpy);
  const stored = () => server.services.store.listPasskeys(poolId, sub, 100);
  const url = () => `${server.endpoint.replace('127.0.0.1', 'localhost')}/account`;

  beforeAll(async () => {
    server = await startTestServer('sqlite', { bootstrap: true });
    poolId = server.devPool!.userPoolId;
    await server.admin.send(new AdminCreateUserCommand({ UserPoolId: poolId, Username: username, MessageAction: 'SUPPRESS' }));
    await server.admin.send(
      new AdminSetUserPasswordCommand({ UserPoolId: poolId, Username: username, Password: password, Permanent: true }),
    );
    sub = (await server.admin.send(new AdminGetUserCommand({ UserPoolId: poolId, Username: username }))).UserAttributes!.find(
      (a) => a.Name === 'sub',
    )!.Value!;
    browser = await launchBrowser();
    const context = await browser.newContext({ viewport: { width: 900, height: 900 } });
    await context.addInitScript(SPY);
    page = await context.newPage();
    page.setDefaultTimeout(20_000);
    errors = recordPageErrors(page);
    authenticators = await VirtualAuthenticators.enable(context, page);
    authenticatorId = await authenticators.add();
  }, 120_000);

  afterAll(async () => {
    await authenticators?.detach();
    await browser?.close();
    await server?.stop();
  }, 120_000);

  step('after a password sign-in the page creates a passkey by conditional create (automatic upgrade)', async () => {
    await page.goto(url());
    await state('signed-out');
    const before = server.log.lines.length;
    await page.getByLabel('Username').fill(username);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Sign in with password' }).click();
    await state('signed-in');
    await expect
      .poll(() => page.getByRole('status').textContent())
      .toBe('A passkey was added to your account: next time, sign in with it instead of your password.');
    expect((await spy()).ceremonies).toEqual([{ op: 'create', mediation: 'conditional' }]);
    // Showing the account refreshes the names the passkey provider shows (the user has no name or email attribute).
    expect((await spy()).signals.find((x) => x.method === 'signalCurrentUserDetails')?.options).toEqual({
      rpId: 'localhost',
      userId: Buffer.from(sub).toString('base64url'),
      name: username,
      displayName: username,
    });
    const registered = server.log.lines.slice(before).filter((l) => l.msg === 'passkey registered');
    expect(registered.map((l) => (l.obj as { conditional?: boolean }).conditional)).toEqual([true]);
    const [credential] = await authenticators.credentials(authenticatorId);
    onDevice = credential!.credentialId;
    expect((await stored()).map((p) => p.credentialId)).toEqual([onDevice]);
    await expect.poll(() => list().getByRole('listitem').count()).toBe(1);
  });

  step('each passkey shows provider name and icon, "Synced" or "This device only", and when it was used', async () => {
    // A second passkey, from a synced provider on another device (Google Password Manager's AAGUID), over the wire.
    const token = await accessToken(server, server.devPool!.userPoolClientId, { username, password });
    synced = (await registerPasskey(server, token, new VirtualAuthenticator({ aaguid: GOOGLE, backupEligible: true, backupState: true })))
      .id;
    await page.reload();
    await state('signed-in');
    await idle();
    await expect.poll(() => list().getByRole('listitem').count()).toBe(2);
    const local = item(onDevice);
    expect(await local.locator('.passkey-sync').textContent()).toBe('This device only');
    expect(await local.locator('.passkey-last-used').textContent()).toBe('Never used');
    const google = item(synced);
    expect(await google.locator('.passkey-sync').textContent()).toBe('Synced');
    expect(await google.locator('.passkey-name').textContent()).toBe('Google Password Manager');
    const icon = google.locator('img.passkey-provider-icon');
    expect(await icon.getAttribute('alt')).toBe('Google Password Manager');
    expect(await icon.getAttribute('src')).toBe(`${url().replace(/\/account$/, '')}/passkey-icons/${GOOGLE}.svg`);
    await expect.poll(() => icon.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBeGreaterThan(0);
    // The listing was complete: the page signalled every accepted credential.
    const accepted = (await spy()).signals.filter((s) => s.method === 'signalAllAcceptedCredentials').at(-1);
    expect(accepted?.options).toMatchObject({ rpId: 'localhost', userId: Buffer.from(sub).toString('base64url') });
    expect([...(accepted!.options.allAcceptedCredentialIds as string[])].sort()).toEqual([onDevice, synced].sort());
    mkdirSync(RESULTS, { recursive: true });
    await page.locator('.card').screenshot({ path: join(RESULTS, 'account-passkey-details.png') });
  });

  step('renames a passkey inline (Enter saves; Escape cancels)', async () => {
    const local = item(onDevice);
    await local.getByRole('button', { name: 'Rename' }).click();
    await page.getByLabel('Passkey name').fill('Never saved');
    await page.getByLabel('Passkey name').press('Escape');
    await expect.poll(() => page.getByLabel('Passkey name').count()).toBe(0);
    expect((await server.services.store.getPasskey(poolId, onDevice))!.friendlyName).not.toBe('Never saved');

    const signalsBefore = (await spy()).signals.length;
    await local.getByRole('button', { name: 'Rename' }).click();
    await page.getByLabel('Passkey name').fill('  Work laptop  ');
    await page.getByLabel('Passkey name').press('Enter');
    await expect.poll(() => page.getByRole('status').textContent()).toBe('Renamed to Work laptop.');
    await expect.poll(() => item(onDevice).locator('.passkey-name').textContent()).toBe('Work laptop');
    expect((await server.services.store.getPasskey(poolId, onDevice))!.friendlyName).toBe('Work laptop');
    const after = (await spy()).signals.slice(signalsBefore).map((s) => s.method);
    expect(after).toContain('signalAllAcceptedCredentials');
    await idle();
    expect(await page.evaluate('document.activeElement?.textContent')).toBe('Rename');
    // Renamed, a provider's passkey still says whose it is.
    await item(synced).getByRole('button', { name: 'Rename' }).click();
    await page.getByLabel('Passkey name').fill('Phone');
    await page.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => item(synced).locator('.passkey-name').textContent()).toBe('Phone');
    expect(await item(synced).locator('.passkey-provider').textContent()).toBe('Google Password Manager');
  });

  step('signs in by autofill: a click on the username field, and the device’s passkey is used', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await state('signed-out');
    await idle();
    const ceremoniesBefore = (await spy()).ceremonies.length;
    await page.getByLabel('Username').click();
    await state('signed-in');
    await expect
      .poll(() => page.getByRole('heading', { level: 1 }).filter({ visible: true }).textContent())
      .toBe(`Signed in as ${username}`);
    expect((await spy()).ceremonies.slice(ceremoniesBefore)).toEqual([{ op: 'get', mediation: 'conditional' }]);
    expect(await page.getByLabel('Username').getAttribute('autocomplete')).toBe('username webauthn');
    await idle();
    const used = item(onDevice).locator('.passkey-last-used');
    await expect.poll(() => used.textContent()).toMatch(/^Last used /);
    const at = await used.locator('time').getAttribute('datetime');
    expect(Math.abs(Date.parse(at!) - Date.now())).toBeLessThan(60_000);
    // Date and time: the shown text has the hour and minute of the use.
    const shown = (await used.locator('time').textContent())!;
    const minute = await page.evaluate((iso) => new Date(iso).toLocaleString(undefined, { timeStyle: 'short' }), at!);
    expect(shown).toContain(minute);
  });

  step(
    'a passkey deleted on the server, offered by the device: a clear message, signalUnknownCredential, gone from the device',
    async () => {
      const del = await signedCall(server, 'LatchkeyAdminDeleteWebAuthnCredential', {
        UserPoolId: poolId,
        Username: username,
        CredentialId: onDevice,
      });
      expect(del.status).toBe(200);
      await page.getByRole('button', { name: 'Sign out' }).click();
      await state('signed-out');
      await idle();
      expect((await authenticators.credentials(authenticatorId)).map((c) => c.credentialId)).toEqual([onDevice]);
      const signalsBefore = (await spy()).signals.length;
      await page.getByLabel('Username').click();
      await expect
        .poll(() => page.getByRole('alert').textContent())
        .toBe(
          'This passkey is no longer on your account, so your device was told to forget it. Sign in with another passkey or your password.',
        );
      expect(await page.evaluate('document.body.dataset.state')).toBe('signed-out');
      expect((await spy()).signals.slice(signalsBefore)).toEqual([
        { method: 'signalUnknownCredential', options: { rpId: 'localhost', credentialId: onDevice } },
      ]);
      // Chromium applies the signal to the virtual authenticator: the stale credential is gone from the device.
      await expect.poll(async () => (await authenticators.credentials(authenticatorId)).length).toBe(0);
      await page.locator('.card').screenshot({ path: join(RESULTS, 'account-unknown-passkey.png') });
    },
  );

  step('raised no uncaught errors in the page', () => {
    expect(uncaughtPageErrors(errors)).toEqual([]);
  });
});

import { existsSync } from 'node:fs';
import { chromium, type Browser, type BrowserContext, type CDPSession, type Page } from 'playwright-core';

/**
 * The Chromium binary the browser suites drive: $CHROMIUM_PATH, else the Debian package's
 * /usr/bin/chromium. Undefined when neither exists — the suites then skip with SKIP_REASON.
 */
export const CHROMIUM_PATH: string | undefined = [process.env.CHROMIUM_PATH, '/usr/bin/chromium'].find(
  (p): p is string => !!p && existsSync(p),
);

export const SKIP_REASON =
  `no Chromium found (looked at $CHROMIUM_PATH=${process.env.CHROMIUM_PATH ?? '<unset>'} ` +
  `and /usr/bin/chromium; install the Debian package "chromium" or set CHROMIUM_PATH)`;

/** Titles a browser suite, saying why when it is skipped. */
export function suiteTitle(title: string): string {
  if (CHROMIUM_PATH) return title;
  // In CI the browser suites are part of the acceptance: a missing Chromium fails them instead of skipping.
  if (process.env.CI) throw new Error(`[e2e] "${title}" cannot run in CI: ${SKIP_REASON}`);
  console.warn(`[e2e] skipping "${title}": ${SKIP_REASON}`);
  return `${title} — SKIPPED: ${SKIP_REASON}`;
}

export async function launchBrowser(): Promise<Browser> {
  if (!CHROMIUM_PATH) throw new Error(SKIP_REASON);
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** Collects console errors and uncaught page errors, to show them when a test fails. */
export function recordPageErrors(page: Page): string[] {
  const lines: string[] = [];
  page.on('pageerror', (err) => lines.push(`pageerror: ${err.message}`));
  page.on('console', (msg) => {
    if (msg.type() === 'error' || msg.type() === 'warning') lines.push(`console.${msg.type()}: ${msg.text()}`);
  });
  page.on('requestfailed', (req) => lines.push(`requestfailed: ${req.method()} ${req.url()} ${req.failure()?.errorText ?? ''}`));
  return lines;
}

/** Uncaught exceptions only (console errors include expected failed requests, e.g. a 400). */
export function uncaughtPageErrors(lines: string[]): string[] {
  return lines.filter((line) => line.startsWith('pageerror'));
}

export interface VirtualCredential {
  /** base64url, as WebAuthn JSON and Cognito carry it. */
  credentialId: string;
  rpId: string | undefined;
  signCount: number;
  isResidentCredential: boolean;
  userHandle: string | undefined;
}

const b64ToB64url = (s: string) => s.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');

/**
 * Chromium's CDP virtual authenticators (real WebAuthn in the browser, no UI): a platform passkey
 * provider with resident keys and user verification. With several attached, which one answers is up
 * to the browser — `switchTo()` detaches the current one and attaches a fresh one.
 */
export class VirtualAuthenticators {
  private constructor(private readonly cdp: CDPSession) {}
  readonly attached: string[] = [];

  static async enable(context: BrowserContext, page: Page): Promise<VirtualAuthenticators> {
    const cdp = await context.newCDPSession(page);
    await cdp.send('WebAuthn.enable', { enableUI: false });
    return new VirtualAuthenticators(cdp);
  }

  async add(): Promise<string> {
    const { authenticatorId } = await this.cdp.send('WebAuthn.addVirtualAuthenticator', {
      options: {
        protocol: 'ctap2',
        ctap2Version: 'ctap2_1',
        transport: 'internal',
        hasResidentKey: true,
        hasUserVerification: true,
        isUserVerified: true,
        automaticPresenceSimulation: true,
      },
    });
    this.attached.push(authenticatorId);
    return authenticatorId;
  }

  async remove(authenticatorId: string): Promise<void> {
    await this.cdp.send('WebAuthn.removeVirtualAuthenticator', { authenticatorId });
    this.attached.splice(this.attached.indexOf(authenticatorId), 1);
  }

  /** Detaches every authenticator (their credentials are gone with them) and attaches a new one. */
  async switchTo(): Promise<string> {
    for (const id of [...this.attached]) await this.remove(id);
    return this.add();
  }

  async credentials(authenticatorId: string): Promise<VirtualCredential[]> {
    const { credentials } = await this.cdp.send('WebAuthn.getCredentials', { authenticatorId });
    return credentials.map((c) => ({
      credentialId: b64ToB64url(c.credentialId),
      rpId: c.rpId,
      signCount: c.signCount,
      isResidentCredential: c.isResidentCredential,
      userHandle: c.userHandle,
    }));
  }

  async setUserVerified(authenticatorId: string, isUserVerified: boolean): Promise<void> {
    await this.cdp.send('WebAuthn.setUserVerified', { authenticatorId, isUserVerified });
  }

  async detach(): Promise<void> {
    await this.cdp.detach().catch(() => undefined);
  }
}

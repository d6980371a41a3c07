/**
 * "Authenticator app" on the account page (pools with TOTP MFA, html.ts): set up an app by scanning a
 * QR code of the otpauth:// URI, drawn here in the browser (the `qrcode` package, bundled: no request
 * leaves the page), confirm with a code (VerifySoftwareToken), which also turns TOTP on and preferred;
 * remove it (SetUserMFAPreference TOTP disabled). At sign-in, a TOTP challenge reuses the code view.
 * Its own file so main.ts keeps only the hooks.
 *
 *   region "Authenticator app" (#totp-section): #totp-state "On" / "Off" text,
 *     button "Set up an authenticator app" #totp-setup, button "Remove authenticator app" #totp-remove
 *   setup panel #totp-panel: img "QR code for your authenticator app" #totp-qr (data: SVG),
 *     the key #totp-secret, getByLabel('Code from the app') #totp-code,
 *     button "Verify and turn on" (also Enter), button "Cancel setup"
 */
import QRCode from 'qrcode';
import { fetchMFAPreference, setUpTOTP, updateMFAPreference, verifyTOTPSetup } from '@latchkey/auth';

export interface TotpDeps {
  run(context: 'totp', task: () => Promise<void>): Promise<void>;
  showStatus(text: string): void;
  fieldError(input: HTMLInputElement, text: string): void;
  showCodeView(): void;
  /** The signed-in username (the account name in the authenticator app). */
  username(): string;
}

export interface Totp {
  /** Shows whether an authenticator app is on (after sign-in). */
  refresh(): Promise<void>;
  /** The sign-in asks for a TOTP code: the code view, worded for an app. */
  showSignInCode(): void;
}

const ISSUER = 'Latchkey';

export function setupTotp(deps: TotpDeps): Totp {
  const section = document.getElementById('totp-section');
  const state = document.getElementById('totp-state');
  const setup = document.getElementById('totp-setup') as HTMLButtonElement | null;
  const remove = document.getElementById('totp-remove') as HTMLButtonElement | null;
  const panel = document.getElementById('totp-panel');
  const qr = document.getElementById('totp-qr') as HTMLImageElement | null;
  const secret = document.getElementById('totp-secret');
  const form = document.getElementById('totp-form') as HTMLFormElement | null;
  const code = document.getElementById('totp-code') as HTMLInputElement | null;

  const showSignInCode = () => {
    const sent = document.getElementById('code-sent');
    if (sent) sent.textContent = 'Enter the 6-digit code from your authenticator app.';
    const input = document.getElementById('email-code') as HTMLInputElement | null;
    if (input) input.value = '';
    deps.showCodeView();
    input?.focus();
  };
  if (!section || !state || !setup || !remove || !panel || !qr || !secret || !form || !code) {
    return { refresh: async () => undefined, showSignInCode };
  }

  const show = (on: boolean) => {
    state.textContent = on ? 'On: sign-ins ask for a code from your authenticator app.' : 'Off.';
    section.dataset.totp = on ? 'on' : 'off';
    setup.hidden = on;
    remove.hidden = !on;
    panel.hidden = true;
  };
  const refresh = async () => {
    const { enabled } = await fetchMFAPreference();
    show(enabled?.includes('TOTP') ?? false);
  };

  setup.addEventListener('click', () => {
    void deps.run('totp', async () => {
      const details = await setUpTOTP();
      const uri = details.getSetupUri(ISSUER, deps.username()).toString();
      const svg = await QRCode.toString(uri, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
      qr.src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`;
      qr.dataset.uri = uri;
      secret.textContent = details.sharedSecret.replace(/(.{4})/g, '$1 ').trim();
      code.value = '';
      code.removeAttribute('aria-invalid');
      panel.hidden = false;
      setup.hidden = true;
      deps.showStatus('Scan the QR code, then enter the code the app shows.');
      code.focus();
    });
  });

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void deps.run('totp', async () => {
      const value = code.value.replace(/\s/g, '');
      if (!/^\d{6}$/.test(value)) return deps.fieldError(code, 'Enter the 6-digit code from the app.');
      try {
        await verifyTOTPSetup({ code: value, options: { friendlyDeviceName: 'Authenticator app' } });
      } catch (error) {
        if (error instanceof Error && error.name === 'EnableSoftwareTokenMFAException') {
          code.select();
          return deps.fieldError(code, 'That code is not right. Check the time on your device and try the next code.');
        }
        throw error;
      }
      await updateMFAPreference({ totp: 'PREFERRED' });
      show(true);
      deps.showStatus('Authenticator app turned on.');
    });
  });

  document.getElementById('totp-cancel')?.addEventListener('click', () => {
    panel.hidden = true;
    setup.hidden = false;
    deps.showStatus('');
  });

  remove.addEventListener('click', () => {
    void deps.run('totp', async () => {
      await updateMFAPreference({ totp: 'DISABLED' });
      show(false);
      deps.showStatus('Authenticator app removed.');
    });
  });

  return { refresh, showSignInCode };
}

/**
 * Passkey autofill on the sign-in form (WebAuthn conditional mediation, @latchkey/auth
 * signInWithPasskeyAutofill): the username field (`autocomplete="username webauthn"`) offers the passkeys
 * saved for this site among its suggestions; picking one signs in.
 *
 * The request starts when the user reaches the field — a click or tap on it, or a keyboard focus — not when
 * the page moves focus there by itself (a pending request is one ceremony, and a browser runs one at a time).
 * It is aborted before any other sign-in action starts and when the sign-in view is left. A passkey the
 * server no longer has comes back as NotAuthorizedException with latchkeyReason UnknownCredential: the
 * library has then told the device to forget it (Signal API), and the page says so.
 */
import { signInWithPasskeyAutofill, type SignInOutput } from '@latchkey/auth';

export interface AutofillDeps {
  username: HTMLInputElement;
  /** Whether the conditional-mediation API is there (checked once, at start). */
  available(): Promise<boolean>;
  /** The sign-in view is showing and no action runs. */
  canStart(): boolean;
  /** A picked passkey signed in: finish as any sign-in does (through main.ts `run`). */
  signedIn(result: SignInOutput): Promise<void>;
  /** A refusal (not an abort): shown as any passkey sign-in error. */
  failed(error: unknown): void;
}

export function setupAutofill(deps: AutofillDeps) {
  let pending: AbortController | undefined;
  let settled: Promise<void> = Promise.resolve();
  let lastInput: 'keyboard' | 'pointer' | undefined;
  document.addEventListener('keydown', () => (lastInput = 'keyboard'), true);
  document.addEventListener('pointerdown', () => (lastInput = 'pointer'), true);

  async function start(): Promise<void> {
    if (pending || !deps.canStart() || !(await deps.available())) return;
    const controller = new AbortController();
    pending = controller;
    document.body.dataset.autofill = 'pending';
    let result: SignInOutput;
    try {
      result = await signInWithPasskeyAutofill({ signal: controller.signal });
    } catch (error) {
      if (controller.signal.aborted) return;
      deps.failed(error);
      return;
    } finally {
      if (pending === controller) {
        pending = undefined;
        delete document.body.dataset.autofill;
      }
    }
    // Not awaited: finishing goes through run(), which first waits for this request to settle.
    void deps.signedIn(result);
  }

  // One request at a time; `settled` lets abort() wait until the library has reset its sign-in state.
  const begin = () => {
    settled = settled.then(start, start);
  };
  deps.username.addEventListener('pointerdown', begin);
  deps.username.addEventListener('focus', () => {
    if (lastInput === 'keyboard') begin();
  });

  return {
    /**
     * Abandons a pending autofill request (before another sign-in, or when leaving the view); resolves once it
     * has settled, so the next sign-in starts from a clean state.
     */
    abort(): Promise<void> {
      pending?.abort();
      return settled;
    },
  };
}

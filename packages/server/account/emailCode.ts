/**
 * "Sign in with an email code" on the account page: USER_AUTH with EMAIL_OTP preferred, then the code
 * in #code-view. Its own file so main.ts does not grow; main.ts hands over what it shares (run, the
 * views, the messages). The button exists only when the pool allows EMAIL_OTP (html.ts).
 *
 *   button "Sign in with an email code"   #signin-email-code (needs the username)
 *   Code step (#code-view, body[data-state="email-code"], heading "Enter your code"):
 *     #code-sent "We sent a code to <masked address>."
 *     getByLabel('Code', { exact: true }) #email-code (the region "Enter your code" matches too without exact),
 *     button "Sign in with the code" #code-submit (also Enter), button "Cancel"
 *   A wrong code: alert "That code is not right. Check it and try again." and the code field is
 *   selected again; the same sign-in takes the next try (the server allows 3 per code).
 */
import { confirmSignIn, signIn, type SignInOutput } from '@latchkey/auth';

export interface EmailCodeDeps {
  run(context: 'email-code', task: () => Promise<void>): Promise<void>;
  afterSignIn(result: SignInOutput): Promise<void>;
  showCodeView(): void;
  showSignIn(): void;
  clearMessages(): void;
  showStatus(text: string): void;
  fieldError(input: HTMLInputElement, text: string): void;
  username: HTMLInputElement;
}

export function setupEmailCode(deps: EmailCodeDeps): void {
  const start = document.getElementById('signin-email-code');
  const form = document.getElementById('code-form') as HTMLFormElement | null;
  const input = document.getElementById('email-code') as HTMLInputElement | null;
  const sent = document.getElementById('code-sent');
  if (!form || !input || !sent) return;

  // The code form also takes a TOTP code (account/totp.ts), so it is wired even without the email-code button.
  start?.addEventListener('click', () => {
    void deps.run('email-code', async () => {
      const username = deps.username.value.trim();
      if (!username) return deps.fieldError(deps.username, 'Enter your username to get a code.');
      deps.showStatus('Sending a code…');
      const result = await signIn({ username, options: { authFlowType: 'USER_AUTH', preferredChallenge: 'EMAIL_OTP' } });
      if (result.nextStep.signInStep !== 'CONFIRM_SIGN_IN_WITH_EMAIL_CODE') return deps.afterSignIn(result);
      const to = result.nextStep.codeDeliveryDetails?.destination;
      sent.textContent = to ? `We sent a code to ${to}.` : 'We sent you a code by email.';
      input.value = '';
      input.removeAttribute('aria-invalid');
      deps.showCodeView();
      deps.showStatus('Code sent.');
      input.focus();
    });
  });

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void deps.run('email-code', async () => {
      const code = input.value.trim();
      if (!code) return deps.fieldError(input, 'Enter the code from the email.');
      input.removeAttribute('aria-invalid');
      deps.showStatus('Signing in…');
      try {
        await deps.afterSignIn(await confirmSignIn({ challengeResponse: code }));
      } catch (error) {
        // The sign-in is still in progress: let the user correct the code (run() shows the alert).
        input.setAttribute('aria-invalid', 'true');
        input.select();
        input.focus();
        throw error;
      }
    });
  });

  document.getElementById('code-cancel')?.addEventListener('click', () => {
    deps.clearMessages();
    deps.showSignIn();
  });
}

/**
 * Latchkey account page (browser). Bundled by packages/server/scripts/build-account.mjs into
 * dist/account/app.js; the HTML shell is rendered by src/http/account/html.ts at GET /account.
 *
 * ─── For browser tests: stable names, roles and ids ────────────────────────────────────────────────
 * (Playwright matches names as case-insensitive substrings by default; pass `exact: true` for
 * "Delete", which is also part of "Confirm delete".)
 *
 *   body[data-state]  'loading' → 'signed-out' | 'new-password' | 'signed-in'  (wait on it)
 *   status   role=status  #status  polite: progress ("Signing in…", "Waiting for your passkey…") and
 *                                  results: "Passkey added." · "Deleted <name>." · "You have signed out."
 *                                  (cleared once sign-in completes: the focused heading says it)
 *   alert    role=alert   #error   errors (wording below, see describeError)
 *
 *   Signed out (#signin-view, heading "Sign in"):
 *     getByLabel('Username')                   #username  autocomplete="username webauthn": a click on it (or a
 *                                                          keyboard focus) starts passkey autofill (signin.ts;
 *                                                          body[data-autofill="pending"] while it waits)
 *     getByLabel('Password')                   #password
 *     button "Sign in with password"           #signin-password  (USER_SRP_AUTH; also Enter in the form)
 *     button "Sign in with a passkey"          #signin-passkey   (USER_AUTH + WEB_AUTHN with the username;
 *                                                                 username-less signInWithPasskey() if empty)
 *     button "Sign in with an email code"      #signin-email-code (only when the pool allows EMAIL_OTP; the code
 *                                                                 step, body[data-state="email-code"], is in emailCode.ts)
 *   New password required (#newpw-view, heading "Choose a new password", built only when needed):
 *     getByLabel('New password')  #new-password, button "Set new password", button "Cancel"
 *   Signed in (#account-view):
 *     heading "Signed in as <username>"        #account-heading (the name alone in #current-username)
 *     button "Sign out"                        #signout
 *     button "Add a passkey"                   #add-passkey
 *     list "Your passkeys"                     <ul id="passkey-list" aria-label="Your passkeys">
 *       listitem [data-credential-id]           .passkey-name (friendly name), .passkey-provider (provider name when
 *                                               renamed), img.passkey-provider-icon (alt: provider), .passkey-created
 *                                               ("Added <date>"), .passkey-last-used ("Last used <date, time>"
 *                                               or "Never used"; exact ISO time in <time datetime>), .passkey-kind
 *                                               ("Built-in" | "External"), .passkey-sync ("Synced" | "This device
 *                                               only"), buttons "Rename" and "Delete"
 *       after "Rename": a form in that item, getByLabel('Passkey name'), buttons "Save" (also Enter) and
 *       "Cancel" (also Escape); status "Renamed to <name>."
 *       after "Delete": group "Delete <name>?" in that item with buttons "Confirm delete" and "Cancel"
 *       (the item's "Delete" button is hidden meanwhile; Escape also cancels; focus goes to "Cancel")
 *     After a password sign-in, where the browser can (getClientCapabilities().conditionalCreate), a passkey is
 *     created without a prompt (conditional create); on success the status says "A passkey was added to your
 *     account: …". Any other action abandons a pending one.
 *     #passkeys-empty "You have no passkeys yet…" when the list is empty
 *     navigation "Passkey pages" (only with more than 20): buttons "Previous page" / "Next page",
 *       text "Page N" (#page-label)
 *   While an action runs, <main> has aria-busy="true" and its buttons aria-disabled="true" (Playwright
 *   waits for enabled buttons); idle is main[aria-busy="false"] (or no aria-busy before the first action).
 *   On a host outside the pool's RP ID, #passkey-hint warns and links to the page on the RP ID host.
 *
 * Error wording (alert): "Incorrect username or password." · "The passkey prompt was cancelled." ·
 * "This device already has a passkey for this account." · "You have the maximum number of passkeys.
 * Delete one to add another." · RelyingPartyMismatch explains that the RP ID must match the page host ·
 * "Your session has ended. Sign in again." · "That code is not right. Check it and try again." ·
 * "No passkey on this account yet: sign in with your password,
 * then add one." (passkey sign-in of an account without one) · UNKNOWN_PASSKEY below (the device offered a
 * passkey the server no longer has) · otherwise the server's message.
 *
 * Last used, provider, synced: Latchkey's extra listing members, which @latchkey/auth maps (lastUsedAt, …).
 * Files: main.ts (configuration, messages, sign-in, start), passkeys.ts (the list), signin.ts (autofill),
 * emailCode.ts (email code sign-in), dom.ts (helpers).
 */
import { configure, getCurrentUser, getPasskeySupport, signIn, signInWithPasskey, signOut, type SignInOutput } from '@latchkey/auth';
import { setupEmailCode } from './emailCode.js';
import { setupPasskeys } from './passkeys.js';
import { setupTotp } from './totp.js';
import { setupAutofill } from './signin.js';
import { renderNewPassword } from './newPassword.js';
import { byId, h, type Context } from './dom.js';

interface PageConfig {
  userPoolId: string;
  userPoolClientId: string;
  endpoint: string;
  relyingPartyId?: string;
}

type View = 'loading' | 'signed-out' | 'email-code' | 'new-password' | 'signed-in';

// ─── configuration ────────────────────────────────────────────────────────────────────────────────

function readConfig(): PageConfig {
  const raw = document.getElementById('latchkey-config')?.textContent;
  const parsed = raw ? (JSON.parse(raw) as Partial<PageConfig>) : {};
  if (!parsed.userPoolId || !parsed.userPoolClientId) throw new Error('The page is missing its user pool configuration.');
  // The endpoint is this page's own origin; prefer what the browser sees if a proxy changed the scheme.
  let endpoint = `${location.origin}/`;
  try {
    if (parsed.endpoint && new URL(parsed.endpoint).origin === location.origin) endpoint = parsed.endpoint;
  } catch {
    /* keep the page origin */
  }
  return { userPoolId: parsed.userPoolId, userPoolClientId: parsed.userPoolClientId, endpoint, relyingPartyId: parsed.relyingPartyId };
}

// ─── elements ─────────────────────────────────────────────────────────────────────────────────────

const el = {
  status: byId('status'),
  error: byId('error'),
  views: {
    loading: byId('loading-view'),
    'signed-out': byId('signin-view'),
    'email-code': byId('code-view'),
    'signed-in': byId('account-view'),
  } as Record<Exclude<View, 'new-password'>, HTMLElement>,
  signinTitle: byId('signin-title'),
  signinForm: byId<HTMLFormElement>('signin-form'),
  username: byId<HTMLInputElement>('username'),
  password: byId<HTMLInputElement>('password'),
  passkeyHint: byId('passkey-hint'),
  signOut: byId<HTMLButtonElement>('signout'),
};

let config: PageConfig;
let newPasswordView: HTMLElement | undefined;

function setView(view: View): void {
  for (const [name, node] of Object.entries(el.views)) node.hidden = name !== view;
  if (view !== 'new-password') {
    newPasswordView?.remove();
    newPasswordView = undefined;
  }
  document.body.dataset.state = view;
}

// ─── messages ─────────────────────────────────────────────────────────────────────────────────────

function clearMessages(): void {
  el.status.textContent = '';
  el.error.textContent = '';
  for (const input of [el.username, el.password]) input.removeAttribute('aria-invalid');
}

function showStatus(text: string): void {
  el.error.textContent = '';
  el.status.textContent = text;
}

function showError(text: string): void {
  el.status.textContent = '';
  el.error.textContent = text;
}

function fieldError(input: HTMLInputElement, text: string): void {
  showError(text);
  input.setAttribute('aria-invalid', 'true');
  input.focus();
}

const SESSION_ENDED = new Set(['UserUnAuthenticatedException', 'NotAuthorizedException', 'TokenRefreshException']);

let signalsAvailable = false;

/** The device offered a passkey the server no longer has (LatchkeyReason UnknownCredential). */
const unknownPasskey = () =>
  'This passkey is no longer on your account' +
  (signalsAvailable
    ? ', so your device was told to forget it. Sign in with another passkey or your password.'
    : '. Remove it from your device’s passwords and passkeys, then sign in with another passkey or your password.');

/** A sentence for the user, from the error's name (AuthError / PasskeyError, as in aws-amplify). */
function describeError(error: unknown, context: Context): string {
  const name = error instanceof Error ? error.name : '';
  if ((error as { latchkeyReason?: unknown } | undefined)?.latchkeyReason === 'UnknownCredential') return unknownPasskey();
  const message = error instanceof Error && error.message ? error.message : 'Something went wrong.';
  switch (name) {
    case 'NotAuthorizedException':
    case 'UserNotFoundException':
      if (context === 'password') return 'Incorrect username or password.';
      if (context === 'passkey' || context === 'email-code' || context === 'new-password') return ensurePeriod(message);
      return 'Your session has ended. Sign in again.';
    case 'UserUnAuthenticatedException':
    case 'TokenRefreshException':
      return 'Your session has ended. Sign in again.';
    case 'CodeMismatchException':
      return 'That code is not right. Check it and try again.';
    case 'ExpiredCodeException':
      return 'The code has expired. Cancel and ask for a new one.';
    case 'PasskeyAlreadyExists':
      return 'This device already has a passkey for this account.';
    case 'PasskeyRegistrationCanceled':
    case 'PasskeyAuthenticationCanceled':
    case 'PasskeyOperationAborted':
      return 'The passkey prompt was cancelled.';
    case 'LimitExceededException':
      return context === 'add'
        ? 'You have the maximum number of passkeys. Delete one to add another.'
        : 'Too many attempts. Wait a moment and try again.';
    case 'TooManyRequestsException':
    case 'TooManyFailedAttemptsException':
      return 'Too many attempts. Wait a moment and try again.';
    case 'RelyingPartyMismatch': {
      const rp = config.relyingPartyId;
      return rp
        ? `Passkeys for this user pool work only on "${rp}" (its relying party ID) and its subdomains, but this ` +
            `page is on "${location.hostname}". Open the page on "${rp}", or change the pool's relying party ID.`
        : `The user pool's passkey relying party ID must match this page's host ("${location.hostname}") or a parent domain of it.`;
    }
    case 'PasskeyNotSupported':
      return (
        'Passkeys are not available in this browser here. They need a secure ' +
        'page (HTTPS or localhost) and a browser with passkey support.'
      );
    case 'PasskeyRetrievalFailed':
      return 'No passkey was returned. Try again or sign in with your password.';
    case 'PasskeyRegistrationFailed':
      return 'Your device could not create a passkey.';
    case 'WebAuthnNotEnabledException':
      return 'Passkeys are not enabled for this user pool.';
    case 'WebAuthnChallengeNotFoundException':
      return 'The passkey request expired. Try again.';
    case 'EmptySignInUsername':
      return 'Enter your username.';
    case 'EmptySignInPassword':
      return 'Enter your password.';
    case 'InvalidPasswordException':
      return ensurePeriod(message);
    case 'NetworkError':
      return 'The server could not be reached. Check your connection and try again.';
    default:
      return ensurePeriod(message);
  }
}

function ensurePeriod(text: string): string {
  return /[.!?]$/.test(text) ? text : `${text}.`;
}

// ─── busy state ───────────────────────────────────────────────────────────────────────────────────

let busy = false;

function setBusy(on: boolean): void {
  busy = on;
  byId('main').setAttribute('aria-busy', String(on));
  for (const b of document.querySelectorAll<HTMLButtonElement>('main button')) {
    if (on) b.setAttribute('aria-disabled', 'true');
    else b.removeAttribute('aria-disabled');
  }
}

/**
 * Runs one user action: ignores clicks while another runs (buttons stay focusable, aria-disabled),
 * and turns errors into messages. A lost session sends the user back to sign-in.
 */
async function run(context: Context, task: () => Promise<void>): Promise<void> {
  if (busy) return;
  clearMessages();
  setBusy(true);
  try {
    // One ceremony at a time: a pending autofill or automatic upgrade gives way to what the user asked for.
    passkeys.cancelUpgrade();
    await autofill.abort();
    await task();
  } catch (error) {
    const name = error instanceof Error ? error.name : '';
    const signingIn = context === 'password' || context === 'passkey' || context === 'email-code' || context === 'new-password';
    if (name === 'UserAlreadyAuthenticatedException') {
      // Tokens from an earlier sign-in are still valid: show that account.
      await showAccount(true).catch((again: unknown) => showError(describeError(again, 'list')));
      return;
    }
    if (!signingIn && SESSION_ENDED.has(name)) {
      await signOut().catch(() => undefined);
      showSignIn();
    }
    showError(describeError(error, context));
    if (context === 'password' && name === 'NotAuthorizedException') {
      el.password.select();
      el.password.focus();
    }
  } finally {
    setBusy(false);
  }
}

// ─── signed out ───────────────────────────────────────────────────────────────────────────────────

function showSignIn(focus = true): void {
  el.password.value = '';
  setView('signed-out');
  if (focus) el.username.focus();
}

async function afterSignIn(result: SignInOutput): Promise<void> {
  el.status.textContent = ''; // the progress note ("Signing in…") is done
  if (result.isSignedIn || result.nextStep.signInStep === 'DONE') {
    el.password.value = '';
    await showAccount(true);
    return;
  }
  switch (result.nextStep.signInStep) {
    case 'CONFIRM_SIGN_IN_WITH_NEW_PASSWORD_REQUIRED':
      showNewPassword();
      return;
    case 'CONFIRM_SIGN_IN_WITH_TOTP_CODE':
      totp.showSignInCode();
      return;
    case 'CONFIRM_SIGN_UP':
      showError('This account is not confirmed yet. Confirm it with the code you were sent, then sign in.');
      return;
    case 'RESET_PASSWORD':
      showError('This account needs a password reset before it can sign in.');
      return;
    case 'CONTINUE_SIGN_IN_WITH_FIRST_FACTOR_SELECTION':
      // A passkey sign-in of an account without a passkey: the server offers the other factors.
      if (!result.nextStep.availableChallenges?.includes('WEB_AUTHN')) {
        showError(
          result.nextStep.availableChallenges?.some((c) => c === 'PASSWORD' || c === 'PASSWORD_SRP')
            ? 'No passkey on this account yet: sign in with your password, then add one.'
            : 'This account has no passkey and cannot sign in with a password on this page.',
        );
        el.password.focus();
        return;
      }
      showError(`This sign-in needs a step this page does not support (${result.nextStep.signInStep}).`);
      return;
    default:
      showError(`This sign-in needs a step this page does not support (${result.nextStep.signInStep}).`);
  }
}

el.signinForm.addEventListener('submit', (event) => {
  event.preventDefault();
  void run('password', async () => {
    const username = el.username.value.trim();
    const password = el.password.value;
    if (!username) return fieldError(el.username, 'Enter your username.');
    if (!password) return fieldError(el.password, 'Enter your password, or sign in with a passkey.');
    showStatus('Signing in…');
    const result = await signIn({ username, password });
    await afterSignIn(result);
    // The automatic upgrade: after a password sign-in, let the browser create a passkey if it can.
    if (result.isSignedIn) void passkeys.offerUpgrade();
  });
});

byId('signin-passkey').addEventListener('click', () => {
  void run('passkey', async () => {
    const username = el.username.value.trim();
    showStatus('Waiting for your passkey…');
    await afterSignIn(await signInWithPasskey(username ? { username } : {}));
  });
});

const totp = setupTotp({
  run,
  showStatus,
  fieldError,
  showCodeView: () => setView('email-code'),
  username: () => byId('current-username').textContent ?? '',
});

setupEmailCode({
  run,
  afterSignIn,
  showCodeView: () => setView('email-code'),
  showSignIn,
  clearMessages,
  showStatus,
  fieldError,
  username: el.username,
});

function showNewPassword(): void {
  setView('new-password');
  newPasswordView = renderNewPassword({
    run,
    afterSignIn,
    clearMessages,
    showSignIn,
    showStatus,
    showError,
    username: el.username.value.trim(),
    after: el.views['signed-out'],
  });
}

// ─── signed in ────────────────────────────────────────────────────────────────────────────────────

const passkeys = setupPasskeys({
  run,
  isBusy: () => busy,
  clearMessages,
  showStatus,
  showError,
  showSignedIn: () => setView('signed-in'),
  endpoint: location.origin,
  relyingPartyId: () => config.relyingPartyId,
});
async function showAccount(focusHeading = false): Promise<void> {
  await passkeys.showAccount(focusHeading);
  await totp.refresh();
}

const autofill = setupAutofill({
  username: el.username,
  available: async () => (await getPasskeySupport()).conditionalMediation,
  canStart: () => !busy && document.body.dataset.state === 'signed-out',
  signedIn: (result) => run('passkey', () => afterSignIn(result)),
  failed: (error) => showError(describeError(error, 'passkey')),
});

el.signOut.addEventListener('click', () => {
  void run('sign-out', async () => {
    await signOut();
    showSignIn();
    showStatus('You have signed out.');
  });
});

/** Passkeys only work where the page host is the pool's RP ID or under it: say so up front, with a link. */
function warnIfWrongHost(): void {
  const rp = config.relyingPartyId;
  const host = location.hostname;
  if (!rp || host === rp || host.endsWith(`.${rp}`)) return;
  const url = new URL(location.href);
  url.hostname = rp;
  el.passkeyHint.replaceChildren(
    `Passkeys for this pool work only on ${rp}. `,
    ...(/^[a-z0-9.-]+$/i.test(rp) ? [h('a', { href: url.href }, `Open this page on ${rp}`), '.'] : []),
  );
  el.passkeyHint.classList.add('hint-warning');
}

// ─── start ────────────────────────────────────────────────────────────────────────────────────────

async function start(): Promise<void> {
  try {
    config = readConfig();
  } catch (error) {
    setView('loading');
    showError(describeError(error, 'list'));
    return;
  }
  configure({
    Auth: { Cognito: { userPoolId: config.userPoolId, userPoolClientId: config.userPoolClientId, userPoolEndpoint: config.endpoint } },
  });
  void getPasskeySupport().then(
    (support) => {
      signalsAvailable = support.signals;
      if (!support.supported) el.passkeyHint.textContent = 'This browser cannot use passkeys on this page (they need HTTPS or localhost).';
    },
    () => undefined,
  );
  warnIfWrongHost();
  let signedIn = false;
  try {
    await getCurrentUser();
    signedIn = true;
  } catch {
    signedIn = false;
  }
  if (!signedIn) {
    showSignIn(false);
    return;
  }
  setBusy(true);
  try {
    await showAccount();
  } catch (error) {
    const name = error instanceof Error ? error.name : '';
    if (SESSION_ENDED.has(name)) {
      await signOut().catch(() => undefined);
      showSignIn(false);
    }
    showError(describeError(error, 'list'));
  } finally {
    setBusy(false);
  }
}

void start();

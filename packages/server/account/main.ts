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
 *     getByLabel('Username')                   #username
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
 *       listitem [data-credential-id]           .passkey-name (friendly name), .passkey-created
 *                                               ("Added <date>"), .passkey-last-used ("Last used just now |
 *                                               5 minutes ago | <date>" or "Never used"; exact ISO time in
 *                                               <time datetime>), .passkey-kind ("Built-in" | "External"),
 *                                               button "Delete"
 *       after "Delete": group "Delete <name>?" in that item with buttons "Confirm delete" and "Cancel"
 *       (the item's "Delete" button is hidden meanwhile; Escape also cancels; focus goes to "Cancel")
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
 * then add one." (passkey sign-in of an account without one) · otherwise the server's message.
 *
 * Last used: Cognito's ListWebAuthnCredentials has no last-used member and @latchkey/auth maps only
 * Cognito's members, so the page reads Latchkey's extra `LastUsedAt` (epoch seconds) from the raw
 * response through the `fetch` option of configure().
 */
import {
  associateWebAuthnCredential,
  configure,
  confirmSignIn,
  deleteWebAuthnCredential,
  getCurrentUser,
  getPasskeySupport,
  listWebAuthnCredentials,
  signIn,
  signInWithPasskey,
  signOut,
  type AuthWebAuthnCredential,
  type SignInOutput,
} from '@latchkey/auth';
import { setupEmailCode } from './emailCode.js';
import { setupTotp } from './totp.js';

interface PageConfig {
  userPoolId: string;
  userPoolClientId: string;
  endpoint: string;
  relyingPartyId?: string;
}

type View = 'loading' | 'signed-out' | 'email-code' | 'new-password' | 'signed-in';
type Context = 'password' | 'passkey' | 'email-code' | 'new-password' | 'add' | 'list' | 'delete' | 'sign-out' | 'totp';

const PAGE_SIZE = 20;

// ─── DOM helpers ──────────────────────────────────────────────────────────────────────────────────

function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const found = document.getElementById(id);
  if (!found) throw new Error(`#${id} is missing from the page`);
  return found as T;
}

function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, string> = {},
  ...children: (Node | string)[]
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (name === 'class') node.className = value;
    else node.setAttribute(name, value);
  }
  node.append(...children);
  return node;
}

function button(
  label: string,
  variant: 'primary' | 'secondary' | 'danger' | 'quiet',
  extra: Record<string, string> = {},
): HTMLButtonElement {
  return h('button', { type: 'button', class: `button button-${variant} button-small`, ...extra }, label);
}

let idCounter = 0;
const uniqueId = (prefix: string) => `${prefix}-${++idCounter}`;

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

/** credentialId → last use (epoch ms), read from Latchkey's `LastUsedAt` extension member. */
const lastUsed = new Map<string, number>();

/** `fetch` that notes `LastUsedAt` from ListWebAuthnCredentials responses (the library drops unknown members). */
const trackingFetch: typeof fetch = async (input, init) => {
  const response = await fetch(input, init);
  const target = new Headers(init?.headers).get('x-amz-target');
  if (response.ok && target?.endsWith('.ListWebAuthnCredentials')) {
    try {
      const body = (await response.clone().json()) as { Credentials?: { CredentialId?: unknown; LastUsedAt?: unknown }[] };
      for (const c of body.Credentials ?? []) {
        if (typeof c.CredentialId !== 'string') continue;
        if (typeof c.LastUsedAt === 'number') lastUsed.set(c.CredentialId, c.LastUsedAt * 1000);
        else lastUsed.delete(c.CredentialId);
      }
    } catch {
      /* a malformed body is reported by the library itself */
    }
  }
  return response;
};

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
  accountHeading: byId('account-heading'),
  currentUsername: byId('current-username'),
  signOut: byId<HTMLButtonElement>('signout'),
  addPasskey: byId<HTMLButtonElement>('add-passkey'),
  list: byId<HTMLUListElement>('passkey-list'),
  empty: byId('passkeys-empty'),
  pager: byId('passkey-pages'),
  prev: byId<HTMLButtonElement>('page-prev'),
  next: byId<HTMLButtonElement>('page-next'),
  pageLabel: byId('page-label'),
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

/** A sentence for the user, from the error's name (AuthError / PasskeyError, as in aws-amplify). */
function describeError(error: unknown, context: Context): string {
  const name = error instanceof Error ? error.name : '';
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
    await afterSignIn(await signIn({ username, password }));
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
  username: () => el.currentUsername.textContent ?? '',
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
  const titleId = uniqueId('newpw-title');
  const input = h('input', { id: 'new-password', name: 'new-password', type: 'password', autocomplete: 'new-password', required: '' });
  const cancel = button('Cancel', 'secondary');
  cancel.classList.remove('button-small');
  const form = h(
    'form',
    { class: 'stack', novalidate: '' },
    // For password managers: which account the new password belongs to.
    h('input', {
      type: 'text',
      name: 'username',
      autocomplete: 'username',
      value: el.username.value.trim(),
      hidden: '',
      tabindex: '-1',
      'aria-hidden': 'true',
    }),
    h('div', { class: 'field' }, h('label', { for: 'new-password' }, 'New password'), input),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'button button-primary' }, 'Set new password'), cancel),
  );
  const title = h('h1', { id: titleId, tabindex: '-1' }, 'Choose a new password');
  // No aria-labelledby on the section: getByLabel('New password') must match the input alone.
  const view = h(
    'section',
    { id: 'newpw-view', class: 'view' },
    title,
    h('p', { class: 'muted' }, 'Your account was created with a temporary password. Choose your own to finish signing in.'),
    form,
  );
  setView('new-password');
  el.views['signed-out'].after(view);
  newPasswordView = view;
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void run('new-password', async () => {
      if (!input.value) {
        showError('Enter a new password.');
        input.setAttribute('aria-invalid', 'true');
        input.focus();
        return;
      }
      input.removeAttribute('aria-invalid');
      showStatus('Setting your password…');
      await afterSignIn(await confirmSignIn({ challengeResponse: input.value }));
    });
  });
  cancel.addEventListener('click', () => {
    clearMessages();
    showSignIn();
  });
  title.focus();
}

// ─── signed in ────────────────────────────────────────────────────────────────────────────────────

/** Tokens of each page: pageTokens[i] fetches page i (undefined for the first). */
let pageTokens: (string | undefined)[] = [undefined];
let pageIndex = 0;

async function showAccount(focusHeading = false): Promise<void> {
  const user = await getCurrentUser();
  el.currentUsername.textContent = user.username;
  pageTokens = [undefined];
  pageIndex = 0;
  el.list.replaceChildren();
  el.empty.hidden = true;
  el.pager.hidden = true;
  setView('signed-in');
  if (focusHeading) el.accountHeading.focus();
  await loadPage(0);
  await totp.refresh();
}

async function loadPage(index: number): Promise<void> {
  const { credentials, nextToken } = await listWebAuthnCredentials({ pageSize: PAGE_SIZE, nextToken: pageTokens[index] });
  if (credentials.length === 0 && index > 0) return loadPage(index - 1);
  pageIndex = index;
  pageTokens.length = index + 1;
  if (nextToken) pageTokens.push(nextToken);
  renderPasskeys(credentials);
}

function formatDate(date: Date, withTime: boolean): string {
  return date.toLocaleString(undefined, withTime ? { dateStyle: 'medium', timeStyle: 'short' } : { dateStyle: 'medium' });
}

function timeElement(date: Date, withTime: boolean): HTMLTimeElement {
  return h('time', { datetime: date.toISOString(), title: formatDate(date, true) }, formatDate(date, withTime));
}

const relative = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });

/** "just now", "5 minutes ago", "yesterday", … within a week; the date after that. Exact time in the tooltip. */
function relativeTimeElement(date: Date): HTMLTimeElement {
  const seconds = (date.getTime() - Date.now()) / 1000;
  const abs = Math.abs(seconds);
  let text: string;
  if (abs < 60) text = 'just now';
  else if (abs < 3600) text = relative.format(Math.round(seconds / 60), 'minute');
  else if (abs < 86_400) text = relative.format(Math.round(seconds / 3600), 'hour');
  else if (abs < 7 * 86_400) text = relative.format(Math.round(seconds / 86_400), 'day');
  else text = formatDate(date, false);
  return h('time', { datetime: date.toISOString(), title: formatDate(date, true) }, text);
}

function renderPasskeys(credentials: AuthWebAuthnCredential[]): void {
  el.list.replaceChildren(...credentials.map(passkeyItem));
  el.empty.hidden = credentials.length > 0 || pageIndex > 0;
  const paged = pageIndex > 0 || pageTokens.length > pageIndex + 1;
  el.pager.hidden = !paged;
  el.prev.hidden = pageIndex === 0;
  el.next.hidden = pageTokens.length <= pageIndex + 1;
  el.pageLabel.textContent = `Page ${pageIndex + 1}`;
}

function passkeyItem(credential: AuthWebAuthnCredential): HTMLLIElement {
  const id = credential.credentialId ?? '';
  const name = credential.friendlyCredentialName || 'Passkey';
  const nameId = uniqueId('passkey-name');
  const used = lastUsed.get(id);
  const created = credential.createdAt
    ? h('span', { class: 'passkey-created' }, 'Added ', timeElement(credential.createdAt, false))
    : h('span', { class: 'passkey-created' }, 'Added —');
  const lastUse = used
    ? h('span', { class: 'passkey-last-used' }, 'Last used ', relativeTimeElement(new Date(used)))
    : h('span', { class: 'passkey-last-used' }, 'Never used');
  const kind =
    credential.authenticatorAttachment === 'platform'
      ? 'Built-in'
      : credential.authenticatorAttachment === 'cross-platform'
        ? 'External'
        : '';
  const kindTitle =
    kind === 'Built-in' ? 'Built into a device (platform authenticator)' : 'A security key or another device such as a phone';
  const del = button('Delete', 'quiet', { 'aria-describedby': nameId, class: 'button button-quiet button-small passkey-delete' });
  const item = h(
    'li',
    { class: 'passkey', 'data-credential-id': id },
    h('span', { class: 'passkey-icon', 'aria-hidden': 'true' }),
    h(
      'div',
      { class: 'passkey-info' },
      h(
        'span',
        { class: 'passkey-title' },
        h('span', { class: 'passkey-name', id: nameId }, name),
        ...(kind ? [h('span', { class: 'passkey-kind', title: kindTitle }, kind)] : []),
      ),
      h('span', { class: 'passkey-meta' }, created, lastUse),
    ),
    del,
  );
  del.addEventListener('click', () => {
    if (!busy) openConfirm(item, del, id, name);
  });
  return item;
}

function closeConfirms(): void {
  for (const group of el.list.querySelectorAll('.confirm')) group.remove();
  for (const b of el.list.querySelectorAll<HTMLButtonElement>('.passkey-delete')) b.hidden = false;
}

function openConfirm(item: HTMLLIElement, del: HTMLButtonElement, credentialId: string, name: string): void {
  closeConfirms();
  clearMessages();
  const questionId = uniqueId('confirm-question');
  const confirm = button('Confirm delete', 'danger');
  const cancel = button('Cancel', 'secondary');
  const group = h(
    'div',
    { class: 'confirm', role: 'group', 'aria-labelledby': questionId },
    h('p', { id: questionId, class: 'confirm-question' }, `Delete ${name}?`),
    h('p', { class: 'confirm-note' }, 'You will no longer be able to sign in with this passkey.'),
    h('div', { class: 'actions' }, confirm, cancel),
  );
  const close = () => {
    group.remove();
    del.hidden = false;
    del.focus();
  };
  cancel.addEventListener('click', () => {
    if (!busy) close();
  });
  group.addEventListener('keydown', (event) => {
    if (event.key === 'Escape' && !busy) {
      event.preventDefault();
      close();
    }
  });
  confirm.addEventListener('click', () => {
    const position = [...el.list.children].indexOf(item);
    void run('delete', async () => {
      showStatus(`Deleting ${name}…`);
      await deleteWebAuthnCredential({ credentialId });
      lastUsed.delete(credentialId);
      await loadPage(pageIndex);
      showStatus(`Deleted ${name}.`);
      const buttons = el.list.querySelectorAll<HTMLButtonElement>('.passkey-delete');
      (buttons[Math.min(position, buttons.length - 1)] ?? el.addPasskey).focus();
    });
  });
  del.hidden = true;
  item.append(group);
  cancel.focus();
}

el.addPasskey.addEventListener('click', () => {
  void run('add', async () => {
    showStatus('Follow your browser’s prompt to create a passkey…');
    await associateWebAuthnCredential();
    await loadPage(pageIndex);
    showStatus('Passkey added.');
  });
});

el.signOut.addEventListener('click', () => {
  void run('sign-out', async () => {
    await signOut();
    lastUsed.clear();
    showSignIn();
    showStatus('You have signed out.');
  });
});

el.prev.addEventListener('click', () => {
  void run('list', async () => {
    await loadPage(Math.max(0, pageIndex - 1));
    (el.prev.hidden ? el.next : el.prev).focus();
  });
});

el.next.addEventListener('click', () => {
  void run('list', async () => {
    await loadPage(pageIndex + 1);
    (el.next.hidden ? el.prev : el.next).focus();
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
  configure(
    { Auth: { Cognito: { userPoolId: config.userPoolId, userPoolClientId: config.userPoolClientId, userPoolEndpoint: config.endpoint } } },
    { fetch: trackingFetch },
  );
  void getPasskeySupport().then(
    (support) => {
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

/**
 * The signed-in view's passkey list (#account-view): items, paging, inline rename, delete with its
 * confirmation, "Add a passkey", and the automatic passkey upgrade after a password sign-in. main.ts hands
 * over what it shares (run, the messages); the names browser tests use are listed in main.ts.
 *
 * Each item shows the friendly name, the provider (name and the icon Latchkey serves for known AAGUIDs),
 * "Synced" or "This device only" (the BE flag), when it was added and when it was last used (date and time).
 * Deleting and renaming are followed by the Signal API's signalAllAcceptedCredentials (@latchkey/auth does it);
 * showing the account by signalCurrentUserDetails with the current username and display name.
 */
import {
  associateWebAuthnCredential,
  deleteWebAuthnCredential,
  getCurrentUser,
  getPasskeySupport,
  listWebAuthnCredentials,
  signalPasskeyUserDetails,
  updateWebAuthnCredential,
  type AuthWebAuthnCredential,
} from '@latchkey/auth';
import { button, byId, h, uniqueId, type Run } from './dom.js';

export interface PasskeysDeps {
  run: Run;
  isBusy(): boolean;
  clearMessages(): void;
  showStatus(text: string): void;
  showError(text: string): void;
  showSignedIn(): void;
  /** The page's endpoint (its own origin): icons are loaded from it, as the CSP allows. */
  endpoint: string;
  /** The pool's RP ID, when it has one (the Signal API calls name it). */
  relyingPartyId(): string | undefined;
}

const PAGE_SIZE = 20;

export function setupPasskeys(deps: PasskeysDeps) {
  const el = {
    accountHeading: byId('account-heading'),
    currentUsername: byId('current-username'),
    addPasskey: byId<HTMLButtonElement>('add-passkey'),
    list: byId<HTMLUListElement>('passkey-list'),
    empty: byId('passkeys-empty'),
    pager: byId('passkey-pages'),
    prev: byId<HTMLButtonElement>('page-prev'),
    next: byId<HTMLButtonElement>('page-next'),
    pageLabel: byId('page-label'),
  };

  /** Tokens of each page: pageTokens[i] fetches page i (undefined for the first). */
  let pageTokens: (string | undefined)[] = [undefined];
  let pageIndex = 0;
  let upgrade: AbortController | undefined;

  async function showAccount(focusHeading = false): Promise<void> {
    const user = await getCurrentUser();
    el.currentUsername.textContent = user.username;
    // The provider shows the names given at registration: refresh them (a no-op without the Signal API).
    const rpId = deps.relyingPartyId();
    void signalPasskeyUserDetails({ name: user.username, ...(rpId ? { rpId } : {}) });
    pageTokens = [undefined];
    pageIndex = 0;
    el.list.replaceChildren();
    el.empty.hidden = true;
    el.pager.hidden = true;
    deps.showSignedIn();
    if (focusHeading) el.accountHeading.focus();
    await loadPage(0);
  }

  async function loadPage(index: number): Promise<void> {
    const { credentials, nextToken } = await listWebAuthnCredentials({ pageSize: PAGE_SIZE, nextToken: pageTokens[index] });
    if (credentials.length === 0 && index > 0) return loadPage(index - 1);
    pageIndex = index;
    pageTokens.length = index + 1;
    if (nextToken) pageTokens.push(nextToken);
    renderPasskeys(credentials);
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

  /** The provider icon from this page's origin (the CSP allows images from 'self' only). */
  function iconSource(url: string): string | undefined {
    try {
      const u = new URL(url);
      return /^\/passkey-icons\/[0-9a-f-]+\.svg$/.test(u.pathname) ? new URL(u.pathname, deps.endpoint).href : undefined;
    } catch {
      return undefined;
    }
  }

  function passkeyItem(credential: AuthWebAuthnCredential): HTMLLIElement {
    const id = credential.credentialId ?? '';
    const name = credential.friendlyCredentialName || 'Passkey';
    const nameId = uniqueId('passkey-name');
    const created = credential.createdAt
      ? h('span', { class: 'passkey-created' }, 'Added ', timeElement(credential.createdAt, false))
      : h('span', { class: 'passkey-created' }, 'Added —');
    const lastUse = credential.lastUsedAt
      ? h('span', { class: 'passkey-last-used' }, 'Last used ', timeElement(credential.lastUsedAt, true))
      : h('span', { class: 'passkey-last-used' }, 'Never used');
    const kind =
      credential.authenticatorAttachment === 'platform'
        ? 'Built-in'
        : credential.authenticatorAttachment === 'cross-platform'
          ? 'External'
          : '';
    const kindTitle =
      kind === 'Built-in' ? 'Built into a device (platform authenticator)' : 'A security key or another device such as a phone';
    const sync =
      credential.backupEligible === undefined
        ? []
        : [
            h(
              'span',
              {
                class: `passkey-sync ${credential.backupEligible ? 'passkey-synced' : 'passkey-local'}`,
                title: credential.backupEligible
                  ? 'Saved in a password manager that makes it available on your other devices'
                  : 'Kept on this one device or security key; it is gone if the device is lost',
              },
              credential.backupEligible ? 'Synced' : 'This device only',
            ),
          ];
    const src = credential.providerIconUrl ? iconSource(credential.providerIconUrl) : undefined;
    const icon = src
      ? h('img', { class: 'passkey-icon passkey-provider-icon', src, alt: credential.providerName ?? '', width: '32', height: '32' })
      : h('span', { class: 'passkey-icon', 'aria-hidden': 'true' });
    // The provider's name, unless the passkey is still called by it.
    const provider =
      credential.providerName && credential.providerName !== name
        ? [h('span', { class: 'passkey-provider' }, credential.providerName)]
        : [];
    const rename = button('Rename', 'secondary', {
      'aria-describedby': nameId,
      class: 'button button-secondary button-small passkey-rename',
    });
    const del = button('Delete', 'quiet', { 'aria-describedby': nameId, class: 'button button-quiet button-small passkey-delete' });
    const title = h(
      'span',
      { class: 'passkey-title' },
      h('span', { class: 'passkey-name', id: nameId }, name),
      ...(kind ? [h('span', { class: 'passkey-kind', title: kindTitle }, kind)] : []),
      ...sync,
    );
    const item = h(
      'li',
      { class: 'passkey', 'data-credential-id': id },
      icon,
      h('div', { class: 'passkey-info' }, title, h('span', { class: 'passkey-meta' }, ...provider, created, lastUse)),
      h('div', { class: 'passkey-actions' }, rename, del),
    );
    rename.addEventListener('click', () => {
      if (!deps.isBusy()) openRename(item, title, rename, id, name);
    });
    del.addEventListener('click', () => {
      if (!deps.isBusy()) openConfirm(item, del, id, name);
    });
    return item;
  }

  function closeEditors(): void {
    for (const group of el.list.querySelectorAll('.confirm, .rename-form')) group.remove();
    for (const node of el.list.querySelectorAll<HTMLElement>('.passkey-delete, .passkey-rename, .passkey-title')) node.hidden = false;
  }

  /** Inline rename: the name becomes a field with Save / Cancel (Enter saves, Escape cancels). */
  function openRename(item: HTMLLIElement, title: HTMLElement, rename: HTMLButtonElement, credentialId: string, name: string): void {
    closeEditors();
    deps.clearMessages();
    const inputId = uniqueId('rename-input');
    const input = h('input', { id: inputId, type: 'text', value: name, maxlength: '256', autocomplete: 'off', spellcheck: 'false' });
    const save = h('button', { type: 'submit', class: 'button button-primary button-small' }, 'Save');
    const cancel = button('Cancel', 'secondary');
    const form = h(
      'form',
      { class: 'rename-form', novalidate: '' },
      h('label', { for: inputId }, 'Passkey name'),
      input,
      h('div', { class: 'actions' }, save, cancel),
    );
    const close = () => {
      form.remove();
      title.hidden = false;
      rename.hidden = false;
      rename.focus();
    };
    cancel.addEventListener('click', () => {
      if (!deps.isBusy()) close();
    });
    form.addEventListener('keydown', (event) => {
      if (event.key === 'Escape' && !deps.isBusy()) {
        event.preventDefault();
        close();
      }
    });
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      const friendlyCredentialName = input.value.trim();
      if (!friendlyCredentialName) {
        deps.showError('Enter a name for the passkey.');
        input.setAttribute('aria-invalid', 'true');
        input.focus();
        return;
      }
      void deps.run('rename', async () => {
        deps.showStatus('Saving the name…');
        await updateWebAuthnCredential({ credentialId, friendlyCredentialName });
        await loadPage(pageIndex);
        deps.showStatus(`Renamed to ${friendlyCredentialName}.`);
        el.list.querySelector<HTMLButtonElement>(`li[data-credential-id="${CSS.escape(credentialId)}"] .passkey-rename`)?.focus();
      });
    });
    title.hidden = true;
    rename.hidden = true;
    item.querySelector('.passkey-info')!.prepend(form);
    input.select();
    input.focus();
  }

  function openConfirm(item: HTMLLIElement, del: HTMLButtonElement, credentialId: string, name: string): void {
    closeEditors();
    deps.clearMessages();
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
      if (!deps.isBusy()) close();
    });
    group.addEventListener('keydown', (event) => {
      if (event.key === 'Escape' && !deps.isBusy()) {
        event.preventDefault();
        close();
      }
    });
    confirm.addEventListener('click', () => {
      const position = [...el.list.children].indexOf(item);
      void deps.run('delete', async () => {
        deps.showStatus(`Deleting ${name}…`);
        await deleteWebAuthnCredential({ credentialId });
        await loadPage(pageIndex);
        deps.showStatus(`Deleted ${name}.`);
        const buttons = el.list.querySelectorAll<HTMLButtonElement>('.passkey-delete');
        (buttons[Math.min(position, buttons.length - 1)] ?? el.addPasskey).focus();
      });
    });
    del.hidden = true;
    item.append(group);
    cancel.focus();
  }

  /**
   * The automatic passkey upgrade after a password sign-in (conditional create): where the browser can, it
   * creates a passkey without a prompt; where it cannot or will not, nothing is shown. A pending upgrade is
   * abandoned (aborted) as soon as the user does anything else, since a browser runs one ceremony at a time.
   */
  async function offerUpgrade(): Promise<void> {
    if (!(await getPasskeySupport()).conditionalCreate) return;
    const controller = new AbortController();
    upgrade = controller;
    try {
      await associateWebAuthnCredential({ mediation: 'conditional', signal: controller.signal });
      if (controller.signal.aborted) return;
      await loadPage(pageIndex);
      deps.showStatus('A passkey was added to your account: next time, sign in with it instead of your password.');
    } catch {
      // Declined, not possible here, aborted, or this device already has one: the page stays as it was.
    } finally {
      if (upgrade === controller) upgrade = undefined;
    }
  }

  function cancelUpgrade(): void {
    upgrade?.abort();
    upgrade = undefined;
  }

  el.addPasskey.addEventListener('click', () => {
    void deps.run('add', async () => {
      deps.showStatus('Follow your browser’s prompt to create a passkey…');
      await associateWebAuthnCredential();
      await loadPage(pageIndex);
      deps.showStatus('Passkey added.');
    });
  });

  el.prev.addEventListener('click', () => {
    void deps.run('list', async () => {
      await loadPage(Math.max(0, pageIndex - 1));
      (el.prev.hidden ? el.next : el.prev).focus();
    });
  });

  el.next.addEventListener('click', () => {
    void deps.run('list', async () => {
      await loadPage(pageIndex + 1);
      (el.next.hidden ? el.prev : el.next).focus();
    });
  });

  return { showAccount, offerUpgrade, cancelUpgrade };
}

function formatDate(date: Date, withTime: boolean): string {
  return date.toLocaleString(undefined, withTime ? { dateStyle: 'medium', timeStyle: 'short' } : { dateStyle: 'medium' });
}

function timeElement(date: Date, withTime: boolean): HTMLTimeElement {
  return h('time', { datetime: date.toISOString(), title: formatDate(date, true) }, formatDate(date, withTime));
}

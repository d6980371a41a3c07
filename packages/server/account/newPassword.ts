/**
 * "Choose a new password" (#newpw-view): the NEW_PASSWORD_REQUIRED step of a sign-in with a temporary password,
 * built only when needed. main.ts shows it after the sign-in view and removes it when another view shows.
 */
import { confirmSignIn, type SignInOutput } from '@latchkey/auth';
import { button, h, uniqueId, type Run } from './dom.js';

export interface NewPasswordDeps {
  run: Run;
  afterSignIn(result: SignInOutput): Promise<void>;
  clearMessages(): void;
  showSignIn(): void;
  showStatus(text: string): void;
  showError(text: string): void;
  /** The username typed on the sign-in form (for password managers). */
  username: string;
  /** The view goes right after this one. */
  after: HTMLElement;
}

export function renderNewPassword(deps: NewPasswordDeps): HTMLElement {
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
      value: deps.username,
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
  deps.after.after(view);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void deps.run('new-password', async () => {
      if (!input.value) {
        deps.showError('Enter a new password.');
        input.setAttribute('aria-invalid', 'true');
        input.focus();
        return;
      }
      input.removeAttribute('aria-invalid');
      deps.showStatus('Setting your password…');
      await deps.afterSignIn(await confirmSignIn({ challengeResponse: input.value }));
    });
  });
  cancel.addEventListener('click', () => {
    deps.clearMessages();
    deps.showSignIn();
  });
  title.focus();
  return view;
}

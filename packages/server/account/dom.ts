/** DOM helpers shared by the account page's files (main.ts, passkeys.ts, signin.ts, emailCode.ts). */

export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const found = document.getElementById(id);
  if (!found) throw new Error(`#${id} is missing from the page`);
  return found as T;
}

export function h<K extends keyof HTMLElementTagNameMap>(
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

export function button(
  label: string,
  variant: 'primary' | 'secondary' | 'danger' | 'quiet',
  extra: Record<string, string> = {},
): HTMLButtonElement {
  return h('button', { type: 'button', class: `button button-${variant} button-small`, ...extra }, label);
}

let idCounter = 0;
export const uniqueId = (prefix: string) => `${prefix}-${++idCounter}`;

/** What every user action goes through (main.ts `run`): busy state, messages, a lost session. */
export type Context = 'password' | 'passkey' | 'email-code' | 'new-password' | 'add' | 'list' | 'delete' | 'rename' | 'sign-out' | 'totp';
export type Run = (context: Context, task: () => Promise<void>) => Promise<void>;

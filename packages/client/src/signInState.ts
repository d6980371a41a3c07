/**
 * The in-progress sign-in (username, challenge, Cognito Session) between `signIn` and `confirmSignIn`.
 * As in Amplify it lives in memory and is mirrored to `sessionStorage` (when available) under
 * `CognitoSignInState.*`, so a page reload in the middle of a sign-in can continue; the mirrored copy
 * is only used if it is less than 3 minutes old (Cognito's default auth-session validity). Whether a
 * Session is still valid is otherwise the server's call.
 */
import { AUTH_SESSION_MINUTES } from '@latchkey/wire';
import { usableWebStorage } from './storage.js';
import type { ChallengeName, CognitoAuthSignInDetails } from './types.js';

export interface SignInState {
  username?: string;
  challengeName?: ChallengeName;
  signInSession?: string;
  signInDetails?: CognitoAuthSignInDetails;
}

const MS_TO_EXPIRY = AUTH_SESSION_MINUTES * 60 * 1000;
const KEYS = {
  username: 'CognitoSignInState.username',
  challengeName: 'CognitoSignInState.challengeName',
  signInSession: 'CognitoSignInState.signInSession',
  expiry: 'CognitoSignInState.expiry',
} as const;

/** undefined until first read (then hydrated from sessionStorage once). */
let state: SignInState | undefined;

export function getSignInState(): SignInState {
  if (!state) {
    const store = usableWebStorage('sessionStorage');
    if (store && Number(store.getItem(KEYS.expiry) ?? 0) > Date.now()) {
      state = {
        username: store.getItem(KEYS.username) ?? undefined,
        challengeName: (store.getItem(KEYS.challengeName) ?? undefined) as ChallengeName | undefined,
        signInSession: store.getItem(KEYS.signInSession) ?? undefined,
      };
    } else {
      resetSignInState();
    }
  }
  return state!;
}

export function setSignInState(next: SignInState): void {
  state = { ...next };
  const store = usableWebStorage('sessionStorage');
  if (!store) return;
  if (next.username) store.setItem(KEYS.username, next.username);
  if (next.challengeName) store.setItem(KEYS.challengeName, next.challengeName);
  if (next.signInSession) {
    store.setItem(KEYS.signInSession, next.signInSession);
    store.setItem(KEYS.expiry, String(Date.now() + MS_TO_EXPIRY));
  }
}

export function resetSignInState(): void {
  state = {};
  const store = usableWebStorage('sessionStorage');
  if (store) for (const key of Object.values(KEYS)) store.removeItem(key);
}

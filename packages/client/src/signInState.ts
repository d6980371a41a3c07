/**
 * The in-progress sign-in (username, challenge, Cognito Session) between `signIn` and `confirmSignIn`.
 * Like Amplify, it is mirrored to `sessionStorage` (when available) under `CognitoSignInState.*` and
 * expires 3 minutes after the last Session was received (Cognito's default auth-session validity).
 */
import { usableWebStorage } from './storage.js';
import type { ChallengeName, CognitoAuthSignInDetails } from './types.js';

export interface SignInState {
  username?: string;
  challengeName?: ChallengeName;
  signInSession?: string;
  signInDetails?: CognitoAuthSignInDetails;
}

const MS_TO_EXPIRY = 3 * 60 * 1000;
const KEYS = {
  username: 'CognitoSignInState.username',
  challengeName: 'CognitoSignInState.challengeName',
  signInSession: 'CognitoSignInState.signInSession',
  expiry: 'CognitoSignInState.expiry',
} as const;

let state: SignInState | undefined;
let expiresAt = 0;

export function getSignInState(): SignInState {
  if (state && Date.now() < expiresAt) return state;
  if (!state) {
    // hydrate once per page load from sessionStorage (a reload in the middle of a sign-in)
    const store = usableWebStorage('sessionStorage');
    const expiry = Number(store?.getItem(KEYS.expiry) ?? 0);
    if (store && expiry > Date.now()) {
      expiresAt = expiry;
      state = {
        username: store.getItem(KEYS.username) ?? undefined,
        challengeName: (store.getItem(KEYS.challengeName) ?? undefined) as ChallengeName | undefined,
        signInSession: store.getItem(KEYS.signInSession) ?? undefined,
      };
      return state;
    }
  }
  resetSignInState();
  return {};
}

export function setSignInState(next: SignInState): void {
  state = { ...next };
  if (next.signInSession) expiresAt = Date.now() + MS_TO_EXPIRY;
  else if (!expiresAt || expiresAt < Date.now()) expiresAt = Date.now() + MS_TO_EXPIRY;
  const store = usableWebStorage('sessionStorage');
  if (!store) return;
  if (next.username) store.setItem(KEYS.username, next.username);
  if (next.challengeName) store.setItem(KEYS.challengeName, next.challengeName);
  if (next.signInSession) {
    store.setItem(KEYS.signInSession, next.signInSession);
    store.setItem(KEYS.expiry, String(expiresAt));
  }
}

export function resetSignInState(): void {
  state = {};
  expiresAt = 0;
  const store = usableWebStorage('sessionStorage');
  if (store) for (const key of Object.values(KEYS)) store.removeItem(key);
}

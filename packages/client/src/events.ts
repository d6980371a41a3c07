import type { AuthEventListener, AuthEventPayload } from './types.js';

let listeners: AuthEventListener[] = [];

/**
 * Extension (Amplify: `Hub.listen('auth', ({ payload }) => …)`). Subscribes to `signedIn`,
 * `signedOut`, `tokenRefresh` and `tokenRefresh_failure`; the listener receives the same
 * `{ event, data }` payload Amplify puts on the Hub. Returns the unsubscribe function.
 */
export function onAuthEvent(listener: AuthEventListener): () => void {
  listeners = [...listeners, listener];
  return () => {
    listeners = listeners.filter((l) => l !== listener);
  };
}

export function emit(payload: AuthEventPayload): void {
  for (const listener of listeners) {
    try {
      listener(payload);
    } catch {
      // a failing listener must not break the auth flow
    }
  }
}

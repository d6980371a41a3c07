/**
 * Cognito's default `AuthSessionValidity`, in minutes: how long a sign-in in progress (a challenge `Session`)
 * lives. The server's app-client default and the client's stored sign-in state both use it, as Amplify keeps
 * its sign-in state exactly this long.
 */
export const AUTH_SESSION_MINUTES = 3;

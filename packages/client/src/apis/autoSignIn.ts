import { AUTH_SESSION_MINUTES } from '@latchkey/wire';
import { AuthError } from '../errors.js';
import type { SignInInput, SignInOutput } from '../types.js';
import { signIn, signInWithFlow } from './signIn.js';

interface PendingAutoSignIn {
  username: string;
  input: SignInInput;
  /** SignUp's, then ConfirmSignUp's `Session` (stands in for the verified code in USER_AUTH). */
  session?: string;
}

let pending: PendingAutoSignIn | undefined;
let callback: (() => Promise<SignInOutput>) | undefined;

/**
 * Completes the sign-in started by `signUp({ options: { autoSignIn } })` once the user is confirmed
 * (Amplify `autoSignIn`): call it when `signUp` or `confirmSignUp` returned
 * `signUpStep: 'COMPLETE_AUTO_SIGN_IN'`. For `USER_AUTH`, ConfirmSignUp's `Session` is passed to
 * InitiateAuth so no further factor is needed. Throws `AutoSignInException` when no flow is pending.
 */
export function autoSignIn(): Promise<SignInOutput> {
  if (!callback) {
    return Promise.reject(
      new AuthError({
        name: 'AutoSignInException',
        message: 'The autoSignIn flow has not started, or has been cancelled/completed.',
        recoverySuggestion: 'Please try to use the signIn API or log out before starting a new autoSignIn flow.',
      }),
    );
  }
  return callback();
}

export function startAutoSignIn(username: string, input: SignInInput, session: string | undefined): void {
  pending = { username, input, session };
}

/** The pending auto-sign-in for `username`, if any. */
export function pendingAutoSignIn(username: string): PendingAutoSignIn | undefined {
  return pending?.username === username ? pending : undefined;
}

/** The Session to send with a USER_AUTH InitiateAuth for `username` during auto sign-in. */
export function autoSignInSession(username: string): string | undefined {
  return pendingAutoSignIn(username)?.session;
}

/** Arms `autoSignIn()` to sign in now (user confirmed by code, or already confirmed at sign-up). */
export function armAutoSignIn(session?: string): void {
  if (!pending) return;
  if (session !== undefined) pending.session = session;
  const { input } = pending;
  callback = async () => {
    try {
      return input.options?.authFlowType === 'USER_AUTH' ? await signInWithFlow(input, 'USER_AUTH') : await signIn(input);
    } finally {
      resetAutoSignIn();
    }
  };
}

/** Arms `autoSignIn()` to poll sign-in every 5 s for up to 3 min (confirmation by link, elsewhere). */
export function armAutoSignInAfterLink(): void {
  if (!pending) return;
  const { input } = pending;
  callback = async () => {
    const deadline = Date.now() + AUTH_SESSION_MINUTES * 60 * 1000;
    try {
      for (;;) {
        await new Promise((resolve) => setTimeout(resolve, 5000));
        if (Date.now() > deadline) {
          throw new AuthError({
            name: 'AutoSignInException',
            message: 'The account was not confirmed on time.',
            recoverySuggestion: 'Try to verify your account by clicking the link sent your email or phone and then login manually.',
          });
        }
        const output = await signIn(input);
        if (output.nextStep.signInStep !== 'CONFIRM_SIGN_UP') return output;
      }
    } finally {
      resetAutoSignIn();
    }
  };
}

export function resetAutoSignIn(resetCallback = true): void {
  if (resetCallback) callback = undefined;
  pending = undefined;
}

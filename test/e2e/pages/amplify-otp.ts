// Browser page for test/e2e/amplify-otp-browser.test.ts: the REAL aws-amplify v6 (esbuild bundle), passwordless calls.
import { Amplify } from 'aws-amplify';
import {
  associateWebAuthnCredential,
  autoSignIn,
  confirmSignIn,
  confirmSignUp,
  getCurrentUser,
  signIn,
  signOut,
  signUp,
} from 'aws-amplify/auth';

interface E2EConfig {
  userPoolId: string;
  userPoolClientId: string;
  userPoolEndpoint: string;
}
const config = (window as unknown as { LATCHKEY_E2E: E2EConfig }).LATCHKEY_E2E;

Amplify.configure({ Auth: { Cognito: { ...config } } });

type Challenge = 'EMAIL_OTP' | 'SMS_OTP' | 'WEB_AUTHN';

(window as unknown as { run: unknown }).run = {
  library: 'aws-amplify',
  signUpPasswordless: (username: string, email: string) =>
    signUp({ username, options: { userAttributes: { email }, autoSignIn: { authFlowType: 'USER_AUTH' } } }),
  confirmSignUp: (username: string, confirmationCode: string) => confirmSignUp({ username, confirmationCode }),
  autoSignIn: () => autoSignIn(),
  register: () => associateWebAuthnCredential(),
  signInUserAuth: (username: string, preferredChallenge?: Challenge) =>
    signIn({ username, options: { authFlowType: 'USER_AUTH', ...(preferredChallenge ? { preferredChallenge } : {}) } }),
  confirmSignIn: (challengeResponse: string) => confirmSignIn({ challengeResponse }),
  signOut: () => signOut(),
  currentUser: () => getCurrentUser(),
};

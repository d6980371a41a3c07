// Browser page for test/e2e/latchkey-auth-browser.test.ts: @latchkey/auth (packages/client/src), bundled by esbuild.
import {
  configure,
  signIn,
  signOut,
  associateWebAuthnCredential,
  listWebAuthnCredentials,
  deleteWebAuthnCredential,
  getCurrentUser,
  signInWithPasskey,
  getPasskeySupport,
} from '@latchkey/auth';

interface E2EConfig {
  userPoolId: string;
  userPoolClientId: string;
  userPoolEndpoint: string;
}
const config = (window as unknown as { LATCHKEY_E2E: E2EConfig }).LATCHKEY_E2E;

configure({ Auth: { Cognito: { ...config } } });

(window as unknown as { run: unknown }).run = {
  library: '@latchkey/auth',
  signInSrp: (username: string, password: string) => signIn({ username, password }),
  register: () => associateWebAuthnCredential(),
  list: (pageSize?: number, nextToken?: string) => listWebAuthnCredentials({ pageSize, nextToken }),
  remove: (credentialId: string) => deleteWebAuthnCredential({ credentialId }),
  signInPasskey: (username: string) => signIn({ username, options: { authFlowType: 'USER_AUTH', preferredChallenge: 'WEB_AUTHN' } }),
  signOut: () => signOut(),
  currentUser: () => getCurrentUser(),
  // extensions
  signInUsernameless: () => signInWithPasskey(),
  passkeySupport: () => getPasskeySupport(),
};

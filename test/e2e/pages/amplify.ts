// Browser page for test/e2e/amplify-browser.test.ts: the REAL aws-amplify v6, bundled by esbuild.
import { Amplify } from 'aws-amplify';
import {
  signIn,
  signOut,
  associateWebAuthnCredential,
  listWebAuthnCredentials,
  deleteWebAuthnCredential,
  getCurrentUser,
} from 'aws-amplify/auth';

interface E2EConfig {
  userPoolId: string;
  userPoolClientId: string;
  userPoolEndpoint: string;
}
const config = (window as unknown as { LATCHKEY_E2E: E2EConfig }).LATCHKEY_E2E;

Amplify.configure({ Auth: { Cognito: { ...config } } });

(window as unknown as { run: unknown }).run = {
  library: 'aws-amplify',
  signInSrp: (username: string, password: string) => signIn({ username, password }),
  register: () => associateWebAuthnCredential(),
  list: (pageSize?: number, nextToken?: string) => listWebAuthnCredentials({ pageSize, nextToken }),
  remove: (credentialId: string) => deleteWebAuthnCredential({ credentialId }),
  signInPasskey: (username: string) => signIn({ username, options: { authFlowType: 'USER_AUTH', preferredChallenge: 'WEB_AUTHN' } }),
  signOut: () => signOut(),
  currentUser: () => getCurrentUser(),
};

/**
 * The other import order: the virtual authenticator is installed BEFORE aws-amplify is loaded, so
 * Amplify's module-load-time `isBrowser()` checks see a browser (storage listeners on `window`,
 * a `visibilitychange` listener on `document`, framework detection via `document.querySelector*`).
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { VirtualAuthenticator, installVirtualAuthenticator } from '@latchkey/virtual-authenticator';
import { APP_ORIGIN, startCognitoStub, type CognitoStub } from './cognito-stub.js';

let stub: CognitoStub;
let uninstall: () => void;
const authenticator = new VirtualAuthenticator({ origin: APP_ORIGIN, algorithms: ['EdDSA', 'ES256'] });

beforeAll(async () => {
  uninstall = installVirtualAuthenticator(authenticator);
  stub = await startCognitoStub();
});

afterAll(async () => {
  uninstall();
  await stub.close();
});

it('aws-amplify loaded in the "browser" registers and signs in with a passkey', async () => {
  const { Amplify } = await import('aws-amplify');
  const { associateWebAuthnCredential, signIn, signOut, getCurrentUser } = await import('aws-amplify/auth');
  Amplify.configure({
    Auth: { Cognito: { userPoolId: 'local_Test1', userPoolClientId: 'abc', userPoolEndpoint: stub.endpoint } },
  });

  await signIn({ username: 'alice', password: 'correct horse', options: { authFlowType: 'USER_PASSWORD_AUTH' } });
  await associateWebAuthnCredential();
  expect(stub.registrationError).toBeUndefined();
  expect(stub.registration?.verified).toBe(true);
  expect(stub.registration?.registrationInfo?.credential.id).toBe(authenticator.credentials[0].id);
  expect(authenticator.credentials[0].algorithm).toBe('EdDSA');

  await signOut();
  const result = await signIn({ username: 'alice', options: { authFlowType: 'USER_AUTH', preferredChallenge: 'WEB_AUTHN' } });
  expect(result.isSignedIn).toBe(true);
  expect(stub.authentication?.verified).toBe(true);
  expect((await getCurrentUser()).username).toBe('alice');
});

/**
 * Drives the real, unmodified aws-amplify v6 passkey APIs in Node against a local Cognito stub,
 * with navigator.credentials provided by installVirtualAuthenticator.
 * aws-amplify is imported before the install (as an app's modules would be).
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Amplify } from 'aws-amplify';
import { associateWebAuthnCredential, fetchAuthSession, getCurrentUser, signIn, signOut } from 'aws-amplify/auth';
import { VirtualAuthenticator, installVirtualAuthenticator } from '@latchkey/virtual-authenticator';
import { APP_ORIGIN, startCognitoStub, type CognitoStub } from './cognito-stub.js';

type G = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const g = globalThis as unknown as G;
const b64 = (buf: ArrayBuffer | ArrayBufferView) =>
  Buffer.from(ArrayBuffer.isView(buf) ? buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) : buf).toString('base64url');

let stub: CognitoStub;
let uninstall: (() => void) | undefined;
const authenticator = new VirtualAuthenticator({ origin: APP_ORIGIN });

beforeAll(async () => {
  stub = await startCognitoStub();
  Amplify.configure({
    Auth: { Cognito: { userPoolId: 'local_Test1', userPoolClientId: 'abc', userPoolEndpoint: stub.endpoint } },
  });
});

afterAll(async () => {
  uninstall?.();
  await stub.close();
});

describe('aws-amplify v6 with the installed virtual authenticator', () => {
  it('signs in with USER_PASSWORD_AUTH against the stub (seeds the token store)', async () => {
    const result = await signIn({ username: 'alice', password: 'correct horse', options: { authFlowType: 'USER_PASSWORD_AUTH' } });
    expect(result).toEqual({ isSignedIn: true, nextStep: { signInStep: 'DONE' } });
    expect((await getCurrentUser()).username).toBe('alice');
  });

  it('without the install, Amplify reports passkeys as unsupported and never calls the service', async () => {
    expect(typeof g.window).toBe('undefined');
    await expect(associateWebAuthnCredential()).rejects.toMatchObject({ name: 'PasskeyNotSupported' });
    expect(stub.registration).toBeUndefined();
  });

  it('associateWebAuthnCredential() registers a passkey that @simplewebauthn/server verifies', async () => {
    uninstall = installVirtualAuthenticator(authenticator);
    const create = vi.spyOn(g.navigator.credentials, 'create');
    stub.calls.length = 0;

    await associateWebAuthnCredential();

    // Amplify got past its support check and called navigator.credentials.create with the stub's options.
    expect(create).toHaveBeenCalledTimes(1);
    const { publicKey } = create.mock.calls[0][0] as { publicKey: G };
    expect(publicKey.challenge).toBeInstanceOf(ArrayBuffer);
    expect(b64(publicKey.challenge)).toBe(stub.registrationOptions!.challenge);
    expect(b64(publicKey.user.id)).toBe(stub.registrationOptions!.user.id);
    const created = await create.mock.results[0].value;
    expect(created).toBeInstanceOf(g.PublicKeyCredential);

    expect(stub.calls.map((c) => c.target)).toEqual(['StartWebAuthnRegistration', 'CompleteWebAuthnRegistration']);
    const sent = stub.calls[1].body.Credential as G;
    expect(sent.id).toBe(authenticator.credentials[0].id);
    expect(sent.response.publicKeyAlgorithm).toBe(-7);
    expect(stub.registrationError).toBeUndefined();
    expect(stub.registration?.verified).toBe(true);
    expect(stub.registration?.registrationInfo?.credential.id).toBe(authenticator.credentials[0].id);
    expect(authenticator.credentials[0].userHandle).toBe(stub.registrationOptions!.user.id);
    create.mockRestore();
  });

  it('registering again is refused by the authenticator (InvalidStateError → PasskeyAlreadyExists)', async () => {
    await expect(associateWebAuthnCredential()).rejects.toMatchObject({
      name: 'PasskeyAlreadyExists',
      underlyingError: expect.objectContaining({ name: 'InvalidStateError' }),
    });
    expect(authenticator.credentials).toHaveLength(1);
  });

  it('signs in with the passkey (USER_AUTH + WEB_AUTHN) and the assertion verifies', async () => {
    await signOut();
    await expect(getCurrentUser()).rejects.toBeTruthy();
    const get = vi.spyOn(g.navigator.credentials, 'get');

    const result = await signIn({ username: 'alice', options: { authFlowType: 'USER_AUTH', preferredChallenge: 'WEB_AUTHN' } });

    expect(result).toEqual({ isSignedIn: true, nextStep: { signInStep: 'DONE' } });
    expect(get).toHaveBeenCalledTimes(1);
    expect(stub.authenticationError).toBeUndefined();
    expect(stub.authentication?.verified).toBe(true);
    expect(stub.authentication?.authenticationInfo.newCounter).toBe(1);
    const session = await fetchAuthSession();
    expect(session.tokens?.idToken?.payload['cognito:username']).toBe('alice');
    get.mockRestore();
  });

  it('a user who cancels the passkey prompt surfaces as PasskeyAuthenticationCanceled', async () => {
    await signOut();
    uninstall?.();
    uninstall = installVirtualAuthenticator(new VirtualAuthenticator({ origin: APP_ORIGIN, userPresence: false }));
    await expect(
      signIn({ username: 'alice', options: { authFlowType: 'USER_AUTH', preferredChallenge: 'WEB_AUTHN' } }),
    ).rejects.toMatchObject({ name: 'PasskeyAuthenticationCanceled' });
    uninstall();
    uninstall = undefined;
    expect(typeof g.window).toBe('undefined');
  });
});

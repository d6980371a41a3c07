import { afterEach, describe, expect, it } from 'vitest';
import { createPublicKey } from 'node:crypto';
import { verifyAuthenticationResponse, verifyRegistrationResponse } from '@simplewebauthn/server';
import {
  VirtualAuthenticator,
  VirtualPublicKeyCredential,
  installVirtualAuthenticator,
  type AuthenticationResponseJSON,
  type RegistrationResponseJSON,
} from '@latchkey/virtual-authenticator';
import { authenticationOptions, registrationOptions } from './helpers.js';

type G = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const g = globalThis as unknown as G;

let uninstall: (() => void) | undefined;
afterEach(() => {
  uninstall?.();
  uninstall = undefined;
});

const b64 = (buf: ArrayBuffer | Uint8Array) => Buffer.from(buf as ArrayBuffer).toString('base64url');
const bytes = (s: string) => new Uint8Array(Buffer.from(s, 'base64url'));

/** Browser-form creation options, as aws-amplify and other browser code pass them. */
async function browserCreationOptions(extra: Parameters<typeof registrationOptions>[0] = {}) {
  const json = await registrationOptions(extra);
  return {
    json,
    publicKey: {
      ...json,
      challenge: bytes(json.challenge).buffer, // ArrayBuffer
      user: { ...json.user, id: bytes(json.user.id) }, // Uint8Array
      excludeCredentials: (json.excludeCredentials ?? []).map((c) => ({ ...c, id: bytes(c.id) })),
    },
  };
}

describe('installVirtualAuthenticator', () => {
  it('defines the browser globals aws-amplify checks, and uninstall restores the previous state', () => {
    const before = {
      window: Object.getOwnPropertyDescriptor(g, 'window'),
      document: Object.getOwnPropertyDescriptor(g, 'document'),
      navigator: Object.getOwnPropertyDescriptor(g, 'navigator'),
      PublicKeyCredential: Object.getOwnPropertyDescriptor(g, 'PublicKeyCredential'),
      isSecureContext: Object.getOwnPropertyDescriptor(g, 'isSecureContext'),
    };
    expect(before.window).toBeUndefined(); // plain Node

    uninstall = installVirtualAuthenticator(new VirtualAuthenticator());
    expect(g.window).toBe(globalThis);
    expect(typeof g.window.document).toBe('object');
    expect(g.window.isSecureContext).toBe(true);
    expect('credentials' in g.navigator).toBe(true);
    expect(typeof g.window.PublicKeyCredential).toBe('function');
    expect(typeof g.navigator.credentials.create).toBe('function');
    expect(typeof g.navigator.credentials.get).toBe('function');
    expect(g.document.querySelectorAll('[id]')).toEqual([]);
    expect(g.document.visibilityState).toBe('visible');
    expect(typeof g.addEventListener).toBe('function');

    uninstall();
    uninstall();
    uninstall = undefined;
    expect(Object.getOwnPropertyDescriptor(g, 'window')).toEqual(before.window);
    expect(Object.getOwnPropertyDescriptor(g, 'document')).toEqual(before.document);
    expect(Object.getOwnPropertyDescriptor(g, 'navigator')).toEqual(before.navigator);
    expect(Object.getOwnPropertyDescriptor(g, 'PublicKeyCredential')).toEqual(before.PublicKeyCredential);
    expect(Object.getOwnPropertyDescriptor(g, 'isSecureContext')).toEqual(before.isSecureContext);
    expect(typeof g.window).toBe('undefined');
    expect(typeof g.addEventListener).toBe('undefined');
  });

  it('patches a getter-only navigator (as in Node 21+) and restores it', () => {
    const nav: G = { userAgent: 'test-agent' };
    const target: G = {};
    const getter = () => nav;
    Object.defineProperty(target, 'navigator', { get: getter, configurable: true, enumerable: true });
    const undo = installVirtualAuthenticator(new VirtualAuthenticator(), { target: target as typeof globalThis });
    expect(target.navigator).toBe(nav);
    expect(typeof target.navigator.credentials.create).toBe('function');
    expect(target.window).toBe(target);
    undo();
    expect('credentials' in nav).toBe(false);
    expect(Object.getOwnPropertyDescriptor(target, 'navigator')?.get).toBe(getter);
    expect('window' in target).toBe(false);
    expect('PublicKeyCredential' in target).toBe(false);
  });

  it('navigator.credentials.create returns instanceof-passing objects with ArrayBuffer fields that verify', async () => {
    const auth = new VirtualAuthenticator({ origin: 'http://localhost:3000' });
    uninstall = installVirtualAuthenticator(auth);
    const { json, publicKey } = await browserCreationOptions();

    const credential = await g.navigator.credentials.create({ publicKey });
    expect(credential).toBeInstanceOf(g.PublicKeyCredential);
    expect(credential).toBeInstanceOf(VirtualPublicKeyCredential);
    expect(credential.response).toBeInstanceOf(g.AuthenticatorAttestationResponse);
    expect(credential.response).toBeInstanceOf(g.AuthenticatorResponse);
    expect(credential.response).not.toBeInstanceOf(g.AuthenticatorAssertionResponse);
    expect(credential.type).toBe('public-key');
    expect(credential.rawId).toBeInstanceOf(ArrayBuffer);
    expect(b64(credential.rawId)).toBe(credential.id);
    expect(credential.authenticatorAttachment).toBe('platform');
    expect(credential.response.clientDataJSON).toBeInstanceOf(ArrayBuffer);
    expect(credential.response.attestationObject).toBeInstanceOf(ArrayBuffer);
    expect(credential.response.getTransports()).toEqual(['internal', 'hybrid']);
    expect(credential.response.getPublicKeyAlgorithm()).toBe(-7);
    expect(credential.response.getAuthenticatorData()).toBeInstanceOf(ArrayBuffer);
    const spki = credential.response.getPublicKey();
    expect(spki).toBeInstanceOf(ArrayBuffer);
    expect(createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' }).asymmetricKeyType).toBe('ec');
    expect(credential.getClientExtensionResults()).toEqual({ credProps: { rk: true } });

    // Serialise like a browser app would (and like aws-amplify's serde does) and verify.
    const response: RegistrationResponseJSON = {
      id: credential.id,
      rawId: b64(credential.rawId),
      type: credential.type,
      response: {
        clientDataJSON: b64(credential.response.clientDataJSON),
        attestationObject: b64(credential.response.attestationObject),
        transports: credential.response.getTransports(),
        publicKeyAlgorithm: credential.response.getPublicKeyAlgorithm(),
        authenticatorData: b64(credential.response.getAuthenticatorData()),
        publicKey: b64(spki),
      },
      authenticatorAttachment: credential.authenticatorAttachment,
      clientExtensionResults: credential.getClientExtensionResults(),
    };
    expect(credential.toJSON()).toEqual(response);
    const verification = await verifyRegistrationResponse({
      response,
      expectedChallenge: json.challenge,
      expectedOrigin: 'http://localhost:3000',
      expectedRPID: 'localhost',
    });
    expect(verification.verified).toBe(true);

    // get(): assertion objects
    const reqJson = await authenticationOptions({ allowCredentials: [{ id: credential.id }] });
    const assertion = await g.navigator.credentials.get({
      publicKey: { ...reqJson, challenge: bytes(reqJson.challenge), allowCredentials: [{ type: 'public-key', id: credential.rawId }] },
    });
    expect(assertion).toBeInstanceOf(g.PublicKeyCredential);
    expect(assertion.response).toBeInstanceOf(g.AuthenticatorAssertionResponse);
    expect(assertion.response).not.toBeInstanceOf(g.AuthenticatorAttestationResponse);
    expect(assertion.response.authenticatorData).toBeInstanceOf(ArrayBuffer);
    expect(assertion.response.signature).toBeInstanceOf(ArrayBuffer);
    expect(b64(assertion.response.userHandle)).toBe(json.user.id);
    expect(assertion.getClientExtensionResults()).toEqual({});
    const authJson = assertion.toJSON() as AuthenticationResponseJSON;
    expect(authJson.response.signature).toBe(b64(assertion.response.signature));
    const result = await verifyAuthenticationResponse({
      response: authJson,
      expectedChallenge: reqJson.challenge,
      expectedOrigin: 'http://localhost:3000',
      expectedRPID: 'localhost',
      credential: verification.registrationInfo!.credential,
    });
    expect(result.verified).toBe(true);

    // discoverable get without allowCredentials
    const discoverable = await g.navigator.credentials.get({ publicKey: { challenge: new Uint8Array(16), rpId: 'localhost' } });
    expect(discoverable.id).toBe(credential.id);
  });

  it('uses the install origin for clientDataJSON and the rp.id check', async () => {
    const auth = new VirtualAuthenticator(); // default origin http://localhost:3000
    uninstall = installVirtualAuthenticator(auth, { origin: 'https://app.example.com' });
    const { json, publicKey } = await browserCreationOptions({ rpID: 'example.com' });
    const credential = await g.navigator.credentials.create({ publicKey });
    const clientData = JSON.parse(Buffer.from(credential.response.clientDataJSON).toString());
    expect(clientData).toEqual({
      type: 'webauthn.create',
      challenge: json.challenge,
      origin: 'https://app.example.com',
      crossOrigin: false,
    });
    expect(auth.credentials[0].rpId).toBe('example.com');
    // JSON-level API on the same authenticator still uses its own origin
    await expect(auth.createCredential(json)).rejects.toMatchObject({ name: 'SecurityError' });
  });

  it('rejects with real DOMExceptions carrying the WebAuthn error names', async () => {
    const auth = new VirtualAuthenticator();
    uninstall = installVirtualAuthenticator(auth);
    const first = await browserCreationOptions();
    const created = await g.navigator.credentials.create({ publicKey: first.publicKey });

    const isDom = (name: string) => (e: unknown) => e instanceof DOMException && e instanceof Error && e.name === name;

    const dup = await browserCreationOptions({ excludeCredentials: [{ id: created.id }] });
    await expect(g.navigator.credentials.create({ publicKey: dup.publicKey })).rejects.toSatisfy(isDom('InvalidStateError'));

    await expect(
      g.navigator.credentials.get({
        publicKey: { challenge: new Uint8Array(32), allowCredentials: [{ type: 'public-key', id: new Uint8Array(32) }] },
      }),
    ).rejects.toSatisfy(isDom('NotAllowedError'));

    const foreign = await browserCreationOptions({ rpID: 'example.com' });
    await expect(g.navigator.credentials.create({ publicKey: foreign.publicKey })).rejects.toSatisfy(isDom('SecurityError'));

    const controller = new AbortController();
    controller.abort();
    await expect(g.navigator.credentials.create({ publicKey: first.publicKey, signal: controller.signal })).rejects.toSatisfy(
      isDom('AbortError'),
    );

    await expect(g.navigator.credentials.create({})).rejects.toSatisfy(isDom('NotSupportedError'));
    await expect(g.navigator.credentials.create({ publicKey: { ...first.publicKey, challenge: 'not a buffer' } })).rejects.toBeInstanceOf(
      TypeError,
    );
    expect(() => new g.PublicKeyCredential()).toThrow(TypeError);
  });

  it('PublicKeyCredential static helpers behave like a passkey-capable browser', async () => {
    uninstall = installVirtualAuthenticator(new VirtualAuthenticator());
    await expect(g.PublicKeyCredential.isUserVerifyingPlatformAuthenticatorAvailable()).resolves.toBe(true);
    const json = await registrationOptions();
    const parsed = g.PublicKeyCredential.parseCreationOptionsFromJSON(json);
    expect(parsed.challenge).toBeInstanceOf(ArrayBuffer);
    expect(b64(parsed.user.id)).toBe(json.user.id);
    const credential = await g.navigator.credentials.create({ publicKey: parsed });
    expect(credential).toBeInstanceOf(g.PublicKeyCredential);
  });
});

/* eslint-disable @typescript-eslint/no-explicit-any -- test doubles poke at untyped WebAuthn objects */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  AuthError,
  PasskeyError,
  associateWebAuthnCredential,
  deleteWebAuthnCredential,
  getCurrentUser,
  getPasskeySupport,
  listWebAuthnCredentials,
  signIn,
  signInWithPasskey,
  signOut,
  type TokenStorage,
} from '@latchkey/auth';
import { VirtualAuthenticator, decodeCBOR, installVirtualAuthenticator } from '@latchkey/virtual-authenticator';
import {
  authenticationResult,
  configureFor,
  installFakeAuthenticator,
  serviceError,
  signInWithTokens,
  startFakeCognito,
  uninstallFakeAuthenticator,
  type FakeCognito,
} from './helpers.js';

let cognito: FakeCognito;
let storage: TokenStorage;
let uninstall: (() => void) | undefined;
beforeAll(async () => {
  cognito = await startFakeCognito();
});
afterAll(() => cognito.close());
beforeEach(() => {
  cognito.reset();
  storage = configureFor(cognito);
});
afterEach(() => {
  uninstall?.();
  uninstall = undefined;
  uninstallFakeAuthenticator();
});

const fromB64url = (s: string) => Buffer.from(s, 'base64url');

/** StartWebAuthnRegistration output as in the Amplify fixture (docs/wire-contract.md §2.1.1), RP = localhost. */
const creationOptions = (exclude: string[] = []) => ({
  rp: { id: 'localhost', name: 'localhost' },
  user: { id: Buffer.from('3c46320b-c60e-4a21-9d64-5829bfede1c4').toString('base64url'), name: 'alice', displayName: '' },
  challenge: 'zsBch6DlNLUb6SgRdzHysw',
  pubKeyCredParams: [
    { type: 'public-key', alg: -7 },
    { type: 'public-key', alg: -257 },
  ],
  timeout: 60000,
  excludeCredentials: exclude.map((id) => ({ type: 'public-key', id })),
  authenticatorSelection: { requireResidentKey: true, residentKey: 'required', userVerification: 'required' },
});

describe('listWebAuthnCredentials', () => {
  it('passes pageSize/nextToken as MaxResults/NextToken and maps CreatedAt seconds to a Date', async () => {
    const tokens = await signInWithTokens(cognito);
    cognito.on('ListWebAuthnCredentials', () => ({
      body: {
        Credentials: [
          {
            CredentialId: '7BMcHZDddcP7nfuuwcsOGSg9IX-6DrG3oDK1kbmOFYQ',
            FriendlyCredentialName: 'Chrome on Mac',
            RelyingPartyId: 'app.example.com',
            AuthenticatorAttachment: 'platform',
            AuthenticatorTransports: ['internal', 'hybrid'],
            CreatedAt: 1732102382.473,
          },
          { CredentialId: 'second', FriendlyCredentialName: 'Key', RelyingPartyId: 'app.example.com', AuthenticatorTransports: ['usb'] },
        ],
        NextToken: 'MQ',
      },
    }));
    const page = await listWebAuthnCredentials({ pageSize: 2, nextToken: 'MA' });
    const [req] = cognito.calls('ListWebAuthnCredentials');
    expect(req!.body).toEqual({ AccessToken: tokens.AccessToken, MaxResults: 2, NextToken: 'MA' });
    expect(req!.headers['x-amz-user-agent']).toContain('auth/39');
    expect(page.nextToken).toBe('MQ');
    expect(page.credentials[0]).toEqual({
      credentialId: '7BMcHZDddcP7nfuuwcsOGSg9IX-6DrG3oDK1kbmOFYQ',
      friendlyCredentialName: 'Chrome on Mac',
      relyingPartyId: 'app.example.com',
      authenticatorAttachment: 'platform',
      authenticatorTransports: ['internal', 'hybrid'],
      createdAt: new Date(1732102382473),
    });
    expect(page.credentials[1]!.createdAt).toBeUndefined();
    expect(page.credentials[1]!.authenticatorAttachment).toBeUndefined();
  });

  it('omits MaxResults/NextToken when not given; a missing Credentials key is []', async () => {
    const tokens = await signInWithTokens(cognito);
    cognito.on('ListWebAuthnCredentials', () => ({ body: {} }));
    expect(await listWebAuthnCredentials()).toEqual({ credentials: [], nextToken: undefined });
    expect(cognito.calls('ListWebAuthnCredentials')[0]!.body).toEqual({ AccessToken: tokens.AccessToken });
  });

  it('requires a signed-in user (UserUnAuthenticatedException, no request)', async () => {
    await expect(listWebAuthnCredentials()).rejects.toMatchObject({ name: 'UserUnAuthenticatedException' });
    await expect(deleteWebAuthnCredential({ credentialId: 'x' })).rejects.toMatchObject({ name: 'UserUnAuthenticatedException' });
    await expect(associateWebAuthnCredential()).rejects.toMatchObject({ name: 'UserUnAuthenticatedException' });
    expect(cognito.requests).toHaveLength(0);
  });
});

describe('deleteWebAuthnCredential', () => {
  it('sends {AccessToken, CredentialId} and resolves undefined; unknown id is ResourceNotFoundException', async () => {
    const tokens = await signInWithTokens(cognito);
    cognito.on('DeleteWebAuthnCredential', (body) =>
      body.CredentialId === 'known' ? { body: {} } : serviceError('ResourceNotFoundException', 'Credential not found.'),
    );
    await expect(deleteWebAuthnCredential({ credentialId: 'known' })).resolves.toBeUndefined();
    expect(cognito.calls('DeleteWebAuthnCredential')[0]!.body).toEqual({ AccessToken: tokens.AccessToken, CredentialId: 'known' });
    const error = await deleteWebAuthnCredential({ credentialId: 'nope' }).catch((e) => e);
    expect(error).toBeInstanceOf(AuthError);
    expect(error.name).toBe('ResourceNotFoundException');
    expect(cognito.calls('DeleteWebAuthnCredential')).toHaveLength(2); // not retried
  });
});

describe('associateWebAuthnCredential with the virtual authenticator', () => {
  it('Start → navigator.credentials.create → Complete with a Credential JSON object; then passkey sign-in uses it', async () => {
    const authenticator = new VirtualAuthenticator({ origin: 'http://localhost:3000' });
    uninstall = installVirtualAuthenticator(authenticator);
    const tokens = await signInWithTokens(cognito);
    cognito.on('StartWebAuthnRegistration', () => ({ body: { CredentialCreationOptions: creationOptions() } }));
    cognito.on('CompleteWebAuthnRegistration', () => ({ body: {} }));

    await expect(associateWebAuthnCredential()).resolves.toBeUndefined();

    expect(cognito.calls('StartWebAuthnRegistration')[0]!.body).toEqual({ AccessToken: tokens.AccessToken });
    const complete = cognito.calls('CompleteWebAuthnRegistration')[0]!;
    expect(complete.headers['x-amz-user-agent']).toContain('auth/38');
    expect(Object.keys(complete.body).sort()).toEqual(['AccessToken', 'Credential']);
    const credential = complete.body.Credential;
    expect(typeof credential).toBe('object');
    expect(credential.type).toBe('public-key');
    expect(credential.rawId).toBe(credential.id);
    expect(credential.id).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(credential.authenticatorAttachment).toBe('platform');
    expect(credential.response.transports).toEqual(['internal', 'hybrid']);
    expect(credential.response.publicKeyAlgorithm).toBe(-7);
    for (const field of ['clientDataJSON', 'attestationObject', 'authenticatorData', 'publicKey']) {
      expect(credential.response[field]).toMatch(/^[A-Za-z0-9_-]+$/); // base64url, no padding
    }
    const clientData = JSON.parse(fromB64url(credential.response.clientDataJSON).toString('utf8'));
    expect(clientData).toMatchObject({ type: 'webauthn.create', challenge: 'zsBch6DlNLUb6SgRdzHysw', origin: 'http://localhost:3000' });
    const attestation = decodeCBOR(new Uint8Array(fromB64url(credential.response.attestationObject))) as Map<string, unknown>;
    expect(attestation.get('fmt')).toBe('none');
    expect(Buffer.from(attestation.get('authData') as Uint8Array).toString('base64url')).toBe(credential.response.authenticatorData);

    // The same passkey signs in (USER_AUTH + WEB_AUTHN), the credential id round-trips.
    await signOut();
    cognito.on('InitiateAuth', () => ({
      body: {
        ChallengeName: 'WEB_AUTHN',
        Session: 'sess',
        ChallengeParameters: {
          USERNAME: 'alice',
          CREDENTIAL_REQUEST_OPTIONS: JSON.stringify({
            challenge: 'lo6lmM5b16UjWqVyCr5T2w',
            rpId: 'localhost',
            allowCredentials: [{ id: credential.id, type: 'public-key' }],
            userVerification: 'required',
            timeout: 180000,
          }),
        },
      },
    }));
    cognito.on('RespondToAuthChallenge', () => ({ body: { AuthenticationResult: authenticationResult() } }));
    expect(await signInWithPasskey({ username: 'alice' })).toEqual({ isSignedIn: true, nextStep: { signInStep: 'DONE' } });
    expect(cognito.calls('InitiateAuth').at(-1)!.body.AuthParameters).toEqual({ USERNAME: 'alice', PREFERRED_CHALLENGE: 'WEB_AUTHN' });
    const assertion = JSON.parse(cognito.calls('RespondToAuthChallenge')[0]!.body.ChallengeResponses.CREDENTIAL);
    expect(assertion.id).toBe(credential.id);
    expect(JSON.parse(fromB64url(assertion.response.clientDataJSON).toString())).toMatchObject({
      type: 'webauthn.get',
      challenge: 'lo6lmM5b16UjWqVyCr5T2w',
    });
    expect(assertion.response.signature).toMatch(/^[A-Za-z0-9_-]+$/);
  });

  it('excludeCredentials matching a stored passkey → PasskeyAlreadyExists; Complete is not called', async () => {
    const authenticator = new VirtualAuthenticator();
    uninstall = installVirtualAuthenticator(authenticator);
    await signInWithTokens(cognito);
    cognito.on('StartWebAuthnRegistration', () => ({ body: { CredentialCreationOptions: creationOptions() } }));
    cognito.on('CompleteWebAuthnRegistration', () => ({ body: {} }));
    await associateWebAuthnCredential();
    const firstId = cognito.calls('CompleteWebAuthnRegistration')[0]!.body.Credential.id;
    cognito.on('StartWebAuthnRegistration', () => ({ body: { CredentialCreationOptions: creationOptions([firstId]) } }));
    const error = await associateWebAuthnCredential().catch((e) => e);
    expect(error).toBeInstanceOf(PasskeyError);
    expect(error.name).toBe('PasskeyAlreadyExists');
    expect(error.underlyingError).toMatchObject({ name: 'InvalidStateError' });
    expect(cognito.calls('CompleteWebAuthnRegistration')).toHaveLength(1);
  });

  it('a user who declines → PasskeyRegistrationCanceled; an RP ID foreign to the origin → RelyingPartyMismatch', async () => {
    uninstall = installVirtualAuthenticator(new VirtualAuthenticator({ userPresence: false }));
    await signInWithTokens(cognito);
    cognito.on('StartWebAuthnRegistration', () => ({ body: { CredentialCreationOptions: creationOptions() } }));
    await expect(associateWebAuthnCredential()).rejects.toMatchObject({ name: 'PasskeyRegistrationCanceled' });
    uninstall();
    uninstall = installVirtualAuthenticator(new VirtualAuthenticator({ origin: 'https://app.example.com' }));
    await expect(associateWebAuthnCredential()).rejects.toMatchObject({ name: 'RelyingPartyMismatch' });
  });
});

describe('associateWebAuthnCredential edge cases', () => {
  it('CredentialCreationOptions as a JSON string (or missing members) → InvalidPasskeyRegistrationOptions', async () => {
    installFakeAuthenticator();
    await signInWithTokens(cognito);
    cognito.on('StartWebAuthnRegistration', () => ({ body: { CredentialCreationOptions: JSON.stringify(creationOptions()) } }));
    await expect(associateWebAuthnCredential()).rejects.toMatchObject({ name: 'InvalidPasskeyRegistrationOptions' });
    const withoutChallenge: Partial<ReturnType<typeof creationOptions>> = creationOptions();
    delete withoutChallenge.challenge;
    cognito.on('StartWebAuthnRegistration', () => ({ body: { CredentialCreationOptions: withoutChallenge } }));
    const error = await associateWebAuthnCredential().catch((e) => e);
    expect(error).toBeInstanceOf(PasskeyError);
    expect(error.name).toBe('InvalidPasskeyRegistrationOptions');
    expect(cognito.calls('CompleteWebAuthnRegistration')).toHaveLength(0);
  });

  it('decodes challenge, user.id and excludeCredentials ids to ArrayBuffers and passes other members through', async () => {
    const authenticator = installFakeAuthenticator();
    await signInWithTokens(cognito);
    const options = { ...creationOptions(['AQIDBA']), attestation: 'direct', extensions: { credProps: true } };
    cognito.on('StartWebAuthnRegistration', () => ({ body: { CredentialCreationOptions: options } }));
    cognito.on('CompleteWebAuthnRegistration', () => ({ body: {} }));
    await associateWebAuthnCredential();
    const publicKey = authenticator.createCalls[0].publicKey;
    expect(publicKey.challenge).toBeInstanceOf(ArrayBuffer);
    expect(Buffer.from(publicKey.challenge).toString('base64url')).toBe('zsBch6DlNLUb6SgRdzHysw');
    expect(Buffer.from(publicKey.user.id).toString('utf8')).toBe('3c46320b-c60e-4a21-9d64-5829bfede1c4');
    expect(new Uint8Array(publicKey.excludeCredentials[0].id)).toEqual(new Uint8Array([1, 2, 3, 4]));
    expect(publicKey).toMatchObject({ rp: options.rp, attestation: 'direct', extensions: { credProps: true }, timeout: 60000 });
  });

  it('without navigator.credentials → PasskeyNotSupported, before CompleteWebAuthnRegistration', async () => {
    await signInWithTokens(cognito);
    cognito.on('StartWebAuthnRegistration', () => ({ body: { CredentialCreationOptions: creationOptions() } }));
    await expect(associateWebAuthnCredential()).rejects.toMatchObject({ name: 'PasskeyNotSupported' });
    expect(cognito.calls('CompleteWebAuthnRegistration')).toHaveLength(0);
  });

  it('Start errors are AuthErrors: LimitExceededException is retried 3×, WebAuthnNotEnabledException once', async () => {
    installFakeAuthenticator();
    await signInWithTokens(cognito);
    cognito.on('StartWebAuthnRegistration', () => serviceError('LimitExceededException'));
    await expect(associateWebAuthnCredential()).rejects.toMatchObject({ name: 'LimitExceededException' });
    expect(cognito.calls('StartWebAuthnRegistration')).toHaveLength(3);
    cognito.reset();
    cognito.on('StartWebAuthnRegistration', () => serviceError('WebAuthnNotEnabledException'));
    await expect(associateWebAuthnCredential()).rejects.toMatchObject({ name: 'WebAuthnNotEnabledException' });
    expect(cognito.calls('StartWebAuthnRegistration')).toHaveLength(1);
  });
});

describe('PasskeyError mapping from DOMException names', () => {
  const registration = async (domName: string) => {
    const authenticator = installFakeAuthenticator();
    authenticator.failWith = new DOMException('from the browser', domName);
    cognito.on('StartWebAuthnRegistration', () => ({ body: { CredentialCreationOptions: creationOptions() } }));
    return (await associateWebAuthnCredential().then(
      () => undefined,
      (e: unknown) => e,
    )) as PasskeyError;
  };
  const authentication = async (domName: string) => {
    const authenticator = installFakeAuthenticator();
    authenticator.failWith = new DOMException('from the browser', domName);
    cognito.on('InitiateAuth', () => ({
      body: {
        ChallengeName: 'WEB_AUTHN',
        Session: 's',
        ChallengeParameters: { USERNAME: 'alice', CREDENTIAL_REQUEST_OPTIONS: '{"challenge":"AAAA"}' },
      },
    }));
    return (await signIn({ username: 'alice', options: { authFlowType: 'USER_AUTH', preferredChallenge: 'WEB_AUTHN' } }).then(
      () => undefined,
      (e: unknown) => e,
    )) as PasskeyError;
  };

  it.each([
    ['InvalidStateError', 'PasskeyAlreadyExists'],
    ['NotAllowedError', 'PasskeyRegistrationCanceled'],
    ['AbortError', 'PasskeyOperationAborted'],
    ['SecurityError', 'RelyingPartyMismatch'],
    ['NotSupportedError', 'Unknown'],
  ])('registration: %s → %s', async (domName, expected) => {
    await signInWithTokens(cognito);
    const error = await registration(domName);
    expect(error).toBeInstanceOf(PasskeyError);
    expect(error.name).toBe(expected);
    expect((error.underlyingError as DOMException).name).toBe(domName);
    expect(error.message).toBeTruthy();
  });

  it.each([
    ['NotAllowedError', 'PasskeyAuthenticationCanceled'],
    ['AbortError', 'PasskeyOperationAborted'],
    ['SecurityError', 'RelyingPartyMismatch'],
    ['InvalidStateError', 'Unknown'],
  ])('authentication: %s → %s', async (domName, expected) => {
    const error = await authentication(domName);
    expect(error).toBeInstanceOf(PasskeyError);
    expect(error.name).toBe(expected);
  });

  it('a credential of the wrong kind → PasskeyRegistrationFailed', async () => {
    await signInWithTokens(cognito);
    installFakeAuthenticator();
    (globalThis as any).navigator.credentials.create = async () => ({ id: 'x', type: 'public-key', response: {} });
    cognito.on('StartWebAuthnRegistration', () => ({ body: { CredentialCreationOptions: creationOptions() } }));
    await expect(associateWebAuthnCredential()).rejects.toMatchObject({ name: 'PasskeyRegistrationFailed' });
  });
});

describe('extensions', () => {
  it('getPasskeySupport reports the environment', async () => {
    const none = { supported: false, platformAuthenticator: false, conditionalMediation: false, conditionalCreate: false, signals: false };
    expect(await getPasskeySupport()).toEqual(none);
    installFakeAuthenticator();
    expect(await getPasskeySupport()).toEqual({ ...none, supported: true, platformAuthenticator: true });
    // A browser with client capabilities and the Signal API (Chrome 136+).
    const pkc = (globalThis as any).PublicKeyCredential;
    pkc.getClientCapabilities = async () => ({ conditionalCreate: true, conditionalGet: true });
    pkc.signalUnknownCredential = async () => undefined;
    try {
      expect(await getPasskeySupport()).toMatchObject({ conditionalCreate: true, signals: true });
    } finally {
      delete pkc.getClientCapabilities;
      delete pkc.signalUnknownCredential;
    }
  });

  it('signInWithPasskey without username: InitiateAuth with only PREFERRED_CHALLENGE, tokens stored under cognito:username', async () => {
    installFakeAuthenticator();
    cognito.on('InitiateAuth', () => ({
      body: {
        ChallengeName: 'WEB_AUTHN',
        Session: 's',
        ChallengeParameters: { CREDENTIAL_REQUEST_OPTIONS: '{"challenge":"AAAA","allowCredentials":[]}' },
      },
    }));
    cognito.on('RespondToAuthChallenge', () => ({ body: { AuthenticationResult: authenticationResult({ username: 'bob' }) } }));
    expect(await signInWithPasskey()).toEqual({ isSignedIn: true, nextStep: { signInStep: 'DONE' } });
    expect(cognito.calls('InitiateAuth')[0]!.body.AuthParameters).toEqual({ PREFERRED_CHALLENGE: 'WEB_AUTHN' });
    const responses = cognito.calls('RespondToAuthChallenge')[0]!.body.ChallengeResponses;
    expect(Object.keys(responses)).toEqual(['CREDENTIAL']);
    expect(await storage.getItem('CognitoIdentityServiceProvider.client123.LastAuthUser')).toBe('bob');
    expect((await getCurrentUser()).username).toBe('bob');
  });

  it('signInWithPasskey without username against Cognito-like rejection surfaces the AuthError', async () => {
    cognito.on('InitiateAuth', () => serviceError('InvalidParameterException', 'Missing required parameter USERNAME'));
    await expect(signInWithPasskey()).rejects.toMatchObject({ name: 'InvalidParameterException' });
  });
});

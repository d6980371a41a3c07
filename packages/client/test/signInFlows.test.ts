import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { confirmSignIn, getCurrentUser, signIn, signOut, type TokenStorage } from '@latchkey/auth';
import {
  authenticationResult,
  b64url,
  configureFor,
  installFakeAuthenticator,
  serviceError,
  srpServer,
  startFakeCognito,
  uninstallFakeAuthenticator,
  type FakeCognito,
} from './helpers.js';

let cognito: FakeCognito;
let storage: TokenStorage;
beforeAll(async () => {
  cognito = await startFakeCognito();
});
afterAll(() => cognito.close());
beforeEach(async () => {
  cognito.reset();
  storage = configureFor(cognito);
});
afterEach(() => {
  uninstallFakeAuthenticator();
  vi.unstubAllGlobals();
});

const SECRET_BLOCK = Buffer.from('opaque-server-state-0123456789').toString('base64');
const TIMESTAMP_RE = /^(Sun|Mon|Tue|Wed|Thu|Fri|Sat) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) [1-9]\d? \d\d:\d\d:\d\d UTC \d{4}$/;

/** Plays PASSWORD_VERIFIER with real SRP math; tokens only for the right password. */
function playSrp(userIdForSrp: string, password: string, opts: { session?: string; challengeUsername?: string } = {}) {
  const srp = srpServer('Pool42', userIdForSrp, password);
  let srpA = '';
  const challenge = (A: string) => {
    srpA = A;
    return {
      ChallengeName: 'PASSWORD_VERIFIER',
      ...(opts.session ? { Session: opts.session } : {}),
      ChallengeParameters: {
        SALT: srp.SALT,
        SECRET_BLOCK,
        SRP_B: srp.SRP_B,
        USERNAME: opts.challengeUsername ?? userIdForSrp,
        USER_ID_FOR_SRP: userIdForSrp,
      },
    };
  };
  cognito.on('RespondToAuthChallenge', (body) => {
    const r = body.ChallengeResponses;
    if (body.ChallengeName !== 'PASSWORD_VERIFIER') return serviceError('InvalidParameterException');
    const expected = srp.expectedSignature(srpA, r.PASSWORD_CLAIM_SECRET_BLOCK, r.TIMESTAMP);
    if (r.PASSWORD_CLAIM_SIGNATURE !== expected) return serviceError('NotAuthorizedException', 'Incorrect username or password.');
    return {
      body: { ChallengeParameters: {}, AuthenticationResult: authenticationResult({ username: opts.challengeUsername ?? userIdForSrp }) },
    };
  });
  return challenge;
}

describe('USER_SRP_AUTH (default)', () => {
  it('runs SRP with USER_ID_FOR_SRP and the server verifies the signature', async () => {
    const challenge = playSrp('alice-internal', 'Passw0rd!', { challengeUsername: 'alice' });
    cognito.on('InitiateAuth', (body) => ({ body: challenge(body.AuthParameters.SRP_A) }));
    const output = await signIn({ username: 'Alice@Example.com', password: 'Passw0rd!' });
    expect(output).toEqual({ isSignedIn: true, nextStep: { signInStep: 'DONE' } });

    const [init] = cognito.calls('InitiateAuth');
    expect(init!.body.AuthFlow).toBe('USER_SRP_AUTH');
    expect(init!.body.AuthParameters.USERNAME).toBe('Alice@Example.com');
    expect(init!.body.AuthParameters.SRP_A).toMatch(/^[0-9a-f]{700,770}$/);
    expect(init!.body.ClientId).toBe('client123');
    const [respond] = cognito.calls('RespondToAuthChallenge');
    expect(respond!.body.ChallengeResponses.USERNAME).toBe('alice-internal');
    expect(respond!.body.ChallengeResponses.PASSWORD_CLAIM_SECRET_BLOCK).toBe(SECRET_BLOCK);
    expect(respond!.body.ChallengeResponses.TIMESTAMP).toMatch(TIMESTAMP_RE);
    expect(respond!.body).not.toHaveProperty('Session'); // none was sent
    // stored under ChallengeParameters.USERNAME
    expect(await storage.getItem('CognitoIdentityServiceProvider.client123.LastAuthUser')).toBe('alice');
    expect((await getCurrentUser()).signInDetails).toEqual({ loginId: 'Alice@Example.com', authFlowType: 'USER_SRP_AUTH' });
  });

  it('a wrong password is NotAuthorizedException; a missing USER_ID_FOR_SRP is EmptyUserIdForSRPException', async () => {
    const challenge = playSrp('alice', 'right');
    cognito.on('InitiateAuth', (body) => ({ body: challenge(body.AuthParameters.SRP_A) }));
    await expect(signIn({ username: 'alice', password: 'wrong' })).rejects.toMatchObject({ name: 'NotAuthorizedException' });
    cognito.on('InitiateAuth', () => ({
      body: { ChallengeName: 'PASSWORD_VERIFIER', ChallengeParameters: { SALT: 'ab', SRP_B: 'cd', SECRET_BLOCK } },
    }));
    await expect(signIn({ username: 'alice', password: 'x' })).rejects.toMatchObject({ name: 'EmptyUserIdForSRPException' });
  });
});

describe('USER_AUTH', () => {
  it('PASSWORD: one InitiateAuth with PASSWORD and PREFERRED_CHALLENGE', async () => {
    cognito.on('InitiateAuth', () => ({ body: { AuthenticationResult: authenticationResult() } }));
    const output = await signIn({
      username: 'alice',
      password: 'pw',
      options: { authFlowType: 'USER_AUTH', preferredChallenge: 'PASSWORD' },
    });
    expect(output.isSignedIn).toBe(true);
    expect(cognito.calls('InitiateAuth')[0]!.body).toEqual({
      AuthFlow: 'USER_AUTH',
      AuthParameters: { USERNAME: 'alice', PASSWORD: 'pw', PREFERRED_CHALLENGE: 'PASSWORD' },
      ClientId: 'client123',
    });
  });

  it('PASSWORD_SRP: SRP_A + PREFERRED_CHALLENGE, then PASSWORD_VERIFIER with the Session', async () => {
    const challenge = playSrp('alice', 'pw', { session: 'srp-session' });
    cognito.on('InitiateAuth', (body) => ({ body: challenge(body.AuthParameters.SRP_A) }));
    const output = await signIn({
      username: 'alice',
      password: 'pw',
      options: { authFlowType: 'USER_AUTH', preferredChallenge: 'PASSWORD_SRP' },
    });
    expect(output.isSignedIn).toBe(true);
    expect(cognito.calls('InitiateAuth')[0]!.body.AuthParameters).toMatchObject({ USERNAME: 'alice', PREFERRED_CHALLENGE: 'PASSWORD_SRP' });
    expect(cognito.calls('RespondToAuthChallenge')[0]!.body.Session).toBe('srp-session');
  });

  it('WEB_AUTHN: the ceremony runs inside signIn; CREDENTIAL is a JSON string', async () => {
    const authenticator = installFakeAuthenticator();
    const requestOptions = {
      challenge: 'lo6lmM5b16UjWqVyCr5T2w',
      timeout: 180000,
      rpId: 'app.example.com',
      allowCredentials: [{ id: 'AQIDBPr7_A', type: 'public-key' }],
      userVerification: 'required',
      hints: [],
    };
    cognito.on('InitiateAuth', () => ({
      body: {
        ChallengeName: 'WEB_AUTHN',
        Session: 'webauthn-session',
        ChallengeParameters: { USERNAME: 'alice', CREDENTIAL_REQUEST_OPTIONS: JSON.stringify(requestOptions) },
      },
    }));
    cognito.on('RespondToAuthChallenge', () => ({ body: { AuthenticationResult: authenticationResult() } }));
    const output = await signIn({ username: 'alice', options: { authFlowType: 'USER_AUTH', preferredChallenge: 'WEB_AUTHN' } });
    expect(output).toEqual({ isSignedIn: true, nextStep: { signInStep: 'DONE' } });

    expect(cognito.calls('InitiateAuth')[0]!.body.AuthParameters).toEqual({ USERNAME: 'alice', PREFERRED_CHALLENGE: 'WEB_AUTHN' });
    const publicKey = authenticator.getCalls[0].publicKey;
    expect(new Uint8Array(publicKey.challenge)).toEqual(new Uint8Array(Buffer.from(requestOptions.challenge, 'base64url')));
    expect(new Uint8Array(publicKey.allowCredentials[0].id)).toEqual(new Uint8Array([1, 2, 3, 4, 250, 251, 252]));
    expect(publicKey).toMatchObject({ rpId: 'app.example.com', userVerification: 'required', timeout: 180000, hints: [] });

    const respond = cognito.calls('RespondToAuthChallenge')[0]!.body;
    expect(respond.ChallengeName).toBe('WEB_AUTHN');
    expect(respond.Session).toBe('webauthn-session');
    expect(respond.ClientId).toBe('client123');
    expect(respond.ChallengeResponses.USERNAME).toBe('alice');
    expect(typeof respond.ChallengeResponses.CREDENTIAL).toBe('string');
    const credential = JSON.parse(respond.ChallengeResponses.CREDENTIAL);
    expect(credential).toEqual({
      id: 'AQIDBPr7_A',
      rawId: 'AQIDBPr7_A',
      type: 'public-key',
      clientExtensionResults: { credProps: { rk: true } },
      response: {
        clientDataJSON: b64url(
          JSON.stringify({ type: 'webauthn.get', challenge: requestOptions.challenge, origin: 'https://app.example.com' }),
        ),
        authenticatorData: b64url('authenticator-data'),
        signature: b64url('signature'),
        userHandle: b64url('user-handle'),
      },
      authenticatorAttachment: 'platform',
    });
  });

  it(
    'WEB_AUTHN without CREDENTIAL_REQUEST_OPTIONS is InvalidPasskeyAuthenticationOptions; ' +
      'a cancelled prompt is PasskeyAuthenticationCanceled',
    async () => {
      const authenticator = installFakeAuthenticator();
      cognito.on('InitiateAuth', () => ({
        body: { ChallengeName: 'WEB_AUTHN', Session: 's', ChallengeParameters: { USERNAME: 'alice' } },
      }));
      await expect(
        signIn({ username: 'alice', options: { authFlowType: 'USER_AUTH', preferredChallenge: 'WEB_AUTHN' } }),
      ).rejects.toMatchObject({
        name: 'InvalidPasskeyAuthenticationOptions',
      });
      cognito.on('InitiateAuth', () => ({
        body: { ChallengeName: 'WEB_AUTHN', Session: 's', ChallengeParameters: { CREDENTIAL_REQUEST_OPTIONS: '{"challenge":"AAAA"}' } },
      }));
      authenticator.failWith = new DOMException('The operation either timed out or was not allowed.', 'NotAllowedError');
      await expect(
        signIn({ username: 'alice', options: { authFlowType: 'USER_AUTH', preferredChallenge: 'WEB_AUTHN' } }),
      ).rejects.toMatchObject({
        name: 'PasskeyAuthenticationCanceled',
      });
      expect(cognito.calls('RespondToAuthChallenge')).toHaveLength(0);
    },
  );

  it('validates preferredChallenge against config.passwordless, and uses its preferredChallenge as default', async () => {
    configureFor(cognito, {}, { passwordless: { emailOtpEnabled: true } });
    await expect(
      signIn({ username: 'alice', options: { authFlowType: 'USER_AUTH', preferredChallenge: 'WEB_AUTHN' } }),
    ).rejects.toMatchObject({
      name: 'InvalidPreferredChallenge',
    });
    configureFor(cognito, {}, { passwordless: { emailOtpEnabled: true, preferredChallenge: 'EMAIL_OTP' } });
    cognito.on('InitiateAuth', () => ({
      body: {
        ChallengeName: 'EMAIL_OTP',
        Session: 's',
        ChallengeParameters: { CODE_DELIVERY_DELIVERY_MEDIUM: 'EMAIL', CODE_DELIVERY_DESTINATION: 'a***@e***' },
      },
    }));
    expect(await signIn({ username: 'alice', options: { authFlowType: 'USER_AUTH' } })).toEqual({
      isSignedIn: false,
      nextStep: {
        signInStep: 'CONFIRM_SIGN_IN_WITH_EMAIL_CODE',
        codeDeliveryDetails: { deliveryMedium: 'EMAIL', destination: 'a***@e***' },
      },
    });
    expect(cognito.calls('InitiateAuth')[0]!.body.AuthParameters.PREFERRED_CHALLENGE).toBe('EMAIL_OTP');
    cognito.on('RespondToAuthChallenge', () => ({ body: { AuthenticationResult: authenticationResult() } }));
    expect((await confirmSignIn({ challengeResponse: '123456' })).isSignedIn).toBe(true);
    expect(cognito.calls('RespondToAuthChallenge')[0]!.body).toEqual({
      ChallengeName: 'EMAIL_OTP',
      ChallengeResponses: { USERNAME: 'alice', EMAIL_OTP_CODE: '123456' },
      Session: 's',
      ClientId: 'client123',
    });
  });
});

describe('SELECT_CHALLENGE and confirmSignIn', () => {
  const selectChallenge = () =>
    cognito.on('InitiateAuth', () => ({
      body: {
        ChallengeName: 'SELECT_CHALLENGE',
        Session: 'select-session',
        ChallengeParameters: {},
        AvailableChallenges: ['PASSWORD', 'PASSWORD_SRP', 'WEB_AUTHN'],
      },
    }));

  it('no preference → CONTINUE_SIGN_IN_WITH_FIRST_FACTOR_SELECTION with availableChallenges', async () => {
    selectChallenge();
    expect(await signIn({ username: 'alice', options: { authFlowType: 'USER_AUTH' } })).toEqual({
      isSignedIn: false,
      nextStep: {
        signInStep: 'CONTINUE_SIGN_IN_WITH_FIRST_FACTOR_SELECTION',
        availableChallenges: ['PASSWORD', 'PASSWORD_SRP', 'WEB_AUTHN'],
      },
    });
    expect(cognito.calls('InitiateAuth')[0]!.body.AuthParameters).toEqual({ USERNAME: 'alice' });
  });

  it("'PASSWORD' is answered locally, then the password goes with SELECT_CHALLENGE ANSWER=PASSWORD", async () => {
    selectChallenge();
    await signIn({ username: 'alice', options: { authFlowType: 'USER_AUTH' } });
    expect(await confirmSignIn({ challengeResponse: 'PASSWORD' })).toEqual({
      isSignedIn: false,
      nextStep: { signInStep: 'CONFIRM_SIGN_IN_WITH_PASSWORD' },
    });
    expect(cognito.calls('RespondToAuthChallenge')).toHaveLength(0);
    cognito.on('RespondToAuthChallenge', () => ({ body: { AuthenticationResult: authenticationResult() } }));
    expect(await confirmSignIn({ challengeResponse: 'Passw0rd!' })).toEqual({ isSignedIn: true, nextStep: { signInStep: 'DONE' } });
    expect(cognito.calls('RespondToAuthChallenge')[0]!.body).toEqual({
      ChallengeName: 'SELECT_CHALLENGE',
      ChallengeResponses: { ANSWER: 'PASSWORD', USERNAME: 'alice', PASSWORD: 'Passw0rd!' },
      Session: 'select-session',
      ClientId: 'client123',
    });
    expect((await getCurrentUser()).signInDetails).toEqual({ loginId: 'alice', authFlowType: 'USER_AUTH' });
  });

  it("'PASSWORD_SRP' → SRP_A in SELECT_CHALLENGE, then PASSWORD_VERIFIER", async () => {
    selectChallenge();
    await signIn({ username: 'alice', options: { authFlowType: 'USER_AUTH' } });
    await confirmSignIn({ challengeResponse: 'PASSWORD_SRP' });
    const srp = srpServer('Pool42', 'alice', 'pw');
    let srpA = '';
    cognito.on('RespondToAuthChallenge', (body) => {
      if (body.ChallengeName === 'SELECT_CHALLENGE') {
        srpA = body.ChallengeResponses.SRP_A;
        return {
          body: {
            ChallengeName: 'PASSWORD_VERIFIER',
            Session: 'verifier-session',
            ChallengeParameters: { SALT: srp.SALT, SRP_B: srp.SRP_B, SECRET_BLOCK, USERNAME: 'alice', USER_ID_FOR_SRP: 'alice' },
          },
        };
      }
      const r = body.ChallengeResponses;
      expect(body.Session).toBe('verifier-session');
      expect(r.PASSWORD_CLAIM_SIGNATURE).toBe(srp.expectedSignature(srpA, r.PASSWORD_CLAIM_SECRET_BLOCK, r.TIMESTAMP));
      return { body: { AuthenticationResult: authenticationResult() } };
    });
    expect((await confirmSignIn({ challengeResponse: 'pw' })).isSignedIn).toBe(true);
    const first = cognito.calls('RespondToAuthChallenge')[0]!.body;
    expect(first.ChallengeResponses).toMatchObject({ ANSWER: 'PASSWORD_SRP', USERNAME: 'alice' });
    expect(first.Session).toBe('select-session');
  });

  it("'WEB_AUTHN' → SELECT_CHALLENGE ANSWER=WEB_AUTHN, ceremony, second RespondToAuthChallenge", async () => {
    installFakeAuthenticator();
    selectChallenge();
    await signIn({ username: 'alice', options: { authFlowType: 'USER_AUTH' } });
    cognito.on('RespondToAuthChallenge', (body) =>
      body.ChallengeName === 'SELECT_CHALLENGE'
        ? {
            body: {
              ChallengeName: 'WEB_AUTHN',
              Session: 'wa-session',
              ChallengeParameters: { CREDENTIAL_REQUEST_OPTIONS: '{"challenge":"AAECAw"}' },
            },
          }
        : { body: { AuthenticationResult: authenticationResult() } },
    );
    expect(await confirmSignIn({ challengeResponse: 'WEB_AUTHN' })).toEqual({ isSignedIn: true, nextStep: { signInStep: 'DONE' } });
    const [select, webauthn] = cognito.calls('RespondToAuthChallenge').map((r) => r.body);
    expect(select).toEqual({
      ChallengeName: 'SELECT_CHALLENGE',
      ChallengeResponses: { USERNAME: 'alice', ANSWER: 'WEB_AUTHN' },
      Session: 'select-session',
      ClientId: 'client123',
    });
    expect(webauthn!.Session).toBe('wa-session');
    expect(webauthn!.ChallengeResponses.USERNAME).toBe('alice');
  });

  it('after a cancelled passkey prompt in confirmSignIn the user can still pick PASSWORD', async () => {
    const authenticator = installFakeAuthenticator();
    authenticator.failWith = new DOMException('cancelled', 'NotAllowedError');
    selectChallenge();
    await signIn({ username: 'alice', options: { authFlowType: 'USER_AUTH' } });
    cognito.on('RespondToAuthChallenge', (body) =>
      body.ChallengeName === 'SELECT_CHALLENGE' && body.ChallengeResponses.ANSWER === 'WEB_AUTHN'
        ? {
            body: {
              ChallengeName: 'WEB_AUTHN',
              Session: 'wa-session',
              ChallengeParameters: { CREDENTIAL_REQUEST_OPTIONS: '{"challenge":"AAECAw"}' },
            },
          }
        : { body: { AuthenticationResult: authenticationResult() } },
    );
    await expect(confirmSignIn({ challengeResponse: 'WEB_AUTHN' })).rejects.toMatchObject({ name: 'PasskeyAuthenticationCanceled' });
    expect((await confirmSignIn({ challengeResponse: 'PASSWORD' })).nextStep.signInStep).toBe('CONFIRM_SIGN_IN_WITH_PASSWORD');
    expect((await confirmSignIn({ challengeResponse: 'pw' })).isSignedIn).toBe(true);
    expect(cognito.calls('RespondToAuthChallenge').at(-1)!.body.Session).toBe('wa-session');
  });
});

describe('sign-in state across a page reload', () => {
  it('is mirrored to sessionStorage (CognitoSignInState.*) and picked up by a fresh module instance', async () => {
    const map = new Map<string, string>();
    vi.stubGlobal('sessionStorage', {
      getItem: (k: string) => map.get(k) ?? null,
      setItem: (k: string, v: string) => void map.set(k, v),
      removeItem: (k: string) => void map.delete(k),
    });
    cognito.on('InitiateAuth', () => ({
      body: { ChallengeName: 'SELECT_CHALLENGE', Session: 'select-session', ChallengeParameters: {}, AvailableChallenges: ['PASSWORD'] },
    }));
    await signIn({ username: 'alice', options: { authFlowType: 'USER_AUTH' } });
    expect(map.get('CognitoSignInState.username')).toBe('alice');
    expect(map.get('CognitoSignInState.challengeName')).toBe('SELECT_CHALLENGE');
    expect(map.get('CognitoSignInState.signInSession')).toBe('select-session');
    expect(Number(map.get('CognitoSignInState.expiry'))).toBeGreaterThan(Date.now());

    vi.resetModules(); // "reload": a fresh copy of the library with empty memory
    const fresh = await import('@latchkey/auth');
    fresh.configure(
      { Auth: { Cognito: { userPoolId: 'local_Pool42', userPoolClientId: 'client123', userPoolEndpoint: cognito.url } } },
      { storage: fresh.createMemoryStorage() },
    );
    expect((await fresh.confirmSignIn({ challengeResponse: 'PASSWORD' })).nextStep.signInStep).toBe('CONFIRM_SIGN_IN_WITH_PASSWORD');
    cognito.on('RespondToAuthChallenge', () => ({ body: { AuthenticationResult: authenticationResult() } }));
    expect((await fresh.confirmSignIn({ challengeResponse: 'pw' })).isSignedIn).toBe(true);
    expect(cognito.calls('RespondToAuthChallenge')[0]!.body.Session).toBe('select-session');
    expect(map.size).toBe(0); // cleared after sign-in
  });
});

describe('other challenges', () => {
  it('NEW_PASSWORD_REQUIRED → CONFIRM_SIGN_IN_WITH_NEW_PASSWORD_REQUIRED → NEW_PASSWORD + userAttributes.*', async () => {
    cognito.on('InitiateAuth', () => ({
      body: {
        ChallengeName: 'NEW_PASSWORD_REQUIRED',
        Session: 'np',
        ChallengeParameters: { USERNAME: 'alice', requiredAttributes: '["userAttributes.name"]', userAttributes: '{}' },
      },
    }));
    const output = await signIn({ username: 'alice', password: 'temp', options: { authFlowType: 'USER_PASSWORD_AUTH' } });
    expect(output.nextStep).toEqual({ signInStep: 'CONFIRM_SIGN_IN_WITH_NEW_PASSWORD_REQUIRED', missingAttributes: ['name'] });
    cognito.on('RespondToAuthChallenge', () => ({ body: { AuthenticationResult: authenticationResult() } }));
    const done = await confirmSignIn({ challengeResponse: 'NewPassw0rd!', options: { userAttributes: { name: 'Alice' } } });
    expect(done.isSignedIn).toBe(true);
    expect(cognito.calls('RespondToAuthChallenge')[0]!.body).toEqual({
      ChallengeName: 'NEW_PASSWORD_REQUIRED',
      ChallengeResponses: { 'userAttributes.name': 'Alice', NEW_PASSWORD: 'NewPassw0rd!', USERNAME: 'alice' },
      Session: 'np',
      ClientId: 'client123',
    });
  });

  it('SOFTWARE_TOKEN_MFA and SELECT_MFA_TYPE map to Amplify steps', async () => {
    cognito.on('InitiateAuth', () => ({
      body: {
        ChallengeName: 'SELECT_MFA_TYPE',
        Session: 'm1',
        ChallengeParameters: { MFAS_CAN_CHOOSE: '["SMS_MFA","SOFTWARE_TOKEN_MFA"]' },
      },
    }));
    expect((await signIn({ username: 'alice', password: 'pw', options: { authFlowType: 'USER_PASSWORD_AUTH' } })).nextStep).toEqual({
      signInStep: 'CONTINUE_SIGN_IN_WITH_MFA_SELECTION',
      allowedMFATypes: ['SMS', 'TOTP'],
    });
    await expect(confirmSignIn({ challengeResponse: 'FAX' })).rejects.toMatchObject({ name: 'IncorrectMFAMethod' });
    cognito.on('RespondToAuthChallenge', (body) =>
      body.ChallengeName === 'SELECT_MFA_TYPE'
        ? { body: { ChallengeName: 'SOFTWARE_TOKEN_MFA', Session: 'm2', ChallengeParameters: {} } }
        : { body: { AuthenticationResult: authenticationResult() } },
    );
    expect((await confirmSignIn({ challengeResponse: 'TOTP' })).nextStep).toEqual({ signInStep: 'CONFIRM_SIGN_IN_WITH_TOTP_CODE' });
    expect((await confirmSignIn({ challengeResponse: '654321' })).isSignedIn).toBe(true);
    expect(cognito.calls('RespondToAuthChallenge').map((r) => r.body.ChallengeResponses)).toEqual([
      { USERNAME: 'alice', ANSWER: 'SOFTWARE_TOKEN_MFA' },
      { USERNAME: 'alice', SOFTWARE_TOKEN_MFA_CODE: '654321' },
    ]);
  });

  it('confirmSignIn without a sign-in in progress is SignInException; an empty answer is EmptyChallengeResponse', async () => {
    await signOut();
    await expect(confirmSignIn({ challengeResponse: 'x' })).rejects.toMatchObject({ name: 'SignInException' });
    await expect(confirmSignIn({ challengeResponse: '' })).rejects.toMatchObject({ name: 'EmptyChallengeResponse' });
  });

  it('an unknown challenge is a SignInException', async () => {
    cognito.on('InitiateAuth', () => ({ body: { ChallengeName: 'SOME_FUTURE_CHALLENGE', Session: 'd', ChallengeParameters: {} } }));
    await expect(signIn({ username: 'alice', password: 'pw', options: { authFlowType: 'USER_PASSWORD_AUTH' } })).rejects.toMatchObject({
      name: 'SignInException',
    });
  });

  it('DEVICE_SRP_AUTH with no device stored: DeviceMetadataNotFoundException, as Amplify', async () => {
    cognito.on('InitiateAuth', () => ({ body: { ChallengeName: 'DEVICE_SRP_AUTH', Session: 'd', ChallengeParameters: {} } }));
    await expect(signIn({ username: 'alice', password: 'pw', options: { authFlowType: 'USER_PASSWORD_AUTH' } })).rejects.toMatchObject({
      name: 'DeviceMetadataNotFoundException',
      message: 'Either deviceKey, deviceGroupKey or secretPassword were not found during the sign-in process.',
    });
    expect(cognito.calls('RespondToAuthChallenge')).toHaveLength(0);
  });
});

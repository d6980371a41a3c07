import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  AuthError,
  createMemoryStorage,
  decodeJWT,
  fetchAuthSession,
  getCurrentUser,
  onAuthEvent,
  signIn,
  signOut,
  type AuthEventPayload,
  type TokenStorage,
} from '@latchkey/auth';
import {
  authenticationResult,
  configureFor,
  seedSession,
  serviceError,
  signInWithTokens,
  startFakeCognito,
  type FakeCognito,
} from './helpers.js';

let cognito: FakeCognito;
let storage: TokenStorage & { clear(): void };
let events: AuthEventPayload[];
let unsubscribe: () => void;

beforeAll(async () => {
  cognito = await startFakeCognito();
  unsubscribe = onAuthEvent((e) => events.push(e));
});
afterAll(async () => {
  unsubscribe();
  await cognito.close();
});
beforeEach(() => {
  cognito.reset();
  events = [];
  storage = createMemoryStorage();
  configureFor(cognito, { storage });
});

const key = (name: string, username = 'alice') => `CognitoIdentityServiceProvider.client123.${username}.${name}`;

describe('USER_PASSWORD_AUTH sign-in', () => {
  it('sends InitiateAuth USER_PASSWORD_AUTH and stores the tokens under Amplify keys', async () => {
    const tokens = authenticationResult();
    cognito.on('InitiateAuth', () => ({ body: { ChallengeParameters: {}, AuthenticationResult: tokens } }));
    const output = await signIn({
      username: 'alice',
      password: 'Passw0rd!',
      options: { authFlowType: 'USER_PASSWORD_AUTH', clientMetadata: { app: 'test' } },
    });
    expect(output).toEqual({ isSignedIn: true, nextStep: { signInStep: 'DONE' } });
    const [req] = cognito.calls('InitiateAuth');
    expect(req!.headers['x-amz-user-agent']).toContain('auth/4');
    expect(req!.body).toEqual({
      AuthFlow: 'USER_PASSWORD_AUTH',
      AuthParameters: { USERNAME: 'alice', PASSWORD: 'Passw0rd!' },
      ClientMetadata: { app: 'test' },
      ClientId: 'client123',
    });
    expect(await storage.getItem('CognitoIdentityServiceProvider.client123.LastAuthUser')).toBe('alice');
    expect(await storage.getItem(key('accessToken'))).toBe(tokens.AccessToken);
    expect(await storage.getItem(key('idToken'))).toBe(tokens.IdToken);
    expect(await storage.getItem(key('refreshToken'))).toBe(tokens.RefreshToken);
    expect(JSON.parse((await storage.getItem(key('signInDetails')))!)).toEqual({ loginId: 'alice', authFlowType: 'USER_PASSWORD_AUTH' });
    expect(Number(await storage.getItem(key('clockDrift')))).toBeLessThanOrEqual(0);

    const user = await getCurrentUser();
    expect(user).toEqual({
      username: 'alice',
      userId: '4b0fa273-f691-42cc-af53-06c07c0afab4',
      signInDetails: { loginId: 'alice', authFlowType: 'USER_PASSWORD_AUTH' },
    });
    expect(events).toEqual([{ event: 'signedIn', data: user }]);

    const session = await fetchAuthSession();
    expect(session.userSub).toBe('4b0fa273-f691-42cc-af53-06c07c0afab4');
    expect(session.tokens?.accessToken.toString()).toBe(tokens.AccessToken);
    expect(session.tokens?.idToken?.payload['cognito:username']).toBe('alice');
    expect(session.credentials).toBeUndefined();
  });

  it('stores under ChallengeParameters.USERNAME when the server names the user', async () => {
    cognito.on('InitiateAuth', () => ({
      body: {
        ChallengeName: 'NEW_PASSWORD_REQUIRED',
        Session: 's1',
        ChallengeParameters: { USERNAME: 'uuid-1', requiredAttributes: '["userAttributes.name"]' },
      },
    }));
    const output = await signIn({ username: 'alice@example.com', password: 'x', options: { authFlowType: 'USER_PASSWORD_AUTH' } });
    expect(output).toEqual({
      isSignedIn: false,
      nextStep: { signInStep: 'CONFIRM_SIGN_IN_WITH_NEW_PASSWORD_REQUIRED', missingAttributes: ['name'] },
    });
  });

  it('refuses a second sign-in while signed in (UserAlreadyAuthenticatedException), without a request', async () => {
    await signInWithTokens(cognito);
    cognito.reset();
    await expect(signIn({ username: 'alice', password: 'x' })).rejects.toMatchObject({
      name: 'UserAlreadyAuthenticatedException',
    });
    expect(cognito.requests).toHaveLength(0);
  });

  it('turns UserNotConfirmedException and PasswordResetRequiredException into steps; other errors reject', async () => {
    cognito.on('InitiateAuth', () => serviceError('UserNotConfirmedException'));
    expect(await signIn({ username: 'a', password: 'b', options: { authFlowType: 'USER_PASSWORD_AUTH' } })).toEqual({
      isSignedIn: false,
      nextStep: { signInStep: 'CONFIRM_SIGN_UP' },
    });
    cognito.on('InitiateAuth', () => serviceError('PasswordResetRequiredException'));
    expect(await signIn({ username: 'a', password: 'b', options: { authFlowType: 'USER_PASSWORD_AUTH' } })).toEqual({
      isSignedIn: false,
      nextStep: { signInStep: 'RESET_PASSWORD' },
    });
    cognito.on('InitiateAuth', () => serviceError('NotAuthorizedException', 'Incorrect username or password.'));
    const error = await signIn({ username: 'a', password: 'b', options: { authFlowType: 'USER_PASSWORD_AUTH' } }).catch((e) => e);
    expect(error).toBeInstanceOf(AuthError);
    expect(error).toMatchObject({ name: 'NotAuthorizedException', message: 'Incorrect username or password.' });
  });

  it('validates input like Amplify', async () => {
    await expect(signIn({ username: '', password: 'x' })).rejects.toMatchObject({ name: 'EmptySignInUsername' });
    await expect(signIn({ username: 'a' })).rejects.toMatchObject({ name: 'EmptySignInPassword' });
    await expect(signIn({ username: 'a', options: { authFlowType: 'USER_PASSWORD_AUTH' } })).rejects.toMatchObject({
      name: 'EmptySignInPassword',
    });
    expect(cognito.requests).toHaveLength(0);
  });

  it('an AuthenticationResult without AccessToken is InvalidTokens', async () => {
    cognito.on('InitiateAuth', () => ({ body: { AuthenticationResult: { IdToken: 'x' } } }));
    await expect(signIn({ username: 'a', password: 'b', options: { authFlowType: 'USER_PASSWORD_AUTH' } })).rejects.toMatchObject({
      name: 'InvalidTokens',
    });
  });
});

describe('signed out', () => {
  it('getCurrentUser throws UserUnAuthenticatedException; fetchAuthSession resolves without tokens', async () => {
    await expect(getCurrentUser()).rejects.toMatchObject({
      name: 'UserUnAuthenticatedException',
      message: 'User needs to be authenticated to call this API.',
    });
    expect(await fetchAuthSession()).toEqual({ tokens: undefined, credentials: undefined, identityId: undefined, userSub: undefined });
  });
});

describe('refresh', () => {
  it('refreshes expired tokens with GetTokensFromRefreshToken, keeping the refresh token when not rotated', async () => {
    await seedSession(storage, { expiresIn: -10 });
    events = [];
    const fresh = authenticationResult({ tag: 'b', refreshToken: null });
    cognito.on('GetTokensFromRefreshToken', () => ({ body: { AuthenticationResult: fresh } }));
    const session = await fetchAuthSession();
    expect(cognito.calls('GetTokensFromRefreshToken').map((r) => r.body)).toEqual([
      { ClientId: 'client123', RefreshToken: 'refresh-token-1' },
    ]);
    expect(session.tokens?.accessToken.toString()).toBe(fresh.AccessToken);
    expect(await storage.getItem(key('accessToken'))).toBe(fresh.AccessToken);
    expect(await storage.getItem(key('refreshToken'))).toBe('refresh-token-1');
    expect(JSON.parse((await storage.getItem(key('signInDetails')))!)).toMatchObject({ authFlowType: 'USER_PASSWORD_AUTH' });
    expect(events).toEqual([{ event: 'tokenRefresh' }]);
    // fresh now: no further refresh
    await fetchAuthSession();
    await getCurrentUser();
    expect(cognito.calls('GetTokensFromRefreshToken')).toHaveLength(1);
  });

  it('refreshes when within the 5 s tolerance, and always with forceRefresh; stores a rotated refresh token', async () => {
    await seedSession(storage, { expiresIn: 3 });
    cognito.on('GetTokensFromRefreshToken', () => ({
      body: { AuthenticationResult: authenticationResult({ refreshToken: 'refresh-token-2' }) },
    }));
    await fetchAuthSession();
    expect(cognito.calls('GetTokensFromRefreshToken')).toHaveLength(1);
    expect(await storage.getItem(key('refreshToken'))).toBe('refresh-token-2');
    await fetchAuthSession({ forceRefresh: true });
    expect(cognito.calls('GetTokensFromRefreshToken').map((r) => r.body.RefreshToken)).toEqual(['refresh-token-1', 'refresh-token-2']);
  });

  it('de-duplicates concurrent refreshes', async () => {
    await seedSession(storage, { expiresIn: -10 });
    cognito.on('GetTokensFromRefreshToken', async () => {
      await new Promise((r) => setTimeout(r, 30));
      return { body: { AuthenticationResult: authenticationResult({ tag: 'c' }) } };
    });
    const sessions = await Promise.all([fetchAuthSession(), fetchAuthSession(), getCurrentUser(), fetchAuthSession()]);
    expect(cognito.calls('GetTokensFromRefreshToken')).toHaveLength(1);
    expect((sessions[0] as { tokens: { accessToken: { payload: { jti: string } } } }).tokens.accessToken.payload.jti).toBe('access-c');
  });

  it('NotAuthorizedException on refresh → tokens cleared, signed out, tokenRefresh_failure', async () => {
    await seedSession(storage, { expiresIn: -10 });
    events = [];
    cognito.on('GetTokensFromRefreshToken', () => serviceError('NotAuthorizedException', 'Refresh Token has been revoked'));
    expect((await fetchAuthSession()).tokens).toBeUndefined();
    expect(await storage.getItem(key('accessToken'))).toBeNull();
    expect(await storage.getItem('CognitoIdentityServiceProvider.client123.LastAuthUser')).toBeNull();
    expect(events.map((e) => e.event)).toEqual(['tokenRefresh_failure']);
    await expect(getCurrentUser()).rejects.toMatchObject({ name: 'UserUnAuthenticatedException' });
  });

  it('a transient refresh error rejects and keeps the tokens', async () => {
    await seedSession(storage, { expiresIn: -10 });
    cognito.on('GetTokensFromRefreshToken', () => serviceError('InternalErrorException', 'x', 500));
    await expect(fetchAuthSession()).rejects.toMatchObject({ name: 'InternalErrorException' });
    expect(cognito.calls('GetTokensFromRefreshToken')).toHaveLength(3);
    expect(await storage.getItem(key('refreshToken'))).toBe('refresh-token-1');
  });
});

describe('signOut', () => {
  it('revokes the refresh token with RevokeToken, clears tokens and emits signedOut', async () => {
    await signInWithTokens(cognito);
    cognito.on('RevokeToken', () => ({ body: {} }));
    await signOut();
    expect(cognito.calls('RevokeToken').map((r) => r.body)).toEqual([{ ClientId: 'client123', Token: 'refresh-token-1' }]);
    expect(cognito.calls('GlobalSignOut')).toHaveLength(0);
    expect(await storage.getItem(key('accessToken'))).toBeNull();
    expect(await storage.getItem(key('refreshToken'))).toBeNull();
    expect(events.at(-1)).toEqual({ event: 'signedOut' });
    await expect(getCurrentUser()).rejects.toMatchObject({ name: 'UserUnAuthenticatedException' });
  });

  it('skips RevokeToken when the access token has no origin_jti', async () => {
    await signInWithTokens(cognito, { originJti: null });
    await signOut();
    expect(cognito.calls('RevokeToken')).toHaveLength(0);
    expect(await storage.getItem(key('accessToken'))).toBeNull();
  });

  it('global: sends GlobalSignOut with the access token', async () => {
    const tokens = await signInWithTokens(cognito);
    cognito.on('GlobalSignOut', () => ({ body: {} }));
    await signOut({ global: true });
    expect(cognito.calls('GlobalSignOut').map((r) => r.body)).toEqual([{ AccessToken: tokens.AccessToken }]);
    expect(cognito.calls('RevokeToken')).toHaveLength(0);
  });

  it('swallows service errors and still clears local tokens', async () => {
    await signInWithTokens(cognito);
    cognito.on('RevokeToken', () => serviceError('UnsupportedTokenTypeException'));
    await expect(signOut()).resolves.toBeUndefined();
    expect(await storage.getItem(key('accessToken'))).toBeNull();
  });
});

describe('decodeJWT', () => {
  it('decodes a UTF-8 payload and rejects tokens without three parts', () => {
    const token = `e30.${Buffer.from(JSON.stringify({ name: 'Zoë 🙂' })).toString('base64url')}.sig`;
    expect(decodeJWT(token).payload).toEqual({ name: 'Zoë 🙂' });
    expect(decodeJWT(token).toString()).toBe(token);
    expect(() => decodeJWT('a.b')).toThrow('Invalid token');
  });
});

import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  autoSignIn,
  configure,
  confirmResetPassword,
  confirmSignUp,
  deleteUser,
  fetchAuthSession,
  getCurrentUser,
  resendSignUpCode,
  resetPassword,
  signUp,
  updatePassword,
  type TokenStorage,
} from '@latchkey/auth';
import { authenticationResult, configureFor, serviceError, signInWithTokens, startFakeCognito, type FakeCognito } from './helpers.js';

let cognito: FakeCognito;
let storage: TokenStorage;
beforeAll(async () => {
  cognito = await startFakeCognito();
});
afterAll(() => cognito.close());
beforeEach(() => {
  cognito.reset();
  storage = configureFor(cognito);
});
afterEach(() => vi.unstubAllGlobals());

const CDD = { Destination: 'a***@e***', DeliveryMedium: 'EMAIL', AttributeName: 'email' };

describe('signUp / confirmSignUp / resendSignUpCode', () => {
  it('SignUp request and CONFIRM_SIGN_UP output', async () => {
    cognito.on('SignUp', () => ({ body: { UserConfirmed: false, UserSub: 'sub-1', CodeDeliveryDetails: CDD, Session: 'su' } }));
    const output = await signUp({
      username: 'alice',
      password: 'Passw0rd!',
      options: { userAttributes: { email: 'alice@example.com', name: 'Alice' }, validationData: { k: 'v' }, clientMetadata: { m: '1' } },
    });
    expect(output).toEqual({
      isSignUpComplete: false,
      userId: 'sub-1',
      nextStep: {
        signUpStep: 'CONFIRM_SIGN_UP',
        codeDeliveryDetails: { destination: 'a***@e***', deliveryMedium: 'EMAIL', attributeName: 'email' },
      },
    });
    const [req] = cognito.calls('SignUp');
    expect(req!.headers['x-amz-user-agent']).toContain('auth/1');
    expect(req!.body).toEqual({
      Username: 'alice',
      Password: 'Passw0rd!',
      UserAttributes: [
        { Name: 'email', Value: 'alice@example.com' },
        { Name: 'name', Value: 'Alice' },
      ],
      ClientMetadata: { m: '1' },
      ValidationData: [{ Name: 'k', Value: 'v' }],
      ClientId: 'client123',
    });
  });

  it('UserConfirmed → DONE; passwordless sign-up omits Password; the missing-password error is EmptySignUpPassword', async () => {
    cognito.on('SignUp', () => ({ body: { UserConfirmed: true, UserSub: 'sub-2' } }));
    expect(await signUp({ username: 'bob' })).toEqual({ isSignUpComplete: true, userId: 'sub-2', nextStep: { signUpStep: 'DONE' } });
    expect(cognito.calls('SignUp')[0]!.body).toEqual({ Username: 'bob', ClientId: 'client123' });
    cognito.on('SignUp', () =>
      serviceError(
        'InvalidParameterException',
        "1 validation error detected: Value at 'password'failed to satisfy constraint: Member must not be null",
      ),
    );
    await expect(signUp({ username: 'bob' })).rejects.toMatchObject({
      name: 'EmptySignUpPassword',
      message: 'password is required to signUp',
    });
    cognito.on('SignUp', () => serviceError('UsernameExistsException', 'User already exists'));
    await expect(signUp({ username: 'bob', password: 'x' })).rejects.toMatchObject({ name: 'UsernameExistsException' });
    await expect(signUp({ username: '' })).rejects.toMatchObject({ name: 'EmptySignUpUsername' });
  });

  it('confirmSignUp sends ConfirmSignUp and resolves DONE', async () => {
    cognito.on('ConfirmSignUp', () => ({ body: { Session: 'cs' } }));
    expect(await confirmSignUp({ username: 'alice', confirmationCode: '123456', options: { forceAliasCreation: false } })).toEqual({
      isSignUpComplete: true,
      nextStep: { signUpStep: 'DONE' },
    });
    expect(cognito.calls('ConfirmSignUp')[0]!.body).toEqual({
      Username: 'alice',
      ConfirmationCode: '123456',
      ForceAliasCreation: false,
      ClientId: 'client123',
    });
    await expect(confirmSignUp({ username: 'alice', confirmationCode: '' })).rejects.toMatchObject({ name: 'EmptyConfirmSignUpCode' });
    cognito.on('ConfirmSignUp', () => serviceError('CodeMismatchException', 'Invalid verification code provided, please try again.'));
    await expect(confirmSignUp({ username: 'alice', confirmationCode: '1' })).rejects.toMatchObject({ name: 'CodeMismatchException' });
  });

  it('resendSignUpCode sends ResendConfirmationCode and maps the delivery details', async () => {
    cognito.on('ResendConfirmationCode', () => ({ body: { CodeDeliveryDetails: CDD } }));
    expect(await resendSignUpCode({ username: 'alice' })).toEqual({
      destination: 'a***@e***',
      deliveryMedium: 'EMAIL',
      attributeName: 'email',
    });
    expect(cognito.calls('ResendConfirmationCode')[0]!.body).toEqual({ Username: 'alice', ClientId: 'client123' });
  });
});

describe('autoSignIn', () => {
  it('USER_AUTH: confirmSignUp → COMPLETE_AUTO_SIGN_IN; autoSignIn passes ConfirmSignUp’s Session to InitiateAuth', async () => {
    cognito.on('SignUp', () => ({ body: { UserConfirmed: false, UserSub: 'sub-1', CodeDeliveryDetails: CDD, Session: 'signup-session' } }));
    cognito.on('ConfirmSignUp', () => ({ body: { Session: 'confirm-session' } }));
    cognito.on('InitiateAuth', () => ({ body: { AuthenticationResult: authenticationResult() } }));
    const signedUp = await signUp({
      username: 'alice',
      options: { userAttributes: { email: 'a@e.com' }, autoSignIn: { authFlowType: 'USER_AUTH' } },
    });
    expect(signedUp.nextStep.signUpStep).toBe('CONFIRM_SIGN_UP');
    expect(await confirmSignUp({ username: 'alice', confirmationCode: '123456' })).toEqual({
      isSignUpComplete: true,
      nextStep: { signUpStep: 'COMPLETE_AUTO_SIGN_IN' },
    });
    expect(await autoSignIn()).toEqual({ isSignedIn: true, nextStep: { signInStep: 'DONE' } });
    expect(cognito.calls('InitiateAuth')[0]!.body).toEqual({
      AuthFlow: 'USER_AUTH',
      AuthParameters: { USERNAME: 'alice' },
      ClientId: 'client123',
      Session: 'confirm-session',
    });
    expect((await getCurrentUser()).username).toBe('alice');
    await expect(autoSignIn()).rejects.toMatchObject({ name: 'AutoSignInException' });
  });

  it('an already-confirmed user: signUp → COMPLETE_AUTO_SIGN_IN, autoSignIn uses the requested flow', async () => {
    cognito.on('SignUp', () => ({ body: { UserConfirmed: true, UserSub: 'sub-1' } }));
    cognito.on('InitiateAuth', () => ({ body: { AuthenticationResult: authenticationResult() } }));
    const output = await signUp({ username: 'alice', password: 'pw', options: { autoSignIn: { authFlowType: 'USER_PASSWORD_AUTH' } } });
    expect(output).toEqual({ isSignUpComplete: true, userId: 'sub-1', nextStep: { signUpStep: 'COMPLETE_AUTO_SIGN_IN' } });
    expect((await autoSignIn()).isSignedIn).toBe(true);
    expect(cognito.calls('InitiateAuth')[0]!.body.AuthParameters).toEqual({ USERNAME: 'alice', PASSWORD: 'pw' });
  });

  it('confirmSignUp for another username does not arm autoSignIn', async () => {
    cognito.on('SignUp', () => ({ body: { UserConfirmed: false, UserSub: 's' } }));
    cognito.on('ConfirmSignUp', () => ({ body: {} }));
    await signUp({ username: 'alice', password: 'pw', options: { autoSignIn: true } });
    expect((await confirmSignUp({ username: 'bob', confirmationCode: '1' })).nextStep.signUpStep).toBe('DONE');
    await expect(autoSignIn()).rejects.toMatchObject({ name: 'AutoSignInException' });
  });
});

describe('passwords and account', () => {
  it('resetPassword → ForgotPassword; confirmResetPassword → ConfirmForgotPassword', async () => {
    cognito.on('ForgotPassword', () => ({ body: { CodeDeliveryDetails: CDD } }));
    cognito.on('ConfirmForgotPassword', () => ({ body: {} }));
    expect(await resetPassword({ username: 'alice' })).toEqual({
      isPasswordReset: false,
      nextStep: {
        resetPasswordStep: 'CONFIRM_RESET_PASSWORD_WITH_CODE',
        codeDeliveryDetails: { deliveryMedium: 'EMAIL', destination: 'a***@e***', attributeName: 'email' },
      },
    });
    await expect(confirmResetPassword({ username: 'alice', newPassword: 'N3w!', confirmationCode: '42' })).resolves.toBeUndefined();
    expect(cognito.calls('ConfirmForgotPassword')[0]!.body).toEqual({
      Username: 'alice',
      ConfirmationCode: '42',
      Password: 'N3w!',
      ClientId: 'client123',
    });
    await expect(confirmResetPassword({ username: 'alice', newPassword: '', confirmationCode: '42' })).rejects.toMatchObject({
      name: 'EmptyConfirmResetPasswordNewPassword',
    });
  });

  it('updatePassword → ChangePassword with the access token', async () => {
    await expect(updatePassword({ oldPassword: 'a', newPassword: 'b' })).rejects.toMatchObject({ name: 'UserUnAuthenticatedException' });
    const tokens = await signInWithTokens(cognito);
    cognito.on('ChangePassword', () => ({ body: {} }));
    await updatePassword({ oldPassword: 'old', newPassword: 'new' });
    expect(cognito.calls('ChangePassword')[0]!.body).toEqual({
      AccessToken: tokens.AccessToken,
      PreviousPassword: 'old',
      ProposedPassword: 'new',
    });
    await expect(updatePassword({ oldPassword: '', newPassword: 'new' })).rejects.toMatchObject({ name: 'EmptyUpdatePassword' });
  });

  it('deleteUser → DeleteUser (empty body ok), then signs out locally', async () => {
    const tokens = await signInWithTokens(cognito);
    cognito.on('DeleteUser', () => ({ body: '' }));
    cognito.on('RevokeToken', () => serviceError('NotAuthorizedException'));
    await deleteUser();
    expect(cognito.calls('DeleteUser')[0]!.body).toEqual({ AccessToken: tokens.AccessToken });
    expect((await fetchAuthSession()).tokens).toBeUndefined();
    expect(await storage.getItem('CognitoIdentityServiceProvider.client123.LastAuthUser')).toBeNull();
  });
});

describe('token storage', () => {
  it('defaults to localStorage when present (Amplify key layout), else memory', async () => {
    const map = new Map<string, string>();
    vi.stubGlobal('localStorage', {
      getItem: (k: string) => map.get(k) ?? null,
      setItem: (k: string, v: string) => void map.set(k, v),
      removeItem: (k: string) => void map.delete(k),
    });
    configure({ Auth: { Cognito: { userPoolId: 'local_Pool42', userPoolClientId: 'client123', userPoolEndpoint: cognito.url } } });
    const tokens = await signInWithTokens(cognito);
    expect(map.get('CognitoIdentityServiceProvider.client123.alice.accessToken')).toBe(tokens.AccessToken);
    expect(map.get('CognitoIdentityServiceProvider.client123.LastAuthUser')).toBe('alice');
  });

  it('accepts an async storage', async () => {
    const map = new Map<string, string>();
    const asyncStorage: TokenStorage = {
      getItem: async (k) => map.get(k) ?? null,
      setItem: async (k, v) => void map.set(k, v),
      removeItem: async (k) => void map.delete(k),
    };
    configureFor(cognito, { storage: asyncStorage });
    await signInWithTokens(cognito);
    expect((await getCurrentUser()).username).toBe('alice');
    expect(map.size).toBeGreaterThanOrEqual(5);
  });
});

import { getConfig } from '../config.js';
import { assertValidation } from '../errors.js';
import {
  assertUserNotAuthenticated,
  handleSignInError,
  initiateAuth,
  passwordSrpFlow,
  settleSignIn,
  type AuthResponse,
  type FlowResult,
} from '../internal/signInFlow.js';
import { deviceSrpAuth, getDeviceMetadata, retryWithoutForgottenDevice } from '../internal/devices.js';
import type { AuthFlowType, ClientMetadata, SignInInput, SignInOutput } from '../types.js';
import { autoSignInSession, resetAutoSignIn } from './autoSignIn.js';

/**
 * Signs a user in (Amplify `signIn`). `options.authFlowType`:
 * - `USER_SRP_AUTH` (default): SRP-6a, the password never leaves the device;
 * - `USER_PASSWORD_AUTH`: the password is sent over TLS;
 * - `USER_AUTH`: choice-based; `options.preferredChallenge` (or `passwordless.preferredChallenge` in the
 *   config) `WEB_AUTHN` runs the passkey ceremony inside this call, `PASSWORD` / `PASSWORD_SRP` need
 *   `password`, none → `CONTINUE_SIGN_IN_WITH_FIRST_FACTOR_SELECTION`;
 * - `CUSTOM_WITHOUT_SRP` / `CUSTOM_WITH_SRP`: Cognito custom auth (Lambda triggers).
 *
 * Resolves `{ isSignedIn, nextStep }`; continue with {@link confirmSignIn} until `signInStep` is `DONE`.
 * `UserNotConfirmedException` / `PasswordResetRequiredException` resolve as `CONFIRM_SIGN_UP` /
 * `RESET_PASSWORD` steps; other service errors reject with `AuthError{name: <Cognito __type>}`.
 * Throws `UserAlreadyAuthenticatedException` if a user is already signed in.
 */
export async function signIn(input: SignInInput): Promise<SignInOutput> {
  resetAutoSignIn(false);
  await assertUserNotAuthenticated();
  const requested = input.options?.authFlowType;
  return signInWithFlow(input, requested && FLOWS.includes(requested) ? requested : 'USER_SRP_AUTH');
}

const FLOWS: AuthFlowType[] = ['USER_SRP_AUTH', 'USER_PASSWORD_AUTH', 'USER_AUTH', 'CUSTOM_WITHOUT_SRP', 'CUSTOM_WITH_SRP'];

/** The flow dispatch without the "already signed in" check (used by autoSignIn as Amplify does). */
export async function signInWithFlow(input: SignInInput, authFlowType: AuthFlowType): Promise<SignInOutput> {
  const { cognito } = getConfig();
  const { username, password } = input;
  const clientMetadata = input.options?.clientMetadata;
  const ClientId = cognito.userPoolClientId;
  const signInDetails = { loginId: username, authFlowType };
  assertValidation(!!username, 'EmptySignInUsername');
  if (authFlowType === 'USER_SRP_AUTH' || authFlowType === 'USER_PASSWORD_AUTH' || authFlowType === 'CUSTOM_WITH_SRP') {
    assertValidation(!!password, 'EmptySignInPassword');
  }
  if (authFlowType === 'CUSTOM_WITHOUT_SRP') assertValidation(!password, 'CustomAuthSignInPassword');
  try {
    let flow: FlowResult;
    switch (authFlowType) {
      case 'USER_PASSWORD_AUTH':
        // A device the server has forgotten: forget it too and sign in again without it (Amplify).
        flow = await retryWithoutForgottenDevice(username, () => userPasswordFlow(username, password!, clientMetadata));
        break;
      case 'USER_AUTH':
        flow = await userAuthFlow(input);
        break;
      case 'CUSTOM_WITHOUT_SRP': {
        const response = await initiateAuth({
          AuthFlow: 'CUSTOM_AUTH',
          AuthParameters: { USERNAME: username },
          ClientMetadata: clientMetadata,
          ClientId,
        });
        flow = { response, username: response.ChallengeParameters?.USERNAME ?? username };
        break;
      }
      case 'CUSTOM_WITH_SRP':
        flow = await passwordSrpFlow({ username, password: password!, clientMetadata, authFlow: 'CUSTOM_AUTH' });
        break;
      default:
        flow = await passwordSrpFlow({ username, password: password!, clientMetadata, authFlow: 'USER_SRP_AUTH' });
    }
    const result = await settleSignIn(flow, signInDetails);
    if (result.isSignedIn) resetAutoSignIn();
    return result;
  } catch (error) {
    resetAutoSignIn();
    return handleSignInError(error);
  }
}

/** USER_PASSWORD_AUTH (Amplify `handleUserPasswordAuthFlow`), presenting the device stored for the typed name. */
async function userPasswordFlow(username: string, password: string, clientMetadata: ClientMetadata | undefined): Promise<FlowResult> {
  const device = await getDeviceMetadata(username);
  const response = await initiateAuth({
    AuthFlow: 'USER_PASSWORD_AUTH',
    AuthParameters: { USERNAME: username, PASSWORD: password, ...(device ? { DEVICE_KEY: device.deviceKey } : {}) },
    ClientMetadata: clientMetadata,
    ClientId: getConfig().cognito.userPoolClientId,
  });
  const p = response.ChallengeParameters;
  const active = p?.USERNAME ?? p?.USER_ID_FOR_SRP ?? username;
  if (response.ChallengeName === 'DEVICE_SRP_AUTH')
    return { response: await deviceSrpAuth<AuthResponse>(active, response.Session, clientMetadata), username: active };
  return { response, username: active };
}

/** USER_AUTH (Amplify `handleUserAuthFlow`). */
async function userAuthFlow(input: SignInInput): Promise<FlowResult> {
  const { cognito } = getConfig();
  const { username, password } = input;
  const clientMetadata = input.options?.clientMetadata;
  const preferred = input.options?.preferredChallenge ?? cognito.passwordless?.preferredChallenge;
  const AuthParameters: Record<string, string> = { USERNAME: username };
  if (preferred) {
    const pwl = cognito.passwordless;
    if (pwl) {
      assertValidation(
        !(
          (preferred === 'EMAIL_OTP' && !pwl.emailOtpEnabled) ||
          (preferred === 'SMS_OTP' && !pwl.smsOtpEnabled) ||
          (preferred === 'WEB_AUTHN' && !pwl.webAuthn)
        ),
        'InvalidPreferredChallenge',
      );
    }
    if (preferred === 'PASSWORD_SRP') {
      assertValidation(!!password, 'EmptySignInPassword');
      return passwordSrpFlow({ username, password, clientMetadata, authFlow: 'USER_AUTH' });
    }
    if (preferred === 'PASSWORD') {
      assertValidation(!!password, 'EmptySignInPassword');
      AuthParameters.PASSWORD = password;
    }
    AuthParameters.PREFERRED_CHALLENGE = preferred;
  }
  const response = await initiateAuth({
    AuthFlow: 'USER_AUTH',
    AuthParameters,
    ClientMetadata: clientMetadata,
    ClientId: cognito.userPoolClientId,
    Session: autoSignInSession(username),
  });
  return { response, username };
}

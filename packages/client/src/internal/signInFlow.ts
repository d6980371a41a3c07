/**
 * Sign-in machinery shared by signIn / confirmSignIn / autoSignIn / signInWithPasskey: the
 * InitiateAuth / RespondToAuthChallenge exchanges, SRP, the WEB_AUTHN ceremony, and the mapping of
 * Cognito challenges to Amplify's `nextStep` (Amplify `signInHelpers`, docs/wire-contract.md §3.1–3.4).
 * confirmSignIn's answers to a remembered challenge are in answerChallenge.ts.
 */
import { getConfig } from '../config.js';
import { AuthError, USER_ALREADY_AUTHENTICATED_EXCEPTION, passkeyError, signInException, toNamedError } from '../errors.js';
import { emit } from '../events.js';
import { getSignInState, resetSignInState, setSignInState } from '../signInState.js';
import { cacheAuthenticationResult, decodeJWT, getTokens, type AuthenticationResult } from '../tokens.js';
import { AuthAction, callUserPool } from '../transport.js';
import type { AuthMFAType, AuthUser, ChallengeName, ClientMetadata, CognitoAuthSignInDetails, SignInOutput } from '../types.js';
import { getPasskey, type CeremonyOptions, type PasskeyGetOptionsJson } from './passkey.js';
import { knownRpId, rememberRpId, signalUnknownCredential } from './signals.js';
import type { CognitoErrorType } from '@latchkey/wire';
import { computePasswordClaim, createSrpClientSession, type SrpClientSession } from './srp.js';
import { confirmNewDevice, deviceSrpAuth, getDeviceMetadata, retryWithoutForgottenDevice, setDeviceMetadata } from './devices.js';

/** InitiateAuth / RespondToAuthChallenge output. */
export interface AuthResponse {
  ChallengeName?: ChallengeName;
  ChallengeParameters?: Record<string, string>;
  Session?: string;
  AuthenticationResult?: AuthenticationResult;
  AvailableChallenges?: ChallengeName[];
}

/** A flow's answer plus the username tokens are stored under ("active username"). */
export interface FlowResult {
  response: AuthResponse;
  username: string;
}

export function initiateAuth(input: Record<string, unknown>): Promise<AuthResponse> {
  return callUserPool<AuthResponse>('InitiateAuth', input, { action: AuthAction.SignIn });
}

export function respondToAuthChallenge(input: Record<string, unknown>, action?: number): Promise<AuthResponse> {
  return callUserPool<AuthResponse>('RespondToAuthChallenge', input, { action });
}

function poolName(): string {
  return getConfig().cognito.userPoolId.split('_')[1] ?? '';
}

/** Answers PASSWORD_VERIFIER (USERNAME = USER_ID_FOR_SRP, not what the user typed). */
export async function respondToPasswordVerifier(
  srp: SrpClientSession,
  password: string,
  parameters: Record<string, string> | undefined,
  session: string | undefined,
  clientMetadata: ClientMetadata | undefined,
): Promise<AuthResponse> {
  const userIdForSrp = parameters?.USER_ID_FOR_SRP;
  if (!userIdForSrp) {
    throw new AuthError({
      name: 'EmptyUserIdForSRPException',
      message: 'USER_ID_FOR_SRP was not found in challengeParameters',
    });
  }
  const claim = await computePasswordClaim({
    session: srp,
    poolName: poolName(),
    userIdForSrp,
    password,
    srpB: parameters.SRP_B ?? '',
    salt: parameters.SALT ?? '',
    secretBlock: parameters.SECRET_BLOCK ?? '',
  });
  // A remembered device is looked up under USER_ID_FOR_SRP (stored under the challenge's USERNAME, the same value).
  const device = await getDeviceMetadata(userIdForSrp);
  const response = await respondToAuthChallenge({
    ChallengeName: 'PASSWORD_VERIFIER',
    ChallengeResponses: {
      USERNAME: userIdForSrp,
      PASSWORD_CLAIM_SECRET_BLOCK: claim.PASSWORD_CLAIM_SECRET_BLOCK,
      TIMESTAMP: claim.TIMESTAMP,
      PASSWORD_CLAIM_SIGNATURE: claim.PASSWORD_CLAIM_SIGNATURE,
      ...(device ? { DEVICE_KEY: device.deviceKey } : {}),
    },
    ClientMetadata: clientMetadata,
    Session: session,
    ClientId: getConfig().cognito.userPoolClientId,
  });
  if (response.ChallengeName === 'DEVICE_SRP_AUTH') return deviceSrpAuth<AuthResponse>(userIdForSrp, response.Session, clientMetadata);
  return response;
}

/**
 * USER_SRP_AUTH, USER_AUTH with PREFERRED_CHALLENGE PASSWORD_SRP (Amplify `handlePasswordSRP`), or
 * CUSTOM_AUTH with CHALLENGE_NAME SRP_A (`handleCustomSRPAuthFlow`).
 */
export async function passwordSrpFlow(input: {
  username: string;
  password: string;
  clientMetadata?: ClientMetadata;
  authFlow: 'USER_SRP_AUTH' | 'USER_AUTH' | 'CUSTOM_AUTH';
}): Promise<FlowResult> {
  const srp = createSrpClientSession();
  const AuthParameters: Record<string, string> = { USERNAME: input.username, SRP_A: srp.srpA };
  if (input.authFlow === 'USER_AUTH') AuthParameters.PREFERRED_CHALLENGE = 'PASSWORD_SRP';
  if (input.authFlow === 'CUSTOM_AUTH') AuthParameters.CHALLENGE_NAME = 'SRP_A';
  const response = await initiateAuth({
    AuthFlow: input.authFlow,
    AuthParameters,
    ClientMetadata: input.clientMetadata,
    ClientId: getConfig().cognito.userPoolClientId,
  });
  const username = response.ChallengeParameters?.USERNAME ?? input.username;
  if (response.ChallengeName !== 'PASSWORD_VERIFIER') return { response, username };
  // A device the server has forgotten: forget it too and answer the same challenge again without it (Amplify).
  const answer = () => respondToPasswordVerifier(srp, input.password, response.ChallengeParameters, response.Session, input.clientMetadata);
  return { response: await retryWithoutForgottenDevice(username, answer), username };
}

/**
 * After a flow step: tokens → stored, `signedIn` emitted, `DONE`; a challenge → remembered for
 * confirmSignIn and mapped to a `nextStep` (running the passkey ceremony for WEB_AUTHN).
 */
export async function settleSignIn(
  { response, username }: FlowResult,
  signInDetails: CognitoAuthSignInDetails | undefined,
): Promise<SignInOutput> {
  setSignInState({ signInSession: response.Session, username, challengeName: response.ChallengeName, signInDetails });
  if (response.AuthenticationResult) return finishSignIn(response.AuthenticationResult, username, signInDetails);
  return signInResultFor(response.ChallengeName, response.ChallengeParameters ?? {}, response.AvailableChallenges);
}

async function finishSignIn(
  result: AuthenticationResult,
  username: string,
  signInDetails: CognitoAuthSignInDetails | undefined,
): Promise<SignInOutput> {
  // (username-less passkey sign-in: the server names the user only in the tokens)
  const stored = username || usernameFromResult(result) || 'username';
  const device = result.AccessToken ? await confirmNewDevice(result.NewDeviceMetadata, result.AccessToken) : undefined;
  await cacheAuthenticationResult(result, stored, signInDetails);
  if (device) await setDeviceMetadata(stored, device);
  resetSignInState();
  const user = await currentUserFromTokens();
  if (!user) {
    throw new AuthError({
      name: 'UnexpectedSignInInterruptionException',
      message: 'Unable to get user session following successful sign-in.',
      recoverySuggestion: 'This most likely is due to auth tokens not being persisted by the configured storage.',
    });
  }
  emit({ event: 'signedIn', data: user });
  return { isSignedIn: true, nextStep: { signInStep: 'DONE' } };
}

/** `getCurrentUser()` semantics on the cached tokens: undefined when there is no access token. */
export async function currentUserFromTokens(): Promise<AuthUser | undefined> {
  const tokens = await getTokens();
  if (!tokens) return undefined;
  const payload = tokens.idToken?.payload ?? {};
  const user: AuthUser = { username: payload['cognito:username'] as string, userId: payload.sub as string };
  if (tokens.signInDetails) user.signInDetails = tokens.signInDetails;
  return user;
}

/** Amplify `assertUserNotAuthenticated`: refuses to start a sign-in while a user is signed in. */
export async function assertUserNotAuthenticated(): Promise<void> {
  let user: AuthUser | undefined;
  try {
    user = await currentUserFromTokens();
  } catch {
    // a failed refresh counts as signed out here
  }
  if (user?.userId && user.username) {
    throw new AuthError({
      name: USER_ALREADY_AUTHENTICATED_EXCEPTION,
      message: 'There is already a signed in user.',
      recoverySuggestion: 'Call signOut before calling signIn again.',
    });
  }
}

/** `UserNotConfirmedException` / `PasswordResetRequiredException` become steps instead of errors. */
function signInResultFromError(name: string): SignInOutput | undefined {
  // Typed by the server's closed list of error names, so a rename on either side fails to compile.
  const is = (type: CognitoErrorType) => name === type;
  if (is('PasswordResetRequiredException')) return { isSignedIn: false, nextStep: { signInStep: 'RESET_PASSWORD' } };
  if (is('UserNotConfirmedException')) return { isSignedIn: false, nextStep: { signInStep: 'CONFIRM_SIGN_UP' } };
  return undefined;
}

/** Maps the two step-errors to results and rethrows the rest (the sign-in state is left as it is). */
export function mapSignInError(caught: unknown): SignInOutput {
  const error = toNamedError(caught);
  const result = signInResultFromError(error.name);
  if (result) return result;
  throw error;
}

/** Common catch of the signIn entry points: reset state, then mapSignInError. */
export function handleSignInError(caught: unknown): SignInOutput {
  resetSignInState();
  return mapSignInError(caught);
}

const MFA_NAMES: Record<string, AuthMFAType> = { SMS_MFA: 'SMS', SOFTWARE_TOKEN_MFA: 'TOTP', EMAIL_OTP: 'EMAIL' };

function parseMfaTypes(json: string | undefined): AuthMFAType[] | undefined {
  if (!json) return undefined;
  return (JSON.parse(json) as string[]).map((t) => MFA_NAMES[t]).filter((t): t is AuthMFAType => !!t);
}

/** Amplify `getSignInResult`: Cognito challenge → `nextStep`. */
export async function signInResultFor(
  challengeName: ChallengeName | undefined,
  parameters: Record<string, string>,
  availableChallenges?: ChallengeName[],
): Promise<SignInOutput> {
  const codeDelivery = () => ({
    deliveryMedium: parameters.CODE_DELIVERY_DELIVERY_MEDIUM as 'EMAIL' | 'SMS' | undefined,
    destination: parameters.CODE_DELIVERY_DESTINATION,
  });
  switch (challengeName) {
    case 'CUSTOM_CHALLENGE':
      return {
        isSignedIn: false,
        nextStep: { signInStep: 'CONFIRM_SIGN_IN_WITH_CUSTOM_CHALLENGE', additionalInfo: parameters },
      };
    case 'MFA_SETUP': {
      const types = (parseMfaTypes(parameters.MFAS_CAN_SETUP) ?? []).filter((t) => t === 'EMAIL' || t === 'TOTP');
      if (types.includes('TOTP') && types.includes('EMAIL')) {
        return {
          isSignedIn: false,
          nextStep: { signInStep: 'CONTINUE_SIGN_IN_WITH_MFA_SETUP_SELECTION', allowedMFATypes: types },
        };
      }
      if (types.includes('EMAIL')) return { isSignedIn: false, nextStep: { signInStep: 'CONTINUE_SIGN_IN_WITH_EMAIL_SETUP' } };
      if (types.includes('TOTP')) {
        const state = getSignInState();
        const { Session, SecretCode } = await callUserPool<{ Session?: string; SecretCode?: string }>('AssociateSoftwareToken', {
          Session: state.signInSession,
        });
        setSignInState({ ...state, signInSession: Session });
        const secret = SecretCode ?? '';
        return {
          isSignedIn: false,
          nextStep: {
            signInStep: 'CONTINUE_SIGN_IN_WITH_TOTP_SETUP',
            totpSetupDetails: {
              sharedSecret: secret,
              getSetupUri: (appName, accountName) =>
                new URL(`otpauth://totp/${appName}:${accountName ?? state.username}?secret=${secret}&issuer=${appName}`),
            },
          },
        };
      }
      throw signInException(`Cannot initiate MFA setup from available types: ${types.join(',')}`);
    }
    case 'NEW_PASSWORD_REQUIRED':
      return {
        isSignedIn: false,
        nextStep: {
          signInStep: 'CONFIRM_SIGN_IN_WITH_NEW_PASSWORD_REQUIRED',
          missingAttributes: parameters.requiredAttributes
            ? (JSON.parse(parameters.requiredAttributes) as string[]).map((a) => a.replace('userAttributes.', ''))
            : [],
        },
      };
    case 'SELECT_MFA_TYPE':
      return {
        isSignedIn: false,
        nextStep: {
          signInStep: 'CONTINUE_SIGN_IN_WITH_MFA_SELECTION',
          allowedMFATypes: parseMfaTypes(parameters.MFAS_CAN_CHOOSE),
        },
      };
    case 'SMS_OTP':
    case 'SMS_MFA':
      return { isSignedIn: false, nextStep: { signInStep: 'CONFIRM_SIGN_IN_WITH_SMS_CODE', codeDeliveryDetails: codeDelivery() } };
    case 'SOFTWARE_TOKEN_MFA':
      return { isSignedIn: false, nextStep: { signInStep: 'CONFIRM_SIGN_IN_WITH_TOTP_CODE' } };
    case 'EMAIL_OTP':
      return {
        isSignedIn: false,
        nextStep: { signInStep: 'CONFIRM_SIGN_IN_WITH_EMAIL_CODE', codeDeliveryDetails: codeDelivery() },
      };
    case 'WEB_AUTHN':
      return webAuthnCeremony(parameters);
    case 'PASSWORD':
    case 'PASSWORD_SRP':
      return { isSignedIn: false, nextStep: { signInStep: 'CONFIRM_SIGN_IN_WITH_PASSWORD' } };
    case 'SELECT_CHALLENGE':
      return {
        isSignedIn: false,
        nextStep: { signInStep: 'CONTINUE_SIGN_IN_WITH_FIRST_FACTOR_SELECTION', availableChallenges },
      };
  }
  throw signInException(
    `An error occurred during the sign in process. ${challengeName} challengeName returned by the underlying service was not addressed.`,
  );
}

/**
 * WEB_AUTHN challenge: runs `navigator.credentials.get` inside the call and answers with
 * `CREDENTIAL` = JSON string (Amplify `handleWebAuthnSignInResult`). `ceremony`: conditional mediation and an
 * abort signal (autofill, an extension). A refusal the server marks `LatchkeyReason: UnknownCredential` is passed
 * on to the device with `signalUnknownCredential` (where the browser has it) before it is thrown.
 */
export async function webAuthnCeremony(parameters: Record<string, string>, ceremony: CeremonyOptions = {}): Promise<SignInOutput> {
  const { username, signInSession, signInDetails, challengeName } = getSignInState();
  if (challengeName !== 'WEB_AUTHN' || username === undefined) {
    throw signInException('Unable to proceed due to invalid sign in state.');
  }
  if (!parameters.CREDENTIAL_REQUEST_OPTIONS) throw passkeyError('InvalidPasskeyAuthenticationOptions');
  const options = JSON.parse(parameters.CREDENTIAL_REQUEST_OPTIONS) as PasskeyGetOptionsJson;
  rememberRpId(options.rpId);
  const credential = await getPasskey(options, ceremony);
  const ChallengeResponses: Record<string, string> = { CREDENTIAL: JSON.stringify(credential) };
  // Username-less sign-in (extension) has no username until the server names one.
  if (username) ChallengeResponses.USERNAME = username;
  let response: AuthResponse;
  try {
    response = await respondToAuthChallenge(
      {
        ChallengeName: 'WEB_AUTHN',
        ChallengeResponses,
        ClientId: getConfig().cognito.userPoolClientId,
        Session: signInSession,
      },
      AuthAction.ConfirmSignIn,
    );
  } catch (error) {
    const rpId = options.rpId ?? knownRpId();
    if (error instanceof AuthError && error.latchkeyReason === 'UnknownCredential' && rpId) {
      await signalUnknownCredential(rpId, credential.id);
    }
    throw error;
  }
  setSignInState({ signInSession: response.Session, username, challengeName: response.ChallengeName, signInDetails });
  if (response.AuthenticationResult) return finishSignIn(response.AuthenticationResult, username, signInDetails);
  if (response.ChallengeName === 'WEB_AUTHN') {
    throw signInException('Sequential WEB_AUTHN challenges returned from underlying service cannot be handled.');
  }
  return signInResultFor(response.ChallengeName, response.ChallengeParameters ?? {});
}

function usernameFromResult(result: AuthenticationResult | undefined): string | undefined {
  try {
    const { payload } = decodeJWT(result?.IdToken ?? result?.AccessToken ?? '');
    return (payload['cognito:username'] ?? payload.username) as string | undefined;
  } catch {
    return undefined;
  }
}

/**
 * confirmSignIn's answers to the challenge a sign-in stopped at (Amplify `handleChallengeName`): which
 * RespondToAuthChallenge to send for each challenge, and the MFA-setup sub-steps that need a request of
 * their own first.
 */
import { getConfig } from '../config.js';
import { assertValidation, signInException } from '../errors.js';
import { getSignInState, setSignInState } from '../signInState.js';
import { AuthAction, callUserPool } from '../transport.js';
import type { AuthUserAttributes, ChallengeName, ClientMetadata, ConfirmSignInOptions } from '../types.js';
import { respondToAuthChallenge, respondToPasswordVerifier, type AuthResponse } from './signInFlow.js';
import { createSrpClientSession } from './srp.js';

/**
 * confirmSignIn's dispatch on the remembered challenge (Amplify `handleChallengeName`). Returns the
 * next Cognito answer; `PASSWORD`/`PASSWORD_SRP` picks are answered locally (no request).
 *
 * @throws AuthError `IncorrectMFAMethod` for an unknown SELECT_MFA_TYPE answer, `SignInException` for a
 *   challenge or MFA-setup answer it cannot handle, `EmptyUserIdForSRPException` from the SRP step, and the
 *   service's own errors (`AuthError` named by `__type`) from RespondToAuthChallenge.
 */
export async function answerChallenge(input: {
  username: string;
  challengeName: ChallengeName;
  session: string;
  challengeResponse: string;
  clientMetadata?: ClientMetadata;
  options?: ConfirmSignInOptions;
}): Promise<AuthResponse> {
  const { username, challengeName, session, challengeResponse, clientMetadata, options } = input;
  const ClientId = getConfig().cognito.userPoolClientId;
  const respond = (name: ChallengeName, responses: Record<string, string>, sessionOverride = session) =>
    respondToAuthChallenge(
      {
        ChallengeName: name,
        ChallengeResponses: responses,
        Session: sessionOverride,
        ClientMetadata: clientMetadata,
        ClientId,
      },
      AuthAction.ConfirmSignIn,
    );
  switch (challengeName) {
    case 'WEB_AUTHN':
    case 'SELECT_CHALLENGE':
      if (challengeResponse === 'PASSWORD' || challengeResponse === 'PASSWORD_SRP') {
        return { ChallengeName: challengeResponse, Session: session };
      }
      return respond('SELECT_CHALLENGE', { USERNAME: username, ANSWER: challengeResponse });
    case 'PASSWORD':
      return respond('SELECT_CHALLENGE', { ANSWER: 'PASSWORD', USERNAME: username, PASSWORD: challengeResponse });
    case 'PASSWORD_SRP': {
      const srp = createSrpClientSession();
      const response = await respond('SELECT_CHALLENGE', { ANSWER: 'PASSWORD_SRP', USERNAME: username, SRP_A: srp.srpA });
      if (response.ChallengeName !== 'PASSWORD_VERIFIER') return response;
      return respondToPasswordVerifier(srp, challengeResponse, response.ChallengeParameters, response.Session, clientMetadata);
    }
    case 'NEW_PASSWORD_REQUIRED':
      return respond('NEW_PASSWORD_REQUIRED', {
        ...requiredAttributes(options?.userAttributes),
        NEW_PASSWORD: challengeResponse,
        USERNAME: username,
      });
    case 'SMS_MFA':
    case 'SMS_OTP':
    case 'EMAIL_OTP':
    case 'SOFTWARE_TOKEN_MFA':
      return respond(challengeName, { USERNAME: username, [`${challengeName}_CODE`]: challengeResponse });
    case 'SELECT_MFA_TYPE': {
      const answer = { SMS: 'SMS_MFA', TOTP: 'SOFTWARE_TOKEN_MFA', EMAIL: 'EMAIL_OTP' }[challengeResponse];
      assertValidation(answer, 'IncorrectMFAMethod');
      return respond('SELECT_MFA_TYPE', { USERNAME: username, ANSWER: answer });
    }
    case 'CUSTOM_CHALLENGE':
      return respond('CUSTOM_CHALLENGE', { USERNAME: username, ANSWER: challengeResponse });
    case 'MFA_SETUP':
      return answerMfaSetup(username, session, challengeResponse, options?.friendlyDeviceName, respond);
  }
  throw signInException(
    `An error occurred during the sign in process. ${challengeName} challengeName returned by the underlying service was not addressed.`,
  );
}

async function answerMfaSetup(
  username: string,
  session: string,
  challengeResponse: string,
  friendlyDeviceName: string | undefined,
  respond: (name: ChallengeName, responses: Record<string, string>, session?: string) => Promise<AuthResponse>,
): Promise<AuthResponse> {
  if (challengeResponse === 'EMAIL' || challengeResponse === 'TOTP') {
    const setup = challengeResponse === 'EMAIL' ? 'EMAIL_OTP' : 'SOFTWARE_TOKEN_MFA';
    return { ChallengeName: 'MFA_SETUP', Session: session, ChallengeParameters: { MFAS_CAN_SETUP: `["${setup}"]` } };
  }
  if (/^\d+$/.test(challengeResponse)) {
    const { Session } = await callUserPool<{ Session?: string }>('VerifySoftwareToken', {
      UserCode: challengeResponse,
      Session: session,
      FriendlyDeviceName: friendlyDeviceName,
    });
    setSignInState({ ...getSignInState(), signInSession: Session });
    return respond('MFA_SETUP', { USERNAME: username }, Session);
  }
  if (challengeResponse.includes('@')) return respond('MFA_SETUP', { USERNAME: username, EMAIL: challengeResponse });
  throw signInException(
    `Cannot proceed with MFA setup using challengeResponse: ${challengeResponse}`,
    'Try passing "EMAIL", "TOTP", a valid email, or OTP code as the challengeResponse.',
  );
}

function requiredAttributes(attributes: AuthUserAttributes | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(attributes ?? {})) if (value) out[`userAttributes.${key}`] = value;
  return out;
}

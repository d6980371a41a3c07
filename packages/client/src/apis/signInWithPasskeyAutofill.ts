import { getConfig } from '../config.js';
import { passkeyError } from '../errors.js';
import { assertUserNotAuthenticated, handleSignInError, initiateAuth, webAuthnCeremony } from '../internal/signInFlow.js';
import { isPasskeySupported } from '../internal/passkey.js';
import { setSignInState } from '../signInState.js';
import type { ClientMetadata, SignInOutput } from '../types.js';

export interface SignInWithPasskeyAutofillInput {
  /**
   * Aborts the pending autofill request (abort it when the user types a name and signs in another way, or
   * leaves the form). The call then rejects with `PasskeyError` `PasskeyOperationAborted`.
   */
  signal?: AbortSignal;
  options?: { clientMetadata?: ClientMetadata };
}

/**
 * Extension (not in Amplify; Latchkey only): passkey sign-in through the browser's autofill (WebAuthn
 * conditional mediation). Starts a username-less `USER_AUTH` `WEB_AUTHN` challenge, then waits in
 * `navigator.credentials.get({ mediation: 'conditional' })` until the user picks a passkey from the
 * suggestions of an `<input autocomplete="username webauthn">`, and finishes the sign-in
 * (`{ isSignedIn: true, nextStep: { signInStep: 'DONE' } }`). Until a passkey is picked the server holds
 * only the challenge's Session, which expires when the request is abandoned. Check `PublicKeyCredential.isConditionalMediationAvailable()`
 * (or {@link getPasskeySupport}) first. A passkey the server no longer has is refused with `NotAuthorizedException`
 * (`latchkeyReason: 'UnknownCredential'`) after `signalUnknownCredential` told the device.
 * Rejects with `UserAlreadyAuthenticatedException`, `PasskeyError` (`PasskeyNotSupported`, `PasskeyOperationAborted`, …)
 * or `AuthError` for service errors; Amazon Cognito answers `InvalidParameterException` (it needs a username).
 */
export async function signInWithPasskeyAutofill(input: SignInWithPasskeyAutofillInput = {}): Promise<SignInOutput> {
  const { signal, options } = input;
  if (signal?.aborted) throw passkeyError('PasskeyOperationAborted', signal.reason);
  if (!isPasskeySupported()) throw passkeyError('PasskeyNotSupported');
  await assertUserNotAuthenticated();
  try {
    const response = await initiateAuth({
      AuthFlow: 'USER_AUTH',
      AuthParameters: { PREFERRED_CHALLENGE: 'WEB_AUTHN' },
      ClientMetadata: options?.clientMetadata,
      ClientId: getConfig().cognito.userPoolClientId,
    });
    if (response.ChallengeName !== 'WEB_AUTHN') throw passkeyError('InvalidPasskeyAuthenticationOptions');
    setSignInState({
      signInSession: response.Session,
      username: response.ChallengeParameters?.USERNAME ?? '',
      challengeName: 'WEB_AUTHN',
      signInDetails: { authFlowType: 'USER_AUTH' },
    });
    return await webAuthnCeremony(response.ChallengeParameters ?? {}, { mediation: 'conditional', ...(signal ? { signal } : {}) });
  } catch (error) {
    return handleSignInError(error);
  }
}

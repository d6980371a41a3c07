import { passkeyError } from '../errors.js';
import { registerPasskey, type PasskeyCreateOptionsJson } from '../internal/passkey.js';
import { requireAccessToken } from '../tokens.js';
import { AuthAction, callUserPool } from '../transport.js';

/**
 * Registers a new passkey for the signed-in user (Amplify `associateWebAuthnCredential`):
 * `StartWebAuthnRegistration` → `navigator.credentials.create()` → `CompleteWebAuthnRegistration`.
 * Rejects with `UserUnAuthenticatedException` when signed out, `PasskeyError` for ceremony problems
 * (`PasskeyNotSupported`, `PasskeyAlreadyExists`, `PasskeyRegistrationCanceled`, `RelyingPartyMismatch`,
 * `InvalidPasskeyRegistrationOptions`, …) and `AuthError` for service errors.
 */
export async function associateWebAuthnCredential(): Promise<void> {
  const AccessToken = await requireAccessToken();
  const { CredentialCreationOptions: options } = await callUserPool<{ CredentialCreationOptions?: unknown }>(
    'StartWebAuthnRegistration',
    { AccessToken },
    { action: AuthAction.StartWebAuthnRegistration },
  );
  assertCreationOptions(options);
  const Credential = await registerPasskey(options);
  await callUserPool('CompleteWebAuthnRegistration', { AccessToken, Credential }, { action: AuthAction.CompleteWebAuthnRegistration });
}

/** Must be a JSON object (not a string) with challenge, user, rp and pubKeyCredParams. */
function assertCreationOptions(options: unknown): asserts options is PasskeyCreateOptionsJson {
  const o = options as Partial<PasskeyCreateOptionsJson> | undefined;
  if (!o || typeof o !== 'object' || !o.challenge || !o.user || !o.rp || !o.pubKeyCredParams) {
    throw passkeyError('InvalidPasskeyRegistrationOptions');
  }
}

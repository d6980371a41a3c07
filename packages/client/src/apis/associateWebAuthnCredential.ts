import { passkeyError } from '../errors.js';
import { registerPasskey, type PasskeyCreateOptionsJson } from '../internal/passkey.js';
import { rememberRpId } from '../internal/signals.js';
import { requireAccessToken } from '../tokens.js';
import { AuthAction, callUserPool } from '../transport.js';
import type { AssociateWebAuthnCredentialInput } from '../types.js';

/**
 * Registers a new passkey for the signed-in user (Amplify `associateWebAuthnCredential`):
 * `StartWebAuthnRegistration` → `navigator.credentials.create()` → `CompleteWebAuthnRegistration`.
 * Extension: `{ mediation: 'conditional' }` is the automatic upgrade after a password or code sign-in
 * (`LatchkeyConditionalCreate: true` on Start, `mediation: 'conditional'` on create; Latchkey only —
 * Amazon Cognito refuses the unknown member).
 * Rejects with `UserUnAuthenticatedException` when signed out, `PasskeyError` for ceremony problems
 * (`PasskeyNotSupported`, `PasskeyAlreadyExists`, `PasskeyRegistrationCanceled`, `RelyingPartyMismatch`,
 * `InvalidPasskeyRegistrationOptions`, …) and `AuthError` for service errors.
 */
export async function associateWebAuthnCredential(input: AssociateWebAuthnCredentialInput = {}): Promise<void> {
  if (input.signal?.aborted) throw passkeyError('PasskeyOperationAborted', input.signal.reason);
  const AccessToken = await requireAccessToken();
  const conditional = input.mediation === 'conditional';
  const { CredentialCreationOptions: options } = await callUserPool<{ CredentialCreationOptions?: unknown }>(
    'StartWebAuthnRegistration',
    conditional ? { AccessToken, LatchkeyConditionalCreate: true } : { AccessToken },
    { action: AuthAction.StartWebAuthnRegistration },
  );
  assertCreationOptions(options);
  rememberRpId(options.rp.id);
  const Credential = await registerPasskey(options, {
    ...(conditional ? { mediation: 'conditional' as const } : {}),
    ...(input.signal ? { signal: input.signal } : {}),
  });
  await callUserPool('CompleteWebAuthnRegistration', { AccessToken, Credential }, { action: AuthAction.CompleteWebAuthnRegistration });
}

/** Must be a JSON object (not a string) with challenge, user, rp and pubKeyCredParams. */
function assertCreationOptions(options: unknown): asserts options is PasskeyCreateOptionsJson {
  const o = options as Partial<PasskeyCreateOptionsJson> | undefined;
  if (!o || typeof o !== 'object' || !o.challenge || !o.user || !o.rp || !o.pubKeyCredParams) {
    throw passkeyError('InvalidPasskeyRegistrationOptions');
  }
}

import { requireAccessToken } from '../tokens.js';
import { AuthAction, callUserPool } from '../transport.js';
import { signalAcceptedAfterChange } from './listWebAuthnCredentials.js';
import type { UpdateWebAuthnCredentialInput } from '../types.js';

/**
 * Extension (not in Amplify; Latchkey only): renames one of the signed-in user's passkeys
 * (`LatchkeyUpdateWebAuthnCredential`). Rejects with `InvalidParameterException` for an empty, over-long or
 * control-character name and `ResourceNotFoundException` for a credential that is not the user's. Where the
 * browser has the Signal API, the user's passkeys are then signalled (`signalAllAcceptedCredentials`).
 */
export async function updateWebAuthnCredential(input: UpdateWebAuthnCredentialInput): Promise<void> {
  const AccessToken = await requireAccessToken();
  await callUserPool(
    'LatchkeyUpdateWebAuthnCredential',
    { AccessToken, CredentialId: input.credentialId, FriendlyCredentialName: input.friendlyCredentialName },
    { action: AuthAction.ListWebAuthnCredentials },
  );
  await signalAcceptedAfterChange();
}

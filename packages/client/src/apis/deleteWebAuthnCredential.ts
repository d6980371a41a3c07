import { requireAccessToken } from '../tokens.js';
import { AuthAction, callUserPool } from '../transport.js';
import { signalAcceptedAfterChange } from './listWebAuthnCredentials.js';
import type { DeleteWebAuthnCredentialInput } from '../types.js';

/**
 * Deletes one of the signed-in user's passkeys by its `credentialId` (unknown id: `ResourceNotFoundException`).
 * Where the browser has the Signal API, the remaining passkeys are then signalled (`signalAllAcceptedCredentials`),
 * so the device stops offering the deleted one.
 */
export async function deleteWebAuthnCredential(input: DeleteWebAuthnCredentialInput): Promise<void> {
  const AccessToken = await requireAccessToken();
  await callUserPool(
    'DeleteWebAuthnCredential',
    { AccessToken, CredentialId: input.credentialId },
    { action: AuthAction.DeleteWebAuthnCredential },
  );
  await signalAcceptedAfterChange();
}

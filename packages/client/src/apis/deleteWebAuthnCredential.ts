import { requireAccessToken } from '../tokens.js';
import { AuthAction, callUserPool } from '../transport.js';
import type { DeleteWebAuthnCredentialInput } from '../types.js';

/** Deletes one of the signed-in user's passkeys by its `credentialId` (unknown id: `ResourceNotFoundException`). */
export async function deleteWebAuthnCredential(input: DeleteWebAuthnCredentialInput): Promise<void> {
  const AccessToken = await requireAccessToken();
  await callUserPool(
    'DeleteWebAuthnCredential',
    { AccessToken, CredentialId: input.credentialId },
    { action: AuthAction.DeleteWebAuthnCredential },
  );
}

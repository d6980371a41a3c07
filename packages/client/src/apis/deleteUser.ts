import { requireAccessToken } from '../tokens.js';
import { AuthAction, callUserPool } from '../transport.js';
import { signOut } from './signOut.js';

/** Deletes the signed-in user (Cognito `DeleteUser`), then signs out locally. */
export async function deleteUser(): Promise<void> {
  const AccessToken = await requireAccessToken();
  await callUserPool('DeleteUser', { AccessToken }, { action: AuthAction.DeleteUser });
  await signOut();
}

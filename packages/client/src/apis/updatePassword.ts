import { getConfig } from '../config.js';
import { assertValidation } from '../errors.js';
import { requireAccessToken } from '../tokens.js';
import { AuthAction, callUserPool } from '../transport.js';
import type { UpdatePasswordInput } from '../types.js';

/** Changes the signed-in user's password (Cognito `ChangePassword`). */
export async function updatePassword(input: UpdatePasswordInput): Promise<void> {
  getConfig();
  assertValidation(!!input.oldPassword, 'EmptyUpdatePassword');
  assertValidation(!!input.newPassword, 'EmptyUpdatePassword');
  const AccessToken = await requireAccessToken();
  await callUserPool(
    'ChangePassword',
    { AccessToken, PreviousPassword: input.oldPassword, ProposedPassword: input.newPassword },
    { action: AuthAction.UpdatePassword },
  );
}

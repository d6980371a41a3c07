import { getConfig } from '../config.js';
import { assertValidation } from '../errors.js';
import { AuthAction, callUserPool } from '../transport.js';
import type { ConfirmResetPasswordInput } from '../types.js';

/** Sets a new password with the code from {@link resetPassword} (Cognito `ConfirmForgotPassword`). */
export async function confirmResetPassword(input: ConfirmResetPasswordInput): Promise<void> {
  const { cognito } = getConfig();
  const { username, newPassword, confirmationCode } = input;
  assertValidation(!!username, 'EmptyConfirmResetPasswordUsername');
  assertValidation(!!newPassword, 'EmptyConfirmResetPasswordNewPassword');
  assertValidation(!!confirmationCode, 'EmptyConfirmResetPasswordConfirmationCode');
  await callUserPool(
    'ConfirmForgotPassword',
    {
      Username: username,
      ConfirmationCode: confirmationCode,
      Password: newPassword,
      ClientMetadata: input.options?.clientMetadata,
      ClientId: cognito.userPoolClientId,
    },
    { action: AuthAction.ConfirmResetPassword },
  );
}

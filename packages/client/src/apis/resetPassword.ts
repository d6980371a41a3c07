import { getConfig } from '../config.js';
import { assertValidation } from '../errors.js';
import { toCodeDeliveryDetails, type CodeDeliveryDetailsWire } from '../internal/mappers.js';
import { AuthAction, callUserPool } from '../transport.js';
import type { ResetPasswordInput, ResetPasswordOutput } from '../types.js';

/**
 * Starts a forgotten-password reset (Cognito `ForgotPassword`): a code is sent to the user; resolves
 * `{ isPasswordReset: false, nextStep: { resetPasswordStep: 'CONFIRM_RESET_PASSWORD_WITH_CODE', codeDeliveryDetails } }`.
 */
export async function resetPassword(input: ResetPasswordInput): Promise<ResetPasswordOutput> {
  assertValidation(!!input.username, 'EmptyResetPasswordUsername');
  const { cognito } = getConfig();
  const { CodeDeliveryDetails } = await callUserPool<{ CodeDeliveryDetails?: CodeDeliveryDetailsWire }>(
    'ForgotPassword',
    { Username: input.username, ClientMetadata: input.options?.clientMetadata, ClientId: cognito.userPoolClientId },
    { action: AuthAction.ResetPassword },
  );
  const { deliveryMedium, destination, attributeName } = toCodeDeliveryDetails(CodeDeliveryDetails);
  return {
    isPasswordReset: false,
    nextStep: {
      resetPasswordStep: 'CONFIRM_RESET_PASSWORD_WITH_CODE',
      codeDeliveryDetails: { deliveryMedium, destination, attributeName },
    },
  };
}

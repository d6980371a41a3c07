import { getConfig } from '../config.js';
import { assertValidation } from '../errors.js';
import { AuthAction, callUserPool } from '../transport.js';
import type { ResendSignUpCodeInput, ResendSignUpCodeOutput } from '../types.js';
import { toCodeDeliveryDetails, type CodeDeliveryDetailsWire } from '../internal/mappers.js';

/** Sends a new sign-up confirmation code (Cognito `ResendConfirmationCode`); resolves the delivery details. */
export async function resendSignUpCode(input: ResendSignUpCodeInput): Promise<ResendSignUpCodeOutput> {
  // Amplify checks the username before the configuration and reuses the sign-up error name.
  assertValidation(!!input.username, 'EmptySignUpUsername');
  const { cognito } = getConfig();
  const { CodeDeliveryDetails } = await callUserPool<{ CodeDeliveryDetails?: CodeDeliveryDetailsWire }>(
    'ResendConfirmationCode',
    { Username: input.username, ClientMetadata: input.options?.clientMetadata, ClientId: cognito.userPoolClientId },
    { action: AuthAction.ResendSignUpCode },
  );
  const details = toCodeDeliveryDetails(CodeDeliveryDetails);
  return { ...details, attributeName: details.attributeName || undefined };
}

import { operation, type Wire } from './types.js';
import { deliveryUserNotFound, loadPublicUserRequest, noDelivery, publicUserShape } from './shared.js';
import { sendCode } from '../auth/codes.js';
import { admitCodeSend, nameBudgetKey } from '../auth/sendBudget.js';
import { InvalidParameterException } from '../protocol/errors.js';
import type { Services } from '../services.js';
import type { ResendConfirmationCodeResponse } from '@aws-sdk/client-cognito-identity-provider';

/**
 * ResendConfirmationCode: a new sign-up code to an UNCONFIRMED user. With user-existence errors
 * prevented, unknown and already confirmed users get the same simulated answer.
 * @throws UserNotFoundException | InvalidParameterException (only when existence errors are not prevented);
 * LimitExceededException past the typed name's send budget (known or not).
 */
export const ResendConfirmationCode = operation({
  auth: 'none',
  input: publicUserShape,
  async handle(
    s: Pick<Services, 'store' | 'clock' | 'box' | 'sender' | 'log' | 'triggers'>,
    input,
  ): Promise<Wire<ResendConfirmationCodeResponse>> {
    const { client, pool, user } = await loadPublicUserRequest(s, input);
    if (!user) return noDelivery(s, client, pool, input.Username, user, 'signup', deliveryUserNotFound());
    if (user.status !== 'UNCONFIRMED')
      return noDelivery(s, client, pool, input.Username, user, 'signup', new InvalidParameterException('User is already confirmed.'));
    await admitCodeSend(s, pool, nameBudgetKey(s, pool, input.Username), 'signup');
    const message = { source: 'CustomMessage_ResendCode' as const, clientId: client.id, clientMetadata: input.ClientMetadata };
    return { CodeDeliveryDetails: await sendCode(s, pool, user, 'signup', { background: client.preventUserExistenceErrors, message }) };
  },
});

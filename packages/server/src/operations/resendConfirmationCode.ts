import { operation } from './types.js';
import { deliveryUserNotFound, loadPublicUserRequest, noDelivery, publicUserShape } from './shared.js';
import { sendCode } from '../auth/codes.js';
import { InvalidParameterException } from '../protocol/errors.js';

/**
 * ResendConfirmationCode: a new sign-up code to an UNCONFIRMED user. With user-existence errors
 * prevented, unknown and already confirmed users get the same simulated answer.
 * @throws UserNotFoundException | InvalidParameterException (only when existence errors are not prevented)
 */
export const ResendConfirmationCode = operation<{ ClientId: string; Username: string; SecretHash?: string }, object>({
  auth: 'none',
  input: publicUserShape,
  async handle(s, input) {
    const { client, pool, user } = await loadPublicUserRequest(s, input);
    if (!user) return noDelivery(s, client, pool, input.Username, user, 'signup', deliveryUserNotFound());
    if (user.status !== 'UNCONFIRMED')
      return noDelivery(s, client, pool, input.Username, user, 'signup', new InvalidParameterException('User is already confirmed.'));
    return { CodeDeliveryDetails: await sendCode(s, pool, user, 'signup', { background: client.preventUserExistenceErrors }) };
  },
});

import { operation } from './types.js';
import { loadPublicUserRequest, publicUserShape, unknownUserForDelivery } from './shared.js';
import { sendCode } from '../auth/codes.js';
import { InvalidParameterException } from '../protocol/errors.js';

export const ResendConfirmationCode = operation<{ ClientId: string; Username: string; SecretHash?: string }, object>({
  auth: 'none',
  input: publicUserShape,
  async handle(s, input) {
    const { client, pool, user } = await loadPublicUserRequest(s, input);
    if (!user) return unknownUserForDelivery(client, input.Username);
    if (user.status !== 'UNCONFIRMED') throw new InvalidParameterException('User is already confirmed.');
    return { CodeDeliveryDetails: await sendCode(s, pool, user, 'signup') };
  },
});

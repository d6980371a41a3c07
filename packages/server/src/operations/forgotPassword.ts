import { operation } from './types.js';
import { loadPublicUserRequest, publicUserShape, unknownUserForDelivery } from './shared.js';
import { sendCode } from '../auth/codes.js';
import { InvalidParameterException, NotAuthorizedException } from '../protocol/errors.js';

export const ForgotPassword = operation<{ ClientId: string; Username: string; SecretHash?: string }, object>({
  auth: 'none',
  input: publicUserShape,
  async handle(s, input) {
    const { client, pool, user } = await loadPublicUserRequest(s, input);
    if (!user) return unknownUserForDelivery(client, input.Username);
    if (!user.enabled) throw new NotAuthorizedException('User is disabled.');
    if (user.status === 'UNCONFIRMED' || (user.attributes.email_verified !== 'true' && user.attributes.phone_number_verified !== 'true')) {
      throw new InvalidParameterException('Cannot reset password for the user as there is no registered/verified email or phone_number');
    }
    return { CodeDeliveryDetails: await sendCode(s, pool, user, 'forgot') };
  },
});

import { adminUserOperation } from './shared.js';
import { common } from '../protocol/validate.js';
import { sendCode } from '../auth/codes.js';
import { InvalidParameterException, NotAuthorizedException } from '../protocol/errors.js';
import { NO_CLIENT } from '../triggers/events.js';
import type { Services } from '../services.js';
import type { Wire } from './types.js';
import type { AdminResetUserPasswordResponse } from '@aws-sdk/client-cognito-identity-provider';

/**
 * AdminResetUserPassword: the user's password stops working (status RESET_REQUIRED: sign-in answers
 * PasswordResetRequiredException) and a reset code goes to their verified email or phone number, which
 * ConfirmForgotPassword takes as after ForgotPassword. Admin operations are outside the send budget.
 * @throws NotAuthorizedException for an unconfirmed user; InvalidParameterException when nothing is verified.
 */
export const AdminResetUserPassword = adminUserOperation(
  { ClientMetadata: common.clientMetadata() },
  async (
    s: Pick<Services, 'store' | 'clock' | 'box' | 'sender' | 'log' | 'triggers'>,
    pool,
    user,
    input,
  ): Promise<Wire<AdminResetUserPasswordResponse>> => {
    if (user.status === 'UNCONFIRMED') throw new NotAuthorizedException('User password cannot be reset in the current state.');
    if (user.attributes.email_verified !== 'true' && user.attributes.phone_number_verified !== 'true')
      throw new InvalidParameterException('Cannot reset password for the user as there is no registered/verified email or phone_number');
    // The code first: a delivery that fails leaves the password working, and the admin can try again.
    const message = { source: 'CustomMessage_ForgotPassword' as const, clientId: NO_CLIENT, clientMetadata: input.ClientMetadata };
    await sendCode(s, pool, user, 'forgot', { message });
    await s.store.updateUser(pool.id, user.id, { status: 'RESET_REQUIRED' }, s.clock.now());
    return {};
  },
);

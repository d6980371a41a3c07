import { operation, type Wire } from './types.js';
import { deliveryUserNotFound, loadPublicUserRequest, noDelivery, publicUserShape } from './shared.js';
import { canReceiveResetCode, sendCode } from '../auth/codes.js';
import { admitCodeSend, nameBudgetKey } from '../auth/sendBudget.js';
import { InvalidParameterException, NotAuthorizedException } from '../protocol/errors.js';
import { migrateOnForgotPassword } from '../triggers/migration.js';
import type { Services } from '../services.js';
import type { ForgotPasswordResponse } from '@aws-sdk/client-cognito-identity-provider';

/**
 * ForgotPassword: a reset code to the user's verified email or phone. With user-existence errors
 * prevented, a user who gets no code (unknown, disabled, unconfirmed, nothing verified) gets a stand-in
 * code and the same simulated answer as an unknown one, so neither the answer, its cost nor a later
 * ConfirmForgotPassword tells whether or in which state a user exists.
 * @throws UserNotFoundException | NotAuthorizedException | InvalidParameterException (only when existence errors are not prevented);
 * LimitExceededException past the typed name's send budget (known or not).
 */
export const ForgotPassword = operation({
  auth: 'none',
  input: publicUserShape,
  async handle(s: Pick<Services, 'store' | 'clock' | 'box' | 'sender' | 'log' | 'triggers'>, input): Promise<Wire<ForgotPasswordResponse>> {
    const loaded = await loadPublicUserRequest(s, input);
    const { client, pool } = loaded;
    // A name no user has yet may be migrated by the UserMigration trigger (UserMigration_ForgotPassword). The name's send
    // budget is spent before the trigger is called, so the trigger cannot be driven faster than codes can be sent.
    let user = loaded.user;
    let budgetAdmitted = false;
    if (!user && pool.lambdaConfig.UserMigration) {
      await admitCodeSend(s, pool, nameBudgetKey(s, pool, input.Username), 'forgot');
      budgetAdmitted = true;
      user = await migrateOnForgotPassword(s, pool, client, input.Username, input.ClientMetadata);
    }
    if (!user || !canReceiveResetCode(user)) {
      const otherwise = !user
        ? deliveryUserNotFound()
        : !user.enabled
          ? new NotAuthorizedException('User is disabled.')
          : new InvalidParameterException('Cannot reset password for the user as there is no registered/verified email or phone_number');
      return noDelivery(s, client, pool, input.Username, user, 'forgot', otherwise, budgetAdmitted);
    }
    if (!budgetAdmitted) await admitCodeSend(s, pool, nameBudgetKey(s, pool, input.Username), 'forgot');
    const message = { source: 'CustomMessage_ForgotPassword' as const, clientId: client.id, clientMetadata: input.ClientMetadata };
    return { CodeDeliveryDetails: await sendCode(s, pool, user, 'forgot', { background: client.preventUserExistenceErrors, message }) };
  },
});

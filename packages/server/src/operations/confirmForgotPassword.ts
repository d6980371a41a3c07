import { operation, type Wire } from './types.js';
import { common } from '../protocol/validate.js';
import { loadPublicUserRequest, publicUserShape, unknownUserForCode } from './shared.js';
import { assertPasswordPolicy, passwordSecret, userAttemptKey } from '../auth/password.js';
import { canReceiveResetCode, useCode, useStandInCode } from '../auth/codes.js';
import { runPostConfirmation } from '../triggers/signUp.js';
import type { Services } from '../services.js';
import type { ConfirmForgotPasswordResponse } from '@aws-sdk/client-cognito-identity-provider';

/**
 * ConfirmForgotPassword: a valid code sets the new password and clears any lockout. With existence
 * errors prevented, a user ForgotPassword sends no code to answers from the stand-in code it got:
 * mismatches, then too many attempts, or expiry — exactly as a real code would.
 * @throws CodeMismatchException | ExpiredCodeException | TooManyFailedAttemptsException | InvalidPasswordException | UserNotFoundException
 */
export const ConfirmForgotPassword = operation({
  auth: 'none',
  input: { ...publicUserShape, ConfirmationCode: common.code(), Password: common.password() },
  async handle(s: Pick<Services, 'store' | 'clock' | 'box' | 'triggers'>, input): Promise<Wire<ConfirmForgotPasswordResponse>> {
    const { client, pool, user } = await loadPublicUserRequest(s, input);
    if (!user && !client.preventUserExistenceErrors) throw unknownUserForCode(client);
    assertPasswordPolicy(pool, input.Password);
    if (!user || (client.preventUserExistenceErrors && !canReceiveResetCode(user)))
      return useStandInCode(s, pool, input.Username, 'forgot');
    await useCode(s, pool, user, 'forgot', input.ConfirmationCode);
    await s.store.updateUser(
      pool.id,
      user.id,
      {
        ...passwordSecret(pool, user, input.Password, s.clock.now()),
        status: user.status === 'UNCONFIRMED' ? 'UNCONFIRMED' : 'CONFIRMED',
      },
      s.clock.now(),
    );
    await s.store.clearLoginAttempts(pool.id, [userAttemptKey(s, pool, user)]);
    const status = user.status === 'UNCONFIRMED' ? 'UNCONFIRMED' : 'CONFIRMED';
    await runPostConfirmation(s, pool, 'PostConfirmation_ConfirmForgotPassword', client.id, { ...user, status }, input.ClientMetadata);
    return {};
  },
});

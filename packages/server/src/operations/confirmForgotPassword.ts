import { operation } from './types.js';
import { v, common } from '../protocol/validate.js';
import { loadClient, loadPool } from './shared.js';
import { assertPasswordPolicy, assertSecretHash, findUser, passwordSecret } from '../auth/password.js';
import { useCode } from '../auth/codes.js';
import { CodeMismatchException, UserNotFoundException } from '../protocol/errors.js';

/** ConfirmForgotPassword: a valid code sets the new password and clears any lockout. */
export const ConfirmForgotPassword = operation<{ ClientId: string; Username: string; ConfirmationCode: string; Password: string; SecretHash?: string }, object>({
  auth: 'none',
  input: {
    ClientId: common.clientId(), Username: common.username(), ConfirmationCode: common.code(), Password: common.password(),
    SecretHash: v.str({ min: 1, max: 128 }), ClientMetadata: common.clientMetadata(), UserContextData: v.doc(), AnalyticsMetadata: v.doc(),
  },
  async handle(s, input) {
    const client = await loadClient(s, input.ClientId);
    const pool = await loadPool(s, client.poolId);
    assertSecretHash(client, input.Username, input.SecretHash);
    const user = await findUser(s, pool, input.Username);
    if (!user) throw client.preventUserExistenceErrors ? new CodeMismatchException('Invalid verification code provided, please try again.') : new UserNotFoundException('Username/client id combination not found.');
    assertPasswordPolicy(pool, input.Password);
    await useCode(s, pool, user, 'forgot', input.ConfirmationCode);
    await s.store.updateUser(pool.id, user.id, {
      ...passwordSecret(pool, user, input.Password, s.clock.now()), status: user.status === 'UNCONFIRMED' ? 'UNCONFIRMED' : 'CONFIRMED', failedAttempts: 0, lockedUntil: 0,
    }, s.clock.now());
    return {};
  },
});

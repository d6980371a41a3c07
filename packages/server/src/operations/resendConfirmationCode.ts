import { operation } from './types.js';
import { v, common } from '../protocol/validate.js';
import { loadClient, loadPool, simulatedDelivery } from './shared.js';
import { assertSecretHash, findUser } from '../auth/password.js';
import { sendCode } from '../auth/codes.js';
import { InvalidParameterException, UserNotFoundException } from '../protocol/errors.js';

export const ResendConfirmationCode = operation<{ ClientId: string; Username: string; SecretHash?: string }, object>({
  auth: 'none',
  input: { ClientId: common.clientId(), Username: common.username(), SecretHash: v.str({ min: 1, max: 128 }), ClientMetadata: common.clientMetadata(), UserContextData: v.doc(), AnalyticsMetadata: v.doc() },
  async handle(s, input) {
    const client = await loadClient(s, input.ClientId);
    const pool = await loadPool(s, client.poolId);
    assertSecretHash(client, input.Username, input.SecretHash);
    const user = await findUser(s, pool, input.Username);
    if (!user) {
      if (client.preventUserExistenceErrors) return simulatedDelivery(input.Username);
      throw new UserNotFoundException('Username/client id combination not found.');
    }
    if (user.status !== 'UNCONFIRMED') throw new InvalidParameterException('User is already confirmed.');
    return { CodeDeliveryDetails: await sendCode(s, pool, user, 'signup') };
  },
});

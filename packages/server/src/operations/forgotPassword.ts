import { operation } from './types.js';
import { v, common } from '../protocol/validate.js';
import { loadClient, loadPool, simulatedDelivery } from './shared.js';
import { assertSecretHash, findUser } from '../auth/password.js';
import { sendCode } from '../auth/codes.js';
import { InvalidParameterException, NotAuthorizedException, UserNotFoundException } from '../protocol/errors.js';

export const ForgotPassword = operation<{ ClientId: string; Username: string; SecretHash?: string }, object>({
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
    if (!user.enabled) throw new NotAuthorizedException('User is disabled.');
    if (user.status === 'UNCONFIRMED' || (user.attributes.email_verified !== 'true' && user.attributes.phone_number_verified !== 'true')) {
      throw new InvalidParameterException('Cannot reset password for the user as there is no registered/verified email or phone_number');
    }
    return { CodeDeliveryDetails: await sendCode(s, pool, user, 'forgot') };
  },
});

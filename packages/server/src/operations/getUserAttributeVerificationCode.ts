import { operation, type Wire } from './types.js';
import { v, common } from '../protocol/validate.js';
import { authorizeAccessToken } from '../auth/accessToken.js';
import { sendCode } from '../auth/codes.js';
import { withPending } from '../auth/attributes.js';
import { admitCodeSend, userBudgetKey } from '../auth/sendBudget.js';
import { InvalidParameterException } from '../protocol/errors.js';
import type { Services } from '../services.js';
import type { GetUserAttributeVerificationCodeResponse } from '@aws-sdk/client-cognito-identity-provider';

export const GetUserAttributeVerificationCode = operation({
  auth: 'none',
  input: {
    AccessToken: common.accessToken(),
    AttributeName: v.str({ required: true, min: 1, max: 32 }),
    ClientMetadata: common.clientMetadata(),
  },
  async handle(
    s: Pick<Services, 'store' | 'tokens' | 'clock' | 'box' | 'sender' | 'log' | 'triggers'>,
    { AccessToken, AttributeName, ClientMetadata },
  ): Promise<Wire<GetUserAttributeVerificationCodeResponse>> {
    const { pool, client, user } = await authorizeAccessToken(s, AccessToken);
    if (AttributeName !== 'email' && AttributeName !== 'phone_number')
      throw new InvalidParameterException(`${AttributeName} cannot be verified`);
    // A value waiting for verification is the one a new code goes to.
    const target = withPending(user, AttributeName);
    if (!target.attributes[AttributeName]) throw new InvalidParameterException(`The user has no ${AttributeName}`);
    const purpose = AttributeName === 'email' ? 'verify_email' : 'verify_phone_number';
    await admitCodeSend(s, pool, userBudgetKey(s, pool, user.id), purpose);
    const message = { source: 'CustomMessage_VerifyUserAttribute' as const, clientId: client.id, clientMetadata: ClientMetadata };
    return { CodeDeliveryDetails: await sendCode(s, pool, target, purpose, { message }) };
  },
});

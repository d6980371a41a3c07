import { operation, type Wire } from './types.js';
import { v, common } from '../protocol/validate.js';
import { authorizeAccessToken } from '../auth/accessToken.js';
import { verifyAttribute } from '../auth/attributes.js';
import { InvalidParameterException } from '../protocol/errors.js';
import type { Services } from '../services.js';
import type { VerifyUserAttributeResponse } from '@aws-sdk/client-cognito-identity-provider';

/** VerifyUserAttribute: verifies the email / phone number, promoting a value that waits for verification. */
export const VerifyUserAttribute = operation({
  auth: 'none',
  input: { AccessToken: common.accessToken(), AttributeName: v.str({ required: true, min: 1, max: 32 }), Code: common.code() },
  async handle(
    s: Pick<Services, 'store' | 'tokens' | 'clock' | 'box'>,
    { AccessToken, AttributeName, Code },
  ): Promise<Wire<VerifyUserAttributeResponse>> {
    const { pool, user } = await authorizeAccessToken(s, AccessToken);
    if (AttributeName !== 'email' && AttributeName !== 'phone_number')
      throw new InvalidParameterException(`${AttributeName} cannot be verified`);
    await verifyAttribute(s, pool, user, AttributeName, Code);
    return {};
  },
});

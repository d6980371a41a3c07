import { operation, type Wire } from './types.js';
import { common } from '../protocol/validate.js';
import { authorizeAccessToken } from '../auth/accessToken.js';
import { applyAttributeUpdate } from '../auth/attributes.js';
import type { Services } from '../services.js';
import type { UpdateUserAttributesResponse } from '@aws-sdk/client-cognito-identity-provider';

/** UpdateUserAttributes: see applyAttributeUpdate (verification on change, pending values, the client's WriteAttributes). */
export const UpdateUserAttributes = operation({
  auth: 'none',
  input: { AccessToken: common.accessToken(), UserAttributes: common.attributes(true), ClientMetadata: common.clientMetadata() },
  async handle(
    s: Pick<Services, 'store' | 'tokens' | 'clock' | 'box' | 'sender' | 'log' | 'triggers'>,
    { AccessToken, UserAttributes, ClientMetadata },
  ): Promise<Wire<UpdateUserAttributesResponse>> {
    const { pool, client, user } = await authorizeAccessToken(s, AccessToken);
    const details = await applyAttributeUpdate(s, pool, user, UserAttributes, { admin: false, client, clientMetadata: ClientMetadata });
    return { CodeDeliveryDetailsList: details };
  },
});

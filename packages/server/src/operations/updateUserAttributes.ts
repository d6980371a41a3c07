import { operation } from './types.js';
import { common } from '../protocol/validate.js';
import { authorizeAccessToken } from '../auth/accessToken.js';
import { applyAttributeUpdate } from '../auth/attributes.js';

/** UpdateUserAttributes: a changed email becomes unverified and, where auto-verified, gets a code. */
export const UpdateUserAttributes = operation<{ AccessToken: string; UserAttributes: { Name: string; Value?: string }[] }, object>({
  auth: 'none',
  input: { AccessToken: common.accessToken(), UserAttributes: common.attributes(true), ClientMetadata: common.clientMetadata() },
  async handle(s, { AccessToken, UserAttributes }) {
    const { pool, user } = await authorizeAccessToken(s, AccessToken);
    const details = await applyAttributeUpdate(s, pool, user, UserAttributes, { admin: false });
    return { CodeDeliveryDetailsList: details };
  },
});

import { operation, type Wire } from './types.js';
import { common, v } from '../protocol/validate.js';
import { authorizeAccessToken } from '../auth/accessToken.js';
import { deleteUserAttributes } from '../auth/attributes.js';
import type { Services } from '../services.js';
import type { DeleteUserAttributesResponse } from '@aws-sdk/client-cognito-identity-provider';

/** Cognito's AttributeNameType list: each name 1–32 characters. */
export const attributeNames = () => v.list(v.str({ required: true, min: 1, max: 32 }), { required: true, max: 100 });

/** DeleteUserAttributes: the signed-in user removes attributes (Amplify's deleteUserAttributes). */
export const DeleteUserAttributes = operation({
  auth: 'none',
  input: { AccessToken: common.accessToken(), UserAttributeNames: attributeNames() },
  async handle(
    s: Pick<Services, 'store' | 'tokens' | 'clock'>,
    { AccessToken, UserAttributeNames },
  ): Promise<Wire<DeleteUserAttributesResponse>> {
    const { pool, client, user } = await authorizeAccessToken(s, AccessToken);
    await deleteUserAttributes(s, pool, user, UserAttributeNames, { admin: false, client });
    return {};
  },
});

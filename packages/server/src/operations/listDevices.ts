import { operation, type Wire } from './types.js';
import { common } from '../protocol/validate.js';
import { authorizeAccessToken } from '../auth/accessToken.js';
import { deviceLimitRule, listDevicePage } from './deviceShapes.js';
import type { Services } from '../services.js';
import type { ListDevicesResponse } from '@aws-sdk/client-cognito-identity-provider';

/** ListDevices: the caller's confirmed devices, in pages. @throws InvalidParameterException for a bad PaginationToken */
export const ListDevices = operation({
  auth: 'none',
  input: { AccessToken: common.accessToken(), Limit: deviceLimitRule(), PaginationToken: common.nextToken() },
  async handle(s: Pick<Services, 'store' | 'tokens' | 'box'>, input): Promise<Wire<ListDevicesResponse>> {
    const { pool, user } = await authorizeAccessToken(s, input.AccessToken);
    return listDevicePage(s, pool.id, user.id, input.Limit, input.PaginationToken);
  },
});

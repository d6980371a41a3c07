import { adminUserOperation } from './shared.js';
import { common } from '../protocol/validate.js';
import { deviceLimitRule, listDevicePage } from './deviceShapes.js';
import type { Services } from '../services.js';
import type { Wire } from './types.js';
import type { AdminListDevicesResponse } from '@aws-sdk/client-cognito-identity-provider';

/** AdminListDevices: the named user's confirmed devices, in pages. @throws InvalidParameterException | UserNotFoundException */
export const AdminListDevices = adminUserOperation(
  { Limit: deviceLimitRule(), PaginationToken: common.nextToken() },
  async (s: Pick<Services, 'store' | 'box'>, pool, user, input): Promise<Wire<AdminListDevicesResponse>> =>
    listDevicePage(s, pool.id, user.id, input.Limit, input.PaginationToken),
);

import { operation, type Wire } from './types.js';
import { common } from '../protocol/validate.js';
import { authorizeAccessToken } from '../auth/accessToken.js';
import { deviceKeyRule, noSuchDevice, rememberedStatusRule } from './deviceShapes.js';
import type { Services } from '../services.js';
import type { UpdateDeviceStatusResponse } from '@aws-sdk/client-cognito-identity-provider';

/** UpdateDeviceStatus: remembers or un-remembers one of the caller's devices. @throws ResourceNotFoundException */
export const UpdateDeviceStatus = operation({
  auth: 'none',
  input: { AccessToken: common.accessToken(), DeviceKey: deviceKeyRule(), DeviceRememberedStatus: rememberedStatusRule() },
  async handle(s: Pick<Services, 'store' | 'tokens' | 'clock'>, input): Promise<Wire<UpdateDeviceStatusResponse>> {
    const { pool, user } = await authorizeAccessToken(s, input.AccessToken);
    const remembered = input.DeviceRememberedStatus === 'remembered';
    if (!(await s.store.setDeviceRemembered(pool.id, user.id, input.DeviceKey, remembered, s.clock.now()))) throw noSuchDevice();
    return {};
  },
});

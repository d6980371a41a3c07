import { operation, type Wire } from './types.js';
import { common } from '../protocol/validate.js';
import { authorizeAccessToken } from '../auth/accessToken.js';
import { deviceKeyRule, deviceType, loadDevice } from './deviceShapes.js';
import type { Services } from '../services.js';
import type { GetDeviceResponse } from '@aws-sdk/client-cognito-identity-provider';

/** GetDevice: one of the caller's confirmed devices. @throws ResourceNotFoundException("Device does not exist.") */
export const GetDevice = operation({
  auth: 'none',
  input: { AccessToken: common.accessToken(), DeviceKey: deviceKeyRule() },
  async handle(s: Pick<Services, 'store' | 'tokens' | 'clock'>, input): Promise<Wire<GetDeviceResponse>> {
    const { pool, user } = await authorizeAccessToken(s, input.AccessToken);
    return { Device: deviceType(await loadDevice(s, pool.id, user.id, input.DeviceKey)) };
  },
});

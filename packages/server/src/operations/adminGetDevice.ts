import { adminUserOperation } from './shared.js';
import { deviceKeyRule, deviceType, loadDevice } from './deviceShapes.js';
import type { Services } from '../services.js';
import type { Wire } from './types.js';
import type { AdminGetDeviceResponse } from '@aws-sdk/client-cognito-identity-provider';

/** AdminGetDevice: one of the named user's confirmed devices. @throws ResourceNotFoundException | UserNotFoundException */
export const AdminGetDevice = adminUserOperation(
  { DeviceKey: deviceKeyRule() },
  async (s: Pick<Services, 'store' | 'clock'>, pool, user, input): Promise<Wire<AdminGetDeviceResponse>> => ({
    Device: deviceType(await loadDevice(s, pool.id, user.id, input.DeviceKey)),
  }),
);

import { adminUserOperation } from './shared.js';
import { deviceKeyRule, noSuchDevice, rememberedStatusRule } from './deviceShapes.js';
import type { Services } from '../services.js';
import type { Wire } from './types.js';
import type { AdminUpdateDeviceStatusResponse } from '@aws-sdk/client-cognito-identity-provider';

/** AdminUpdateDeviceStatus: UpdateDeviceStatus for a user named by an administrator. @throws ResourceNotFoundException */
export const AdminUpdateDeviceStatus = adminUserOperation(
  { DeviceKey: deviceKeyRule(), DeviceRememberedStatus: rememberedStatusRule() },
  async (s: Pick<Services, 'store' | 'clock'>, pool, user, input): Promise<Wire<AdminUpdateDeviceStatusResponse>> => {
    const remembered = input.DeviceRememberedStatus === 'remembered';
    if (!(await s.store.setDeviceRemembered(pool.id, user.id, input.DeviceKey, remembered, s.clock.now()))) throw noSuchDevice();
    return {};
  },
);

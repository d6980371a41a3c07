import { adminUserOperation } from './shared.js';
import type { NoOutput } from './types.js';
import { deviceKeyRule, noSuchDevice } from './deviceShapes.js';
import type { Services } from '../services.js';

/** AdminForgetDevice: ForgetDevice for a user named by an administrator. @throws ResourceNotFoundException | UserNotFoundException */
export const AdminForgetDevice = adminUserOperation(
  { DeviceKey: deviceKeyRule() },
  async (s: Pick<Services, 'store' | 'clock'>, pool, user, input): Promise<NoOutput> => {
    if (!(await s.store.forgetDevice(pool.id, user.id, input.DeviceKey, s.clock.now()))) throw noSuchDevice();
    return {};
  },
);

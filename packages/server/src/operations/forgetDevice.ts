import { operation, type NoOutput } from './types.js';
import { common } from '../protocol/validate.js';
import { authorizeAccessToken } from '../auth/accessToken.js';
import { deviceKeyRule, noSuchDevice } from './deviceShapes.js';
import type { Services } from '../services.js';

/**
 * ForgetDevice: forgets one of the caller's devices and, in the same transaction, revokes the sign-ins made
 * on it (their refresh and access tokens stop working on every instance).
 * @throws ResourceNotFoundException("Device does not exist.")
 */
export const ForgetDevice = operation({
  auth: 'none',
  input: { AccessToken: common.accessToken(), DeviceKey: deviceKeyRule() },
  async handle(s: Pick<Services, 'store' | 'tokens' | 'clock'>, input): Promise<NoOutput> {
    const { pool, user } = await authorizeAccessToken(s, input.AccessToken);
    if (!(await s.store.forgetDevice(pool.id, user.id, input.DeviceKey, s.clock.now()))) throw noSuchDevice();
    return {};
  },
});

import { requireDevice } from './forgetDevice.js';
import { requireAccessToken } from '../tokens.js';
import { AuthAction, callUserPool } from '../transport.js';

/**
 * Marks the device this client signed in on as remembered (Amplify `rememberDevice`): later sign-ins on it
 * answer the device's SRP proof instead of MFA.
 * @throws AuthError `DeviceMetadataNotFoundException` when this client holds no device; service errors as `AuthError`.
 */
export async function rememberDevice(): Promise<void> {
  const AccessToken = await requireAccessToken();
  const device = await requireDevice();
  await callUserPool(
    'UpdateDeviceStatus',
    { AccessToken, DeviceKey: device.deviceKey, DeviceRememberedStatus: 'remembered' },
    { action: AuthAction.RememberDevice },
  );
}

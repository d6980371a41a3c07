import type { AuthError } from '../errors.js';
import { clearDeviceMetadata, deviceMetadataNotFound, getDeviceMetadata, type DeviceMetadata } from '../internal/devices.js';
import { requireAccessToken } from '../tokens.js';
import { AuthAction, callUserPool } from '../transport.js';
import type { ForgetDeviceInput } from '../types.js';

/** Amplify `assertDeviceMetadata`'s error. */
export function deviceRequired(): AuthError {
  return deviceMetadataNotFound();
}

/** The signed-in user's device on this client. @throws AuthError `DeviceMetadataNotFoundException` */
export async function requireDevice(): Promise<DeviceMetadata> {
  const device = await getDeviceMetadata();
  if (!device) throw deviceRequired();
  return device;
}

/**
 * Forgets a device of the signed-in user (Amplify `forgetDevice`): `device.id` names one (e.g. from
 * fetchDevices), none means this client's own, whose metadata is then cleared too. The server revokes the
 * sign-ins made on the forgotten device.
 * @throws AuthError `DeviceMetadataNotFoundException` without `device` when this client holds none; service errors.
 */
export async function forgetDevice(input?: ForgetDeviceInput): Promise<void> {
  const AccessToken = await requireAccessToken();
  const current = await getDeviceMetadata();
  const external = input?.device?.id;
  if (!external && !current) throw deviceRequired();
  await callUserPool('ForgetDevice', { AccessToken, DeviceKey: external ?? current!.deviceKey }, { action: AuthAction.ForgetDevice });
  if (!external || external === current?.deviceKey) await clearDeviceMetadata();
}

import { requireAccessToken } from '../tokens.js';
import { AuthAction, callUserPool } from '../transport.js';
import type { FetchDevicesOutput } from '../types.js';

interface DeviceType {
  DeviceKey?: string;
  DeviceAttributes?: { Name?: string; Value?: string }[];
  /** epoch seconds */
  DeviceCreateDate?: number;
  DeviceLastModifiedDate?: number;
  DeviceLastAuthenticatedDate?: number;
}

/** Amplify asks for the most Cognito returns in one page. */
const MAX_DEVICES = 60;

/**
 * The signed-in user's remembered (confirmed) devices (Amplify `fetchDevices`): `id` = DeviceKey, `name` =
 * the `device_name` attribute, every attribute in `attributes`, dates as `Date`.
 */
export async function fetchDevices(): Promise<FetchDevicesOutput> {
  const AccessToken = await requireAccessToken();
  const { Devices = [] } = await callUserPool<{ Devices?: DeviceType[] }>(
    'ListDevices',
    { AccessToken, Limit: MAX_DEVICES },
    { action: AuthAction.FetchDevices },
  );
  const date = (s: number | undefined) => (s ? new Date(s * 1000) : undefined);
  return Devices.map((d) => {
    const attributes: Record<string, string> = {};
    for (const { Name, Value } of d.DeviceAttributes ?? []) if (Name && Value) attributes[Name] = Value;
    return {
      id: d.DeviceKey ?? '',
      name: attributes.device_name,
      attributes,
      createDate: date(d.DeviceCreateDate),
      lastModifiedDate: date(d.DeviceLastModifiedDate),
      lastAuthenticatedDate: date(d.DeviceLastAuthenticatedDate),
    };
  });
}

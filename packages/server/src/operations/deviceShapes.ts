import { v, common } from '../protocol/validate.js';
import { decodePageToken, encodePageToken } from './shared.js';
import { InvalidParameterException, ResourceNotFoundException } from '../protocol/errors.js';
import type { DeviceRecord } from '../storage/store.js';
import type { Services } from '../services.js';
import type { Wire } from './types.js';
import type { DeviceType } from '@aws-sdk/client-cognito-identity-provider';

/** Cognito's DeviceKey member: `<region>_<uuid>`, 1–55 characters. */
export const deviceKeyRule = () => v.str({ required: true, min: 1, max: 55, pattern: /^[\w-]+_[0-9a-f-]+$/ });
export const rememberedStatusRule = () => v.str({ enum: ['remembered', 'not_remembered'] });
/** ListDevices' Limit (0–60; 0 or absent: 60, the most Cognito returns). */
export const deviceLimitRule = () => common.limit(60);

/** Cognito's answer for a device key that is not the user's (or does not exist). */
export function noSuchDevice(): Error {
  return new ResourceNotFoundException('Device does not exist.');
}

const secs = (ms: number) => Math.floor(ms / 1000);

/**
 * DeviceType as Cognito answers it: `device_status` (`valid`), `device_name` when named,
 * `dev:device_remembered_status` (`remembered` | `not_remembered`), `last_ip_used` when known; dates in
 * epoch seconds.
 */
export function deviceType(d: DeviceRecord): Wire<DeviceType> {
  return {
    DeviceKey: d.deviceKey,
    DeviceAttributes: [
      { Name: 'device_status', Value: 'valid' },
      ...(d.name !== null ? [{ Name: 'device_name', Value: d.name }] : []),
      { Name: 'dev:device_remembered_status', Value: d.remembered ? 'remembered' : 'not_remembered' },
      ...(d.lastIp !== null ? [{ Name: 'last_ip_used', Value: d.lastIp }] : []),
    ],
    DeviceCreateDate: secs(d.createdAt),
    DeviceLastModifiedDate: secs(d.updatedAt),
    ...(d.lastAuthenticatedAt !== null ? { DeviceLastAuthenticatedDate: secs(d.lastAuthenticatedAt) } : {}),
  };
}

/** A user's confirmed device. @throws ResourceNotFoundException("Device does not exist.") */
export async function loadDevice(s: Pick<Services, 'store' | 'clock'>, poolId: string, userId: string, deviceKey: string) {
  const d = await s.store.getDevice(poolId, deviceKey, s.clock.now());
  if (!d || d.userId !== userId || d.srpVerifier === null) throw noSuchDevice();
  return d;
}

/**
 * One page of a user's confirmed devices (ListDevices / AdminListDevices): keyset by DeviceKey; the
 * PaginationToken is MACed and bound to the user, omitted on the last page.
 * @throws InvalidParameterException for a forged or foreign token.
 */
export async function listDevicePage(
  s: Pick<Services, 'store' | 'box'>,
  poolId: string,
  userId: string,
  limit: number | undefined,
  token: string | undefined,
): Promise<{ Devices: Wire<DeviceType>[]; PaginationToken?: string }> {
  const max = limit ? limit : 60;
  const scope = `devices:${poolId}:${userId}`;
  let after: string | undefined;
  if (token) {
    const c = decodePageToken<{ k: unknown }>(s, scope, token);
    if (typeof c.k !== 'string') throw new InvalidParameterException('Invalid pagination token.');
    after = c.k;
  }
  const rows = await s.store.listDevices(poolId, userId, max + 1, after);
  const page = rows.slice(0, max);
  const last = page[page.length - 1];
  return {
    Devices: page.map(deviceType),
    ...(rows.length > max && last ? { PaginationToken: encodePageToken(s, scope, { k: last.deviceKey }) } : {}),
  };
}

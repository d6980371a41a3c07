/**
 * Remembered devices, client side (Amplify `getNewDeviceMetadata`, `handleDeviceSRPAuth`, the TokenStore's
 * device keys; docs/wire-contract.md §3.12): the device metadata in Amplify's storage keys
 * (`CognitoIdentityServiceProvider.<clientId>.<username>.{deviceKey,deviceGroupKey,randomPasswordKey}`), the
 * ConfirmDevice of a sign-in's NewDeviceMetadata, and the DEVICE_SRP_AUTH → DEVICE_PASSWORD_VERIFIER answers.
 */
import { getConfig, peekConfig } from '../config.js';
import { AuthError, toNamedError } from '../errors.js';
import { AuthAction, callUserPool } from '../transport.js';
import type { ClientMetadata } from '../types.js';
import { computePasswordClaim, createDeviceSecret, createSrpClientSession } from './srp.js';

/** What a client keeps of a confirmed device. */
export interface DeviceMetadata {
  deviceKey: string;
  deviceGroupKey: string;
  randomPassword: string;
}

const PREFIX = 'CognitoIdentityServiceProvider';
const KEYS = { deviceKey: 'deviceKey', deviceGroupKey: 'deviceGroupKey', randomPassword: 'randomPasswordKey' } as const;

async function keysFor(username?: string) {
  const config = getConfig();
  const base = `${PREFIX}.${config.cognito.userPoolClientId}`;
  const user = username ?? (await config.storage.getItem(`${base}.LastAuthUser`)) ?? 'username';
  return { storage: config.storage, key: (k: keyof typeof KEYS) => `${base}.${user}.${KEYS[k]}` };
}

/** The device stored for `username` (default: the signed-in user), or null. */
export async function getDeviceMetadata(username?: string): Promise<DeviceMetadata | null> {
  if (!peekConfig()) return null;
  const { storage, key } = await keysFor(username);
  const [deviceKey, deviceGroupKey, randomPassword] = await Promise.all([
    storage.getItem(key('deviceKey')),
    storage.getItem(key('deviceGroupKey')),
    storage.getItem(key('randomPassword')),
  ]);
  return deviceKey && deviceGroupKey && randomPassword ? { deviceKey, deviceGroupKey, randomPassword } : null;
}

export async function setDeviceMetadata(username: string, device: DeviceMetadata): Promise<void> {
  const { storage, key } = await keysFor(username);
  await storage.setItem(key('deviceKey'), device.deviceKey);
  await storage.setItem(key('deviceGroupKey'), device.deviceGroupKey);
  await storage.setItem(key('randomPassword'), device.randomPassword);
}

export async function clearDeviceMetadata(username?: string): Promise<void> {
  const { storage, key } = await keysFor(username);
  await Promise.all((Object.keys(KEYS) as (keyof typeof KEYS)[]).map((k) => storage.removeItem(key(k))));
}

/** Amplify `assertDeviceMetadata`'s error, word for word. */
export function deviceMetadataNotFound(): AuthError {
  return new AuthError({
    name: 'DeviceMetadataNotFoundException',
    message: 'Either deviceKey, deviceGroupKey or secretPassword were not found during the sign-in process.',
    recoverySuggestion: 'Make sure to not clear storage after calling the signIn API.',
  });
}

/** The device name Amplify sends: the browser's user agent. */
function deviceName(): string {
  const nav = (globalThis as { navigator?: { userAgent?: string } }).navigator;
  return nav?.userAgent || 'Latchkey client';
}

/**
 * ConfirmDevice for a sign-in's NewDeviceMetadata (Amplify `getNewDeviceMetadata`): the device verifier is
 * made here and only the verifier leaves; any failure gives undefined (the sign-in completes without a device).
 */
export async function confirmNewDevice(newDeviceMetadata: unknown, accessToken: string): Promise<DeviceMetadata | undefined> {
  const meta = newDeviceMetadata as { DeviceKey?: string; DeviceGroupKey?: string } | undefined;
  if (!meta?.DeviceKey || !meta.DeviceGroupKey) return undefined;
  try {
    const secret = await createDeviceSecret(meta.DeviceGroupKey, meta.DeviceKey);
    await callUserPool(
      'ConfirmDevice',
      {
        AccessToken: accessToken,
        DeviceName: deviceName(),
        DeviceKey: meta.DeviceKey,
        DeviceSecretVerifierConfig: { Salt: secret.Salt, PasswordVerifier: secret.PasswordVerifier },
      },
      { action: AuthAction.SignIn },
    );
    return { deviceKey: meta.DeviceKey, deviceGroupKey: meta.DeviceGroupKey, randomPassword: secret.randomPassword };
  } catch {
    return undefined;
  }
}

/** `ResourceNotFoundException` "Device does not exist.": the server forgot the device this client presented. */
export function isDeviceGone(caught: unknown): boolean {
  const e = toNamedError(caught);
  return e.name === 'ResourceNotFoundException' && e.message.includes('Device does not exist.');
}

/**
 * Amplify `retryOnResourceNotFoundException`: runs `step`; when the server no longer knows the presented
 * device, forgets it for `username` and runs `step` once more (which then presents none).
 */
export async function retryWithoutForgottenDevice<T>(username: string, step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (caught) {
    if (!isDeviceGone(caught)) throw caught;
    await clearDeviceMetadata(username);
    return step();
  }
}

interface ChallengeAnswer {
  ChallengeName?: string;
  ChallengeParameters?: Record<string, string>;
  Session?: string;
}

/**
 * Answers DEVICE_SRP_AUTH and then DEVICE_PASSWORD_VERIFIER with the device stored under `username`
 * (Amplify `handleDeviceSRPAuth`): the user SRP claim with the device group key as pool name, the device key
 * as identity and the device's random password.
 * @throws AuthError `DeviceMetadataNotFoundException` when no device is stored.
 */
export async function deviceSrpAuth<T extends ChallengeAnswer>(
  username: string,
  session: string | undefined,
  clientMetadata: ClientMetadata | undefined,
): Promise<T> {
  const device = await getDeviceMetadata(username);
  if (!device) throw deviceMetadataNotFound();
  const ClientId = getConfig().cognito.userPoolClientId;
  const srp = createSrpClientSession();
  const step = await callUserPool<ChallengeAnswer>(
    'RespondToAuthChallenge',
    {
      ChallengeName: 'DEVICE_SRP_AUTH',
      ClientId,
      ChallengeResponses: { USERNAME: username, SRP_A: srp.srpA, DEVICE_KEY: device.deviceKey },
      ClientMetadata: clientMetadata,
      Session: session,
    },
    { action: AuthAction.SignIn },
  );
  const p = step.ChallengeParameters ?? {};
  const claim = await computePasswordClaim({
    session: srp,
    poolName: device.deviceGroupKey,
    userIdForSrp: device.deviceKey,
    password: device.randomPassword,
    srpB: p.SRP_B ?? '',
    salt: p.SALT ?? '',
    secretBlock: p.SECRET_BLOCK ?? '',
  });
  return callUserPool<T>(
    'RespondToAuthChallenge',
    {
      ChallengeName: 'DEVICE_PASSWORD_VERIFIER',
      ClientId,
      ChallengeResponses: { USERNAME: p.USERNAME ?? username, DEVICE_KEY: device.deviceKey, ...claim },
      ClientMetadata: clientMetadata,
      Session: step.Session,
    },
    { action: AuthAction.SignIn },
  );
}

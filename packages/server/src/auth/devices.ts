import type { FlowContext } from './flows/context.js';
import type { DeviceRecord, UserRecord } from '../storage/store.js';
import type { Pool } from '../domain/pools.js';
import type { AuthOutput, FinishSignIn } from './results.js';
import { burnSession, issueSession } from './sessions.js';
import { ResourceNotFoundException } from '../protocol/errors.js';
import { randomId, randomString, sha256Hex } from '../security/secrets.js';
import { FIXED } from '../config/defaults.js';

const GROUP_KEY_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** Cognito's answer for a device key that is unknown, forgotten or another user's (aws-amplify retries without it). */
export function deviceDoesNotExist(): Error {
  return new ResourceNotFoundException('Device does not exist.');
}

/**
 * The unconfirmed device a sign-in hands out as NewDeviceMetadata when its pool tracks devices: key
 * `<region>_<uuid>` as Cognito's, a random DeviceGroupKey (the device SRP's "pool name").
 */
export function newDeviceFor(pool: Pool, user: UserRecord, now: number): DeviceRecord | undefined {
  if (!pool.deviceConfiguration) return undefined;
  return {
    poolId: pool.id,
    deviceKey: `${pool.id.slice(0, pool.id.indexOf('_'))}_${randomId()}`,
    userId: user.id,
    groupKey: `-${randomString(9, GROUP_KEY_ALPHABET)}`,
    name: null,
    remembered: false,
    srpSalt: null,
    srpVerifier: null,
    lastIp: null,
    createdAt: now,
    updatedAt: now,
    lastAuthenticatedAt: now,
    expiresAt: now + FIXED.unconfirmedDeviceMs.default,
  };
}

/** A device of this user that the pool still knows, or undefined. */
export async function usersDevice(ctx: Pick<FlowContext, 's' | 'pool'>, userId: string | null, deviceKey: string) {
  const device = await ctx.s.store.getDevice(ctx.pool.id, deviceKey, ctx.s.clock.now());
  return device && userId !== null && device.userId === userId ? device : undefined;
}

/**
 * The remembered-device step right after a verified password (afterPassword's first line). With no
 * DEVICE_KEY, or a pool that tracks no devices: nothing (the sign-in goes on, and hands out a new device).
 * A key that is not one of this user's devices: Cognito's ResourceNotFoundException, on which aws-amplify
 * forgets the key and signs in again without it. A confirmed, remembered device: the DEVICE_SRP_AUTH
 * challenge (the step's session ends here, a new one bound to the device follows), so the device's proof
 * replaces what would come next (MFA). A known device that is not remembered (or not yet confirmed):
 * the sign-in goes on bound to it (no new device). A user with a temporary password: nothing (the
 * NEW_PASSWORD_REQUIRED step comes first, whatever device is presented).
 * @throws ResourceNotFoundException("Device does not exist.")
 */
export async function rememberedDeviceStep(ctx: FlowContext, user: UserRecord, finish: FinishSignIn): Promise<AuthOutput | undefined> {
  const key = ctx.params.DEVICE_KEY;
  // A temporary password must be replaced first: no device proof may stand in for NEW_PASSWORD_REQUIRED.
  if (!key || !ctx.pool.deviceConfiguration || user.status === 'FORCE_CHANGE_PASSWORD') return undefined;
  const device = await usersDevice(ctx, user.id, key);
  // The password verified: its attempt count ends here whatever follows.
  if (finish.clearLoginKey) await ctx.s.store.clearLoginAttempts(ctx.pool.id, [finish.clearLoginKey]);
  if (!device) throw deviceDoesNotExist();
  finish.deviceKey = device.deviceKey;
  if (!device.remembered || !device.srpVerifier) return undefined;
  if (finish.sessionHash) await burnSession(ctx.s, finish.sessionHash);
  return {
    ChallengeName: 'DEVICE_SRP_AUTH',
    Session: await issueSession(ctx.s, ctx.client, user.id, { kind: 'DEVICE_SRP_AUTH', dk: device.deviceKey }),
    // None, as aws-amplify needs: after USER_PASSWORD_AUTH it looks the device up under this USERNAME when
    // present, but stored it under the typed name.
    ChallengeParameters: {},
  };
}

/**
 * PASSWORD_VERIFIER answered with a DEVICE_KEY: checked before the SRP step's session is consumed, so the
 * ResourceNotFoundException for an unknown device leaves the session to aws-amplify's retry without the
 * key. A stand-in's session (unknown user) has no devices: the same answer as a stale key of a real user.
 * @throws ResourceNotFoundException("Device does not exist.")
 */
export async function assertPresentedDevice(ctx: FlowContext, sessionKey: string): Promise<void> {
  const key = ctx.params.DEVICE_KEY;
  if (!key || !ctx.pool.deviceConfiguration) return;
  const rec = await ctx.s.store.peekAuthSession(sha256Hex(sessionKey), ctx.s.clock.now());
  if (!rec) return; // the step's own check answers for a used or expired session
  if (!(await usersDevice(ctx, rec.userId, key))) throw deviceDoesNotExist();
}

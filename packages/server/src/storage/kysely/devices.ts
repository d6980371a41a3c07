import type { DeviceRecord } from '../types.js';
import { toDevice } from './rows.js';
import { MfaStore } from './mfa.js';
import type { Db } from './base.js';

/** One device row (also written by finishSignIn, with the sign-in that hands out its NewDeviceMetadata). */
export function insertDevice(db: Db, d: DeviceRecord) {
  return db
    .insertInto('devices')
    .values({
      pool_id: d.poolId,
      device_key: d.deviceKey,
      user_id: d.userId,
      group_key: d.groupKey,
      name: d.name,
      remembered: d.remembered ? 1 : 0,
      srp_salt: d.srpSalt,
      srp_verifier: d.srpVerifier,
      last_ip: d.lastIp,
      created_at: d.createdAt,
      updated_at: d.updatedAt,
      last_auth_at: d.lastAuthenticatedAt,
      expires_at: d.expiresAt,
    })
    .execute();
}

/** Remembered devices: confirmation, listing, status and forgetting (which revokes the device's sign-ins). */
export class DevicesStore extends MfaStore {
  async getDevice(poolId: string, deviceKey: string, now: number): Promise<DeviceRecord | undefined> {
    const r = await this.db
      .selectFrom('devices')
      .selectAll()
      .where('pool_id', '=', poolId)
      .where('device_key', '=', deviceKey)
      .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]))
      .executeTakeFirst();
    return r && toDevice(r);
  }
  async confirmDevice(
    poolId: string,
    userId: string,
    deviceKey: string,
    confirm: { srpSalt: string; srpVerifier: string; name: string | null; remembered: boolean },
    now: number,
  ): Promise<boolean> {
    const r = await this.db
      .updateTable('devices')
      .set({
        srp_salt: confirm.srpSalt,
        srp_verifier: confirm.srpVerifier,
        name: confirm.name,
        remembered: confirm.remembered ? 1 : 0,
        updated_at: now,
        expires_at: null,
      })
      .where('pool_id', '=', poolId)
      .where('device_key', '=', deviceKey)
      .where('user_id', '=', userId)
      .where('srp_verifier', 'is', null)
      .where('expires_at', '>', now)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }
  async listDevices(poolId: string, userId: string, limit: number, after?: string): Promise<DeviceRecord[]> {
    let q = this.db
      .selectFrom('devices')
      .selectAll()
      .where('pool_id', '=', poolId)
      .where('user_id', '=', userId)
      .where('srp_verifier', 'is not', null)
      .orderBy('device_key')
      .limit(limit);
    if (after !== undefined) q = q.where('device_key', '>', after);
    return (await q.execute()).map(toDevice);
  }
  async setDeviceRemembered(poolId: string, userId: string, deviceKey: string, remembered: boolean, now: number): Promise<boolean> {
    const r = await this.db
      .updateTable('devices')
      .set({ remembered: remembered ? 1 : 0, updated_at: now })
      .where('pool_id', '=', poolId)
      .where('device_key', '=', deviceKey)
      .where('user_id', '=', userId)
      .where('srp_verifier', 'is not', null)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }
  async forgetDevice(poolId: string, userId: string, deviceKey: string, now: number): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      const r = await trx
        .deleteFrom('devices')
        .where('pool_id', '=', poolId)
        .where('device_key', '=', deviceKey)
        .where('user_id', '=', userId)
        .executeTakeFirst();
      if (Number(r.numDeletedRows) === 0) return false;
      await trx
        .updateTable('token_families')
        .set({ revoked_at: now })
        .where('pool_id', '=', poolId)
        .where('user_id', '=', userId)
        .where('device_key', '=', deviceKey)
        .where('revoked_at', 'is', null)
        .execute();
      return true;
    });
  }
}

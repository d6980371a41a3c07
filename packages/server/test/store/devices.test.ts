/** The Store contract (storage/store.ts): remembered devices, on both dialects (setup: ./setup.ts). */
import { beforeAll, describe, expect, it } from 'vitest';
import type { DeviceRecord, Store } from '../../src/storage/store.js';
import { concurrently, dialects, familyRecord, NOW, rand, useStore } from './setup.js';

function deviceRecord(poolId: string, userId: string, extra: Partial<DeviceRecord> = {}): DeviceRecord {
  return {
    poolId,
    deviceKey: `us-east-1_${rand(4)}-${rand(2)}-${rand(2)}-${rand(2)}-${rand(6)}`,
    userId,
    groupKey: `-${rand(4)}`,
    name: null,
    remembered: false,
    srpSalt: null,
    srpVerifier: null,
    lastIp: null,
    createdAt: NOW,
    updatedAt: NOW,
    lastAuthenticatedAt: NOW,
    expiresAt: NOW + 86_400_000,
    ...extra,
  };
}

const CONFIRM = { srpSalt: 'a1b2', srpVerifier: 'c3d4', name: 'laptop', remembered: true };

for (const dialect of dialects) {
  describe(dialect, () => {
    const ctx = useStore(dialect);
    const { newPool, newUser, newClient } = ctx;
    let store: Store;
    beforeAll(() => {
      store = ctx.store;
    });

    /** A device written as a sign-in writes it: with the family that hands it out (finishSignIn newDevice). */
    async function signInWithNewDevice(poolId: string, clientId: string, userId: string) {
      const device = deviceRecord(poolId, userId);
      const family = familyRecord(poolId, clientId, userId, { deviceKey: device.deviceKey });
      expect(await store.finishSignIn({ now: NOW, newDevice: device, family })).toBe('ok');
      return { device, family };
    }

    it('finishSignIn newDevice + confirmDevice: round trip; once only; only the owner; not after expiry', async () => {
      const poolId = await newPool();
      const clientId = await newClient(poolId);
      const alice = await newUser(poolId, 'alice');
      const bob = await newUser(poolId, 'bob');
      const { device, family } = await signInWithNewDevice(poolId, clientId, alice.id);
      expect(await store.getDevice(poolId, device.deviceKey, NOW)).toEqual(device);
      expect((await store.getTokenFamilyByRefreshHash(family.refreshHash))?.deviceKey).toBe(device.deviceKey);
      // Unconfirmed devices are not listed, and are gone at their expiry.
      expect(await store.listDevices(poolId, alice.id, 10)).toEqual([]);
      expect(await store.getDevice(poolId, device.deviceKey, device.expiresAt!)).toBeUndefined();
      expect(await store.confirmDevice(poolId, bob.id, device.deviceKey, CONFIRM, NOW + 1)).toBe(false);
      expect(await store.confirmDevice(poolId, alice.id, device.deviceKey, CONFIRM, device.expiresAt!)).toBe(false);
      // Of concurrent confirmations exactly one applies.
      const results = await concurrently(10, (i) => ctx.pick(i).confirmDevice(poolId, alice.id, device.deviceKey, CONFIRM, NOW + 5));
      expect(results.filter(Boolean)).toHaveLength(1);
      const got = await store.getDevice(poolId, device.deviceKey, NOW + 10 * 86_400_000);
      expect(got).toEqual({ ...device, ...CONFIRM, lastIp: null, updatedAt: NOW + 5, expiresAt: null });
      expect(await store.listDevices(poolId, alice.id, 10)).toEqual([got]);
      expect(await store.listDevices(poolId, bob.id, 10)).toEqual([]);
      expect(await store.getDevice(await newPool(), device.deviceKey, NOW)).toBeUndefined(); // scoped to the pool
    });

    it('listDevices pages by deviceKey; setDeviceRemembered only for the owner’s confirmed devices', async () => {
      const poolId = await newPool();
      const clientId = await newClient(poolId);
      const alice = await newUser(poolId, 'alice');
      const keys: string[] = [];
      for (let i = 0; i < 5; i++) {
        const { device } = await signInWithNewDevice(poolId, clientId, alice.id);
        expect(await store.confirmDevice(poolId, alice.id, device.deviceKey, CONFIRM, NOW)).toBe(true);
        keys.push(device.deviceKey);
      }
      keys.sort();
      const first = await store.listDevices(poolId, alice.id, 2);
      const rest = await store.listDevices(poolId, alice.id, 10, first[1]!.deviceKey);
      expect([...first, ...rest].map((d) => d.deviceKey)).toEqual(keys);
      const bob = await newUser(poolId, 'bob');
      expect(await store.setDeviceRemembered(poolId, bob.id, keys[0]!, false, NOW + 1)).toBe(false);
      expect(await store.setDeviceRemembered(poolId, alice.id, keys[0]!, false, NOW + 1)).toBe(true);
      expect(await store.getDevice(poolId, keys[0]!, NOW)).toMatchObject({ remembered: false, updatedAt: NOW + 1 });
      const { device: pending } = await signInWithNewDevice(poolId, clientId, alice.id);
      expect(await store.setDeviceRemembered(poolId, alice.id, pending.deviceKey, true, NOW)).toBe(false);
    });

    it('forgetDevice deletes the device and revokes exactly its families; a sign-in on a forgotten device is device-gone', async () => {
      const poolId = await newPool();
      const clientId = await newClient(poolId);
      const alice = await newUser(poolId, 'alice');
      const { device, family } = await signInWithNewDevice(poolId, clientId, alice.id);
      await store.confirmDevice(poolId, alice.id, device.deviceKey, CONFIRM, NOW);
      const again = familyRecord(poolId, clientId, alice.id, { deviceKey: device.deviceKey });
      expect(await store.finishSignIn({ now: NOW + 7, family: again })).toBe('ok');
      expect((await store.getDevice(poolId, device.deviceKey, NOW))?.lastAuthenticatedAt).toBe(NOW + 7);
      const other = familyRecord(poolId, clientId, alice.id);
      expect(await store.finishSignIn({ now: NOW, family: other })).toBe('ok');
      const bob = await newUser(poolId, 'bob');
      expect(await store.forgetDevice(poolId, bob.id, device.deviceKey, NOW + 8)).toBe(false);
      expect(await store.forgetDevice(poolId, alice.id, device.deviceKey, NOW + 9)).toBe(true);
      expect(await store.forgetDevice(poolId, alice.id, device.deviceKey, NOW + 9)).toBe(false);
      expect(await store.getDevice(poolId, device.deviceKey, NOW)).toBeUndefined();
      for (const f of [family, again]) {
        expect((await store.getTokenFamilyByRefreshHash(f.refreshHash))?.revokedAt).toBe(NOW + 9);
        expect((await store.getTokenState(poolId, f.originJti, alice.id)).familyRevoked).toBe(true);
      }
      expect((await store.getTokenFamilyByRefreshHash(other.refreshHash))?.revokedAt).toBeNull();
      // A sign-in bound to the forgotten device writes nothing.
      const late = familyRecord(poolId, clientId, alice.id, { deviceKey: device.deviceKey });
      expect(await store.finishSignIn({ now: NOW + 10, family: late })).toBe('device-gone');
      expect(await store.getTokenFamilyByRefreshHash(late.refreshHash)).toBeUndefined();
    });

    it('deleteUser and purgeExpired remove devices; a user’s srpIdentity round-trips', async () => {
      const poolId = await newPool();
      const clientId = await newClient(poolId);
      const alice = await newUser(poolId, 'alice');
      const { device: pending } = await signInWithNewDevice(poolId, clientId, alice.id);
      const { device: kept } = await signInWithNewDevice(poolId, clientId, alice.id);
      await store.confirmDevice(poolId, alice.id, kept.deviceKey, CONFIRM, NOW);
      expect(await store.purgeExpired(pending.expiresAt!)).toBeGreaterThanOrEqual(1);
      expect(await store.getDevice(poolId, pending.deviceKey, NOW)).toBeUndefined();
      expect(await store.getDevice(poolId, kept.deviceKey, NOW)).toBeDefined();
      expect(await store.updateUser(poolId, alice.id, { srpIdentity: 'alice' }, NOW)).toBe(true);
      expect((await store.getUser(poolId, alice.id))?.srpIdentity).toBe('alice');
      expect(await store.deleteUser(poolId, alice.id)).toBe(true);
      expect(await store.getDevice(poolId, kept.deviceKey, NOW)).toBeUndefined();
    });
  });
}

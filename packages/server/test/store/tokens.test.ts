/** The Store contract (storage/store.ts): token families, on both dialects (setup: ./setup.ts). */
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '../../src/storage/store.js';
import { dialects, NOW, useStore } from './setup.js';

for (const dialect of dialects) {
  describe(dialect, () => {
    const ctx = useStore(dialect);
    const { newPool, newUser, newClient } = ctx;
    let store: Store;
    beforeAll(() => {
      store = ctx.store;
    });

    it('revokeAllUserTokens revokes every family and moves tokensValidAfter; getTokenState reflects it', async () => {
      const poolId = await newPool();
      const clientId = await newClient(poolId);
      const alice = await newUser(poolId, 'alice');
      const bob = await newUser(poolId, 'bob');
      const a1 = await ctx.newFamily(poolId, clientId, alice.id);
      const a2 = await ctx.newFamily(poolId, clientId, alice.id);
      const b1 = await ctx.newFamily(poolId, clientId, bob.id);
      expect(await store.getTokenFamilyByRefreshHash(a1.refreshHash)).toEqual(a1);

      const fresh = await store.getTokenState(poolId, a1.originJti, alice.id);
      expect(fresh.familyRevoked).toBe(false);
      expect(fresh.user?.id).toBe(alice.id);
      expect(fresh.user?.tokensValidAfter).toBe(0);
      // A family of another user, or an unknown one, never counts as valid.
      expect((await store.getTokenState(poolId, b1.originJti, alice.id)).familyRevoked).toBe(true);
      expect((await store.getTokenState(poolId, randomUUID(), alice.id)).familyRevoked).toBe(true);
      expect(await store.getTokenState(poolId, a1.originJti, randomUUID())).toEqual({ familyRevoked: true, user: undefined });

      await store.revokeAllUserTokens(poolId, alice.id, NOW + 500);
      for (const f of [a1, a2]) {
        const state = await store.getTokenState(poolId, f.originJti, alice.id);
        expect(state.familyRevoked).toBe(true);
        expect(state.user?.tokensValidAfter).toBe(NOW + 500);
        expect((await store.getTokenFamilyByRefreshHash(f.refreshHash))?.revokedAt).toBe(NOW + 500);
      }
      const bobState = await store.getTokenState(poolId, b1.originJti, bob.id);
      expect(bobState.familyRevoked).toBe(false);
      expect(bobState.user?.tokensValidAfter).toBe(0);

      // Single-family revocation: once.
      expect(await store.revokeTokenFamily(b1.originJti, NOW + 600)).toBe(true);
      expect(await store.revokeTokenFamily(b1.originJti, NOW + 700)).toBe(false);
      expect((await store.getTokenFamilyByRefreshHash(b1.refreshHash))?.revokedAt).toBe(NOW + 600);
      // Revoking again later keeps the first revocation time of already revoked families.
      await store.revokeAllUserTokens(poolId, alice.id, NOW + 900);
      expect((await store.getTokenFamilyByRefreshHash(a1.refreshHash))?.revokedAt).toBe(NOW + 500);
      expect((await store.getUser(poolId, alice.id))?.tokensValidAfter).toBe(NOW + 900);
    });
  });
}

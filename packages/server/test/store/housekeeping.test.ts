/** The Store contract (storage/store.ts): purgeExpired, on both dialects (setup: ./setup.ts). */
import { beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '../../src/storage/store.js';
import { dialects, NOW, rand, useStore } from './setup.js';

for (const dialect of dialects) {
  describe(dialect, () => {
    const ctx = useStore(dialect);
    const { newPool, newUser, newClient } = ctx;
    let store: Store;
    beforeAll(() => {
      store = ctx.store;
    });

    it('purgeExpired removes expired challenges, sessions, codes, families and retired keys only', async () => {
      const poolId = await newPool();
      const clientId = await newClient(poolId);
      const u = await newUser(poolId);
      const v = await newUser(poolId);
      const at = NOW + 10_000_000; // far from other tests' rows, which expire around NOW
      await store.putChallenge({ challenge: `old-${rand()}`, kind: 'registration', poolId, userId: u.id, clientId, expiresAt: at - 1 });
      const liveChallenge = `live-${rand()}`;
      await store.putChallenge({ challenge: liveChallenge, kind: 'registration', poolId, userId: u.id, clientId, expiresAt: at + 60_000 });
      await store.putAuthSession({ idHash: `old-${rand()}`, poolId, clientId, userId: null, state: {}, expiresAt: at - 1 });
      await store.putCode({ poolId, userId: u.id, purpose: 'signup', codeHash: 'h', attempts: 0, expiresAt: at - 1 });
      await store.putCode({ poolId, userId: v.id, purpose: 'signup', codeHash: 'h', attempts: 0, expiresAt: at + 60_000 });
      await ctx.newFamily(poolId, clientId, u.id, { refreshHash: `old-${rand()}`, authTime: at, createdAt: at, expiresAt: at - 1 });
      const purged = await store.purgeExpired(at);
      expect(purged).toBeGreaterThanOrEqual(4);
      expect(await store.consumeChallenge(liveChallenge, at)).toBeDefined();
      expect(await store.useCode(poolId, v.id, 'signup', at, 5, () => true)).toBe('ok');
      expect(await store.useCode(poolId, u.id, 'signup', at, 5, () => true)).toBe('missing');
    });
  });
}

/** The Store contract (storage/store.ts): send budgets (admitBudget), on both dialects (setup: ./setup.ts). */
import { describe, expect, it } from 'vitest';
import { dialects, NOW, useStore } from './setup.js';

const HOUR = 3600_000;

for (const dialect of dialects) {
  describe(dialect, () => {
    const ctx = useStore(dialect);

    it('admitBudget: of 50 concurrent uses exactly `limit` are admitted; the window ending starts a fresh one', async () => {
      const poolId = await ctx.newPool();
      const admit = (i: number, now = NOW) => ctx.pick(i).admitBudget(poolId, 'key-a', 'signup', now, 5, HOUR);
      const first = await Promise.all(Array.from({ length: 50 }, (_, i) => admit(i)));
      expect(first.filter(Boolean)).toHaveLength(5);
      // A fixed window from the first use: refused until it ends, however late in it.
      expect(await admit(0, NOW + HOUR - 1)).toBe(false);
      const second = await Promise.all(Array.from({ length: 50 }, (_, i) => admit(i, NOW + HOUR)));
      expect(second.filter(Boolean)).toHaveLength(5);
      expect(await admit(1, NOW + 2 * HOUR - 1)).toBe(false);
    });

    it('admitBudget: keys, purposes and pools are separate; purgeExpired forgets ended windows only', async () => {
      const poolId = await ctx.newPool();
      const store = ctx.store;
      for (let i = 0; i < 2; i++) expect(await store.admitBudget(poolId, 'k', 'forgot', NOW, 2, HOUR)).toBe(true);
      expect(await store.admitBudget(poolId, 'k', 'forgot', NOW, 2, HOUR)).toBe(false);
      expect(await store.admitBudget(poolId, 'k', 'signup', NOW, 2, HOUR)).toBe(true);
      expect(await store.admitBudget(poolId, 'other', 'forgot', NOW, 2, HOUR)).toBe(true);
      expect(await store.admitBudget(await ctx.newPool(), 'k', 'forgot', NOW, 2, HOUR)).toBe(true);
      await store.admitBudget(poolId, 'long', 'forgot', NOW, 1, 48 * HOUR);
      expect(await store.purgeExpired(NOW + HOUR)).toBeGreaterThanOrEqual(3);
      // 'k' was forgotten (its window ended); 'long' was kept and is still used up.
      expect(await store.admitBudget(poolId, 'k', 'forgot', NOW + HOUR, 2, HOUR)).toBe(true);
      expect(await store.admitBudget(poolId, 'long', 'forgot', NOW + HOUR, 1, 48 * HOUR)).toBe(false);
    });
  });
}

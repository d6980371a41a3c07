/** The Store contract (storage/store.ts): server meta and the dialect, on both dialects (setup: ./setup.ts). */
import { beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '../../src/storage/store.js';
import { dialects, rand, useStore } from './setup.js';

for (const dialect of dialects) {
  describe(dialect, () => {
    const ctx = useStore(dialect);
    let store: Store;
    beforeAll(() => {
      store = ctx.store;
    });

    it('reports its dialect', () => {
      expect(store.dialect).toBe(dialect);
    });

    it('getOrPutMeta: 10 concurrent callers with different values all get the one stored value', async () => {
      const key = `race-${rand()}`;
      const values = Array.from({ length: 10 }, (_, i) => `value-${i}`);
      const results = await Promise.all(values.map((v, i) => ctx.pick(i).getOrPutMeta(key, v)));
      expect(new Set(results).size).toBe(1);
      expect(values).toContain(results[0]);
      expect(await store.getMeta(key)).toBe(results[0]);
      expect(await ctx.other.getMeta(key)).toBe(results[0]);
      expect(await store.getOrPutMeta(key, 'later')).toBe(results[0]);
      expect(await store.getMeta(`absent-${rand()}`)).toBeUndefined();
    });
  });
}

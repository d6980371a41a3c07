/** The Store contract (storage/store.ts): signing keys, on both dialects (setup: ./setup.ts). */
import { beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '../../src/storage/store.js';
import { dialects, NOW, rand, useStore } from './setup.js';

for (const dialect of dialects) {
  describe(dialect, () => {
    const ctx = useStore(dialect);
    const { newPool } = ctx;
    let store: Store;
    beforeAll(() => {
      store = ctx.store;
    });

    it('rotateSigningKey retires the previous active key; listSigningKeys drops expired ones, newest first', async () => {
      const poolId = await newPool();
      const key = (kid: string, createdAt: number) => ({
        kid,
        poolId,
        alg: 'RS256',
        privateKeyEnc: 'v1.a.b.c',
        publicJwk: { kid },
        createdAt,
        retiredAt: null,
        expiresAt: null,
      });
      const k1 = `k1-${rand(3)}`;
      const k2 = `k2-${rand(3)}`;
      await store.rotateSigningKey(key(k1, NOW), NOW, NOW + 1000);
      await store.rotateSigningKey(key(k2, NOW + 10), NOW + 10, NOW + 1000);
      const keys = await store.listSigningKeys(poolId, NOW + 20);
      expect(keys.map((k) => k.kid)).toEqual([k2, k1]);
      expect(keys[0]).toMatchObject({ retiredAt: null, expiresAt: null, publicJwk: { kid: k2 } });
      expect(keys[1]).toMatchObject({ retiredAt: NOW + 10, expiresAt: NOW + 1000 });
      expect((await store.listSigningKeys(poolId, NOW + 1000)).map((k) => k.kid)).toEqual([k2]);
      expect((await store.getSigningKey(k1))?.poolId).toBe(poolId);
    });
  });
}

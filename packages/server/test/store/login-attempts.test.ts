/** The Store contract (storage/store.ts): the password attempt counter, on both dialects (setup: ./setup.ts). */
import { beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '../../src/storage/store.js';
import { dialects, NOW, rand, useStore } from './setup.js';

for (const dialect of dialects) {
  describe(dialect, () => {
    const ctx = useStore(dialect);
    const { newPool, newClient } = ctx;
    let store: Store;
    beforeAll(() => {
      store = ctx.store;
    });

    it('admitLoginAttempt: of 50 concurrent attempts exactly `threshold` are admitted; then one per lock window', async () => {
      const poolId = await newPool();
      const schedule = [1000, 2000, 4000];
      const admit = (i: number, now = NOW) => ctx.pick(i).admitLoginAttempt(poolId, 'key-a', now, 5, schedule);
      const first = await Promise.all(Array.from({ length: 50 }, (_, i) => admit(i)));
      expect(first.filter(Boolean)).toHaveLength(5);
      // Locked for 1 s from the fifth admission on: nothing more, then exactly one when it ends.
      expect(await admit(0, NOW + 999)).toBe(false);
      const second = await Promise.all(Array.from({ length: 50 }, (_, i) => admit(i, NOW + 1000)));
      expect(second.filter(Boolean)).toHaveLength(1);
      // The sixth attempt locked for 2 s, the seventh for 4 s, and every later one for the last entry.
      expect(await admit(1, NOW + 2999)).toBe(false);
      expect(await admit(1, NOW + 3000)).toBe(true);
      expect(await admit(1, NOW + 6999)).toBe(false);
      expect(await admit(1, NOW + 7000)).toBe(true);
      expect(await admit(1, NOW + 10_999)).toBe(false);
      expect(await admit(1, NOW + 11_000)).toBe(true);
      // Other keys and pools are separate; clearing forgets the count and the lock.
      expect(await ctx.store.admitLoginAttempt(poolId, 'key-b', NOW, 5, schedule)).toBe(true);
      expect(await ctx.store.admitLoginAttempt(await newPool(), 'key-a', NOW + 11_000, 5, schedule)).toBe(true);
      await ctx.other.clearLoginAttempts(poolId, ['key-a', 'key-never-used']);
      const afterClear = await Promise.all(Array.from({ length: 8 }, (_, i) => admit(i, NOW + 11_001)));
      expect(afterClear.filter(Boolean)).toHaveLength(5);
    });

    it('admitLoginAttempt below the threshold never locks; purgeExpired forgets idle unlocked counters only', async () => {
      const poolId = await newPool();
      for (let i = 1; i <= 4; i++) expect(await store.admitLoginAttempt(poolId, 'idle', NOW, 5, [60_000])).toBe(true);
      await store.admitLoginAttempt(poolId, 'locked', NOW, 1, [48 * 3600_000]);
      await store.purgeExpired(NOW + 25 * 3600_000);
      // 'idle' was forgotten (five more are admitted); 'locked' is still locked.
      const again = await Promise.all(
        Array.from({ length: 6 }, () => store.admitLoginAttempt(poolId, 'idle', NOW + 25 * 3600_000, 5, [60_000])),
      );
      expect(again.filter(Boolean)).toHaveLength(5);
      expect(await store.admitLoginAttempt(poolId, 'locked', NOW + 25 * 3600_000, 1, [48 * 3600_000])).toBe(false);
    });

    it('consumeAuthSessionAdmitting: 20 concurrent callers → one session, admitted in the same transaction', async () => {
      const poolId = await newPool();
      const client = await newClient(poolId);
      const session = { idHash: `h-${rand()}`, poolId, clientId: client, userId: null, state: { lk: 'k1' }, expiresAt: NOW + 60_000 };
      await store.putAuthSession(session);
      const attempt = (rec: { state: Record<string, unknown> }) => ({ loginKey: String(rec.state.lk), threshold: 1, lockMs: [60_000] });
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) => ctx.pick(i).consumeAuthSessionAdmitting(session.idHash, NOW, attempt)),
      );
      const won = results.filter((r) => r !== undefined);
      expect(won).toHaveLength(1);
      expect(won[0]).toEqual({ session: { ...session }, admitted: true });
      // The attempt was counted: with threshold 1 the key is now locked.
      expect(await store.admitLoginAttempt(poolId, 'k1', NOW, 1, [60_000])).toBe(false);
      // A second session for a locked key is consumed but not admitted; expired ones are not returned.
      const locked = { ...session, idHash: `h-${rand()}` };
      await store.putAuthSession(locked);
      expect(await store.consumeAuthSessionAdmitting(locked.idHash, NOW, attempt)).toEqual({ session: locked, admitted: false });
      const old = { ...session, idHash: `h-${rand()}`, expiresAt: NOW - 1 };
      await store.putAuthSession(old);
      expect(await store.consumeAuthSessionAdmitting(old.idHash, NOW, attempt)).toBeUndefined();
      expect(await store.consumeAuthSessionAdmitting(old.idHash, NOW, attempt)).toBeUndefined();
    });
  });
}

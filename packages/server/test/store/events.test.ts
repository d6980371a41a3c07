/** The Store contract (storage/store.ts): the lifecycle-event outbox, on both dialects (setup: ./setup.ts). */
import { beforeAll, describe, expect, it } from 'vitest';
import type { LifecycleEventRecord, Store } from '../../src/storage/store.js';
import { dialects, NOW, passkeyRecord, rand, useStore } from './setup.js';

const event = (poolId: string, userId: string, extra: Partial<LifecycleEventRecord> = {}): LifecycleEventRecord => ({
  id: rand(8),
  poolId,
  userId,
  username: 'someone',
  type: 'user.created',
  detail: { operation: 'SignUp' },
  createdAt: NOW,
  nextAttemptAt: NOW,
  attempts: 0,
  deliveredAt: null,
  ...extra,
});

for (const dialect of dialects) {
  describe(dialect, () => {
    const ctx = useStore(dialect);
    let store: Store;
    beforeAll(() => {
      store = ctx.store;
    });

    it('events commit with the change or not at all: a failed createUser leaves no event', async () => {
      const poolId = await ctx.newPool();
      const user = await ctx.newUser(poolId, 'taken');
      const e = event(poolId, 'other-id');
      await expect(store.createUser({ ...user, id: 'other-id' }, [e])).rejects.toThrow();
      expect(await store.listUserEvents(poolId, 'other-id', 10)).toEqual([]);
      // A guarded updateUser that does not apply writes no event either.
      expect(
        await store.updateUser(poolId, user.id, { status: 'CONFIRMED' }, NOW, { srpVerifier: 'not-it' }, [event(poolId, user.id)]),
      ).toBe(false);
      expect(await store.listUserEvents(poolId, user.id, 10)).toEqual([]);
      const ok = event(poolId, user.id, { type: 'user.confirmed' });
      expect(await store.updateUser(poolId, user.id, { status: 'CONFIRMED' }, NOW, undefined, [ok])).toBe(true);
      expect(await store.listUserEvents(poolId, user.id, 10)).toEqual([ok]);
      const gone = event(poolId, user.id, { type: 'user.deleted', createdAt: NOW + 1 });
      expect(await store.deleteUser(poolId, user.id, [gone])).toBe(true);
      expect((await store.listUserEvents(poolId, user.id, 10)).map((x) => x.type)).toEqual(['user.deleted', 'user.confirmed']);
    });

    it('the MFA writes carry their mfa.changed event only when the guarded write applies', async () => {
      const poolId = await ctx.newPool();
      const user = await ctx.newUser(poolId, 'mfa-user');
      const mfa = (n: number) => event(poolId, user.id, { type: 'mfa.changed', detail: { operation: 'test' }, createdAt: NOW + n });
      // No verified secret: requireTotp refuses, nothing (event included) is written.
      expect(await store.setMfaPreference(poolId, user.id, { totpEnabled: true }, NOW, true, [mfa(1)])).toBe(false);
      // No pending secret: activateTotp's guard fails, no event.
      expect(await store.activateTotp(poolId, user.id, 'sealed', 10, null, NOW, true, [mfa(2)])).toBe(false);
      expect(await store.listUserEvents(poolId, user.id, 10)).toEqual([]);
      await store.putPendingTotp(poolId, user.id, 'sealed', NOW);
      const verified = mfa(3);
      expect(await store.activateTotp(poolId, user.id, 'sealed', 10, null, NOW, true, [verified])).toBe(true);
      const disabled = mfa(4);
      expect(await store.setMfaPreference(poolId, user.id, { totpEnabled: false }, NOW, false, [disabled])).toBe(true);
      expect(await store.listUserEvents(poolId, user.id, 10)).toEqual([disabled, verified]);
    });

    it('deletePasskey with signOutAt and events: the delete, the sign-out and the event commit together', async () => {
      const poolId = await ctx.newPool();
      const user = await ctx.newUser(poolId, 'pk-user');
      const deleted = event(poolId, user.id, { type: 'passkey.deleted', detail: { credentialId: 'none' } });
      expect(await store.deletePasskey(poolId, user.id, 'no-such-credential', NOW, [deleted])).toBe(false);
      expect(await store.listUserEvents(poolId, user.id, 10)).toEqual([]);
      expect((await store.getUser(poolId, user.id))!.tokensValidAfter).not.toBe(NOW);
      const cred = `pk-${rand(4)}`;
      expect(await store.addPasskey(passkeyRecord(poolId, user.id, cred), 20)).toBe('added');
      expect(await store.deletePasskey(poolId, user.id, cred, NOW, [deleted])).toBe(true);
      expect(await store.listUserEvents(poolId, user.id, 10)).toEqual([deleted]);
      const after = (await store.getUser(poolId, user.id))!;
      expect(after.tokensValidAfter).toBe(NOW);
      expect(after.passkeyCount).toBe(0);
    });

    it('claimEvents: 50 concurrent claimers (two connection pools on PostgreSQL) lease each due event to exactly one', async () => {
      const poolId = await ctx.newPool();
      const due = Array.from({ length: 120 }, (_, i) => event(poolId, `u${i}`, { nextAttemptAt: NOW + (i % 3) }));
      const later = event(poolId, 'later', { nextAttemptAt: NOW + 60_000 });
      const quiet = event(poolId, 'quiet', { nextAttemptAt: null });
      await store.addEvents([...due, later, quiet]);
      const claims = await Promise.all(Array.from({ length: 50 }, (_, i) => ctx.pick(i).claimEvents(NOW + 10, 30_000, 5, `w${i}`)));
      // Claims are global (every pool): only this pool's events are counted.
      const mine = (batches: LifecycleEventRecord[][]) => batches.flat().filter((e) => e.poolId === poolId);
      const ids = mine(claims).map((e) => e.id);
      expect(new Set(ids).size).toBe(ids.length);
      // Whatever the first round left (a claimer that saw nothing), a second round takes; never twice.
      const second = await Promise.all(Array.from({ length: 50 }, (_, i) => ctx.pick(i).claimEvents(NOW + 10, 30_000, 5, `x${i}`)));
      const all = [...ids, ...mine(second).map((e) => e.id)];
      expect(new Set(all).size).toBe(all.length);
      expect(new Set(all)).toEqual(new Set(due.map((e) => e.id)));
      expect(mine(claims).every((e) => e.attempts === 1)).toBe(true);
      // Leased: nothing is due again until the lease ends.
      expect(mine([await store.claimEvents(NOW + 20, 30_000, 500, 'late')])).toEqual([]);
      expect(mine([await store.claimEvents(NOW + 30_011, 30_000, 500, 'after')]).length).toBe(120);
    });

    it('outcomes are recorded only under the lease; delivered events leave the queue; failures reschedule', async () => {
      const poolId = await ctx.newPool();
      const [a, b] = [event(poolId, 'ua'), event(poolId, 'ub')];
      await store.addEvents([a, b]);
      await store.claimEvents(NOW, 1000, 10, 'me');
      expect(await store.markEventDelivered(a.id, 'someone-else', NOW)).toBe(false);
      expect(await store.markEventDelivered(a.id, 'me', NOW + 5)).toBe(true);
      expect(await store.markEventFailed(a.id, 'me', NOW + 10, 'late outcome')).toBe(false);
      expect(await store.markEventFailed(b.id, 'me', NOW + 500, 'HTTP 503')).toBe(true);
      expect(await store.countPendingEvents(poolId)).toBe(1);
      expect(await store.claimEvents(NOW + 499, 1000, 10, 'me')).toEqual([]);
      const [again] = await store.claimEvents(NOW + 500, 1000, 10, 'me');
      expect(again).toMatchObject({ id: b.id, attempts: 2 });
      expect(await store.markEventFailed(b.id, 'me', null, 'gave up')).toBe(true);
      expect(await store.countPendingEvents(poolId)).toBe(0);
      const [delivered] = await store.listUserEvents(poolId, 'ua', 10);
      expect(delivered).toMatchObject({ deliveredAt: NOW + 5, nextAttemptAt: null });
    });

    it('listUserEvents pages newest first and filters by type; purgeExpired forgets settled events after the retention', async () => {
      const poolId = await ctx.newPool();
      const evs = Array.from({ length: 5 }, (_, i) =>
        event(poolId, 'pager', { createdAt: NOW + i, nextAttemptAt: null, type: i % 2 ? 'signin.failed' : 'signin.succeeded' }),
      );
      await store.addEvents(evs);
      const page1 = await store.listUserEvents(poolId, 'pager', 2);
      expect(page1.map((e) => e.createdAt)).toEqual([NOW + 4, NOW + 3]);
      const page2 = await store.listUserEvents(poolId, 'pager', 2, { createdAt: NOW + 3, id: page1[1]!.id });
      expect(page2.map((e) => e.createdAt)).toEqual([NOW + 2, NOW + 1]);
      expect((await store.listUserEvents(poolId, 'pager', 10, undefined, ['signin.failed'])).length).toBe(2);
      const pending = event(poolId, 'pager', { createdAt: NOW });
      await store.addEvents([pending]);
      await store.purgeExpired(NOW + 91 * 24 * 3600_000);
      expect((await store.listUserEvents(poolId, 'pager', 10)).map((e) => e.id)).toEqual([pending.id]);
    });
  });
}

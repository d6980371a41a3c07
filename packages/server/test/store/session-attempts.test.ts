/**
 * The Store contract (storage/store.ts): answers counted on an auth session (admitAuthSessionAttempt,
 * the EMAIL_OTP / SMS_OTP attempt limit) and a session written with its outbox message, on both dialects.
 */
import { randomBytes } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import type { AuthSessionRecord, Store } from '../../src/storage/store.js';
import { concurrently, dialects, familyRecord, NOW, rand, useStore } from './setup.js';

for (const dialect of dialects) {
  describe(dialect, () => {
    const ctx = useStore(dialect);
    let store: Store;
    beforeAll(() => {
      store = ctx.store;
    });

    async function storedSession(expiresAt = NOW + 180_000): Promise<AuthSessionRecord> {
      const poolId = await ctx.newPool();
      const user = await ctx.newUser(poolId);
      const session: AuthSessionRecord = {
        idHash: randomBytes(32).toString('hex'),
        poolId,
        clientId: await ctx.newClient(poolId),
        userId: user.id,
        state: { kind: 'EMAIL_OTP', codeHash: 'h'.repeat(64), nested: { n: 3 } },
        expiresAt,
      };
      await store.putAuthSession(session);
      return session;
    }

    it('admitAuthSessionAttempt: 20 concurrent answers, exactly 3 admitted (attempts 1, 2, 3), 17 too-many; none consumed', async () => {
      const session = await storedSession();
      const results = await concurrently(20, (i) => ctx.pick(i).admitAuthSessionAttempt(session.idHash, NOW, 3));
      const admitted = results.filter((r): r is { session: AuthSessionRecord; attempts: number } => typeof r === 'object');
      expect(admitted.map((r) => r.attempts).sort()).toEqual([1, 2, 3]);
      for (const r of admitted) expect(r.session).toEqual(session);
      expect(results.filter((r) => r === 'too-many')).toHaveLength(17);
      // Counting does not consume: the session is still there, and still refuses further answers.
      expect(await store.peekAuthSession(session.idHash, NOW)).toEqual(session);
      expect(await ctx.other.admitAuthSessionAttempt(session.idHash, NOW, 3)).toBe('too-many');
      // A higher limit (another setting) admits from where the count is.
      expect(await store.admitAuthSessionAttempt(session.idHash, NOW, 4)).toMatchObject({ attempts: 4 });
    });

    it('admitAuthSessionAttempt: expiresAt <= now → expired (also when used up), unknown or consumed → missing', async () => {
      const session = await storedSession(NOW + 1000);
      expect(await store.admitAuthSessionAttempt(session.idHash, NOW + 1000, 3)).toBe('expired');
      expect(await store.admitAuthSessionAttempt(session.idHash, NOW + 999, 3)).toMatchObject({ attempts: 2 });
      expect(await store.admitAuthSessionAttempt(session.idHash, NOW + 999, 3)).toMatchObject({ attempts: 3 });
      expect(await store.admitAuthSessionAttempt(session.idHash, NOW + 999, 3)).toBe('too-many');
      expect(await store.admitAuthSessionAttempt(session.idHash, NOW + 5000, 3)).toBe('expired');
      expect(await store.admitAuthSessionAttempt(`unknown-${rand()}`, NOW, 3)).toBe('missing');
      const used = await storedSession();
      expect(await store.consumeAuthSession(used.idHash, NOW)).toEqual(used);
      expect(await store.admitAuthSessionAttempt(used.idHash, NOW, 3)).toBe('missing');
    });

    it('admitted answers racing to finishSignIn: exactly one family is stored, the session is gone after', async () => {
      const session = await storedSession();
      const admitted = await concurrently(10, (i) => ctx.pick(i).admitAuthSessionAttempt(session.idHash, NOW, 3));
      const winners = admitted.filter((r) => typeof r === 'object');
      expect(winners).toHaveLength(3);
      const families = winners.map(() => familyRecord(session.poolId, session.clientId, session.userId!));
      const outcomes = await concurrently(3, (i) =>
        ctx.pick(i).finishSignIn({ sessionHash: session.idHash, now: NOW, family: families[i]! }),
      );
      expect(outcomes.sort()).toEqual(['ok', 'session-gone', 'session-gone']);
      const stored = await Promise.all(families.map((f) => store.getTokenFamilyByRefreshHash(f.refreshHash)));
      expect(stored.filter((f) => f !== undefined)).toHaveLength(1);
      expect(await store.admitAuthSessionAttempt(session.idHash, NOW, 3)).toBe('missing');
    });

    it('putAuthSession with a message: the session and the outbox row in one commit; a refused session writes no message', async () => {
      const poolId = await ctx.newPool();
      const user = await ctx.newUser(poolId);
      const session: AuthSessionRecord = {
        idHash: randomBytes(32).toString('hex'),
        poolId,
        clientId: 'c'.repeat(26),
        userId: user.id,
        state: { kind: 'SMS_OTP' },
        expiresAt: NOW + 180_000,
      };
      const message = { poolId, userId: user.id, destination: '+15550001234', subject: 's', body: 'b', code: '12345678', createdAt: NOW };
      await store.putAuthSession(session, message);
      expect(await ctx.other.peekAuthSession(session.idHash, NOW)).toEqual(session);
      expect(await store.listOutbox(poolId, 10)).toMatchObject([{ ...message }]);
      // The same idHash again: the insert fails and its message is not written either.
      await expect(store.putAuthSession(session, { ...message, code: '87654321' })).rejects.toThrow();
      expect((await store.listOutbox(poolId, 10)).map((m) => m.code)).toEqual(['12345678']);
    });
  });
}

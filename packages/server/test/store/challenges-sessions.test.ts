/** The Store contract (storage/store.ts): registration challenges and auth sessions, on both dialects (setup: ./setup.ts). */
import { randomBytes } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import type { AuthSessionRecord, ChallengeRecord, Store } from '../../src/storage/store.js';
import { concurrently, dialects, familyRecord, NOW, rand, useStore } from './setup.js';

for (const dialect of dialects) {
  describe(dialect, () => {
    const ctx = useStore(dialect);
    const { newPool, newUser, newClient } = ctx;
    let store: Store;
    beforeAll(() => {
      store = ctx.store;
    });

    it('consumeChallenge: 20 concurrent callers, exactly one gets the record', async () => {
      const poolId = await newPool();
      const user = await newUser(poolId);
      const challenge: ChallengeRecord = {
        challenge: randomBytes(32).toString('base64url'),
        kind: 'registration',
        poolId,
        userId: user.id,
        clientId: 'c'.repeat(26),
        expiresAt: NOW + 60_000,
      };
      await store.putChallenge(challenge);
      const results = await Promise.all(Array.from({ length: 20 }, (_, i) => ctx.pick(i).consumeChallenge(challenge.challenge, NOW)));
      const winners = results.filter((r) => r !== undefined);
      expect(winners).toHaveLength(1);
      expect(winners[0]).toEqual(challenge);
      expect(await store.consumeChallenge(challenge.challenge, NOW)).toBeUndefined();
    });

    it('consumeChallenge: expired (expiresAt <= now) and unknown challenges return undefined; expired ones are gone', async () => {
      const poolId = await newPool();
      const user = await newUser(poolId);
      const base = { kind: 'registration' as const, poolId, userId: user.id, clientId: 'c'.repeat(26) };
      await store.putChallenge({ ...base, challenge: 'expired-long-ago', expiresAt: NOW - 1 });
      await store.putChallenge({ ...base, challenge: 'expires-right-now', expiresAt: NOW });
      expect(await store.consumeChallenge('expired-long-ago', NOW)).toBeUndefined();
      expect(await store.consumeChallenge('expires-right-now', NOW)).toBeUndefined();
      expect(await store.consumeChallenge('expired-long-ago', NOW - 10)).toBeUndefined(); // consumed by the first attempt
      expect(await store.consumeChallenge(`unknown-${rand()}`, NOW)).toBeUndefined();
      // Concurrent callers on an expired one: nobody gets it.
      await store.putChallenge({ ...base, challenge: 'expired-race', expiresAt: NOW - 1 });
      const results = await Promise.all(Array.from({ length: 20 }, (_, i) => ctx.pick(i).consumeChallenge('expired-race', NOW)));
      expect(results.filter((r) => r !== undefined)).toEqual([]);
    });

    it('consumeAuthSession: 20 concurrent callers, exactly one gets the session (state round-trips); expired → undefined', async () => {
      const poolId = await newPool();
      const session = {
        idHash: randomBytes(32).toString('hex'),
        poolId,
        clientId: 'c'.repeat(26),
        userId: null,
        state: { step: 'WEB_AUTHN', nested: { n: 1, list: ['a'] } },
        expiresAt: NOW + 180_000,
      };
      await store.putAuthSession(session);
      const results = await Promise.all(Array.from({ length: 20 }, (_, i) => ctx.pick(i).consumeAuthSession(session.idHash, NOW)));
      const winners = results.filter((r) => r !== undefined);
      expect(winners).toHaveLength(1);
      expect(winners[0]).toEqual(session);
      expect(await store.consumeAuthSession(session.idHash, NOW)).toBeUndefined();

      const user = await newUser(poolId);
      const expired = { ...session, idHash: randomBytes(32).toString('hex'), userId: user.id, expiresAt: NOW };
      await store.putAuthSession(expired);
      const late = await Promise.all(Array.from({ length: 5 }, (_, i) => ctx.pick(i).consumeAuthSession(expired.idHash, NOW)));
      expect(late.filter((r) => r !== undefined)).toEqual([]);
      const fresh = { ...session, idHash: randomBytes(32).toString('hex'), userId: user.id };
      await store.putAuthSession(fresh);
      expect(await store.consumeAuthSession(fresh.idHash, NOW + 180_000)).toBeUndefined(); // expiresAt == now
    });

    /** An unexpired registration challenge of a new user, stored. */
    async function storedChallenge(expiresAt = NOW + 60_000): Promise<ChallengeRecord> {
      const poolId = await newPool();
      const user = await newUser(poolId);
      const challenge: ChallengeRecord = {
        challenge: randomBytes(32).toString('base64url'),
        kind: 'registration',
        poolId,
        userId: user.id,
        clientId: 'c'.repeat(26),
        expiresAt,
      };
      await store.putChallenge(challenge);
      return challenge;
    }

    /** An unexpired auth session of a new user (a state that round-trips), stored. */
    async function storedSession(expiresAt = NOW + 180_000): Promise<AuthSessionRecord> {
      const poolId = await newPool();
      const user = await newUser(poolId);
      const session: AuthSessionRecord = {
        idHash: randomBytes(32).toString('hex'),
        poolId,
        clientId: 'c'.repeat(26),
        userId: user.id,
        state: { step: 'PASSWORD_VERIFIER', nested: { n: 2, list: ['b'] } },
        expiresAt,
      };
      await store.putAuthSession(session);
      return session;
    }

    it('peekChallenge does not consume: 50 concurrent peeks all get the record; one consume then does; then undefined', async () => {
      const challenge = await storedChallenge();
      const peeks = await concurrently(50, (i) => ctx.pick(i).peekChallenge(challenge.challenge, NOW));
      expect(peeks).toEqual(Array.from({ length: 50 }, () => challenge));
      expect(await store.peekChallenge(challenge.challenge, NOW + 59_999)).toEqual(challenge);
      expect(await store.consumeChallenge(challenge.challenge, NOW)).toEqual(challenge);
      expect(await store.peekChallenge(challenge.challenge, NOW)).toBeUndefined();
      expect(await ctx.other.peekChallenge(challenge.challenge, NOW)).toBeUndefined();
      expect(await store.consumeChallenge(challenge.challenge, NOW)).toBeUndefined();
    });

    it('peekChallenge: expired (expiresAt <= now) and unknown challenges are undefined, and peeking consumes nothing', async () => {
      const challenge = await storedChallenge(NOW + 1000);
      expect(await store.peekChallenge(challenge.challenge, NOW + 1000)).toBeUndefined(); // expiresAt == now
      expect(await store.peekChallenge(challenge.challenge, NOW + 5000)).toBeUndefined();
      expect(await store.peekChallenge(`unknown-${rand()}`, NOW)).toBeUndefined();
      // The peeks at expired instants removed nothing: before expiry it is still there, once.
      expect(await store.peekChallenge(challenge.challenge, NOW + 999)).toEqual(challenge);
      expect(await store.consumeChallenge(challenge.challenge, NOW + 999)).toEqual(challenge);
      expect(await store.peekChallenge(challenge.challenge, NOW + 999)).toBeUndefined();
    });

    it('peekChallenge racing consumeChallenge: of 25 consumers exactly one gets it; 25 peeks see the record or nothing', async () => {
      const challenge = await storedChallenge();
      const results = await concurrently(50, (i) =>
        i % 2 === 0
          ? ctx.pick(i / 2).consumeChallenge(challenge.challenge, NOW)
          : ctx.pick((i - 1) / 2).peekChallenge(challenge.challenge, NOW),
      );
      const consumed = results.filter((_, i) => i % 2 === 0);
      const peeked = results.filter((_, i) => i % 2 === 1);
      expect(consumed.filter((r) => r !== undefined)).toEqual([challenge]);
      for (const r of peeked) expect([challenge, undefined]).toContainEqual(r);
      expect(await store.peekChallenge(challenge.challenge, NOW)).toBeUndefined();
    });

    it('peekAuthSession does not consume: 50 concurrent peeks all get the session; one consume then does; then undefined', async () => {
      const session = await storedSession();
      const peeks = await concurrently(50, (i) => ctx.pick(i).peekAuthSession(session.idHash, NOW));
      expect(peeks).toEqual(Array.from({ length: 50 }, () => session));
      expect(await store.peekAuthSession(session.idHash, NOW + 179_999)).toEqual(session);
      expect(await store.consumeAuthSession(session.idHash, NOW)).toEqual(session);
      expect(await store.peekAuthSession(session.idHash, NOW)).toBeUndefined();
      expect(await ctx.other.peekAuthSession(session.idHash, NOW)).toBeUndefined();
      expect(await store.consumeAuthSession(session.idHash, NOW)).toBeUndefined();
    });

    it('peekAuthSession: expired (expiresAt <= now) and unknown sessions are undefined, and peeking consumes nothing', async () => {
      const session = await storedSession(NOW + 1000);
      expect(await store.peekAuthSession(session.idHash, NOW + 1000)).toBeUndefined(); // expiresAt == now
      expect(await store.peekAuthSession(session.idHash, NOW + 5000)).toBeUndefined();
      expect(await store.peekAuthSession(randomBytes(32).toString('hex'), NOW)).toBeUndefined();
      expect(await store.peekAuthSession(session.idHash, NOW + 999)).toEqual(session);
      expect(await store.consumeAuthSession(session.idHash, NOW + 999)).toEqual(session);
      expect(await store.peekAuthSession(session.idHash, NOW + 999)).toBeUndefined();
    });

    it('peekAuthSession then finishSignIn: the peeked session is consumed by the final step, once; then peek is undefined', async () => {
      const session = await storedSession();
      const clientId = await newClient(session.poolId);
      expect(await store.peekAuthSession(session.idHash, NOW)).toEqual(session);
      const family = familyRecord(session.poolId, clientId, session.userId!);
      expect(await store.finishSignIn({ sessionHash: session.idHash, now: NOW, family })).toBe('ok');
      expect(await store.peekAuthSession(session.idHash, NOW)).toBeUndefined();
      expect(await store.getTokenFamilyByRefreshHash(family.refreshHash)).toEqual(family);
      const again = familyRecord(session.poolId, clientId, session.userId!);
      expect(await ctx.other.finishSignIn({ sessionHash: session.idHash, now: NOW, family: again })).toBe('session-gone');
      expect(await store.getTokenFamilyByRefreshHash(again.refreshHash)).toBeUndefined();
    });
  });
}

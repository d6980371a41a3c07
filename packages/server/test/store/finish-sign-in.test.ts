/**
 * The Store contract (storage/store.ts): finishSignIn, the last write of a sign-in, on both dialects
 * (setup: ./setup.ts). ONE transaction consumes the step's session (exactly one concurrent caller
 * can), applies the count-guarded passkey use, clears the login key's attempt counter and stores the
 * token family; when something stops it, it says what, and nothing is written.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { AuthSessionRecord, PasskeyUse, Store, TokenFamilyRecord } from '../../src/storage/store.js';
import { concurrently, dialects, familyRecord, NOW, passkeyRecord, rand, settle, useStore } from './setup.js';

const LOCK = [60_000];

for (const dialect of dialects) {
  describe(dialect, () => {
    const ctx = useStore(dialect);
    const { newPool, newUser, newClient } = ctx;
    let store: Store;
    beforeAll(() => {
      store = ctx.store;
    });

    /** A pool with a client and a user with one passkey (sign count 3, never used), as a passkey sign-in finds them. */
    async function signingIn() {
      const poolId = await newPool();
      const clientId = await newClient(poolId);
      const user = await newUser(poolId);
      const cred = `cred-${rand(4)}`;
      expect(await store.addPasskey(passkeyRecord(poolId, user.id, cred, { signCount: 3 }), 20)).toBe('added');
      const passkey = (await store.getPasskey(poolId, cred))!;
      /** A stored, unexpired session of the user's sign-in. */
      const session = async (expiresAt = NOW + 180_000): Promise<AuthSessionRecord> => {
        const rec = { idHash: `sess-${rand(8)}`, poolId, clientId, userId: user.id, state: { step: 'WEB_AUTHN' }, expiresAt };
        await store.putAuthSession(rec);
        return rec;
      };
      const family = (): TokenFamilyRecord => familyRecord(poolId, clientId, user.id);
      /** The i-th verified assertion of that passkey, each read before any was recorded. */
      const use = (i: number): PasskeyUse => ({
        poolId,
        credentialId: cred,
        expected: { signCount: 3, lastUsedAt: null },
        update: { signCount: 4 + i, backupState: i % 2 === 0, lastUsedAt: NOW + 10 + i, cloneWarning: true },
      });
      /** A login key whose counter is at the threshold: locked until cleared (or NOW + 60 s). */
      const lockedKey = async () => {
        const key = `lk-${rand(4)}`;
        expect(await store.admitLoginAttempt(poolId, key, NOW, 1, LOCK)).toBe(true);
        expect(await store.admitLoginAttempt(poolId, key, NOW, 1, LOCK)).toBe(false);
        return key;
      };
      /** Whether the key's counter was cleared (a fresh attempt is admitted) rather than kept (still locked). */
      const cleared = (key: string, p = poolId) => store.admitLoginAttempt(p, key, NOW + 1, 1, LOCK);
      return { poolId, clientId, user, cred, passkey, session, family, use, lockedKey, cleared };
    }

    const storedFamilies = (families: TokenFamilyRecord[]) =>
      Promise.all(families.map((f) => store.getTokenFamilyByRefreshHash(f.refreshHash)));

    it('50 concurrent finishSignIn of one session → exactly one ok, 49 session-gone; one token family; the session is gone', async () => {
      const s = await signingIn();
      const session = await s.session();
      const families = Array.from({ length: 50 }, () => s.family());
      const outcomes = await concurrently(50, (i) =>
        ctx.pick(i).finishSignIn({ sessionHash: session.idHash, now: NOW, family: families[i]! }),
      );
      expect(outcomes.filter((o) => o === 'ok')).toHaveLength(1);
      expect(outcomes.filter((o) => o === 'session-gone')).toHaveLength(49);
      const winner = outcomes.indexOf('ok');
      expect((await storedFamilies(families)).filter((f) => f !== undefined)).toEqual([families[winner]]);
      expect(await store.peekAuthSession(session.idHash, NOW)).toBeUndefined();
      expect(await store.finishSignIn({ sessionHash: session.idHash, now: NOW, family: s.family() })).toBe('session-gone');
    });

    it('50 concurrent finishSignIn of one session with a passkey use each → one ok; the guarded passkey update applies once', async () => {
      const s = await signingIn();
      const session = await s.session();
      const key = await s.lockedKey();
      const families = Array.from({ length: 50 }, () => s.family());
      const outcomes = await concurrently(50, (i) =>
        ctx.pick(i).finishSignIn({ sessionHash: session.idHash, now: NOW, passkeyUse: s.use(i), clearLoginKey: key, family: families[i]! }),
      );
      expect(outcomes.filter((o) => o === 'ok')).toHaveLength(1);
      expect(outcomes.filter((o) => o === 'session-gone')).toHaveLength(49);
      const winner = outcomes.indexOf('ok');
      expect(await store.getPasskey(s.poolId, s.cred)).toEqual({
        ...s.passkey,
        signCount: 4 + winner,
        backupState: winner % 2 === 0,
        lastUsedAt: NOW + 10 + winner,
        cloneWarnings: 1, // counted once, for the winner
      });
      expect((await storedFamilies(families)).filter((f) => f !== undefined)).toEqual([families[winner]]);
      expect(await s.cleared(key)).toBe(true);
    });

    it('50 concurrent sign-ins with one passkey read, each on its own session → one ok; 49 passkey-race with nothing written', async () => {
      const s = await signingIn();
      const sessions = await concurrently(50, () => s.session());
      const keys: string[] = [];
      for (let i = 0; i < 50; i++) keys.push(await s.lockedKey());
      const families = Array.from({ length: 50 }, () => s.family());
      const outcomes = await concurrently(50, (i) =>
        ctx
          .pick(i)
          .finishSignIn({ sessionHash: sessions[i]!.idHash, now: NOW, passkeyUse: s.use(i), clearLoginKey: keys[i], family: families[i]! }),
      );
      expect(outcomes.filter((o) => o === 'ok')).toHaveLength(1);
      expect(outcomes.filter((o) => o === 'passkey-race')).toHaveLength(49);
      const winner = outcomes.indexOf('ok');
      const passkey = await store.getPasskey(s.poolId, s.cred);
      expect(passkey).toMatchObject({ signCount: 4 + winner, lastUsedAt: NOW + 10 + winner, cloneWarnings: 1 });
      const stored = await storedFamilies(families);
      for (let i = 0; i < 50; i++) {
        const won = i === winner;
        // The winner's session is consumed, its family stored and its counter cleared; a loser's are untouched.
        expect(await store.peekAuthSession(sessions[i]!.idHash, NOW), `session ${i}`).toEqual(won ? undefined : sessions[i]);
        expect(stored[i], `family ${i}`).toEqual(won ? families[i] : undefined);
        expect(await s.cleared(keys[i]!), `login key ${i}`).toBe(won);
      }
      // A loser's session can finish once the user's next assertion is read afresh.
      const loser = winner === 0 ? 1 : 0;
      const next: PasskeyUse = {
        ...s.use(loser),
        expected: { signCount: passkey!.signCount, lastUsedAt: passkey!.lastUsedAt },
        update: { signCount: passkey!.signCount + 1, backupState: true, lastUsedAt: NOW + 100, cloneWarning: false },
      };
      expect(await store.finishSignIn({ sessionHash: sessions[loser]!.idHash, now: NOW, passkeyUse: next, family: s.family() })).toBe('ok');
      expect(await store.getPasskey(s.poolId, s.cred)).toMatchObject({ signCount: passkey!.signCount + 1, cloneWarnings: 1 });
    });

    it('clearLoginKey clears that key in the family’s pool only, with the family', async () => {
      const s = await signingIn();
      const key = await s.lockedKey();
      const otherKey = await s.lockedKey();
      const elsewhere = await newPool();
      expect(await store.admitLoginAttempt(elsewhere, key, NOW, 1, LOCK)).toBe(true);
      const family = s.family();
      expect(await ctx.other.finishSignIn({ now: NOW, clearLoginKey: key, family })).toBe('ok');
      expect(await store.getTokenFamilyByRefreshHash(family.refreshHash)).toEqual(family);
      expect(await s.cleared(key)).toBe(true);
      expect(await s.cleared(otherKey)).toBe(false);
      expect(await s.cleared(key, elsewhere)).toBe(false);
    });

    it('an expired (expiresAt <= now) or unknown session → session-gone, with nothing written', async () => {
      const s = await signingIn();
      const expired = await s.session(NOW);
      const key = await s.lockedKey();
      for (const sessionHash of [expired.idHash, `unknown-${rand()}`]) {
        const family = s.family();
        expect(await store.finishSignIn({ sessionHash, now: NOW, passkeyUse: s.use(0), clearLoginKey: key, family })).toBe('session-gone');
        expect(await store.getTokenFamilyByRefreshHash(family.refreshHash)).toBeUndefined();
      }
      expect(await store.getPasskey(s.poolId, s.cred)).toEqual(s.passkey);
      expect(await s.cleared(key)).toBe(false);
      // The same session one millisecond earlier is still valid.
      expect(await store.finishSignIn({ sessionHash: expired.idHash, now: NOW - 1, family: s.family() })).toBe('ok');
    });

    it('one transaction: when storing the family fails, the session, passkey use and counter clearing are rolled back', async () => {
      const s = await signingIn();
      const session = await s.session();
      const key = await s.lockedKey();
      const first = s.family();
      expect(await store.finishSignIn({ now: NOW, family: first })).toBe('ok');
      // A family whose originJti is taken cannot be stored: the whole sign-in fails.
      const clash = { ...s.family(), originJti: first.originJti };
      const failed = await settle(
        ctx.other.finishSignIn({ sessionHash: session.idHash, now: NOW, passkeyUse: s.use(0), clearLoginKey: key, family: clash }),
      );
      expect(failed.ok).toBe(false);
      expect(await store.peekAuthSession(session.idHash, NOW)).toEqual(session);
      expect(await store.getPasskey(s.poolId, s.cred)).toEqual(s.passkey);
      expect(await s.cleared(key)).toBe(false);
      expect(await store.getTokenFamilyByRefreshHash(clash.refreshHash)).toBeUndefined();
      // With a family that can be stored, the same finish succeeds.
      expect(
        await store.finishSignIn({ sessionHash: session.idHash, now: NOW, passkeyUse: s.use(0), clearLoginKey: key, family: s.family() }),
      ).toBe('ok');
    });
  });
}

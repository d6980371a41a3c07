/** The Store contract (storage/store.ts): passkeys, on both dialects (setup: ./setup.ts). */
import { beforeAll, describe, expect, it } from 'vitest';
import type { PasskeyUse, Store } from '../../src/storage/store.js';
import { concurrently, dialects, familyRecord, NOW, passkeyRecord, rand, useStore } from './setup.js';

for (const dialect of dialects) {
  describe(dialect, () => {
    const ctx = useStore(dialect);
    const { newPool, newUser, newClient } = ctx;
    let store: Store;
    beforeAll(() => {
      store = ctx.store;
    });

    it('addPasskey: 20 concurrent adds with limit 5 → exactly 5 added, passkeyCount 5', async () => {
      const poolId = await newPool();
      const user = await newUser(poolId);
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) => ctx.pick(i).addPasskey(passkeyRecord(poolId, user.id, `cred-${i}-${rand(3)}`), 5)),
      );
      expect(results.filter((r) => r === 'added')).toHaveLength(5);
      expect(results.filter((r) => r === 'limit')).toHaveLength(15);
      expect((await store.getUser(poolId, user.id))?.passkeyCount).toBe(5);
      expect(await store.listPasskeys(poolId, user.id, 100)).toHaveLength(5);
      expect(await store.addPasskey(passkeyRecord(poolId, user.id, `one-more-${rand(3)}`), 5)).toBe('limit');
      expect(await store.addPasskey(passkeyRecord(poolId, user.id, `raised-limit-${rand(3)}`), 6)).toBe('added');
      expect((await store.getUser(poolId, user.id))?.passkeyCount).toBe(6);
    });

    it('addPasskey: fields round-trip through getPasskey', async () => {
      const poolId = await newPool();
      const user = await newUser(poolId);
      const pk = passkeyRecord(poolId, user.id, `round-trip-${rand(3)}`, {
        attachment: null,
        transports: [],
        backupEligible: false,
        backupState: false,
        userVerified: false,
        signCount: 2 ** 32 - 1,
        algorithm: -257,
      });
      expect(await store.addPasskey(pk, 20)).toBe('added');
      const got = await store.getPasskey(poolId, pk.credentialId);
      expect(got).toEqual({ ...pk, publicKey: expect.any(Uint8Array) });
      expect(Buffer.from(got!.publicKey).equals(Buffer.from(pk.publicKey))).toBe(true);
      expect(await store.getPasskey(poolId, 'nope')).toBeUndefined();
      expect(await store.getPasskey(await newPool(), pk.credentialId)).toBeUndefined(); // scoped to the pool
    });

    it('addPasskey: a known credential id is exists-same-user / exists-other-user, counts unchanged', async () => {
      const poolId = await newPool();
      const alice = await newUser(poolId, 'alice');
      const bob = await newUser(poolId, 'bob');
      const cred = `dup-${rand(4)}`;
      expect(await store.addPasskey(passkeyRecord(poolId, alice.id, cred), 20)).toBe('added');
      expect(await store.addPasskey(passkeyRecord(poolId, alice.id, cred), 20)).toBe('exists-same-user');
      expect(await store.addPasskey(passkeyRecord(poolId, bob.id, cred), 20)).toBe('exists-other-user');
      expect((await store.getUser(poolId, alice.id))?.passkeyCount).toBe(1);
      expect((await store.getUser(poolId, bob.id))?.passkeyCount).toBe(0);
      expect((await store.getPasskey(poolId, cred))?.userId).toBe(alice.id);
      // The same credential id in another pool is another credential.
      const otherPool = await newPool();
      const carol = await newUser(otherPool, 'carol');
      expect(await store.addPasskey(passkeyRecord(otherPool, carol.id, cred), 20)).toBe('added');
    });

    it('addPasskey: concurrent adds of one credential id → one added, the rest exists-*, count bumped once', async () => {
      const poolId = await newPool();
      const alice = await newUser(poolId, 'alice');
      const bob = await newUser(poolId, 'bob');
      const cred = `race-${rand(4)}`;
      const same = await Promise.all(
        Array.from({ length: 10 }, (_, i) => ctx.pick(i).addPasskey(passkeyRecord(poolId, alice.id, cred), 20)),
      );
      expect(same.filter((r) => r === 'added')).toHaveLength(1);
      expect(same.filter((r) => r === 'exists-same-user')).toHaveLength(9);
      expect((await store.getUser(poolId, alice.id))?.passkeyCount).toBe(1);

      const cred2 = `race2-${rand(4)}`;
      const mixed = await Promise.all(
        Array.from({ length: 10 }, (_, i) => ctx.pick(i).addPasskey(passkeyRecord(poolId, i % 2 ? alice.id : bob.id, cred2), 20)),
      );
      expect(mixed.filter((r) => r === 'added')).toHaveLength(1);
      const owner = (await store.getPasskey(poolId, cred2))!.userId;
      mixed.forEach((r, i) => {
        if (r === 'added') return;
        expect(r).toBe((i % 2 ? alice.id : bob.id) === owner ? 'exists-same-user' : 'exists-other-user');
      });
      const counts = [(await store.getUser(poolId, alice.id))!.passkeyCount, (await store.getUser(poolId, bob.id))!.passkeyCount];
      expect(counts[0]! + counts[1]!).toBe(2); // cred + cred2
    });

    it('deletePasskey: only the owner, decrements passkeyCount, false the second time', async () => {
      const poolId = await newPool();
      const alice = await newUser(poolId, 'alice');
      const bob = await newUser(poolId, 'bob');
      const cred = `del-${rand(4)}`;
      await store.addPasskey(passkeyRecord(poolId, alice.id, cred), 20);
      await store.addPasskey(passkeyRecord(poolId, alice.id, `keep-${rand(4)}`), 20);
      expect(await store.deletePasskey(poolId, bob.id, cred)).toBe(false);
      expect((await store.getUser(poolId, bob.id))?.passkeyCount).toBe(0);
      expect((await store.getUser(poolId, alice.id))?.passkeyCount).toBe(2);
      expect(await store.getPasskey(poolId, cred)).toBeDefined();
      expect(await store.deletePasskey(await newPool(), alice.id, cred)).toBe(false);
      expect(await store.deletePasskey(poolId, alice.id, cred)).toBe(true);
      expect(await store.getPasskey(poolId, cred)).toBeUndefined();
      expect((await store.getUser(poolId, alice.id))?.passkeyCount).toBe(1);
      expect(await store.deletePasskey(poolId, alice.id, cred)).toBe(false);
      expect((await store.getUser(poolId, alice.id))?.passkeyCount).toBe(1);
    });

    it('deletePasskey: 10 concurrent deletes of one passkey → exactly one true, count decremented once', async () => {
      const poolId = await newPool();
      const alice = await newUser(poolId, 'alice');
      const cred = `del-race-${rand(4)}`;
      await store.addPasskey(passkeyRecord(poolId, alice.id, cred), 20);
      await store.addPasskey(passkeyRecord(poolId, alice.id, `other-${rand(4)}`), 20);
      const results = await Promise.all(Array.from({ length: 10 }, (_, i) => ctx.pick(i).deletePasskey(poolId, alice.id, cred)));
      expect(results.filter(Boolean)).toHaveLength(1);
      expect((await store.getUser(poolId, alice.id))?.passkeyCount).toBe(1);
    });

    it("listPasskeys: keyset pages in (createdAt, credentialId) order, ties on createdAt included, only the user's", async () => {
      const poolId = await newPool();
      const alice = await newUser(poolId, 'alice');
      const bob = await newUser(poolId, 'bob');
      // Lower-case letters and digits only, so byte order and any collation agree.
      const specs: [string, number][] = [
        ['k3', NOW + 100],
        ['a9', NOW + 100],
        ['m1', NOW + 100],
        ['b2', NOW + 50],
        ['z0', NOW + 50],
        ['c7', NOW + 300],
        ['c6', NOW + 300],
        ['q5', NOW + 200],
        ['d4', NOW + 10],
      ];
      for (const [id, at] of specs)
        expect(await store.addPasskey(passkeyRecord(poolId, alice.id, id, { createdAt: at }), 20)).toBe('added');
      await store.addPasskey(passkeyRecord(poolId, bob.id, 'b1', { createdAt: NOW + 100 }), 20);
      const expected = [...specs].sort((x, y) => x[1] - y[1] || (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0)).map(([id]) => id);
      expect(expected).toEqual(['d4', 'b2', 'z0', 'a9', 'k3', 'm1', 'q5', 'c6', 'c7']);

      expect((await store.listPasskeys(poolId, alice.id, 100)).map((p) => p.credentialId)).toEqual(expected);
      for (const size of [1, 2, 3, 4]) {
        const seen: string[] = [];
        let after: { createdAt: number; credentialId: string } | undefined;
        for (let guard = 0; guard < 50; guard++) {
          const page = await store.listPasskeys(poolId, alice.id, size, after);
          expect(page.length).toBeLessThanOrEqual(size);
          seen.push(...page.map((p) => p.credentialId));
          if (page.length < size) break;
          const last = page[page.length - 1]!;
          after = { createdAt: last.createdAt, credentialId: last.credentialId };
        }
        expect(seen, `page size ${size}`).toEqual(expected);
      }
      // A cursor in the middle of a tie continues inside the tie.
      expect(
        (await store.listPasskeys(poolId, alice.id, 2, { createdAt: NOW + 100, credentialId: 'a9' })).map((p) => p.credentialId),
      ).toEqual(['k3', 'm1']);
      // A cursor whose passkey was deleted still works.
      expect(
        (await store.listPasskeys(poolId, alice.id, 2, { createdAt: NOW + 100, credentialId: 'b0' })).map((p) => p.credentialId),
      ).toEqual(['k3', 'm1']);
    });

    /**
     * Sign-in's guarded passkey use (Store.finishSignIn with a passkeyUse and no session) for the user's
     * passkeys: true when applied ('ok'), false when the guard refused it ('passkey-race'). The sign-in's
     * token family is stored exactly when the use applied.
     */
    async function passkeyUses(poolId: string, userId: string) {
      const clientId = await newClient(poolId);
      return async (s: Store, credentialId: string, expected: PasskeyUse['expected'], update: PasskeyUse['update']) => {
        const family = familyRecord(poolId, clientId, userId);
        const outcome = await s.finishSignIn({ now: NOW, passkeyUse: { poolId, credentialId, expected, update }, family });
        expect(['ok', 'passkey-race']).toContain(outcome);
        expect(await s.getTokenFamilyByRefreshHash(family.refreshHash)).toEqual(outcome === 'ok' ? family : undefined);
        return outcome === 'ok';
      };
    }

    it('finishSignIn passkeyUse: guarded by the expected sign count; two concurrent updates → exactly one wins', async () => {
      const poolId = await newPool();
      const alice = await newUser(poolId, 'alice');
      const cred = `use-${rand(4)}`;
      await store.addPasskey(passkeyRecord(poolId, alice.id, cred, { signCount: 5 }), 20);
      const record = await passkeyUses(poolId, alice.id);
      const [a, b] = await Promise.all([
        record(
          store,
          cred,
          { signCount: 5, lastUsedAt: null },
          { signCount: 6, backupState: true, lastUsedAt: NOW + 1, cloneWarning: false },
        ),
        record(
          ctx.other,
          cred,
          { signCount: 5, lastUsedAt: null },
          { signCount: 7, backupState: false, lastUsedAt: NOW + 2, cloneWarning: false },
        ),
      ]);
      expect([a, b].filter(Boolean)).toHaveLength(1);
      const after = await store.getPasskey(poolId, cred);
      expect(after?.signCount).toBe(a ? 6 : 7);
      expect(after?.lastUsedAt).toBe(a ? NOW + 1 : NOW + 2);
      expect(after?.backupState).toBe(a);

      // Stale expectation: refused, nothing changes.
      expect(
        await record(
          store,
          cred,
          { signCount: 5, lastUsedAt: null },
          { signCount: 100, backupState: true, lastUsedAt: NOW + 3, cloneWarning: true },
        ),
      ).toBe(false);
      expect(await store.getPasskey(poolId, cred)).toEqual(after);

      // 20 concurrent uses with the current count, each advancing it: one wins.
      const current = after!.signCount;
      const many = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          record(
            ctx.pick(i),
            cred,
            { signCount: current, lastUsedAt: after!.lastUsedAt },
            { signCount: current + 1 + i, backupState: true, lastUsedAt: NOW + 10 + i, cloneWarning: true },
          ),
        ),
      );
      expect(many.filter(Boolean)).toHaveLength(1);
      const winner = many.indexOf(true);
      const final = await store.getPasskey(poolId, cred);
      expect(final?.signCount).toBe(current + 1 + winner);
      expect(final?.lastUsedAt).toBe(NOW + 10 + winner);
      expect(final?.cloneWarnings).toBe(1); // counted for the winner only
      expect(
        await record(
          store,
          'unknown-cred',
          { signCount: 0, lastUsedAt: null },
          { signCount: 1, backupState: false, lastUsedAt: NOW, cloneWarning: false },
        ),
      ).toBe(false);
    });
    // Synced passkeys (Apple, Google) always report signCount 0, so a guard on the count alone would
    // let every concurrent caller through; the guard includes lastUsedAt.
    it('finishSignIn passkeyUse: two concurrent uses with a counter that does not advance (0 → 0) → exactly one true', async () => {
      const poolId = await newPool();
      const alice = await newUser(poolId, 'alice');
      const cred = `zero-${rand(4)}`;
      await store.addPasskey(passkeyRecord(poolId, alice.id, cred, { signCount: 0 }), 20);
      const record = await passkeyUses(poolId, alice.id);
      const results = await Promise.all(
        [0, 1].map((i) =>
          record(
            ctx.pick(i),
            cred,
            { signCount: 0, lastUsedAt: null },
            { signCount: 0, backupState: true, lastUsedAt: NOW + i, cloneWarning: false },
          ),
        ),
      );
      expect(results.filter(Boolean)).toHaveLength(1);
      // The next use, even within the same millisecond, moves lastUsedAt on, so the old expectation
      // (a replayed or concurrent use) no longer matches.
      const seen = (await store.getPasskey(poolId, cred))!;
      const use = { signCount: 0, backupState: true, lastUsedAt: seen.lastUsedAt!, cloneWarning: false };
      expect(await record(store, cred, { signCount: 0, lastUsedAt: seen.lastUsedAt }, use)).toBe(true);
      expect((await store.getPasskey(poolId, cred))!.lastUsedAt).toBeGreaterThan(seen.lastUsedAt!);
      expect(await record(store, cred, { signCount: 0, lastUsedAt: seen.lastUsedAt }, use)).toBe(false);
    });

    it('addPasskey with consumeChallenge: 50 concurrent completions of one peeked challenge → one added', async () => {
      const poolId = await newPool();
      const alice = await newUser(poolId, 'alice');
      const challenge = `reg-${rand(8)}`;
      await store.putChallenge({
        challenge,
        kind: 'registration',
        poolId,
        userId: alice.id,
        clientId: 'c'.repeat(26),
        expiresAt: NOW + 60_000,
      });
      // Every completion reads the challenge first (peekChallenge), as CompleteWebAuthnRegistration does.
      const peeked = await concurrently(50, (i) => ctx.pick(i).peekChallenge(challenge, NOW));
      expect(peeked.filter((c) => c?.userId === alice.id)).toHaveLength(50);
      const creds = Array.from({ length: 50 }, (_, i) => `reg-cred-${i}-${rand(3)}`);
      const results = await concurrently(50, (i) => ctx.pick(i).addPasskey(passkeyRecord(poolId, alice.id, creds[i]!), 20, challenge));
      expect(results.filter((r) => r === 'added')).toHaveLength(1);
      expect(results.filter((r) => r === 'challenge-gone')).toHaveLength(49);
      const winner = results.indexOf('added');
      expect((await store.listPasskeys(poolId, alice.id, 100)).map((p) => p.credentialId)).toEqual([creds[winner]]);
      expect((await store.getUser(poolId, alice.id))?.passkeyCount).toBe(1);
      expect(await store.peekChallenge(challenge, NOW)).toBeUndefined();
      // A later completion of the consumed challenge adds nothing.
      expect(await store.addPasskey(passkeyRecord(poolId, alice.id, `late-${rand(3)}`), 20, challenge)).toBe('challenge-gone');
      expect((await store.getUser(poolId, alice.id))?.passkeyCount).toBe(1);
    });

    it('renamePasskey: only the owner in the pool renames; others, unknown ids and other pools change nothing', async () => {
      const poolId = await newPool();
      const alice = await newUser(poolId, 'alice');
      const bob = await newUser(poolId, 'bob');
      const cred = `rename-${rand(4)}`;
      expect(await store.addPasskey(passkeyRecord(poolId, alice.id, cred, { friendlyName: 'Original' }), 20)).toBe('added');
      expect(await store.renamePasskey(poolId, bob.id, cred, 'Bob was here')).toBe(false);
      expect(await store.renamePasskey(await newPool(), alice.id, cred, 'Elsewhere')).toBe(false);
      expect(await store.renamePasskey(poolId, alice.id, `nope-${rand(3)}`, 'Nothing')).toBe(false);
      expect((await store.getPasskey(poolId, cred))?.friendlyName).toBe('Original');
      expect(await store.renamePasskey(poolId, alice.id, cred, 'Laptop 🔑')).toBe(true);
      expect((await store.getPasskey(poolId, cred))?.friendlyName).toBe('Laptop 🔑');
    });

    it('deletePasskey with signOutAt: passkey, token families and tokensValidAfter in one transaction; not theirs → nothing', async () => {
      const poolId = await newPool();
      const clientId = await newClient(poolId);
      const alice = await newUser(poolId, 'alice');
      const bob = await newUser(poolId, 'bob');
      const families = [await ctx.newFamily(poolId, clientId, alice.id), await ctx.newFamily(poolId, clientId, alice.id)];
      const bobs = await ctx.newFamily(poolId, clientId, bob.id);
      const cred = `lost-${rand(4)}`;
      expect(await store.addPasskey(passkeyRecord(poolId, alice.id, cred), 20)).toBe('added');
      // Bob cannot delete Alice's passkey, and asking with signOutAt revokes nothing of anyone.
      expect(await store.deletePasskey(poolId, bob.id, cred, NOW + 5)).toBe(false);
      expect((await store.getTokenFamilyByRefreshHash(bobs.refreshHash))?.revokedAt).toBeNull();
      expect((await store.getUser(poolId, bob.id))?.tokensValidAfter).toBe(bob.tokensValidAfter);
      for (const f of families) expect((await store.getTokenFamilyByRefreshHash(f.refreshHash))?.revokedAt).toBeNull();

      expect(await store.deletePasskey(poolId, alice.id, cred, NOW + 10)).toBe(true);
      expect(await store.getPasskey(poolId, cred)).toBeUndefined();
      for (const f of families) expect((await store.getTokenFamilyByRefreshHash(f.refreshHash))?.revokedAt).toBe(NOW + 10);
      const after = await store.getUser(poolId, alice.id);
      expect(after?.tokensValidAfter).toBe(NOW + 10);
      expect(after?.passkeyCount).toBe(0);
      // Bob's sign-in is untouched.
      expect((await store.getTokenFamilyByRefreshHash(bobs.refreshHash))?.revokedAt).toBeNull();
    });

    it('deletePasskey with signOutAt: 50 concurrent deletes of one passkey → one true, passkeyCount down by exactly one', async () => {
      const poolId = await newPool();
      const clientId = await newClient(poolId);
      const alice = await newUser(poolId, 'alice');
      await ctx.newFamily(poolId, clientId, alice.id);
      const creds = [`keep-${rand(4)}`, `race-${rand(4)}`];
      for (const c of creds) expect(await store.addPasskey(passkeyRecord(poolId, alice.id, c), 20)).toBe('added');
      const results = await concurrently(50, (i) => ctx.pick(i).deletePasskey(poolId, alice.id, creds[1]!, NOW + 20));
      expect(results.filter(Boolean)).toHaveLength(1);
      expect((await store.getUser(poolId, alice.id))?.passkeyCount).toBe(1);
      expect((await store.listPasskeys(poolId, alice.id, 10)).map((p) => p.credentialId)).toEqual([creds[0]]);
    });

    it('putChallenge / peekChallenge / consumeChallenge: conditionalCreate round-trips; absent, it reads back absent', async () => {
      const poolId = await newPool();
      const alice = await newUser(poolId, 'alice');
      const base = { kind: 'registration' as const, poolId, userId: alice.id, clientId: 'c'.repeat(26), expiresAt: NOW + 60_000 };
      const [plain, conditional] = [`plain-${rand(6)}`, `cond-${rand(6)}`];
      await store.putChallenge({ ...base, challenge: plain });
      await store.putChallenge({ ...base, challenge: conditional, conditionalCreate: true });
      expect(await store.peekChallenge(plain, NOW)).toEqual({ ...base, challenge: plain });
      expect((await store.peekChallenge(conditional, NOW))?.conditionalCreate).toBe(true);
      expect((await store.consumeChallenge(conditional, NOW))?.conditionalCreate).toBe(true);
      expect(await store.peekChallenge(conditional, NOW)).toBeUndefined();
    });
  });
}

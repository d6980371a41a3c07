/** The Store contract (storage/store.ts): users, on both dialects (setup: ./setup.ts). */
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { StoreConflictError, type Store, type UserFilter, type UserRecord } from '../../src/storage/store.js';
import { concurrently, dialects, NOW, passkeyRecord, rand, settle, userRecord, useStore } from './setup.js';

for (const dialect of dialects) {
  describe(dialect, () => {
    const ctx = useStore(dialect);
    const { newPool, newUser, newClient } = ctx;
    let store: Store;
    beforeAll(() => {
      store = ctx.store;
    });

    it('updateUser with a verifier guard: of 20 concurrent swaps from one verifier exactly one applies', async () => {
      const poolId = await newPool();
      const user = await newUser(poolId, 'cas', { srpSalt: 'aa', srpVerifier: 'v0' });
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          ctx.pick(i).updateUser(poolId, user.id, { srpSalt: 'bb', srpVerifier: `v${i + 1}` }, NOW, { srpVerifier: 'v0' }),
        ),
      );
      expect(results.filter(Boolean)).toHaveLength(1);
      const winner = results.indexOf(true) + 1;
      expect((await store.getUser(poolId, user.id))?.srpVerifier).toBe(`v${winner}`);
      // A null guard matches only a user without a password.
      expect(await store.updateUser(poolId, user.id, { srpVerifier: 'x' }, NOW, { srpVerifier: null })).toBe(false);
      const none = await newUser(poolId, 'nopw');
      expect(await store.updateUser(poolId, none.id, { srpSalt: 'cc', srpVerifier: 'x' }, NOW, { srpVerifier: null })).toBe(true);
    });

    it('createUser: username and email conflicts are StoreConflictError with the key; other pools and null emails are fine', async () => {
      const poolId = await newPool();
      const alice = await newUser(poolId, 'alice', { emailKey: 'alice@example.com', attributes: { email: 'alice@example.com' } });
      expect(await store.getUser(poolId, alice.id)).toEqual(alice);

      const byName = await store.createUser(userRecord(poolId, 'Alice')).catch((e: unknown) => e); // same usernameKey 'alice'
      expect(byName).toBeInstanceOf(StoreConflictError);
      expect((byName as StoreConflictError).key).toBe('username');

      const byEmail = await store.createUser(userRecord(poolId, 'alice2', { emailKey: 'alice@example.com' })).catch((e: unknown) => e);
      expect(byEmail).toBeInstanceOf(StoreConflictError);
      expect((byEmail as StoreConflictError).key).toBe('email');

      await newUser(poolId, 'no-email-1');
      await newUser(poolId, 'no-email-2');
      const otherPool = await newPool();
      await newUser(otherPool, 'alice', { emailKey: 'alice@example.com' });

      // updateUser onto a taken email.
      const bob = await newUser(poolId, 'bob');
      const upd = await store.updateUser(poolId, bob.id, { emailKey: 'alice@example.com' }, NOW + 1).catch((e: unknown) => e);
      expect(upd).toBeInstanceOf(StoreConflictError);
      expect((upd as StoreConflictError).key).toBe('email');
      expect(
        await store.updateUser(
          poolId,
          bob.id,
          { emailKey: 'bob@example.com', status: 'UNCONFIRMED', enabled: false, attributes: { email: 'bob@example.com' } },
          NOW + 2,
        ),
      ).toBe(true);
      expect(await store.getUser(poolId, bob.id)).toMatchObject({
        emailKey: 'bob@example.com',
        status: 'UNCONFIRMED',
        enabled: false,
        attributes: { email: 'bob@example.com' },
        updatedAt: NOW + 2,
      });
      expect(await store.updateUser(poolId, randomUUID(), { status: 'CONFIRMED' }, NOW)).toBe(false);

      expect((await store.findUserByLogin(poolId, 'alice', null))?.id).toBe(alice.id);
      expect((await store.findUserByLogin(poolId, 'nobody', 'alice@example.com'))?.id).toBe(alice.id);
      expect(await store.findUserByLogin(poolId, 'nobody', null)).toBeUndefined();
    });

    it('createUser: 10 concurrent creations of one username → one succeeds, nine StoreConflictError("username")', async () => {
      const poolId = await newPool();
      const results = await Promise.all(Array.from({ length: 10 }, (_, i) => settle(ctx.pick(i).createUser(userRecord(poolId, 'racer')))));
      expect(results.filter((r) => r.ok)).toHaveLength(1);
      for (const r of results) {
        if (r.ok) continue;
        expect(r.error).toBeInstanceOf(StoreConflictError);
        expect((r.error as StoreConflictError).key).toBe('username');
      }
      expect(await store.listUsers(poolId, 10, undefined, undefined)).toHaveLength(1);
    });

    it('listUsers: ordered by usernameKey, paged with `after`, filters = and ^= on username, email, sub and status', async () => {
      const poolId = await newPool();
      const mk = (username: string, email: string | null, extra: Partial<UserRecord> = {}) =>
        newUser(poolId, username, { emailKey: email?.toLowerCase() ?? null, attributes: email ? { email } : {}, ...extra });
      await mk('alice', 'alice@example.com');
      await mk('alfred', 'Alfred.X@Example.com');
      const bob = await mk('bob', 'first_last@example.com');
      await mk('a%b', null);
      await mk('axb', null);
      await mk('carol', 'carol@example.org', { status: 'UNCONFIRMED', enabled: false });
      await newUser(await newPool(), 'alice-elsewhere', { emailKey: 'alice2@example.com' });

      const all = await store.listUsers(poolId, 100, undefined, undefined);
      const keys = all.map((u) => u.usernameKey);
      expect(new Set(keys)).toEqual(new Set(['alice', 'alfred', 'bob', 'a%b', 'axb', 'carol']));
      // Alphanumeric names in code-point order.
      expect(keys.filter((k) => /^[a-z]+$/.test(k))).toEqual(['alfred', 'alice', 'axb', 'bob', 'carol']);
      const paged: string[] = [];
      let after: string | undefined;
      for (let guard = 0; guard < 20; guard++) {
        const page = await store.listUsers(poolId, 2, after, undefined);
        paged.push(...page.map((u) => u.usernameKey));
        if (page.length < 2) break;
        after = page[page.length - 1]!.usernameKey;
      }
      expect(paged).toEqual(keys);

      const names = async (filter: UserFilter, limit = 100, after?: string) =>
        (await store.listUsers(poolId, limit, after, filter)).map((u) => u.username);
      expect(await names({ attribute: 'username', op: '=', value: 'alice' })).toEqual(['alice']);
      expect(await names({ attribute: 'username', op: '=', value: 'ali' })).toEqual([]);
      expect(await names({ attribute: 'username', op: '^=', value: 'al' })).toEqual(['alfred', 'alice']);
      expect(await names({ attribute: 'username', op: '^=', value: 'al' }, 1)).toEqual(['alfred']);
      expect(await names({ attribute: 'username', op: '^=', value: 'al' }, 10, 'alfred')).toEqual(['alice']);
      expect(await names({ attribute: 'username', op: '^=', value: 'a%' })).toEqual(['a%b']); // not a LIKE wildcard
      expect(await names({ attribute: 'username', op: '^=', value: 'zz' })).toEqual([]);
      expect(await names({ attribute: 'sub', op: '=', value: bob.id })).toEqual(['bob']);
      expect(await names({ attribute: 'email', op: '=', value: 'alice@example.com' })).toEqual(['alice']);
      expect(await names({ attribute: 'email', op: '=', value: 'ALICE@example.COM' })).toEqual(['alice']);
      expect(await names({ attribute: 'email', op: '=', value: 'alice@example.co' })).toEqual([]);
      expect(await names({ attribute: 'email', op: '^=', value: 'al' })).toEqual(['alfred', 'alice']);
      expect(await names({ attribute: 'email', op: '^=', value: 'ALFRED.' })).toEqual(['alfred']);
      expect(await names({ attribute: 'user_status', op: '=', value: 'UNCONFIRMED' } as unknown as UserFilter)).toEqual(['carol']);
      expect(await names({ attribute: 'user_status', op: '=', value: 'CONFIRMED' } as unknown as UserFilter)).toEqual(
        keys.filter((k) => k !== 'carol'),
      );
    });

    // Email filters run as a LIKE over the stored attributes: `_` and `%` in the address must match
    // literally. Regression: they were stripped from the needle, so "first_last@example.com" was
    // never found and the prefix "first_" also matched "firstxlast@…".
    it('listUsers: email filters match addresses containing "_" literally', async () => {
      const poolId = await newPool();
      const mk = (username: string, email: string) => newUser(poolId, username, { emailKey: email, attributes: { email } });
      await mk('bob', 'first_last@example.com');
      await mk('dave', 'firstxlast@example.com');
      const names = async (filter: UserFilter) => (await store.listUsers(poolId, 100, undefined, filter)).map((u) => u.username);
      expect(await names({ attribute: 'email', op: '=', value: 'first_last@example.com' })).toEqual(['bob']);
      expect(await names({ attribute: 'email', op: '^=', value: 'first_' })).toEqual(['bob']);
    });

    it('listUsers: attribute filters read the JSON value (case-insensitively), never a key or a pending value', async () => {
      const poolId = await newPool();
      await newUser(poolId, 'ann', { attributes: { given_name: 'Ann', family_name: 'O"Neil\\x', name: 'given_name' } });
      await newUser(poolId, 'bea', { attributes: { given_name: 'Beatrix' }, pendingAttributes: { email: 'ann@example.com' } });
      const names = async (filter: UserFilter) => (await store.listUsers(poolId, 100, undefined, filter)).map((u) => u.username);
      expect(await names({ attribute: 'given_name', op: '=', value: 'ann' })).toEqual(['ann']);
      expect(await names({ attribute: 'given_name', op: '^=', value: 'b' })).toEqual(['bea']);
      expect(await names({ attribute: 'family_name', op: '=', value: 'O"Neil\\x' })).toEqual(['ann']);
      expect(await names({ attribute: 'name', op: '=', value: 'Ann' })).toEqual([]);
      expect(await names({ attribute: 'email', op: '=', value: 'ann@example.com' })).toEqual([]);
      expect(await names({ attribute: 'phone_number', op: '^=', value: '' })).toEqual([]);
    });

    it('pendingAttributes round-trip through createUser / updateUser and stay apart from attributes', async () => {
      const poolId = await newPool();
      const u = await newUser(poolId, 'pend', {
        attributes: { email: 'old@example.com' },
        pendingAttributes: { email: 'new@example.com' },
      });
      expect(await store.getUser(poolId, u.id)).toMatchObject({
        attributes: { email: 'old@example.com' },
        pendingAttributes: { email: 'new@example.com' },
      });
      await store.updateUser(poolId, u.id, { pendingAttributes: { phone_number: '+15550100' } }, NOW + 1);
      expect(await store.getUser(poolId, u.id)).toMatchObject({
        attributes: { email: 'old@example.com' },
        pendingAttributes: { phone_number: '+15550100' },
      });
      await store.updateUser(poolId, u.id, { attributes: { email: 'x@example.com' } }, NOW + 2);
      expect((await store.getUser(poolId, u.id))?.pendingAttributes).toEqual({ phone_number: '+15550100' });
    });

    it('deleteUser removes the user with passkeys, codes, challenges, sessions and token families; others untouched', async () => {
      const poolId = await newPool();
      const clientId = await newClient(poolId);
      const seed = async (name: string) => {
        const u = await newUser(poolId, name);
        const cred = `cred-${name}-${rand(3)}`;
        await store.addPasskey(passkeyRecord(poolId, u.id, cred), 20);
        await store.putCode({ poolId, userId: u.id, purpose: 'signup', codeHash: `code-${name}`, attempts: 0, expiresAt: NOW + 60_000 });
        const challenge = `ch-${name}-${rand(4)}`;
        await store.putChallenge({ challenge, kind: 'registration', poolId, userId: u.id, clientId, expiresAt: NOW + 60_000 });
        const idHash = `sess-${name}-${rand(4)}`;
        await store.putAuthSession({ idHash, poolId, clientId, userId: u.id, state: {}, expiresAt: NOW + 60_000 });
        const refreshHash = `rt-${name}-${rand(4)}`;
        await ctx.newFamily(poolId, clientId, u.id, { refreshHash });
        return { u, cred, challenge, idHash, refreshHash };
      };
      const gone = await seed('gone');
      const kept = await seed('kept');
      expect(await store.deleteUser(poolId, gone.u.id)).toBe(true);
      expect(await store.getUser(poolId, gone.u.id)).toBeUndefined();
      expect(await store.getPasskey(poolId, gone.cred)).toBeUndefined();
      expect(await store.getTokenFamilyByRefreshHash(gone.refreshHash)).toBeUndefined();
      expect(await store.useCode(poolId, gone.u.id, 'signup', NOW, 5, () => true)).toBe('missing');
      expect(await store.consumeChallenge(gone.challenge, NOW)).toBeUndefined();
      expect(await store.consumeAuthSession(gone.idHash, NOW)).toBeUndefined();
      expect(await store.deleteUser(poolId, gone.u.id)).toBe(false);
      // The other user keeps everything.
      expect(await store.getUser(poolId, kept.u.id)).toBeDefined();
      expect(await store.getPasskey(poolId, kept.cred)).toBeDefined();
      expect(await store.getTokenFamilyByRefreshHash(kept.refreshHash)).toBeDefined();
      expect(await store.consumeChallenge(kept.challenge, NOW)).toBeDefined();
      expect(await store.consumeAuthSession(kept.idHash, NOW)).toBeDefined();
      expect(await store.useCode(poolId, kept.u.id, 'signup', NOW, 5, (h) => h === 'code-kept')).toBe('ok');
      // A username freed by deletion can be taken again.
      await newUser(poolId, 'gone');
    });

    it('updateUsers applies every patch, with the one updatedAt', async () => {
      const poolId = await newPool();
      const a = await newUser(poolId, 'ua', {
        emailKey: 'ua@example.com',
        attributes: { email: 'ua@example.com', email_verified: 'true' },
      });
      const b = await newUser(poolId, 'ub', { status: 'UNCONFIRMED', attributes: { email: 'ua@example.com' } });
      await store.updateUsers(
        poolId,
        [
          { id: a.id, patch: { emailKey: null, attributes: { email: 'ua@example.com', email_verified: 'false' } } },
          {
            id: b.id,
            patch: { status: 'CONFIRMED', emailKey: 'ua@example.com', attributes: { email: 'ua@example.com', email_verified: 'true' } },
          },
        ],
        NOW + 7,
      );
      expect(await store.getUser(poolId, a.id)).toEqual({
        ...a,
        emailKey: null,
        attributes: { email: 'ua@example.com', email_verified: 'false' },
        updatedAt: NOW + 7,
      });
      expect(await store.getUser(poolId, b.id)).toEqual({
        ...b,
        status: 'CONFIRMED',
        emailKey: 'ua@example.com',
        attributes: { email: 'ua@example.com', email_verified: 'true' },
        updatedAt: NOW + 7,
      });
      expect((await store.findUserByEmail(poolId, 'ua@example.com'))?.id).toBe(b.id);
    });

    it('updateUsers is all or none: a conflict in the second patch leaves the first unapplied (StoreConflictError "email")', async () => {
      const poolId = await newPool();
      const holder = await newUser(poolId, 'holder', { emailKey: 'taken@example.com' });
      const a = await newUser(poolId, 'a');
      const b = await newUser(poolId, 'b');
      const first = {
        id: a.id,
        patch: { status: 'RESET_REQUIRED' as const, emailKey: 'free@example.com', attributes: { marker: 'first' } },
      };
      const err = await store
        .updateUsers(poolId, [first, { id: b.id, patch: { emailKey: 'taken@example.com' } }], NOW + 5)
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(StoreConflictError);
      expect((err as StoreConflictError).key).toBe('email');
      for (const u of [holder, a, b]) expect(await store.getUser(poolId, u.id)).toEqual(u);
      expect(await store.findUserByEmail(poolId, 'free@example.com')).toBeUndefined();
      // Two patches of one batch onto one free address: refused as a whole too.
      const both = await store
        .updateUsers(
          poolId,
          [
            { id: a.id, patch: { emailKey: 'both@example.com' } },
            { id: b.id, patch: { emailKey: 'both@example.com' } },
          ],
          NOW + 6,
        )
        .catch((e: unknown) => e);
      expect(both).toBeInstanceOf(StoreConflictError);
      for (const u of [a, b]) expect(await store.getUser(poolId, u.id)).toEqual(u);
      // Without the conflicting patch, the first applies.
      await ctx.other.updateUsers(poolId, [first], NOW + 8);
      expect(await store.getUser(poolId, a.id)).toEqual({ ...a, ...first.patch, updatedAt: NOW + 8 });
    });

    it('updateUsers: 50 concurrent moves of one alias to 50 users → one batch applies; 49 conflict, first patch unapplied', async () => {
      const poolId = await newPool();
      const prize = 'prize@example.com';
      const holder = await newUser(poolId, 'holder', { emailKey: prize, attributes: { email: prize } });
      const users = await concurrently(50, (i) => newUser(poolId, `mover-${i}`, { attributes: { email: prize } }));
      // As ConfirmSignUp with ForceAliasCreation: take the alias from its holder, give it to the new user.
      const results = await concurrently(50, (i) =>
        settle(
          ctx.pick(i).updateUsers(
            poolId,
            [
              { id: holder.id, patch: { emailKey: null, attributes: { email: prize, email_verified: 'false', movedBy: String(i) } } },
              { id: users[i]!.id, patch: { emailKey: prize, attributes: { email: prize, email_verified: 'true' } } },
            ],
            NOW + 1 + i,
          ),
        ),
      );
      expect(results.filter((r) => r.ok)).toHaveLength(1);
      const winner = results.findIndex((r) => r.ok);
      for (const r of results) {
        if (r.ok) continue;
        expect(r.error).toBeInstanceOf(StoreConflictError);
        expect((r.error as StoreConflictError).key).toBe('email');
      }
      // The holder carries the winner's first patch only; no loser's first patch survived its conflict.
      expect(await store.getUser(poolId, holder.id)).toEqual({
        ...holder,
        emailKey: null,
        attributes: { email: prize, email_verified: 'false', movedBy: String(winner) },
        updatedAt: NOW + 1 + winner,
      });
      expect((await store.findUserByEmail(poolId, prize))?.id).toBe(users[winner]!.id);
      for (let i = 0; i < 50; i++) if (i !== winner) expect(await store.getUser(poolId, users[i]!.id), `user ${i}`).toEqual(users[i]);
    });
  });
}

/**
 * The Store contract (storage/store.ts): the step reads — one statement that brings a request step's rows from several
 * tables (readPasskeySignIn, readRefresh, getTokenState with a passkey page), on both dialects (setup: ./setup.ts).
 * Each must answer exactly what the single-table reads it replaces answer, absent parts included.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import type { AuthSessionRecord, Store } from '../../src/storage/store.js';
import { dialects, NOW, passkeyRecord, rand, useStore } from './setup.js';

for (const dialect of dialects) {
  describe(dialect, () => {
    const ctx = useStore(dialect);
    const { newPool, newUser, newClient, newFamily } = ctx;
    let store: Store;
    beforeAll(() => {
      store = ctx.store;
    });

    /** Groups whose names and ARNs need escaping in JSON, with and without precedence. */
    async function withGroups(poolId: string, userId: string) {
      const groups = [
        { name: 'b "quoted" \\ group', precedence: 0, roleArn: 'arn:aws:iam::123456789012:role/b' },
        { name: 'a-ünïcødé ✓', precedence: null, roleArn: null },
        { name: 'c', precedence: 2 ** 31 - 1, roleArn: null },
      ];
      for (const g of groups) {
        expect(await store.createGroup({ poolId, description: null, createdAt: NOW, updatedAt: NOW, ...g }, 100)).toBe('ok');
        expect(await store.addUserToGroup(poolId, g.name, userId, 100)).toBe('ok');
      }
      // What listGroupsForUser answers, in its order (by name), is what the step reads must carry.
      return (await store.listGroupsForUser(poolId, userId, 101)).map((g) => ({
        name: g.name,
        precedence: g.precedence,
        roleArn: g.roleArn,
      }));
    }

    function sessionRecord(poolId: string, userId: string | null, extra: Partial<AuthSessionRecord> = {}): AuthSessionRecord {
      return {
        idHash: randomBytes(32).toString('hex'),
        poolId,
        clientId: 'c'.repeat(26),
        userId,
        state: { kind: 'WEB_AUTHN', challenge: rand(16), nested: { list: ['a', 1] } },
        expiresAt: NOW + 180_000,
        ...extra,
      };
    }

    it('readPasskeySignIn: session, passkey, its user and the user groups, as peekAuthSession, getPasskey, getUser read them', async () => {
      const poolId = await newPool();
      const user = await newUser(poolId);
      const pk = passkeyRecord(poolId, user.id, `step-${rand(4)}`, { transports: ['internal', 'hybrid'], signCount: 2 ** 32 - 1 });
      expect(await store.addPasskey(pk, 20)).toBe('added');
      const groups = await withGroups(poolId, user.id);
      expect(groups).toHaveLength(3);
      const session = sessionRecord(poolId, user.id);
      await store.putAuthSession(session);
      const got = await store.readPasskeySignIn({
        sessionHash: session.idHash,
        now: NOW,
        poolId,
        credentialId: pk.credentialId,
        groupLimit: 101,
      });
      expect(got.session).toEqual(await store.peekAuthSession(session.idHash, NOW));
      expect(got.session).toEqual(session);
      expect(got.passkey).toEqual(await store.getPasskey(poolId, pk.credentialId));
      expect(Buffer.from(got.passkey!.publicKey).equals(Buffer.from(pk.publicKey))).toBe(true);
      expect(got.user).toEqual(await store.getUser(poolId, user.id));
      expect(got.groups).toEqual(groups);
      // The group limit holds, in name order.
      const two = await store.readPasskeySignIn({
        sessionHash: session.idHash,
        now: NOW,
        poolId,
        credentialId: pk.credentialId,
        groupLimit: 2,
      });
      expect(two.groups).toEqual(groups.slice(0, 2));
    });

    it('readPasskeySignIn: each part is absent on its own (expired session, unknown id, another pool), never a wrong row', async () => {
      const poolId = await newPool();
      const user = await newUser(poolId);
      const pk = passkeyRecord(poolId, user.id, `absent-${rand(4)}`);
      expect(await store.addPasskey(pk, 20)).toBe('added');
      const live = sessionRecord(poolId, null);
      const expired = sessionRecord(poolId, user.id, { expiresAt: NOW - 1 });
      await store.putAuthSession(live);
      await store.putAuthSession(expired);
      const read = (sessionHash: string, credentialId: string, pool = poolId) =>
        store.readPasskeySignIn({ sessionHash, now: NOW, poolId: pool, credentialId, groupLimit: 101 });

      const noSession = await read(expired.idHash, pk.credentialId);
      expect(noSession.session).toBeUndefined();
      expect(noSession.passkey?.credentialId).toBe(pk.credentialId);
      expect(noSession.user?.id).toBe(user.id);
      expect(noSession.groups).toEqual([]);

      const noPasskey = await read(live.idHash, 'unknown-credential');
      expect(noPasskey).toEqual({ session: live, groups: [] });

      // The passkey is looked up in the pool asked for only.
      const otherPool = await read(live.idHash, pk.credentialId, await newPool());
      expect(otherPool).toEqual({ session: live, groups: [] });

      expect(await read('0'.repeat(64), 'unknown-credential')).toEqual({ groups: [] });
    });

    it('readRefresh: the family of the hash, its user and groups; an unknown hash reads nothing', async () => {
      const poolId = await newPool();
      const clientId = await newClient(poolId);
      const user = await newUser(poolId);
      const groups = await withGroups(poolId, user.id);
      const fam = await newFamily(poolId, clientId, user.id, { revokedAt: NOW - 5 });
      const got = await store.readRefresh(fam.refreshHash, 101);
      expect(got.family).toEqual(await store.getTokenFamilyByRefreshHash(fam.refreshHash));
      expect(got.family).toEqual(fam);
      expect(got.user).toEqual(await store.getUser(poolId, user.id));
      expect(got.groups).toEqual(groups);
      expect((await store.readRefresh(fam.refreshHash, 1)).groups).toEqual(groups.slice(0, 1));
      expect(await store.readRefresh('f'.repeat(64), 101)).toEqual({ groups: [] });
      // A family whose user is gone: the family, no user, no groups.
      expect(await store.deleteUser(poolId, user.id)).toBe(true);
      const orphan = await store.readRefresh(fam.refreshHash, 101);
      expect(orphan.user).toBeUndefined();
      expect(orphan.groups).toEqual([]);
    });

    it('getTokenState with a passkey page: the same answer as without, plus listPasskeys’ page (cursor, limit, empty)', async () => {
      const poolId = await newPool();
      const clientId = await newClient(poolId);
      const user = await newUser(poolId);
      const fam = await newFamily(poolId, clientId, user.id);
      for (let i = 0; i < 5; i++) {
        // Two share a created_at, so the cursor's tie-break on the id is exercised.
        const pk = passkeyRecord(poolId, user.id, `page-${i}-${rand(3)}`, { createdAt: NOW + Math.min(i, 3) });
        expect(await store.addPasskey(pk, 20)).toBe('added');
      }
      const all = await store.listPasskeys(poolId, user.id, 100);
      const plain = await store.getTokenState(poolId, fam.originJti, user.id);
      const first = await store.getTokenState(poolId, fam.originJti, user.id, { passkeys: { limit: 3 } });
      expect({ familyRevoked: first.familyRevoked, user: first.user }).toEqual(plain);
      expect(plain.familyRevoked).toBe(false);
      expect(first.passkeys).toEqual(all.slice(0, 3));
      const last = all[2]!;
      const rest = await store.getTokenState(poolId, fam.originJti, user.id, {
        passkeys: { limit: 3, after: { createdAt: last.createdAt, credentialId: last.credentialId } },
      });
      expect(rest.passkeys).toEqual(
        await store.listPasskeys(poolId, user.id, 3, { createdAt: last.createdAt, credentialId: last.credentialId }),
      );
      expect(rest.passkeys).toEqual(all.slice(3));

      const bare = await newUser(poolId);
      const none = await store.getTokenState(poolId, 'no-such-jti', bare.id, { passkeys: { limit: 3 } });
      expect(none).toEqual({ familyRevoked: true, user: await store.getUser(poolId, bare.id), passkeys: [] });
      expect(await store.getTokenState(poolId, fam.originJti, 'no-such-user', { passkeys: { limit: 3 } })).toEqual({
        familyRevoked: true,
        user: undefined,
        passkeys: [],
      });
      // One passkey by id (any user's, this pool's) and the live challenge, alongside the page or alone.
      const other = await newUser(poolId);
      const theirs = passkeyRecord(poolId, other.id, `theirs-${rand(3)}`);
      expect(await store.addPasskey(theirs, 20)).toBe('added');
      const challenge = { challenge: rand(16), kind: 'registration' as const, poolId, userId: user.id, clientId, expiresAt: NOW + 1000 };
      await store.putChallenge({ ...challenge, conditionalCreate: true });
      const withBoth = await store.getTokenState(poolId, fam.originJti, user.id, {
        passkeys: { limit: 2 },
        passkey: theirs.credentialId,
        challenge: { challenge: challenge.challenge, now: NOW },
      });
      expect(withBoth.passkeys).toEqual(all.slice(0, 2));
      expect(withBoth.passkey).toEqual(await store.getPasskey(poolId, theirs.credentialId));
      expect(withBoth.challenge).toEqual(await store.peekChallenge(challenge.challenge, NOW));
      expect(withBoth.challenge).toEqual({ ...challenge, conditionalCreate: true });
      const absent = await store.getTokenState(poolId, fam.originJti, user.id, {
        passkey: 'no-such-credential',
        challenge: { challenge: challenge.challenge, now: NOW + 1000 },
      });
      expect(absent).toEqual(plain);
      expect(
        (await store.getTokenState(await newPool(), fam.originJti, user.id, { passkey: theirs.credentialId })).passkey,
      ).toBeUndefined();

      // Revocation reads the same with or without the page.
      expect(await store.revokeTokenFamily(fam.originJti, NOW)).toBe(true);
      expect((await store.getTokenState(poolId, fam.originJti, user.id, { passkeys: { limit: 3 } })).familyRevoked).toBe(true);
    });

    it('findUserByLogin in one statement: alias-first / username-first when the alias and a username name two users', async () => {
      const poolId = await newPool();
      const email = `x${rand(3)}@example.com`;
      const owner = await newUser(poolId, `owner-${rand(3)}`, { emailKey: email, attributes: { email } });
      // A username that looks like the other user's email (refused in alias pools today, but may predate that rule).
      const lookalike = await newUser(poolId, email);
      expect((await store.findUserByLogin(poolId, email, email, 'alias-first'))?.id).toBe(owner.id);
      expect((await store.findUserByLogin(poolId, email, email, 'username-first'))?.id).toBe(lookalike.id);
      expect((await store.findUserByLogin(poolId, 'nobody', email, 'username-first'))?.id).toBe(owner.id);
      expect((await store.findUserByLogin(poolId, owner.usernameKey, null))?.id).toBe(owner.id);
      expect(await store.findUserByLogin(poolId, 'nobody', 'nobody@example.com')).toBeUndefined();
    });

    it('findSignInUserWithPasskeys: the alias-first user and the first passkeys in listPasskeys order', async () => {
      const poolId = await newPool();
      const email = `y${rand(3)}@example.com`;
      const owner = await newUser(poolId, `owner-${rand(3)}`, { emailKey: email, attributes: { email } });
      const lookalike = await newUser(poolId, email);
      for (let i = 0; i < 4; i++)
        expect(await store.addPasskey(passkeyRecord(poolId, owner.id, `own-${i}-${rand(3)}`, { createdAt: NOW + (i % 2) }), 20)).toBe(
          'added',
        );
      expect(await store.addPasskey(passkeyRecord(poolId, lookalike.id, `look-${rand(3)}`), 20)).toBe('added');
      const all = await store.listPasskeys(poolId, owner.id, 100);
      const got = await store.findSignInUserWithPasskeys(poolId, email, email, 100);
      expect(got).toEqual({ user: await store.getUser(poolId, owner.id), passkeys: all });
      expect((await store.findSignInUserWithPasskeys(poolId, email, email, 3)).passkeys).toEqual(all.slice(0, 3));
      expect((await store.findSignInUserWithPasskeys(poolId, email, email, 0)).passkeys).toEqual([]);
      const bare = await newUser(poolId);
      expect(await store.findSignInUserWithPasskeys(poolId, bare.usernameKey, null, 100)).toEqual({
        user: await store.getUser(poolId, bare.id),
        passkeys: [],
      });
      expect(await store.findSignInUserWithPasskeys(poolId, 'nobody', null, 100)).toEqual({ passkeys: [] });
    });

    it('findUserWithGroups: the user findUserByLogin finds in either order, with its groups; none for no user', async () => {
      const poolId = await newPool();
      const email = `z${rand(3)}@example.com`;
      const owner = await newUser(poolId, `owner-${rand(3)}`, { emailKey: email, attributes: { email } });
      const lookalike = await newUser(poolId, email);
      const groups = await withGroups(poolId, owner.id);
      expect(await store.findUserWithGroups(poolId, email, email, 'alias-first', 101)).toEqual({
        user: await store.getUser(poolId, owner.id),
        groups,
      });
      expect(await store.findUserWithGroups(poolId, email, email, 'username-first', 101)).toEqual({
        user: await store.getUser(poolId, lookalike.id),
        groups: [],
      });
      expect((await store.findUserWithGroups(poolId, 'nobody', email, 'alias-first', 2)).groups).toEqual(groups.slice(0, 2));
      expect(await store.findUserWithGroups(poolId, 'nobody', null, 'alias-first', 101)).toEqual({ groups: [] });
      // By id, as getUser.
      expect(await store.getUserWithGroups(poolId, owner.id, 101)).toEqual({ user: await store.getUser(poolId, owner.id), groups });
      expect(await store.getUserWithGroups(await newPool(), owner.id, 101)).toEqual({ groups: [] });
    });
  });
}

/** The Store contract (storage/store.ts): pools and app clients, and deletePool's cascade, on both dialects (setup: ./setup.ts). */
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { StoreConflictError, type Store } from '../../src/storage/store.js';
import { dialects, NOW, passkeyRecord, rand, useStore } from './setup.js';

for (const dialect of dialects) {
  describe(dialect, () => {
    const ctx = useStore(dialect);
    const { newPool, newUser, newClient } = ctx;
    let store: Store;
    beforeAll(() => {
      store = ctx.store;
    });

    it('createPool conflicts on the id; getPool / updatePool / listPools', async () => {
      const id = await newPool({ UsernameAttributes: ['email'] });
      const err = await store.createPool({ id, name: 'dup', config: {}, createdAt: NOW, updatedAt: NOW }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(StoreConflictError);
      expect((err as StoreConflictError).key).toBe('pool');
      expect(await store.getPool(id)).toEqual({
        id,
        name: `pool-${id}`,
        config: { UsernameAttributes: ['email'] },
        createdAt: NOW,
        updatedAt: NOW,
      });
      expect(await store.updatePool(id, { MfaConfiguration: 'OFF' }, NOW + 5)).toBe(true);
      expect(await store.getPool(id)).toMatchObject({ config: { MfaConfiguration: 'OFF' }, updatedAt: NOW + 5, createdAt: NOW });
      expect(await store.updatePool('local_nothere00', {}, NOW)).toBe(false);
      const all = await store.listPools(1000);
      const ids = all.map((p) => p.id);
      expect(ids).toContain(id);
      expect([...ids].sort()).toEqual(ids);
      const paged: string[] = [];
      let after: string | undefined;
      for (;;) {
        const page = await store.listPools(2, after);
        paged.push(...page.map((p) => p.id));
        if (page.length < 2) break;
        after = page[page.length - 1]!.id;
      }
      expect(paged).toEqual(ids);
    });

    it('clients: create conflict, get, update, list scoped and paged by id, delete', async () => {
      const poolId = await newPool();
      const otherPool = await newPool();
      const ids = await Promise.all([1, 2, 3, 4, 5].map(() => newClient(poolId)));
      const foreign = await newClient(otherPool);
      const err = await store
        .createClient({ id: ids[0]!, poolId, name: 'dup', config: {}, createdAt: NOW, updatedAt: NOW })
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(StoreConflictError);
      expect((err as StoreConflictError).key).toBe('client');
      expect(await store.updateClient(ids[0]!, 'renamed', { AccessTokenValidity: 5 }, NOW + 1)).toBe(true);
      expect(await store.getClient(ids[0]!)).toEqual({
        id: ids[0],
        poolId,
        name: 'renamed',
        config: { AccessTokenValidity: 5 },
        createdAt: NOW,
        updatedAt: NOW + 1,
      });
      const sorted = [...ids].sort();
      expect((await store.listClients(poolId, 100)).map((c) => c.id)).toEqual(sorted);
      expect((await store.listClients(poolId, 2)).map((c) => c.id)).toEqual(sorted.slice(0, 2));
      expect((await store.listClients(poolId, 2, sorted[1])).map((c) => c.id)).toEqual(sorted.slice(2, 4));
      expect((await store.listClients(poolId, 2, sorted[3])).map((c) => c.id)).toEqual(sorted.slice(4));
      expect(await store.deleteClient(otherPool, ids[0]!)).toBe(false); // not that pool's
      expect(await store.getClient(ids[0]!)).toBeDefined();
      expect(await store.deleteClient(poolId, ids[0]!)).toBe(true);
      expect(await store.deleteClient(poolId, ids[0]!)).toBe(false);
      expect(await store.getClient(ids[0]!)).toBeUndefined();
      expect(await store.getClient(foreign)).toBeDefined();
    });

    it('deletePool removes the pool and everything in it; other pools untouched', async () => {
      const seed = async () => {
        const poolId = await newPool();
        const clientId = await newClient(poolId);
        const u = await newUser(poolId, 'someone', { emailKey: 'someone@example.com' });
        const cred = `cred-${rand(4)}`;
        await store.addPasskey(passkeyRecord(poolId, u.id, cred), 20);
        await store.putCode({ poolId, userId: u.id, purpose: 'signup', codeHash: 'h', attempts: 0, expiresAt: NOW + 60_000 });
        const challenge = `ch-${rand(4)}`;
        await store.putChallenge({ challenge, kind: 'registration', poolId, userId: u.id, clientId, expiresAt: NOW + 60_000 });
        const idHash = `sess-${rand(4)}`;
        await store.putAuthSession({ idHash, poolId, clientId, userId: null, state: {}, expiresAt: NOW + 60_000 });
        const refreshHash = `rt-${rand(4)}`;
        await ctx.newFamily(poolId, clientId, u.id, { refreshHash });
        const kid = randomUUID();
        await store.rotateSigningKey(
          {
            kid,
            poolId,
            alg: 'RS256',
            privateKeyEnc: 'v1.x.y.z',
            publicJwk: { kid, kty: 'RSA' },
            createdAt: NOW,
            retiredAt: null,
            expiresAt: null,
          },
          NOW,
          NOW + 1000,
        );
        await store.addOutbox({
          poolId,
          userId: u.id,
          destination: 'someone@example.com',
          subject: 's',
          body: 'b',
          code: '123456',
          createdAt: NOW,
        });
        return { poolId, clientId, u, cred, challenge, idHash, refreshHash, kid };
      };
      const doomed = await seed();
      const kept = await seed();
      expect(await store.deletePool(doomed.poolId)).toBe(true);
      expect(await store.getPool(doomed.poolId)).toBeUndefined();
      expect(await store.getClient(doomed.clientId)).toBeUndefined();
      expect(await store.getUser(doomed.poolId, doomed.u.id)).toBeUndefined();
      expect(await store.getPasskey(doomed.poolId, doomed.cred)).toBeUndefined();
      expect(await store.getTokenFamilyByRefreshHash(doomed.refreshHash)).toBeUndefined();
      expect(await store.getSigningKey(doomed.kid)).toBeUndefined();
      expect(await store.listSigningKeys(doomed.poolId, NOW)).toEqual([]);
      expect(await store.listOutbox(doomed.poolId, 10)).toEqual([]);
      expect(await store.listClients(doomed.poolId, 10)).toEqual([]);
      expect(await store.listUsers(doomed.poolId, 10, undefined, undefined)).toEqual([]);
      expect(await store.useCode(doomed.poolId, doomed.u.id, 'signup', NOW, 5, () => true)).toBe('missing');
      expect(await store.consumeChallenge(doomed.challenge, NOW)).toBeUndefined();
      expect(await store.consumeAuthSession(doomed.idHash, NOW)).toBeUndefined();
      expect(await store.deletePool(doomed.poolId)).toBe(false);

      expect(await store.getPool(kept.poolId)).toBeDefined();
      expect(await store.getClient(kept.clientId)).toBeDefined();
      expect(await store.getUser(kept.poolId, kept.u.id)).toBeDefined();
      expect(await store.getPasskey(kept.poolId, kept.cred)).toBeDefined();
      expect(await store.getTokenFamilyByRefreshHash(kept.refreshHash)).toBeDefined();
      expect(await store.getSigningKey(kept.kid)).toBeDefined();
      expect(await store.listOutbox(kept.poolId, 10)).toHaveLength(1);
      expect(await store.consumeChallenge(kept.challenge, NOW)).toBeDefined();
      expect(await store.consumeAuthSession(kept.idHash, NOW)).toBeDefined();
    });
  });
}

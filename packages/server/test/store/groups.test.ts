/** The Store contract (storage/store.ts): groups and memberships, on both dialects (setup: ./setup.ts). */
import { beforeAll, describe, expect, it } from 'vitest';
import type { GroupRecord, Store } from '../../src/storage/store.js';
import { dialects, NOW, useStore } from './setup.js';

const group = (poolId: string, name: string, extra: Partial<GroupRecord> = {}): GroupRecord => ({
  poolId,
  name,
  description: null,
  roleArn: null,
  precedence: null,
  createdAt: NOW,
  updatedAt: NOW,
  ...extra,
});

for (const dialect of dialects) {
  describe(dialect, () => {
    const ctx = useStore(dialect);
    let store: Store;
    beforeAll(() => {
      store = ctx.store;
    });

    it('createGroup: the name is the key (case-sensitive), the pool quota is enforced, other pools are separate', async () => {
      const poolId = await ctx.newPool();
      const other = await ctx.newPool();
      expect(await store.createGroup(group(poolId, 'a', { precedence: 7, roleArn: 'arn:x' }), 2)).toBe('ok');
      expect(await store.getGroup(poolId, 'a')).toEqual(group(poolId, 'a', { precedence: 7, roleArn: 'arn:x' }));
      expect(await store.createGroup(group(poolId, 'a'), 2)).toBe('exists');
      expect(await store.createGroup(group(poolId, 'A'), 2)).toBe('ok');
      expect(await store.createGroup(group(poolId, 'b'), 2)).toBe('limit');
      expect(await store.getGroup(poolId, 'b')).toBeUndefined();
      expect(await store.createGroup(group(other, 'b'), 2)).toBe('ok');
      expect((await store.listGroups(poolId, 10)).map((g) => g.name)).toEqual(['A', 'a']);
      expect((await store.listGroups(poolId, 10, 'A')).map((g) => g.name)).toEqual(['a']);
    });

    it('updateGroup applies only the patch; absent groups give undefined', async () => {
      const poolId = await ctx.newPool();
      await store.createGroup(group(poolId, 'g', { description: 'd', precedence: 1 }), 10);
      expect(await store.updateGroup(poolId, 'g', { precedence: 0 }, NOW + 1)).toEqual(
        group(poolId, 'g', { description: 'd', precedence: 0, updatedAt: NOW + 1 }),
      );
      expect(await store.updateGroup(poolId, 'missing', { precedence: 0 }, NOW + 1)).toBeUndefined();
    });

    it('memberships: idempotent add, per-user quota, why an add fails, listings both ways', async () => {
      const poolId = await ctx.newPool();
      const u = await ctx.newUser(poolId, 'bob');
      const v = await ctx.newUser(poolId, 'amy');
      for (const n of ['g1', 'g2', 'g3']) await store.createGroup(group(poolId, n), 10);
      expect(await store.addUserToGroup(poolId, 'g1', u.id, 2)).toBe('ok');
      expect(await store.addUserToGroup(poolId, 'g1', u.id, 2)).toBe('ok');
      expect(await store.addUserToGroup(poolId, 'g2', u.id, 2)).toBe('ok');
      expect(await store.addUserToGroup(poolId, 'g3', u.id, 2)).toBe('limit');
      expect(await store.addUserToGroup(poolId, 'g2', u.id, 2)).toBe('ok');
      expect(await store.addUserToGroup(poolId, 'nope', u.id, 2)).toBe('no-group');
      expect(await store.addUserToGroup(poolId, 'g1', 'no-such-user', 2)).toBe('no-user');
      expect(await store.addUserToGroup(poolId, 'g1', v.id, 2)).toBe('ok');
      expect((await store.listGroupsForUser(poolId, u.id, 10)).map((g) => g.name)).toEqual(['g1', 'g2']);
      expect((await store.listGroupsForUser(poolId, u.id, 10, 'g1')).map((g) => g.name)).toEqual(['g2']);
      expect((await store.listUsersInGroup(poolId, 'g1', 10)).map((x) => x.username)).toEqual(['amy', 'bob']);
      expect((await store.listUsersInGroup(poolId, 'g1', 1, 'amy')).map((x) => x.username)).toEqual(['bob']);
      expect(await store.removeUserFromGroup(poolId, 'g1', u.id)).toBe(true);
      expect(await store.removeUserFromGroup(poolId, 'g1', u.id)).toBe(false);
    });

    it('deleteGroup, deleteUser and deletePool remove the memberships with them', async () => {
      const poolId = await ctx.newPool();
      const u = await ctx.newUser(poolId, 'carl');
      const v = await ctx.newUser(poolId, 'dora');
      for (const n of ['x', 'y']) await store.createGroup(group(poolId, n), 10);
      for (const n of ['x', 'y']) for (const who of [u, v]) await store.addUserToGroup(poolId, n, who.id, 10);
      expect(await store.deleteGroup(poolId, 'x')).toBe(true);
      expect(await store.deleteGroup(poolId, 'x')).toBe(false);
      await store.createGroup(group(poolId, 'x'), 10);
      expect(await store.listUsersInGroup(poolId, 'x', 10)).toEqual([]);
      expect(await store.deleteUser(poolId, u.id)).toBe(true);
      expect((await store.listUsersInGroup(poolId, 'y', 10)).map((x) => x.username)).toEqual(['dora']);
      await ctx.newUser(poolId, 'carl');
      expect(await store.deletePool(poolId)).toBe(true);
      expect(await store.getGroup(poolId, 'y')).toBeUndefined();
      expect(await store.listGroupsForUser(poolId, v.id, 10)).toEqual([]);
    });
  });
}

for (const dialect of dialects) {
  describe(`${dialect}: quotas under concurrency`, () => {
    const ctx = useStore(dialect);

    it('50 concurrent adds (two connection pools on PostgreSQL) for a user 2 short of the limit: exactly 2 land', async () => {
      const poolId = await ctx.newPool();
      const u = await ctx.newUser(poolId, 'racer');
      for (let i = 0; i < 60; i++) await ctx.store.createGroup(group(poolId, `g${String(i).padStart(2, '0')}`), 100);
      for (let i = 0; i < 8; i++) expect(await ctx.store.addUserToGroup(poolId, `g${String(i).padStart(2, '0')}`, u.id, 10)).toBe('ok');
      const results = await Promise.all(
        Array.from({ length: 50 }, (_, i) => ctx.pick(i).addUserToGroup(poolId, `g${String(10 + i).padStart(2, '0')}`, u.id, 10)),
      );
      expect(results.filter((r) => r === 'ok')).toHaveLength(2);
      expect(results.filter((r) => r === 'limit')).toHaveLength(48);
      expect(await ctx.store.listGroupsForUser(poolId, u.id, 100)).toHaveLength(10);
    });

    it('50 concurrent creates for a pool 3 short of its quota: exactly 3 land', async () => {
      const poolId = await ctx.newPool();
      for (let i = 0; i < 7; i++) await ctx.store.createGroup(group(poolId, `pre${i}`), 10);
      const results = await Promise.all(Array.from({ length: 50 }, (_, i) => ctx.pick(i).createGroup(group(poolId, `new${i}`), 10)));
      expect(results.filter((r) => r === 'ok')).toHaveLength(3);
      expect(await ctx.store.listGroups(poolId, 100)).toHaveLength(10);
    });
  });
}

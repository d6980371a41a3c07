import { sql, type Selectable } from 'kysely';
import type { GroupPatch, GroupRecord, UserRecord } from '../types.js';
import type { GroupsTable } from './schema.js';
import { toUser } from './rows.js';
import { DevicesStore } from './devices.js';
import { conflict } from './base.js';
import { StoreConflictError } from '../store.js';

const toGroup = (r: Selectable<GroupsTable>): GroupRecord => ({
  poolId: r.pool_id,
  name: r.name,
  description: r.description,
  roleArn: r.role_arn,
  precedence: r.precedence === null ? null : Number(r.precedence),
  createdAt: Number(r.created_at),
  updatedAt: Number(r.updated_at),
});

/** User-pool groups and their memberships (Store's "groups" section documents the atomicity). */
export class GroupsStore extends DevicesStore {
  async createGroup(g: GroupRecord, maxGroups: number): Promise<'ok' | 'exists' | 'limit'> {
    try {
      // The pool's row is locked first (a no-op UPDATE), so concurrent creates in one pool take turns and the
      // count the guarded INSERT … SELECT sees is exact on PostgreSQL too (SQLite serialises writers anyway).
      return await this.db.transaction().execute(async (trx) => {
        await trx
          .updateTable('pools')
          .set({ updated_at: sql`updated_at` })
          .where('id', '=', g.poolId)
          .execute();
        const r = await sql`
          insert into groups (pool_id, name, description, role_arn, precedence, created_at, updated_at)
          select ${g.poolId}, ${g.name}, ${g.description}, ${g.roleArn}, ${g.precedence}, ${g.createdAt}, ${g.updatedAt}
          where (select count(*) from groups where pool_id = ${g.poolId}) < ${maxGroups}`.execute(trx);
        return Number(r.numAffectedRows ?? 0) > 0 ? ('ok' as const) : ('limit' as const);
      });
    } catch (err) {
      try {
        conflict(err, 'other');
      } catch (mapped) {
        if (mapped instanceof StoreConflictError) return 'exists';
        throw mapped;
      }
    }
  }
  async getGroup(poolId: string, name: string): Promise<GroupRecord | undefined> {
    const r = await this.db.selectFrom('groups').selectAll().where('pool_id', '=', poolId).where('name', '=', name).executeTakeFirst();
    return r && toGroup(r);
  }
  async updateGroup(poolId: string, name: string, patch: GroupPatch, updatedAt: number): Promise<GroupRecord | undefined> {
    const set: Partial<GroupsTable> = { updated_at: updatedAt };
    if (patch.description !== undefined) set.description = patch.description;
    if (patch.roleArn !== undefined) set.role_arn = patch.roleArn;
    if (patch.precedence !== undefined) set.precedence = patch.precedence;
    const r = await this.db
      .updateTable('groups')
      .set(set)
      .where('pool_id', '=', poolId)
      .where('name', '=', name)
      .returningAll()
      .executeTakeFirst();
    return r && toGroup(r);
  }
  async deleteGroup(poolId: string, name: string): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('group_members').where('pool_id', '=', poolId).where('group_name', '=', name).execute();
      const r = await trx.deleteFrom('groups').where('pool_id', '=', poolId).where('name', '=', name).executeTakeFirst();
      return Number(r.numDeletedRows) > 0;
    });
  }
  async listGroups(poolId: string, limit: number, after?: string): Promise<GroupRecord[]> {
    let q = this.db.selectFrom('groups').selectAll().where('pool_id', '=', poolId).orderBy('name').limit(limit);
    if (after !== undefined) q = q.where('name', '>', after);
    return (await q.execute()).map(toGroup);
  }
  async addUserToGroup(
    poolId: string,
    name: string,
    userId: string,
    maxGroupsPerUser: number,
  ): Promise<'ok' | 'no-group' | 'no-user' | 'limit'> {
    // One guarded INSERT … SELECT (idempotent: an existing membership is left as it is). The foreign keys
    // make it fail, not orphan a row, when the group or user is deleted concurrently.
    try {
      // The user's row is locked first, so concurrent adds for one user take turns: the count is exact everywhere.
      const r = await this.db.transaction().execute(async (trx) => {
        await trx
          .updateTable('users')
          .set({ updated_at: sql`updated_at` })
          .where('pool_id', '=', poolId)
          .where('id', '=', userId)
          .execute();
        return sql`
        insert into group_members (pool_id, group_name, user_id)
        select ${poolId}, ${name}, ${userId}
        where exists (select 1 from groups where pool_id = ${poolId} and name = ${name})
          and exists (select 1 from users where pool_id = ${poolId} and id = ${userId})
          and (exists (select 1 from group_members where pool_id = ${poolId} and group_name = ${name} and user_id = ${userId})
            or (select count(*) from group_members where pool_id = ${poolId} and user_id = ${userId}) < ${maxGroupsPerUser})
        on conflict (pool_id, group_name, user_id) do nothing`.execute(trx);
      });
      if (Number(r.numAffectedRows ?? 0) > 0) return 'ok';
    } catch (err) {
      const code = (err as { code?: string }).code ?? '';
      if (code !== '23503' && !code.startsWith('SQLITE_CONSTRAINT')) throw err;
    }
    // Nothing inserted: say why (or 'ok' when the membership already existed).
    if (!(await this.getGroup(poolId, name))) return 'no-group';
    const user = await this.db.selectFrom('users').select('id').where('pool_id', '=', poolId).where('id', '=', userId).executeTakeFirst();
    if (!user) return 'no-user';
    const member = await this.db
      .selectFrom('group_members')
      .select('user_id')
      .where('pool_id', '=', poolId)
      .where('group_name', '=', name)
      .where('user_id', '=', userId)
      .executeTakeFirst();
    return member ? 'ok' : 'limit';
  }
  async removeUserFromGroup(poolId: string, name: string, userId: string): Promise<boolean> {
    const r = await this.db
      .deleteFrom('group_members')
      .where('pool_id', '=', poolId)
      .where('group_name', '=', name)
      .where('user_id', '=', userId)
      .executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }
  async listGroupsForUser(poolId: string, userId: string, limit: number, after?: string): Promise<GroupRecord[]> {
    let q = this.db
      .selectFrom('group_members as m')
      .innerJoin('groups as g', (j) => j.onRef('g.pool_id', '=', 'm.pool_id').onRef('g.name', '=', 'm.group_name'))
      .selectAll('g')
      .where('m.pool_id', '=', poolId)
      .where('m.user_id', '=', userId)
      .orderBy('g.name')
      .limit(limit);
    if (after !== undefined) q = q.where('g.name', '>', after);
    return (await q.execute()).map(toGroup);
  }
  async listUsersInGroup(poolId: string, name: string, limit: number, after?: string): Promise<UserRecord[]> {
    let q = this.db
      .selectFrom('group_members as m')
      .innerJoin('users as u', (j) => j.onRef('u.pool_id', '=', 'm.pool_id').onRef('u.id', '=', 'm.user_id'))
      .selectAll('u')
      .where('m.pool_id', '=', poolId)
      .where('m.group_name', '=', name)
      .orderBy('u.username_key')
      .limit(limit);
    if (after !== undefined) q = q.where('u.username_key', '>', after);
    return (await q.execute()).map(toUser);
  }
}

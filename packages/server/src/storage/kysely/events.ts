import { sql } from 'kysely';
import type { LifecycleEventRecord } from '../types.js';
import { GroupsStore } from './groups.js';
import { insertEvents, toEvent } from './eventRows.js';

/** The lifecycle-event outbox: insert, lease-guarded claims, delivery outcomes, the per-user history. */
export class EventsStore extends GroupsStore {
  async addEvents(events: readonly LifecycleEventRecord[]): Promise<void> {
    await insertEvents(this.db, events);
  }
  async claimEvents(now: number, leaseMs: number, limit: number, owner: string): Promise<LifecycleEventRecord[]> {
    // One guarded UPDATE: the WHERE is evaluated again on each row as it is locked (PostgreSQL) or under the
    // single writer (SQLite), so an event leased by another instance in the meantime is not taken twice.
    // SKIP LOCKED lets PostgreSQL instances claim disjoint batches instead of queueing on the same rows.
    // An idle outbox is the usual case: a plain read first, so a poll takes no write lock when nothing is due.
    const due = await this.db
      .selectFrom('events')
      .select('id')
      .where('next_attempt_at', '<=', now)
      .where('lease_until', '<=', now)
      .limit(1)
      .executeTakeFirst();
    if (!due) return [];
    const skip = this.dialect === 'postgres' ? sql`for update skip locked` : sql``;
    const r = await sql<Record<string, unknown>>`
      update events set lease_until = ${now + leaseMs}, lease_owner = ${owner}, attempts = attempts + 1
      where id in (
        select id from events
        where next_attempt_at is not null and next_attempt_at <= ${now} and lease_until <= ${now}
        order by next_attempt_at limit ${limit} ${skip}
      )
      and next_attempt_at is not null and next_attempt_at <= ${now} and lease_until <= ${now}
      returning *`.execute(this.db);
    return r.rows.map((row) => toEvent(row as never)).sort((a, b) => a.createdAt - b.createdAt);
  }
  async markEventDelivered(id: string, owner: string, now: number): Promise<boolean> {
    const r = await this.db
      .updateTable('events')
      .set({ delivered_at: now, next_attempt_at: null, lease_until: 0, lease_owner: null, last_error: null })
      .where('id', '=', id)
      .where('lease_owner', '=', owner)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }
  async markEventFailed(id: string, owner: string, nextAttemptAt: number | null, error: string): Promise<boolean> {
    const r = await this.db
      .updateTable('events')
      .set({ next_attempt_at: nextAttemptAt, lease_until: 0, lease_owner: null, last_error: error.slice(0, 200) })
      .where('id', '=', id)
      .where('lease_owner', '=', owner)
      .where('delivered_at', 'is', null)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }
  async listUserEvents(
    poolId: string,
    userId: string,
    limit: number,
    before?: { createdAt: number; id: string },
    types?: readonly string[],
  ): Promise<LifecycleEventRecord[]> {
    let q = this.db
      .selectFrom('events')
      .selectAll()
      .where('pool_id', '=', poolId)
      .where('user_id', '=', userId)
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(limit);
    if (types) q = q.where('type', 'in', types.length ? [...types] : ['']);
    if (before)
      q = q.where((eb) =>
        eb.or([eb('created_at', '<', before.createdAt), eb.and([eb('created_at', '=', before.createdAt), eb('id', '<', before.id)])]),
      );
    return (await q.execute()).map(toEvent);
  }
  async countPendingEvents(poolId?: string): Promise<number> {
    let q = this.db
      .selectFrom('events')
      .select((eb) => eb.fn.countAll().as('n'))
      .where('next_attempt_at', 'is not', null);
    if (poolId !== undefined) q = q.where('pool_id', '=', poolId);
    return Number((await q.executeTakeFirstOrThrow()).n);
  }
}

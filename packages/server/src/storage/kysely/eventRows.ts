import type { Selectable } from 'kysely';
import type { LifecycleEventRecord, LifecycleEventType } from '../types.js';
import type { EventsTable } from './schema.js';
import type { Db } from './base.js';

/** Inserts lifecycle events on a connection or, as the transactional methods do, inside their transaction. */
export async function insertEvents(db: Db, events: readonly LifecycleEventRecord[] | undefined): Promise<void> {
  if (!events || events.length === 0) return;
  await db
    .insertInto('events')
    .values(
      events.map((e) => ({
        id: e.id,
        pool_id: e.poolId,
        user_id: e.userId,
        username: e.username,
        type: e.type,
        detail: JSON.stringify(e.detail),
        created_at: e.createdAt,
        next_attempt_at: e.nextAttemptAt,
        attempts: e.attempts,
        lease_until: 0,
        lease_owner: null,
        delivered_at: e.deliveredAt,
        last_error: null,
      })),
    )
    .execute();
}

const num = (v: unknown) => (v === null ? null : Number(v));

export const toEvent = (r: Selectable<EventsTable>): LifecycleEventRecord => ({
  id: r.id,
  poolId: r.pool_id,
  userId: r.user_id,
  username: r.username,
  type: r.type as LifecycleEventType,
  detail: JSON.parse(r.detail),
  createdAt: Number(r.created_at),
  nextAttemptAt: num(r.next_attempt_at),
  attempts: Number(r.attempts),
  deliveredAt: num(r.delivered_at),
});

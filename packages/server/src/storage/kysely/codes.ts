import { sql } from 'kysely';
import type { CodePurpose, CodeRecord, OutboxMessage, TokenFamilyRecord } from '../types.js';
import { toFamily, toOutbox, toUser } from './rows.js';
import { UsersStore } from './users.js';
import type { Db } from './base.js';

/** One-time codes, the outbox and token families. */
export class CodesStore extends UsersStore {
  // ---- send budgets ----
  async admitBudget(poolId: string, key: string, purpose: string, now: number, limit: number, windowMs: number): Promise<boolean> {
    // ONE statement, as admitLoginAttempt: an insert for a first use, else an increment guarded by
    // "window over, or budget left". An ended window starts over at 1 with a new end.
    const big = (x: number) => sql`cast(${x} as bigint)`;
    const ended = sql`send_budgets.window_ends_at <= ${big(now)}`;
    const r = await sql<{ used: number }>`
      insert into send_budgets (pool_id, budget_key, purpose, used, window_ends_at)
      values (${poolId}, ${key}, ${purpose}, 1, ${big(now + windowMs)})
      on conflict (pool_id, budget_key, purpose) do update set
        used = case when ${ended} then 1 else send_budgets.used + 1 end,
        window_ends_at = case when ${ended} then ${big(now + windowMs)} else send_budgets.window_ends_at end
      where ${ended} or send_budgets.used < ${limit}
      returning used`.execute(this.db);
    return r.rows.length > 0;
  }

  // ---- codes and outbox ----
  async putCode(c: CodeRecord, message?: Omit<OutboxMessage, 'id'>): Promise<void> {
    const put = (db: Db) =>
      db
        .insertInto('codes')
        .values({
          pool_id: c.poolId,
          user_id: c.userId,
          purpose: c.purpose,
          code_hash: c.codeHash,
          attempts: c.attempts,
          expires_at: c.expiresAt,
        })
        .onConflict((oc) =>
          oc
            .columns(['pool_id', 'user_id', 'purpose'])
            .doUpdateSet({ code_hash: c.codeHash, attempts: c.attempts, expires_at: c.expiresAt }),
        )
        .execute();
    if (!message) {
      await put(this.db);
      return;
    }
    await this.db.transaction().execute(async (trx) => {
      await put(trx);
      await insertOutbox(trx, message);
    });
  }
  async putStandInCode(poolId: string, nameKey: string, purpose: CodePurpose, expiresAt: number): Promise<void> {
    await this.db
      .insertInto('standin_codes')
      .values({ pool_id: poolId, name_key: nameKey, purpose, attempts: 0, expires_at: expiresAt })
      .onConflict((oc) => oc.columns(['pool_id', 'name_key', 'purpose']).doUpdateSet({ attempts: 0, expires_at: expiresAt }))
      .execute();
  }
  async useStandInCode(poolId: string, nameKey: string, purpose: CodePurpose, now: number, maxAttempts: number) {
    // The same statements as useCode's mismatch path, so both cost the same.
    const bumped = await this.db
      .updateTable('standin_codes')
      .set({ attempts: sql`attempts + 1` })
      .where('pool_id', '=', poolId)
      .where('name_key', '=', nameKey)
      .where('purpose', '=', purpose)
      .where('attempts', '<', maxAttempts)
      .returning(['expires_at'])
      .executeTakeFirst();
    if (!bumped) {
      const exists = await this.db
        .selectFrom('standin_codes')
        .select('attempts')
        .where('pool_id', '=', poolId)
        .where('name_key', '=', nameKey)
        .where('purpose', '=', purpose)
        .executeTakeFirst();
      return exists ? ('too-many' as const) : ('missing' as const);
    }
    return Number(bumped.expires_at) <= now ? ('expired' as const) : ('mismatch' as const);
  }
  async useCode(
    poolId: string,
    userId: string,
    purpose: CodePurpose,
    now: number,
    maxAttempts: number,
    matches: (codeHash: string) => boolean,
  ) {
    const bumped = await this.db
      .updateTable('codes')
      .set({ attempts: sql`attempts + 1` })
      .where('pool_id', '=', poolId)
      .where('user_id', '=', userId)
      .where('purpose', '=', purpose)
      .where('attempts', '<', maxAttempts)
      .returning(['code_hash', 'expires_at'])
      .executeTakeFirst();
    if (!bumped) {
      const exists = await this.db
        .selectFrom('codes')
        .select('attempts')
        .where('pool_id', '=', poolId)
        .where('user_id', '=', userId)
        .where('purpose', '=', purpose)
        .executeTakeFirst();
      return exists ? ('too-many' as const) : ('missing' as const);
    }
    if (Number(bumped.expires_at) <= now) return 'expired' as const;
    if (!matches(bumped.code_hash)) return 'mismatch' as const;
    // Delete only the row we matched: a concurrent correct submission finds nothing to delete and loses.
    const del = await this.db
      .deleteFrom('codes')
      .where('pool_id', '=', poolId)
      .where('user_id', '=', userId)
      .where('purpose', '=', purpose)
      .where('code_hash', '=', bumped.code_hash)
      .executeTakeFirst();
    return Number(del.numDeletedRows) > 0 ? ('ok' as const) : ('missing' as const);
  }
  async addOutbox(m: Omit<OutboxMessage, 'id'>): Promise<void> {
    await insertOutbox(this.db, m);
  }
  async listOutbox(poolId: string | undefined, limit: number): Promise<OutboxMessage[]> {
    let q = this.db.selectFrom('outbox').selectAll().orderBy('id', 'desc').limit(limit);
    if (poolId !== undefined) q = q.where('pool_id', '=', poolId);
    return (await q.execute()).map(toOutbox);
  }

  // ---- tokens ----
  async getTokenFamilyByRefreshHash(refreshHash: string): Promise<TokenFamilyRecord | undefined> {
    const r = await this.db.selectFrom('token_families').selectAll().where('refresh_hash', '=', refreshHash).executeTakeFirst();
    return r && toFamily(r);
  }
  async getTokenState(poolId: string, originJti: string, userId: string) {
    const r = await this.db
      .selectFrom('users')
      .leftJoin('token_families', (j) =>
        j
          .onRef('token_families.pool_id', '=', 'users.pool_id')
          .onRef('token_families.user_id', '=', 'users.id')
          .on('token_families.origin_jti', '=', originJti),
      )
      .selectAll('users')
      .select(['token_families.origin_jti as fam_jti', 'token_families.revoked_at as fam_revoked'])
      .where('users.pool_id', '=', poolId)
      .where('users.id', '=', userId)
      .executeTakeFirst();
    if (!r) return { familyRevoked: true, user: undefined };
    const { fam_jti, fam_revoked, ...user } = r as typeof r & { fam_jti: string | null; fam_revoked: number | null };
    return { familyRevoked: fam_jti === null || fam_revoked !== null, user: toUser(user as never) };
  }
  async revokeTokenFamily(originJti: string, now: number): Promise<boolean> {
    const r = await this.db
      .updateTable('token_families')
      .set({ revoked_at: now })
      .where('origin_jti', '=', originJti)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }
  async revokeAllUserTokens(poolId: string, userId: string, now: number): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx
        .updateTable('token_families')
        .set({ revoked_at: now })
        .where('pool_id', '=', poolId)
        .where('user_id', '=', userId)
        .where('revoked_at', 'is', null)
        .execute();
      await trx.updateTable('users').set({ tokens_valid_after: now }).where('pool_id', '=', poolId).where('id', '=', userId).execute();
    });
  }
}

/** One outbox row (also written with an OTP challenge's session, storage/kysely/ceremonies.ts). */
export function insertOutbox(db: Db, m: Omit<OutboxMessage, 'id'>) {
  return db
    .insertInto('outbox')
    .values({
      pool_id: m.poolId,
      user_id: m.userId,
      destination: m.destination,
      subject: m.subject,
      body: m.body,
      code: m.code,
      created_at: m.createdAt,
    } as never)
    .execute();
}

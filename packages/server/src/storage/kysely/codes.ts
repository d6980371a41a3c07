import { sql, type RawBuilder } from 'kysely';
import type { CodePurpose, CodeRecord, OutboxMessage, RefreshRows, TokenFamilyRecord, TokenState, TokenStateAlso } from '../types.js';
import { toFamily, toOutbox } from './rows.js';
import {
  CHALLENGE_COLUMNS,
  FAMILY_COLUMNS,
  PASSKEY_COLUMNS,
  USER_COLUMNS,
  challengeIn,
  familyIn,
  passkeyIn,
  passkeysIn,
  prefixed,
  tokenGroups,
  tokenGroupsColumn,
  userIn,
} from './joins.js';
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
  async getTokenState(poolId: string, originJti: string, userId: string, also: TokenStateAlso = {}): Promise<TokenState> {
    // The passkey page is a derived table joined to the one user row: one row per passkey (one with nulls when the
    // page is empty); the single passkey and the challenge join at most one row each. Still a single statement.
    const page = also.passkeys;
    const after = page?.after;
    const keyset = after
      ? sql`and (created_at > ${after.createdAt} or (created_at = ${after.createdAt} and credential_id > ${after.credentialId}))`
      : sql``;
    const joins: RawBuilder<unknown>[] = [];
    const selects: RawBuilder<unknown>[] = [];
    if (page) {
      joins.push(sql`left join (select * from passkeys where pool_id = ${poolId} and user_id = ${userId} ${keyset}
          order by created_at, credential_id limit ${page.limit}) p on 1 = 1`);
      selects.push(sql`, ${prefixed('p', PASSKEY_COLUMNS, 'p_')}`);
    }
    if (also.passkey !== undefined) {
      joins.push(sql`left join passkeys k on k.pool_id = ${poolId} and k.credential_id = ${also.passkey}`);
      selects.push(sql`, ${prefixed('k', PASSKEY_COLUMNS, 'k_')}`);
    }
    if (also.challenge) {
      joins.push(sql`left join challenges c on c.challenge = ${also.challenge.challenge} and c.expires_at > ${also.challenge.now}`);
      selects.push(sql`, ${prefixed('c', CHALLENGE_COLUMNS, 'c_')}`);
    }
    const { rows } = await sql<Record<string, unknown>>`
      select ${prefixed('u', USER_COLUMNS, 'u_')}, f.origin_jti as fam_jti, f.revoked_at as fam_revoked ${sql.join(selects, sql` `)}
      from users u
      left join token_families f on f.pool_id = u.pool_id and f.user_id = u.id and f.origin_jti = ${originJti}
      ${sql.join(joins, sql` `)}
      where u.pool_id = ${poolId} and u.id = ${userId}
      ${page ? sql`order by p.created_at, p.credential_id` : sql``}`.execute(this.db);
    const first = rows[0];
    if (!first) return { familyRevoked: true, user: undefined, ...(page ? { passkeys: [] } : {}) };
    const state: TokenState = {
      familyRevoked: first.fam_jti === null || first.fam_revoked !== null,
      user: userIn(first, 'u_'),
    };
    if (page) state.passkeys = passkeysIn(rows, 'p_');
    const passkey = also.passkey !== undefined ? passkeyIn(first, 'k_') : undefined;
    if (passkey) state.passkey = passkey;
    const challenge = also.challenge ? challengeIn(first, 'c_') : undefined;
    if (challenge) state.challenge = challenge;
    return state;
  }
  async readRefresh(refreshHash: string, groupLimit: number): Promise<RefreshRows> {
    const { rows } = await sql<Record<string, unknown>>`
      select ${prefixed('f', FAMILY_COLUMNS, 'f_')}, ${prefixed('u', USER_COLUMNS, 'u_')},
        ${tokenGroupsColumn(this.dialect, 'u', groupLimit)} as token_groups
      from token_families f
      left join users u on u.pool_id = f.pool_id and u.id = f.user_id
      where f.refresh_hash = ${refreshHash}`.execute(this.db);
    const r = rows[0];
    if (!r) return { groups: [] };
    const [family, user] = [familyIn(r, 'f_'), userIn(r, 'u_')];
    return {
      ...(family ? { family } : {}),
      ...(user ? { user } : {}),
      groups: user ? tokenGroups(r.token_groups) : [],
    };
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

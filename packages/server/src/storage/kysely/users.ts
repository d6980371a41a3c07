import { sql, type RawBuilder, type Selectable } from 'kysely';
import type {
  AuthSessionRecord,
  LifecycleEventRecord,
  LoginAttempt,
  PasskeyRecord,
  TokenGroupRow,
  UserFilter,
  UserPatch,
  UserRecord,
} from '../types.js';
import { insertEvents } from './eventRows.js';
import type { UsersTable } from './schema.js';
import { fromUser, toSession, toUser } from './rows.js';
import { PASSKEY_COLUMNS, USER_COLUMNS, passkeysIn, prefixed, tokenGroups, tokenGroupsColumn, userIn } from './joins.js';
import { FIXED } from '../../config/defaults.js';
import { PoolsStore } from './pools.js';
import { conflict, type Db } from './base.js';

/** Users and login-attempt counters. */
export class UsersStore extends PoolsStore {
  // ---- users ----
  async createUser(u: UserRecord, events?: readonly LifecycleEventRecord[]): Promise<void> {
    try {
      if (!events?.length) await this.db.insertInto('users').values(fromUser(u)).execute();
      else
        await this.db.transaction().execute(async (trx) => {
          await trx.insertInto('users').values(fromUser(u)).execute();
          await insertEvents(trx, events);
        });
    } catch (err) {
      conflict(err, 'username');
    }
  }
  async getUser(poolId: string, id: string): Promise<UserRecord | undefined> {
    const r = await this.db.selectFrom('users').selectAll().where('pool_id', '=', poolId).where('id', '=', id).executeTakeFirst();
    return r && toUser(r);
  }
  async findUserByEmail(poolId: string, emailKey: string): Promise<UserRecord | undefined> {
    const r = await this.db
      .selectFrom('users')
      .selectAll()
      .where('pool_id', '=', poolId)
      .where('email_key', '=', emailKey)
      .executeTakeFirst();
    return r && toUser(r);
  }
  async findUserByLogin(
    poolId: string,
    usernameKey: string,
    emailKey: string | null,
    order: 'alias-first' | 'username-first' = 'alias-first',
  ): Promise<UserRecord | undefined> {
    const { rows } = await sql<Selectable<UsersTable>>`${loginMatch(poolId, usernameKey, emailKey, order)}`.execute(this.db);
    return rows[0] && toUser(rows[0]);
  }
  async getUserWithGroups(poolId: string, id: string, groupLimit: number): Promise<{ user?: UserRecord; groups: TokenGroupRow[] }> {
    return this.userWithGroups(sql`select * from users where pool_id = ${poolId} and id = ${id}`, groupLimit);
  }
  async findUserWithGroups(
    poolId: string,
    usernameKey: string,
    emailKey: string | null,
    order: 'alias-first' | 'username-first',
    groupLimit: number,
  ): Promise<{ user?: UserRecord; groups: TokenGroupRow[] }> {
    return this.userWithGroups(loginMatch(poolId, usernameKey, emailKey, order), groupLimit);
  }
  /** The user the query `match` selects (at most one row of users), with its groups, in one statement. */
  private async userWithGroups(match: RawBuilder<unknown>, groupLimit: number): Promise<{ user?: UserRecord; groups: TokenGroupRow[] }> {
    const { rows } = await sql<Selectable<UsersTable> & { token_groups: string | null }>`
      select u.*, ${tokenGroupsColumn(this.dialect, 'u', groupLimit)} as token_groups from (${match}) u`.execute(this.db);
    const r = rows[0];
    if (!r) return { groups: [] };
    const { token_groups, ...user } = r;
    return { user: toUser(user), groups: tokenGroups(token_groups) };
  }
  async findSignInUserWithPasskeys(
    poolId: string,
    usernameKey: string,
    emailKey: string | null,
    passkeyLimit: number,
  ): Promise<{ user?: UserRecord; passkeys: PasskeyRecord[] }> {
    // The one matching user as a derived table, its passkeys joined: one row per passkey, or one with nulls.
    const { rows } = await sql<Record<string, unknown>>`
      select ${prefixed('u', USER_COLUMNS, 'u_')}, ${prefixed('p', PASSKEY_COLUMNS, 'p_')}
      from (${loginMatch(poolId, usernameKey, emailKey, 'alias-first')}) u
      left join passkeys p on p.pool_id = u.pool_id and p.user_id = u.id
      order by p.created_at, p.credential_id
      limit ${Math.max(1, passkeyLimit)}`.execute(this.db);
    const first = rows[0];
    if (!first) return { passkeys: [] };
    return { user: userIn(first, 'u_'), passkeys: passkeysIn(rows, 'p_').slice(0, passkeyLimit) };
  }
  async updateUser(
    poolId: string,
    id: string,
    patch: UserPatch,
    updatedAt: number,
    guard?: { srpVerifier: string | null },
    events?: readonly LifecycleEventRecord[],
  ): Promise<boolean> {
    try {
      if (!events?.length) return await patchUser(this.db, poolId, id, patch, updatedAt, guard);
      // The events only if the patch applied: both in one transaction.
      return await this.db.transaction().execute(async (trx) => {
        const applied = await patchUser(trx, poolId, id, patch, updatedAt, guard);
        if (applied) await insertEvents(trx, events);
        return applied;
      });
    } catch (err) {
      conflict(err, 'email');
    }
  }
  async updateUsers(
    poolId: string,
    patches: { id: string; patch: UserPatch }[],
    updatedAt: number,
    events?: readonly LifecycleEventRecord[],
  ): Promise<void> {
    try {
      await this.db.transaction().execute(async (trx) => {
        for (const { id, patch } of patches) await patchUser(trx, poolId, id, patch, updatedAt);
        await insertEvents(trx, events);
      });
    } catch (err) {
      conflict(err, 'email');
    }
  }
  async deleteUser(poolId: string, id: string, events?: readonly LifecycleEventRecord[]): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      for (const t of [
        'passkeys',
        'devices',
        'challenges',
        'auth_sessions',
        'token_families',
        'codes',
        'group_members',
        'user_mfa',
      ] as const) {
        await trx.deleteFrom(t).where('pool_id', '=', poolId).where('user_id', '=', id).execute();
      }
      const r = await trx.deleteFrom('users').where('pool_id', '=', poolId).where('id', '=', id).executeTakeFirst();
      const deleted = Number(r.numDeletedRows) > 0;
      if (deleted) await insertEvents(trx, events);
      return deleted;
    });
  }
  async listUsers(poolId: string, limit: number, after: string | undefined, filter: UserFilter | undefined): Promise<UserRecord[]> {
    let q = this.db.selectFrom('users').selectAll().where('pool_id', '=', poolId).orderBy('username_key').limit(limit);
    if (after !== undefined) q = q.where('username_key', '>', after);
    if (filter) q = q.where(this.filterSql(filter));
    return (await q.execute()).map(toUser);
  }
  /** A ListUsers filter as one condition (attribute values read from the JSON document, per dialect). */
  private filterSql(filter: UserFilter) {
    const { attribute, op, value } = filter;
    // A prefix is a range (no LIKE: its case rules and escapes differ between the dialects).
    const match = (column: ReturnType<typeof sql>, v: string) =>
      op === '=' ? sql<boolean>`${column} = ${v}` : sql<boolean>`${column} >= ${v} and ${column} < ${v + '\u{10FFFF}'}`;
    switch (attribute) {
      case 'enabled': {
        // Case-sensitive, as Cognito's: "Enabled" or "Disabled" (or a prefix of one, with ^=).
        const states = ['Enabled', 'Disabled'].filter((st) => (op === '=' ? st === value : st.startsWith(value)));
        return sql<boolean>`enabled in (${sql.join([-1, ...states.map((st) => (st === 'Enabled' ? 1 : 0))])})`;
      }
      case 'username':
        return match(sql`username`, value);
      case 'sub':
        return match(sql`id`, value);
      case 'user_status':
        return match(sql`upper(status)`, value.toUpperCase());
      default: {
        const json =
          this.dialect === 'postgres' ? sql`(attributes::jsonb ->> ${attribute})` : sql`json_extract(attributes, ${`$."${attribute}"`})`;
        return match(sql`lower(${json})`, value.toLowerCase());
      }
    }
  }
  async admitLoginAttempt(poolId: string, loginKey: string, now: number, threshold: number, lockMs: readonly number[]): Promise<boolean> {
    return admitAttempt(this.db, poolId, { loginKey, threshold, lockMs }, now);
  }
  async consumeAuthSessionAdmitting(idHash: string, now: number, attemptFor: (session: AuthSessionRecord) => LoginAttempt | undefined) {
    return this.db.transaction().execute(async (trx) => {
      const r = await trx.deleteFrom('auth_sessions').where('id_hash', '=', idHash).returningAll().executeTakeFirst();
      if (!r || Number(r.expires_at) <= now) return undefined;
      const session = toSession(r);
      const attempt = attemptFor(session);
      return { session, admitted: attempt ? await admitAttempt(trx, session.poolId, attempt, now) : true };
    });
  }
  async clearLoginAttempts(poolId: string, loginKeys: readonly string[]): Promise<void> {
    if (loginKeys.length === 0) return;
    await this.db
      .deleteFrom('login_attempts')
      .where('pool_id', '=', poolId)
      .where('login_key', 'in', [...loginKeys])
      .execute();
  }
  async countUsers(poolId: string): Promise<number> {
    const r = await this.db
      .selectFrom('users')
      .select((eb) => eb.fn.countAll().as('n'))
      .where('pool_id', '=', poolId)
      .executeTakeFirstOrThrow();
    return Number(r.n);
  }
}

/** One user's patch as a single UPDATE (unique-key violations propagate to the caller). */
async function patchUser(
  db: Db,
  poolId: string,
  id: string,
  patch: UserPatch,
  updatedAt: number,
  guard?: { srpVerifier: string | null },
): Promise<boolean> {
  const set: Partial<UsersTable> = { updated_at: updatedAt };
  if (patch.emailKey !== undefined) set.email_key = patch.emailKey;
  if (patch.status !== undefined) set.status = patch.status;
  if (patch.enabled !== undefined) set.enabled = patch.enabled ? 1 : 0;
  if (patch.attributes !== undefined) set.attributes = JSON.stringify(patch.attributes);
  if (patch.pendingAttributes !== undefined) set.pending_attributes = JSON.stringify(patch.pendingAttributes);
  if (patch.srpSalt !== undefined) set.srp_salt = patch.srpSalt;
  if (patch.srpVerifier !== undefined) set.srp_verifier = patch.srpVerifier;
  if (patch.srpIdentity !== undefined) set.srp_identity = patch.srpIdentity;
  if (patch.passwordSetAt !== undefined) set.password_set_at = patch.passwordSetAt;
  if (patch.tokensValidAfter !== undefined) set.tokens_valid_after = patch.tokensValidAfter;
  let q = db.updateTable('users').set(set).where('pool_id', '=', poolId).where('id', '=', id);
  if (guard) q = guard.srpVerifier === null ? q.where('srp_verifier', 'is', null) : q.where('srp_verifier', '=', guard.srpVerifier);
  const r = await q.executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

/** Store.admitLoginAttempt on a connection or inside a transaction. */
async function admitAttempt(db: Db, poolId: string, a: LoginAttempt, now: number): Promise<boolean> {
  const { loginKey, threshold, lockMs } = a;
  // ONE statement, so the decision and the count are the same atomic step on every dialect and
  // instance: an insert for a first attempt, else an increment guarded by "not locked now". A counter
  // with neither an attempt nor a lock in the last LOGIN_ATTEMPT_IDLE_RESET_MS starts over at 1 (so the
  // longest lock is followed by that much quiet before a fresh budget). The lock length for the new
  // count is a CASE over the schedule (no dialect-specific math).
  const big = (v: number) => sql`cast(${v} as bigint)`;
  const lockFor = (failures: ReturnType<typeof sql>) => {
    const steps = lockMs.slice(0, -1).map((ms, i) => sql`when ${failures} = ${threshold + i} then ${big(now + ms)}`);
    const middle = steps.length ? sql.join(steps, sql` `) : sql``;
    return sql`case when ${failures} < ${threshold} then ${big(0)} ${middle} else ${big(now + lockMs[lockMs.length - 1]!)} end`;
  };
  const idleSince = big(now - LOGIN_ATTEMPT_IDLE_RESET_MS);
  const idle = sql`login_attempts.updated_at <= ${idleSince} and login_attempts.locked_until <= ${idleSince}`;
  const next = sql`(case when ${idle} then 1 else login_attempts.failures + 1 end)`;
  const r = await sql<{ failures: number }>`
    insert into login_attempts (pool_id, login_key, failures, locked_until, updated_at)
    values (${poolId}, ${loginKey}, 1, ${lockFor(sql`1`)}, ${now})
    on conflict (pool_id, login_key) do update set
      failures = ${next},
      locked_until = ${lockFor(next)},
      updated_at = ${now}
    where login_attempts.locked_until <= ${now}
    returning failures`.execute(db);
  return r.rows.length > 0;
}

/** After this long without attempts (and unlocked), a counter starts over (see Store.admitLoginAttempt). */
export const LOGIN_ATTEMPT_IDLE_RESET_MS = FIXED.loginAttemptIdleResetMs.default;

/**
 * The user a typed login names, as one query: by username key or email key (when given), the preferred match first
 * ('alias-first': the email alias; 'username-first': the username), at most one row.
 */
function loginMatch(poolId: string, usernameKey: string, emailKey: string | null, order: 'alias-first' | 'username-first') {
  if (emailKey === null) return sql`select * from users where pool_id = ${poolId} and username_key = ${usernameKey} limit 1`;
  const preferred = order === 'alias-first' ? sql`email_key = ${emailKey}` : sql`username_key = ${usernameKey}`;
  return sql`select * from users where pool_id = ${poolId} and (username_key = ${usernameKey} or email_key = ${emailKey})
    order by case when ${preferred} then 0 else 1 end limit 1`;
}

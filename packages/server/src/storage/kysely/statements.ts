/** SQL statements that several store methods share (plain functions over a connection or a transaction). */
import { sql, type Kysely, type Transaction } from 'kysely';
import { StoreConflictError } from '../store.js';
import type { LoginAttempt, PasskeyUse, OutboxMessage, UserPatch } from '../types.js';
import type { Database, UsersTable } from './schema.js';

/** Maps a unique-constraint violation of either dialect to StoreConflictError; rethrows anything else. */
export function conflict(err: unknown, fallback: StoreConflictError['key']): never {
  const e = err as { code?: string; message?: string; constraint?: string };
  const unique =
    e?.code === '23505' || (typeof e?.code === 'string' && e.code.startsWith('SQLITE_CONSTRAINT_') && /UNIQUE|PRIMARYKEY/.test(e.code));
  if (!unique) throw err;
  const where = `${e.constraint ?? ''} ${e.message ?? ''}`;
  if (/email/.test(where)) throw new StoreConflictError('email');
  if (/username/.test(where)) throw new StoreConflictError('username');
  throw new StoreConflictError(fallback);
}

/** One user's patch as a single UPDATE (unique-key violations propagate to the caller). */
export async function patchUser(
  db: Kysely<Database> | Transaction<Database>,
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
  if (patch.srpSalt !== undefined) set.srp_salt = patch.srpSalt;
  if (patch.srpVerifier !== undefined) set.srp_verifier = patch.srpVerifier;
  if (patch.passwordSetAt !== undefined) set.password_set_at = patch.passwordSetAt;
  if (patch.tokensValidAfter !== undefined) set.tokens_valid_after = patch.tokensValidAfter;
  let q = db.updateTable('users').set(set).where('pool_id', '=', poolId).where('id', '=', id);
  if (guard) q = guard.srpVerifier === null ? q.where('srp_verifier', 'is', null) : q.where('srp_verifier', '=', guard.srpVerifier);
  const r = await q.executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

export function insertOutbox(db: Kysely<Database> | Transaction<Database>, m: Omit<OutboxMessage, 'id'>) {
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

/** Store.admitLoginAttempt on a connection or inside a transaction. */
export async function admitAttempt(
  db: Kysely<Database> | Transaction<Database>,
  poolId: string,
  a: LoginAttempt,
  now: number,
): Promise<boolean> {
  const { loginKey, threshold, lockMs } = a;
  // ONE statement, so the decision and the count are the same atomic step on every dialect and
  // instance: an insert for a first attempt, else an increment guarded by "not locked now". A counter
  // with neither an attempt nor a lock in the last LOGIN_ATTEMPT_IDLE_RESET_MS starts over at 1 (so the
  // longest lock is followed by that much quiet before a fresh budget). The lock length for the new
  // count is a CASE over the schedule (no dialect-specific math).
  const big = (v: number) => sql`cast(${v} as bigint)`;
  const lockFor = (failures: ReturnType<typeof sql>) => {
    const steps = lockMs.slice(0, -1).map((ms, i) => sql`when ${failures} = ${threshold + i} then ${big(now + ms)}`);
    return sql`case when ${failures} < ${threshold} then ${big(0)} ${steps.length ? sql.join(steps, sql` `) : sql``} else ${big(now + lockMs[lockMs.length - 1]!)} end`;
  };
  const idleSince = big(now - LOGIN_ATTEMPT_IDLE_RESET_MS);
  const next = sql`(case when login_attempts.updated_at <= ${idleSince} and login_attempts.locked_until <= ${idleSince} then 1 else login_attempts.failures + 1 end)`;
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

export class LimitReached extends Error {}

/** After this long without attempts (and unlocked), a counter starts over (see Store.admitLoginAttempt). */
export const LOGIN_ATTEMPT_IDLE_RESET_MS = 15 * 60_000;

/** Rolls a transaction back with a reason the caller reports. */
export class Abort extends Error {
  constructor(readonly reason: 'session-gone' | 'passkey-race' | 'challenge-gone') {
    super(reason);
  }
}

/** The count-and-last-use guarded passkey update (see Store.recordPasskeyUse). */
export async function usePasskey(db: Kysely<Database> | Transaction<Database>, p: PasskeyUse): Promise<boolean> {
  const { poolId, credentialId, expected, update: u } = p;
  let q = db
    .updateTable('passkeys')
    .set({
      sign_count: u.signCount,
      backup_state: u.backupState ? 1 : 0,
      last_used_at: Math.max(u.lastUsedAt, (expected.lastUsedAt ?? 0) + 1),
      clone_warnings: u.cloneWarning ? sql`clone_warnings + 1` : sql`clone_warnings`,
    })
    .where('pool_id', '=', poolId)
    .where('credential_id', '=', credentialId)
    .where('sign_count', '=', expected.signCount);
  q = expected.lastUsedAt === null ? q.where('last_used_at', 'is', null) : q.where('last_used_at', '=', expected.lastUsedAt);
  const r = await q.executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

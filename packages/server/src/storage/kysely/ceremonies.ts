import { sql, type Transaction } from 'kysely';
import { StoreConflictError } from '../store.js';
import type {
  AddPasskeyResult,
  AuthSessionRecord,
  PasskeyUse,
  ChallengeRecord,
  LifecycleEventRecord,
  OutboxMessage,
  PasskeyRecord,
  TokenFamilyRecord,
  DeviceRecord,
  TotpUse,
  PasskeySignInRows,
} from '../types.js';
import type { Database } from './schema.js';
import { fromPasskey, toChallenge, toPasskey, toSession } from './rows.js';
import {
  PASSKEY_COLUMNS,
  SESSION_COLUMNS,
  USER_COLUMNS,
  passkeyIn,
  prefixed,
  sessionIn,
  tokenGroups,
  tokenGroupsColumn,
  userIn,
} from './joins.js';
import { CodesStore, insertOutbox } from './codes.js';
import { Abort, conflict, type Db } from './base.js';
import { insertEvents } from './eventRows.js';
import { insertDevice } from './devices.js';
import { recordTotpStep } from './mfa.js';

/** Registration challenges, auth sessions, the sign-in commit and passkeys. */
export class CeremoniesStore extends CodesStore {
  // ---- ceremonies ----
  async putChallenge(c: ChallengeRecord): Promise<void> {
    await this.db
      .insertInto('challenges')
      .values({
        challenge: c.challenge,
        kind: c.kind,
        pool_id: c.poolId,
        user_id: c.userId,
        client_id: c.clientId,
        expires_at: c.expiresAt,
        conditional_create: c.conditionalCreate ? 1 : 0,
      })
      .execute();
  }
  async consumeChallenge(challenge: string, now: number): Promise<ChallengeRecord | undefined> {
    const r = await this.db.deleteFrom('challenges').where('challenge', '=', challenge).returningAll().executeTakeFirst();
    if (!r || Number(r.expires_at) <= now) return undefined;
    return toChallenge(r);
  }
  async putAuthSession(s: AuthSessionRecord, message?: Omit<OutboxMessage, 'id'>): Promise<void> {
    const put = (db: Db) =>
      db
        .insertInto('auth_sessions')
        .values({
          id_hash: s.idHash,
          pool_id: s.poolId,
          client_id: s.clientId,
          user_id: s.userId,
          state: JSON.stringify(s.state),
          expires_at: s.expiresAt,
        })
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
  async admitAuthSessionAttempt(idHash: string, now: number, maxAttempts: number) {
    const bumped = await this.db
      .updateTable('auth_sessions')
      .set({ attempts: sql`attempts + 1` })
      .where('id_hash', '=', idHash)
      .where('attempts', '<', maxAttempts)
      .returningAll()
      .executeTakeFirst();
    if (!bumped) {
      const exists = await this.db.selectFrom('auth_sessions').select('expires_at').where('id_hash', '=', idHash).executeTakeFirst();
      if (!exists) return 'missing' as const;
      return Number(exists.expires_at) <= now ? ('expired' as const) : ('too-many' as const);
    }
    if (Number(bumped.expires_at) <= now) return 'expired' as const;
    return { session: toSession(bumped), attempts: Number(bumped.attempts) };
  }
  async peekAuthSession(idHash: string, now: number): Promise<AuthSessionRecord | undefined> {
    const r = await this.db
      .selectFrom('auth_sessions')
      .selectAll()
      .where('id_hash', '=', idHash)
      .where('expires_at', '>', now)
      .executeTakeFirst();
    return r && toSession(r);
  }
  async peekChallenge(challenge: string, now: number): Promise<ChallengeRecord | undefined> {
    const r = await this.db
      .selectFrom('challenges')
      .selectAll()
      .where('challenge', '=', challenge)
      .where('expires_at', '>', now)
      .executeTakeFirst();
    return r && toChallenge(r);
  }
  async finishSignIn(input: {
    sessionHash?: string;
    now: number;
    passkeyUse?: PasskeyUse;
    clearLoginKey?: string;
    totpUse?: TotpUse;
    family: TokenFamilyRecord;
    newDevice?: DeviceRecord;
    events?: readonly LifecycleEventRecord[];
  }): Promise<'ok' | 'session-gone' | 'passkey-race' | 'totp-replay' | 'device-gone'> {
    try {
      await this.db.transaction().execute(async (trx) => {
        if (input.sessionHash !== undefined) {
          const gone = await trx
            .deleteFrom('auth_sessions')
            .where('id_hash', '=', input.sessionHash)
            .where('expires_at', '>', input.now)
            .executeTakeFirst();
          if (Number(gone.numDeletedRows) === 0) throw new Abort('session-gone');
        }
        if (input.passkeyUse) {
          if (!(await usePasskey(trx, input.passkeyUse))) throw new Abort('passkey-race');
        }
        if (input.totpUse && !(await recordTotpStep(trx, input.totpUse, input.now))) throw new Abort('totp-replay');
        if (input.clearLoginKey !== undefined) {
          await trx
            .deleteFrom('login_attempts')
            .where('pool_id', '=', input.family.poolId)
            .where('login_key', '=', input.clearLoginKey)
            .execute();
        }
        const f = input.family;
        if (input.newDevice) await insertDevice(trx, input.newDevice);
        else if (f.deviceKey) {
          // The device the sign-in is bound to must still exist when the family is written: a ForgetDevice
          // that committed first wins (this sign-in fails), one that commits after revokes this family.
          const used = await trx
            .updateTable('devices')
            .set({ last_auth_at: input.now })
            .where('pool_id', '=', f.poolId)
            .where('device_key', '=', f.deviceKey)
            .where('user_id', '=', f.userId)
            .executeTakeFirst();
          if (Number(used.numUpdatedRows) === 0) throw new Abort('device-gone');
        }
        await trx
          .insertInto('token_families')
          .values({
            origin_jti: f.originJti,
            pool_id: f.poolId,
            client_id: f.clientId,
            user_id: f.userId,
            refresh_hash: f.refreshHash,
            auth_time: f.authTime,
            created_at: f.createdAt,
            expires_at: f.expiresAt,
            revoked_at: f.revokedAt,
            device_key: f.deviceKey ?? null,
          })
          .execute();
        await insertEvents(trx, input.events);
      });
      return 'ok';
    } catch (err) {
      if (err instanceof Abort) return err.reason as 'session-gone' | 'passkey-race' | 'totp-replay' | 'device-gone';
      throw err;
    }
  }
  async consumeAuthSession(idHash: string, now: number): Promise<AuthSessionRecord | undefined> {
    const r = await this.db.deleteFrom('auth_sessions').where('id_hash', '=', idHash).returningAll().executeTakeFirst();
    if (!r || Number(r.expires_at) <= now) return undefined;
    return toSession(r);
  }

  // ---- passkeys ----
  async addPasskey(
    p: PasskeyRecord,
    limit: number,
    consumeChallenge?: string,
    events?: readonly LifecycleEventRecord[],
  ): Promise<AddPasskeyResult> {
    if (consumeChallenge === undefined) {
      const existing = await this.getPasskey(p.poolId, p.credentialId);
      if (existing) return existing.userId === p.userId ? 'exists-same-user' : 'exists-other-user';
    }
    try {
      return await this.db.transaction().execute(async (trx: Transaction<Database>) => {
        if (consumeChallenge !== undefined) {
          const gone = await trx.deleteFrom('challenges').where('challenge', '=', consumeChallenge).executeTakeFirst();
          if (Number(gone.numDeletedRows) === 0) throw new Abort('challenge-gone');
        }
        // Guarded increment: on PostgreSQL the row lock serialises concurrent registrations and the
        // WHERE is re-checked after the lock; on SQLite writers are serialised by the database lock.
        const bumped = await trx
          .updateTable('users')
          .set({ passkey_count: sql`passkey_count + 1` })
          .where('pool_id', '=', p.poolId)
          .where('id', '=', p.userId)
          .where('passkey_count', '<', limit)
          .executeTakeFirst();
        if (Number(bumped.numUpdatedRows) === 0) throw new LimitReached();
        await trx.insertInto('passkeys').values(fromPasskey(p)).execute();
        await insertEvents(trx, events);
        return 'added' as const;
      });
    } catch (err) {
      if (err instanceof LimitReached) return 'limit';
      if (err instanceof Abort) return err.reason as AddPasskeyResult;
      try {
        conflict(err, 'passkey');
      } catch (c) {
        if (c instanceof StoreConflictError) {
          const now = await this.getPasskey(p.poolId, p.credentialId);
          return now?.userId === p.userId ? 'exists-same-user' : 'exists-other-user';
        }
        throw c;
      }
    }
  }
  async getPasskey(poolId: string, credentialId: string): Promise<PasskeyRecord | undefined> {
    const r = await this.db
      .selectFrom('passkeys')
      .selectAll()
      .where('pool_id', '=', poolId)
      .where('credential_id', '=', credentialId)
      .executeTakeFirst();
    return r && toPasskey(r);
  }
  async readPasskeySignIn(q: {
    sessionHash: string;
    now: number;
    poolId: string;
    credentialId: string;
    groupLimit: number;
  }): Promise<PasskeySignInRows> {
    // Session and passkey are independent of each other (one may be missing, the step tells which), so both hang off
    // a one-row base; the user follows the passkey.
    const { rows } = await sql<Record<string, unknown>>`
      select ${prefixed('s', SESSION_COLUMNS, 's_')}, ${prefixed('p', PASSKEY_COLUMNS, 'p_')},
        ${prefixed('u', USER_COLUMNS, 'u_')}, ${tokenGroupsColumn(this.dialect, 'u', q.groupLimit)} as token_groups
      from (select 1 as one) base
      left join auth_sessions s on s.id_hash = ${q.sessionHash} and s.expires_at > ${q.now}
      left join passkeys p on p.pool_id = ${q.poolId} and p.credential_id = ${q.credentialId}
      left join users u on u.pool_id = p.pool_id and u.id = p.user_id`.execute(this.db);
    const r = rows[0]!;
    const [session, passkey, user] = [sessionIn(r, 's_'), passkeyIn(r, 'p_'), userIn(r, 'u_')];
    return {
      ...(session ? { session } : {}),
      ...(passkey ? { passkey } : {}),
      ...(user ? { user } : {}),
      groups: user ? tokenGroups(r.token_groups) : [],
    };
  }
  async listPasskeys(
    poolId: string,
    userId: string,
    limit: number,
    after?: { createdAt: number; credentialId: string },
  ): Promise<PasskeyRecord[]> {
    let q = this.db
      .selectFrom('passkeys')
      .selectAll()
      .where('pool_id', '=', poolId)
      .where('user_id', '=', userId)
      .orderBy('created_at')
      .orderBy('credential_id')
      .limit(limit);
    if (after) {
      q = q.where((eb) =>
        eb.or([
          eb('created_at', '>', after.createdAt),
          eb.and([eb('created_at', '=', after.createdAt), eb('credential_id', '>', after.credentialId)]),
        ]),
      );
    }
    return (await q.execute()).map(toPasskey);
  }
  async renamePasskey(poolId: string, userId: string, credentialId: string, friendlyName: string): Promise<boolean> {
    const r = await this.db
      .updateTable('passkeys')
      .set({ friendly_name: friendlyName })
      .where('pool_id', '=', poolId)
      .where('user_id', '=', userId)
      .where('credential_id', '=', credentialId)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }
  async deletePasskey(
    poolId: string,
    userId: string,
    credentialId: string,
    signOutAt?: number,
    events?: readonly LifecycleEventRecord[],
  ): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      const r = await trx
        .deleteFrom('passkeys')
        .where('pool_id', '=', poolId)
        .where('user_id', '=', userId)
        .where('credential_id', '=', credentialId)
        .executeTakeFirst();
      if (Number(r.numDeletedRows) === 0) return false;
      await trx
        .updateTable('users')
        .set(
          signOutAt === undefined
            ? { passkey_count: sql`passkey_count - 1` }
            : { passkey_count: sql`passkey_count - 1`, tokens_valid_after: signOutAt },
        )
        .where('pool_id', '=', poolId)
        .where('id', '=', userId)
        .execute();
      if (signOutAt !== undefined) {
        await trx
          .updateTable('token_families')
          .set({ revoked_at: signOutAt })
          .where('pool_id', '=', poolId)
          .where('user_id', '=', userId)
          .where('revoked_at', 'is', null)
          .execute();
      }
      await insertEvents(trx, events);
      return true;
    });
  }
}

class LimitReached extends Error {}

/** The count-and-last-use guarded passkey update (see Store.finishSignIn). */
async function usePasskey(db: Db, p: PasskeyUse): Promise<boolean> {
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

import { sql, type Kysely, type Transaction } from 'kysely';
import { StoreConflictError, type Store } from '../store.js';
import type {
  AddPasskeyResult,
  AuthSessionRecord,
  PasskeyUse,
  ChallengeRecord,
  CodePurpose,
  CodeRecord,
  OutboxMessage,
  PasskeyRecord,
  TokenFamilyRecord,
} from '../types.js';
import type { Database } from './schema.js';
import { fromPasskey, toChallenge, toFamily, toOutbox, toPasskey, toSession, toUser } from './rows.js';
import { Abort, LOGIN_ATTEMPT_IDLE_RESET_MS, LimitReached, conflict, insertOutbox, usePasskey } from './statements.js';
import { KyselyDirectory } from './directory.js';

/**
 * The one SQL implementation of Store, over a Kysely instance of either dialect: the ceremony half (codes,
 * outbox, tokens, challenges, sessions, passkeys, housekeeping) on top of KyselyDirectory (directory.ts).
 */
export class KyselyStore extends KyselyDirectory implements Store {
  // ---- codes and outbox ----
  async putCode(c: CodeRecord, message?: Omit<OutboxMessage, 'id'>): Promise<void> {
    const put = (db: Kysely<Database> | Transaction<Database>) =>
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
  async createTokenFamily(f: TokenFamilyRecord): Promise<void> {
    await this.db
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
      })
      .execute();
  }
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
      })
      .execute();
  }
  async consumeChallenge(challenge: string, now: number): Promise<ChallengeRecord | undefined> {
    const r = await this.db.deleteFrom('challenges').where('challenge', '=', challenge).returningAll().executeTakeFirst();
    if (!r || Number(r.expires_at) <= now) return undefined;
    return toChallenge(r);
  }
  async putAuthSession(s: AuthSessionRecord): Promise<void> {
    await this.db
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
    family: TokenFamilyRecord;
  }): Promise<'ok' | 'session-gone' | 'passkey-race'> {
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
        if (input.clearLoginKey !== undefined) {
          await trx
            .deleteFrom('login_attempts')
            .where('pool_id', '=', input.family.poolId)
            .where('login_key', '=', input.clearLoginKey)
            .execute();
        }
        const f = input.family;
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
          })
          .execute();
      });
      return 'ok';
    } catch (err) {
      if (err instanceof Abort) return err.reason as 'session-gone' | 'passkey-race';
      throw err;
    }
  }
  async consumeAuthSession(idHash: string, now: number): Promise<AuthSessionRecord | undefined> {
    const r = await this.db.deleteFrom('auth_sessions').where('id_hash', '=', idHash).returningAll().executeTakeFirst();
    if (!r || Number(r.expires_at) <= now) return undefined;
    return toSession(r);
  }

  // ---- passkeys ----
  async addPasskey(p: PasskeyRecord, limit: number, consumeChallenge?: string): Promise<AddPasskeyResult> {
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
  async deletePasskey(poolId: string, userId: string, credentialId: string): Promise<boolean> {
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
        .set({ passkey_count: sql`passkey_count - 1` })
        .where('pool_id', '=', poolId)
        .where('id', '=', userId)
        .execute();
      return true;
    });
  }
  async recordPasskeyUse(
    poolId: string,
    credentialId: string,
    expected: { signCount: number; lastUsedAt: number | null },
    u: { signCount: number; backupState: boolean; lastUsedAt: number; cloneWarning: boolean },
  ): Promise<boolean> {
    return usePasskey(this.db, { poolId, credentialId, expected, update: u });
  }

  // ---- housekeeping ----
  async purgeExpired(now: number): Promise<number> {
    let n = 0;
    for (const t of ['challenges', 'auth_sessions', 'codes', 'standin_codes', 'token_families'] as const) {
      const r = await this.db.deleteFrom(t).where('expires_at', '<=', now).executeTakeFirst();
      n += Number(r.numDeletedRows);
    }
    // Idle, unlocked counters would start over anyway: forget them (bounds the table by the recent attempt rate).
    const a = await this.db
      .deleteFrom('login_attempts')
      .where('updated_at', '<=', now - LOGIN_ATTEMPT_IDLE_RESET_MS)
      .where('locked_until', '<=', now - LOGIN_ATTEMPT_IDLE_RESET_MS)
      .executeTakeFirst();
    n += Number(a.numDeletedRows);
    const k = await this.db
      .deleteFrom('signing_keys')
      .where('expires_at', 'is not', null)
      .where('expires_at', '<=', now)
      .executeTakeFirst();
    return n + Number(k.numDeletedRows);
  }
  async close(): Promise<void> {
    await this.db.destroy();
  }
}

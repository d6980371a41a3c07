import { sql, type Kysely, type Transaction } from 'kysely';
import { StoreConflictError, type Store } from '../store.js';
import type {
  AddPasskeyResult,
  AuthSessionRecord,
  LoginAttempt,
  PasskeyUse,
  ChallengeRecord,
  ClientRecord,
  CodePurpose,
  CodeRecord,
  OutboxMessage,
  PasskeyRecord,
  PoolRecord,
  SigningKeyRecord,
  TokenFamilyRecord,
  UserFilter,
  UserPatch,
  UserRecord,
} from '../types.js';
import type { Database, UsersTable } from './schema.js';
import { fromPasskey, fromUser, toChallenge, toClient, toFamily, toKey, toOutbox, toPasskey, toPool, toSession, toUser } from './rows.js';
import { FIXED } from '../../config/defaults.js';

/** Maps a unique-constraint violation of either dialect to StoreConflictError; rethrows anything else. */
function conflict(err: unknown, fallback: StoreConflictError['key']): never {
  const e = err as { code?: string; message?: string; constraint?: string };
  const unique =
    e?.code === '23505' || (typeof e?.code === 'string' && e.code.startsWith('SQLITE_CONSTRAINT_') && /UNIQUE|PRIMARYKEY/.test(e.code));
  if (!unique) throw err;
  const where = `${e.constraint ?? ''} ${e.message ?? ''}`;
  if (/email/.test(where)) throw new StoreConflictError('email');
  if (/username/.test(where)) throw new StoreConflictError('username');
  throw new StoreConflictError(fallback);
}

/** The one SQL implementation of Store, over a Kysely instance of either dialect. */
export class KyselyStore implements Store {
  constructor(
    private readonly db: Kysely<Database>,
    readonly dialect: 'sqlite' | 'postgres',
  ) {}

  // ---- meta ----
  async getOrPutMeta(key: string, value: string): Promise<string> {
    await this.db
      .insertInto('meta')
      .values({ key, value })
      .onConflict((oc) => oc.column('key').doNothing())
      .execute();
    return (await this.getMeta(key))!;
  }
  async getMeta(key: string): Promise<string | undefined> {
    const row = await this.db.selectFrom('meta').select('value').where('key', '=', key).executeTakeFirst();
    return row?.value;
  }
  async putMeta(key: string, value: string): Promise<void> {
    await this.db
      .insertInto('meta')
      .values({ key, value })
      .onConflict((oc) => oc.column('key').doUpdateSet({ value }))
      .execute();
  }

  // ---- pools ----
  async createPool(p: PoolRecord): Promise<void> {
    try {
      await this.db
        .insertInto('pools')
        .values({ id: p.id, name: p.name, config: JSON.stringify(p.config), created_at: p.createdAt, updated_at: p.updatedAt })
        .execute();
    } catch (err) {
      conflict(err, 'pool');
    }
  }
  async getPool(id: string): Promise<PoolRecord | undefined> {
    const r = await this.db.selectFrom('pools').selectAll().where('id', '=', id).executeTakeFirst();
    return r && toPool(r);
  }
  async updatePool(id: string, config: PoolRecord['config'], updatedAt: number, name?: string): Promise<boolean> {
    const r = await this.db
      .updateTable('pools')
      .set({ config: JSON.stringify(config), updated_at: updatedAt, ...(name !== undefined ? { name } : {}) })
      .where('id', '=', id)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }
  async deletePool(id: string): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      // Explicit deletes (children first) rather than relying on cascades alone: the same code path
      // on both dialects, and tables without a pool foreign key are covered too.
      for (const t of [
        'passkeys',
        'challenges',
        'auth_sessions',
        'token_families',
        'codes',
        'outbox',
        'login_attempts',
        'standin_codes',
      ] as const) {
        await trx.deleteFrom(t).where('pool_id', '=', id).execute();
      }
      await trx.deleteFrom('users').where('pool_id', '=', id).execute();
      await trx.deleteFrom('clients').where('pool_id', '=', id).execute();
      await trx.deleteFrom('signing_keys').where('pool_id', '=', id).execute();
      const r = await trx.deleteFrom('pools').where('id', '=', id).executeTakeFirst();
      return Number(r.numDeletedRows) > 0;
    });
  }
  async listPools(limit: number, after?: string): Promise<PoolRecord[]> {
    let q = this.db.selectFrom('pools').selectAll().orderBy('id').limit(limit);
    if (after !== undefined) q = q.where('id', '>', after);
    return (await q.execute()).map(toPool);
  }

  // ---- clients ----
  async createClient(c: ClientRecord): Promise<void> {
    try {
      await this.db
        .insertInto('clients')
        .values({
          id: c.id,
          pool_id: c.poolId,
          name: c.name,
          config: JSON.stringify(c.config),
          created_at: c.createdAt,
          updated_at: c.updatedAt,
        })
        .execute();
    } catch (err) {
      conflict(err, 'client');
    }
  }
  async getClient(id: string): Promise<ClientRecord | undefined> {
    const r = await this.db.selectFrom('clients').selectAll().where('id', '=', id).executeTakeFirst();
    return r && toClient(r);
  }
  async updateClient(id: string, name: string, config: ClientRecord['config'], updatedAt: number): Promise<boolean> {
    const r = await this.db
      .updateTable('clients')
      .set({ name, config: JSON.stringify(config), updated_at: updatedAt })
      .where('id', '=', id)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }
  async deleteClient(poolId: string, id: string): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      // Scoped by pool too: a client id given with the wrong pool must touch nothing.
      await trx.deleteFrom('token_families').where('pool_id', '=', poolId).where('client_id', '=', id).execute();
      await trx.deleteFrom('auth_sessions').where('pool_id', '=', poolId).where('client_id', '=', id).execute();
      await trx.deleteFrom('challenges').where('pool_id', '=', poolId).where('client_id', '=', id).execute();
      const r = await trx.deleteFrom('clients').where('pool_id', '=', poolId).where('id', '=', id).executeTakeFirst();
      return Number(r.numDeletedRows) > 0;
    });
  }
  async listClients(poolId: string, limit: number, after?: string): Promise<ClientRecord[]> {
    let q = this.db.selectFrom('clients').selectAll().where('pool_id', '=', poolId).orderBy('id').limit(limit);
    if (after !== undefined) q = q.where('id', '>', after);
    return (await q.execute()).map(toClient);
  }

  // ---- signing keys ----
  async listSigningKeys(poolId: string, now: number): Promise<SigningKeyRecord[]> {
    const rows = await this.db
      .selectFrom('signing_keys')
      .selectAll()
      .where('pool_id', '=', poolId)
      .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]))
      .orderBy('created_at', 'desc')
      .execute();
    return rows.map(toKey);
  }
  async getSigningKey(kid: string): Promise<SigningKeyRecord | undefined> {
    const r = await this.db.selectFrom('signing_keys').selectAll().where('kid', '=', kid).executeTakeFirst();
    return r && toKey(r);
  }
  async rotateSigningKey(k: SigningKeyRecord, retireOthersAt: number, retiredExpireAt: number): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx
        .updateTable('signing_keys')
        .set({ retired_at: retireOthersAt, expires_at: retiredExpireAt })
        .where('pool_id', '=', k.poolId)
        .where('retired_at', 'is', null)
        .execute();
      await trx
        .insertInto('signing_keys')
        .values({
          kid: k.kid,
          pool_id: k.poolId,
          alg: k.alg,
          private_key_enc: k.privateKeyEnc,
          public_jwk: JSON.stringify(k.publicJwk),
          created_at: k.createdAt,
          retired_at: k.retiredAt,
          expires_at: k.expiresAt,
        })
        .execute();
    });
  }

  // ---- users ----
  async createUser(u: UserRecord): Promise<void> {
    try {
      await this.db.insertInto('users').values(fromUser(u)).execute();
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
    const byEmail = async () => (emailKey === null ? undefined : this.findUserByEmail(poolId, emailKey));
    const byName = async () => {
      const r = await this.db
        .selectFrom('users')
        .selectAll()
        .where('pool_id', '=', poolId)
        .where('username_key', '=', usernameKey)
        .executeTakeFirst();
      return r && toUser(r);
    };
    return order === 'alias-first' ? ((await byEmail()) ?? byName()) : ((await byName()) ?? byEmail());
  }
  async updateUser(
    poolId: string,
    id: string,
    patch: UserPatch,
    updatedAt: number,
    guard?: { srpVerifier: string | null },
  ): Promise<boolean> {
    try {
      return await patchUser(this.db, poolId, id, patch, updatedAt, guard);
    } catch (err) {
      conflict(err, 'email');
    }
  }
  async updateUsers(poolId: string, patches: { id: string; patch: UserPatch }[], updatedAt: number): Promise<void> {
    try {
      await this.db.transaction().execute(async (trx) => {
        for (const { id, patch } of patches) await patchUser(trx, poolId, id, patch, updatedAt);
      });
    } catch (err) {
      conflict(err, 'email');
    }
  }
  async deleteUser(poolId: string, id: string): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      for (const t of ['passkeys', 'challenges', 'auth_sessions', 'token_families', 'codes'] as const) {
        await trx.deleteFrom(t).where('pool_id', '=', poolId).where('user_id', '=', id).execute();
      }
      const r = await trx.deleteFrom('users').where('pool_id', '=', poolId).where('id', '=', id).executeTakeFirst();
      return Number(r.numDeletedRows) > 0;
    });
  }
  async listUsers(poolId: string, limit: number, after: string | undefined, filter: UserFilter | undefined): Promise<UserRecord[]> {
    let q = this.db.selectFrom('users').selectAll().where('pool_id', '=', poolId).orderBy('username_key').limit(limit);
    if (after !== undefined) q = q.where('username_key', '>', after);
    if (filter) {
      if (filter.attribute === 'enabled') {
        q = q.where('enabled', '=', filter.value === 'Enabled' ? 1 : 0);
      } else {
        // Email filters match the stored email attribute, not only the sign-in alias key.
        const col =
          filter.attribute === 'username'
            ? 'username'
            : filter.attribute === 'email'
              ? 'attributes'
              : filter.attribute === 'sub'
                ? 'id'
                : 'status';
        if (col === 'attributes') {
          const needle = filter.value.toLowerCase();
          const escaped = needle.replace(/"/g, '').replace(/[\\%_]/g, (c) => `\\${c}`);
          const pattern = `%"email":"${escaped}${filter.op === '=' ? '"' : ''}%`;
          q = q.where(sql<boolean>`lower(attributes) like ${pattern} escape '\\'`);
        } else if (filter.op === '=') {
          q = q.where(col, '=', filter.value);
        } else {
          q = q.where(col, '>=', filter.value).where(col, '<', filter.value + '\u{10FFFF}');
        }
      }
    }
    return (await q.execute()).map(toUser);
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

/** One user's patch as a single UPDATE (unique-key violations propagate to the caller). */
async function patchUser(
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

function insertOutbox(db: Kysely<Database> | Transaction<Database>, m: Omit<OutboxMessage, 'id'>) {
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
async function admitAttempt(db: Kysely<Database> | Transaction<Database>, poolId: string, a: LoginAttempt, now: number): Promise<boolean> {
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

class LimitReached extends Error {}

/** After this long without attempts (and unlocked), a counter starts over (see Store.admitLoginAttempt). */
const LOGIN_ATTEMPT_IDLE_RESET_MS = FIXED.loginAttemptIdleResetMs.default;

/** Rolls a transaction back with a reason the caller reports. */
class Abort extends Error {
  constructor(readonly reason: 'session-gone' | 'passkey-race' | 'challenge-gone') {
    super(reason);
  }
}

/** The count-and-last-use guarded passkey update (see Store.recordPasskeyUse). */
async function usePasskey(db: Kysely<Database> | Transaction<Database>, p: PasskeyUse): Promise<boolean> {
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

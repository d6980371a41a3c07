/**
 * The directory half of the SQL store: meta, pools, app clients, signing keys, users and login attempts.
 * KyselyStore (store.ts) adds the ceremony half; the split only keeps each file readable.
 */
import { sql, type Kysely } from 'kysely';
import type {
  AuthSessionRecord,
  LoginAttempt,
  ClientRecord,
  PoolRecord,
  SigningKeyRecord,
  UserFilter,
  UserPatch,
  UserRecord,
} from '../types.js';
import type { Database } from './schema.js';
import { fromUser, toClient, toKey, toPool, toSession, toUser } from './rows.js';
import { admitAttempt, conflict, patchUser } from './statements.js';

/** Store methods over pools, clients, keys and users; see KyselyStore for the whole Store. */
export abstract class KyselyDirectory {
  constructor(
    protected readonly db: Kysely<Database>,
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
}

import type { Transaction } from 'kysely';
import type { ClientRecord, PoolRecord, SigningKeyRecord } from '../types.js';
import type { Database } from './schema.js';
import { toClient, toKey, toPool } from './rows.js';
import { KyselyBase, conflict } from './base.js';
import { ConfigCache, lockConfigVersion } from './configCache.js';

/** Pools, app clients and signing keys. */
export class PoolsStore extends KyselyBase {
  /** Pool and client rows; triggers bump config_version with every write below (migration 0012). */
  protected readonly configCache = new ConfigCache(this.db);

  /** Runs a pool/client/key write in a transaction, version row first (lockConfigVersion); drops this process's cache after. */
  protected async configWrite<T>(fn: (trx: Transaction<Database>) => Promise<T>): Promise<T> {
    try {
      return await this.db.transaction().execute(async (trx) => {
        await lockConfigVersion(trx);
        return fn(trx);
      });
    } finally {
      this.configCache.invalidate();
    }
  }

  // ---- pools ----
  async createPool(p: PoolRecord): Promise<void> {
    try {
      await this.configWrite((trx) =>
        trx
          .insertInto('pools')
          .values({ id: p.id, name: p.name, config: JSON.stringify(p.config), created_at: p.createdAt, updated_at: p.updatedAt })
          .execute(),
      );
    } catch (err) {
      conflict(err, 'pool');
    }
  }
  async getPool(id: string, opts: { fresh?: boolean } = {}): Promise<PoolRecord | undefined> {
    // Each caller gets its own record (the cached row is parsed anew), so none can change another's.
    const r = await this.configCache.get(
      `pool\n${id}`,
      () => this.db.selectFrom('pools').selectAll().where('id', '=', id).executeTakeFirst(),
      opts.fresh,
    );
    return r && toPool(r);
  }
  async updatePool(id: string, config: PoolRecord['config'], updatedAt: number, name?: string): Promise<boolean> {
    const r = await this.configWrite((trx) =>
      trx
        .updateTable('pools')
        .set({ config: JSON.stringify(config), updated_at: updatedAt, ...(name !== undefined ? { name } : {}) })
        .where('id', '=', id)
        .executeTakeFirst(),
    );
    return Number(r.numUpdatedRows) > 0;
  }
  async deletePool(id: string): Promise<boolean> {
    return this.configWrite(async (trx) => {
      // Explicit deletes (children first) rather than relying on cascades alone: the same code path
      // on both dialects, and tables without a pool foreign key are covered too.
      for (const t of [
        'passkeys',
        'devices',
        'challenges',
        'auth_sessions',
        'token_families',
        'codes',
        'outbox',
        'login_attempts',
        'standin_codes',
        'send_budgets',
        'group_members',
        'groups',
        'events',
        'user_mfa',
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
      await this.configWrite((trx) =>
        trx
          .insertInto('clients')
          .values({
            id: c.id,
            pool_id: c.poolId,
            name: c.name,
            config: JSON.stringify(c.config),
            created_at: c.createdAt,
            updated_at: c.updatedAt,
          })
          .execute(),
      );
    } catch (err) {
      conflict(err, 'client');
    }
  }
  async getClient(id: string, opts: { fresh?: boolean } = {}): Promise<ClientRecord | undefined> {
    const r = await this.configCache.get(
      `client\n${id}`,
      () => this.db.selectFrom('clients').selectAll().where('id', '=', id).executeTakeFirst(),
      opts.fresh,
    );
    return r && toClient(r);
  }
  async updateClient(id: string, name: string, config: ClientRecord['config'], updatedAt: number): Promise<boolean> {
    const r = await this.configWrite((trx) =>
      trx
        .updateTable('clients')
        .set({ name, config: JSON.stringify(config), updated_at: updatedAt })
        .where('id', '=', id)
        .executeTakeFirst(),
    );
    return Number(r.numUpdatedRows) > 0;
  }
  async deleteClient(poolId: string, id: string): Promise<boolean> {
    return this.configWrite(async (trx) => {
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
    await this.configWrite(async (trx) => {
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
}

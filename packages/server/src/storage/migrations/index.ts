import { sql, type Kysely, type Migration, type MigrationProvider } from 'kysely';

type Dialect = 'sqlite' | 'postgres';

/**
 * Numbered migrations. Never edit a released one; add the next number. On PostgreSQL Kysely's Migrator
 * takes an advisory lock, so instances starting at once run each migration exactly once; on SQLite the
 * migration transaction is the only guard (one machine: run `latchkey migrate` or start one process first).
 */
function migrations(dialect: Dialect): Record<string, Migration> {
  const bytes = dialect === 'postgres' ? 'bytea' : 'blob';
  return {
    '0001_initial': {
      async up(db: Kysely<any>) {
        await db.schema
          .createTable('meta')
          .addColumn('key', 'text', (c) => c.primaryKey())
          .addColumn('value', 'text', (c) => c.notNull())
          .execute();
        await db.schema
          .createTable('pools')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('name', 'text', (c) => c.notNull())
          .addColumn('config', 'text', (c) => c.notNull())
          .addColumn('created_at', 'bigint', (c) => c.notNull())
          .addColumn('updated_at', 'bigint', (c) => c.notNull())
          .execute();
        await db.schema
          .createTable('clients')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('pool_id', 'text', (c) => c.notNull().references('pools.id').onDelete('cascade'))
          .addColumn('name', 'text', (c) => c.notNull())
          .addColumn('config', 'text', (c) => c.notNull())
          .addColumn('created_at', 'bigint', (c) => c.notNull())
          .addColumn('updated_at', 'bigint', (c) => c.notNull())
          .execute();
        await db.schema.createIndex('clients_pool').on('clients').columns(['pool_id', 'id']).execute();
        await db.schema
          .createTable('signing_keys')
          .addColumn('kid', 'text', (c) => c.primaryKey())
          .addColumn('pool_id', 'text', (c) => c.notNull().references('pools.id').onDelete('cascade'))
          .addColumn('alg', 'text', (c) => c.notNull())
          .addColumn('private_key_enc', 'text', (c) => c.notNull())
          .addColumn('public_jwk', 'text', (c) => c.notNull())
          .addColumn('created_at', 'bigint', (c) => c.notNull())
          .addColumn('retired_at', 'bigint')
          .addColumn('expires_at', 'bigint')
          .execute();
        await db.schema.createIndex('signing_keys_pool').on('signing_keys').columns(['pool_id', 'created_at']).execute();
        await db.schema
          .createTable('users')
          .addColumn('pool_id', 'text', (c) => c.notNull().references('pools.id').onDelete('cascade'))
          .addColumn('id', 'text', (c) => c.notNull())
          .addColumn('username', 'text', (c) => c.notNull())
          .addColumn('username_key', 'text', (c) => c.notNull())
          .addColumn('email_key', 'text')
          .addColumn('status', 'text', (c) => c.notNull())
          .addColumn('enabled', 'integer', (c) => c.notNull())
          .addColumn('attributes', 'text', (c) => c.notNull())
          .addColumn('srp_salt', 'text')
          .addColumn('srp_verifier', 'text')
          .addColumn('failed_attempts', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('locked_until', 'bigint', (c) => c.notNull().defaultTo(0))
          .addColumn('passkey_count', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('tokens_valid_after', 'bigint', (c) => c.notNull().defaultTo(0))
          .addColumn('created_at', 'bigint', (c) => c.notNull())
          .addColumn('updated_at', 'bigint', (c) => c.notNull())
          .addPrimaryKeyConstraint('users_pk', ['pool_id', 'id'])
          .execute();
        await db.schema.createIndex('users_username').unique().on('users').columns(['pool_id', 'username_key']).execute();
        await db.schema.createIndex('users_email').unique().on('users').columns(['pool_id', 'email_key']).execute();
        await db.schema
          .createTable('codes')
          .addColumn('pool_id', 'text', (c) => c.notNull())
          .addColumn('user_id', 'text', (c) => c.notNull())
          .addColumn('purpose', 'text', (c) => c.notNull())
          .addColumn('code_hash', 'text', (c) => c.notNull())
          .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('expires_at', 'bigint', (c) => c.notNull())
          .addPrimaryKeyConstraint('codes_pk', ['pool_id', 'user_id', 'purpose'])
          .addForeignKeyConstraint('codes_user', ['pool_id', 'user_id'], 'users', ['pool_id', 'id'], (c) => c.onDelete('cascade'))
          .execute();
        await db.schema
          .createTable('outbox')
          .addColumn('id', dialect === 'postgres' ? 'bigserial' : 'integer', (c) =>
            dialect === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement(),
          )
          .addColumn('pool_id', 'text', (c) => c.notNull())
          .addColumn('user_id', 'text')
          .addColumn('destination', 'text', (c) => c.notNull())
          .addColumn('subject', 'text', (c) => c.notNull())
          .addColumn('body', 'text', (c) => c.notNull())
          .addColumn('code', 'text')
          .addColumn('created_at', 'bigint', (c) => c.notNull())
          .execute();
        await db.schema
          .createTable('token_families')
          .addColumn('origin_jti', 'text', (c) => c.primaryKey())
          .addColumn('pool_id', 'text', (c) => c.notNull())
          .addColumn('client_id', 'text', (c) => c.notNull().references('clients.id').onDelete('cascade'))
          .addColumn('user_id', 'text', (c) => c.notNull())
          .addColumn('refresh_hash', 'text', (c) => c.notNull().unique())
          .addColumn('auth_time', 'bigint', (c) => c.notNull())
          .addColumn('created_at', 'bigint', (c) => c.notNull())
          .addColumn('expires_at', 'bigint', (c) => c.notNull())
          .addColumn('revoked_at', 'bigint')
          .addForeignKeyConstraint('families_user', ['pool_id', 'user_id'], 'users', ['pool_id', 'id'], (c) => c.onDelete('cascade'))
          .execute();
        await db.schema.createIndex('token_families_user').on('token_families').columns(['pool_id', 'user_id']).execute();
        await db.schema
          .createTable('challenges')
          .addColumn('challenge', 'text', (c) => c.primaryKey())
          .addColumn('kind', 'text', (c) => c.notNull())
          .addColumn('pool_id', 'text', (c) => c.notNull())
          .addColumn('user_id', 'text', (c) => c.notNull())
          .addColumn('client_id', 'text', (c) => c.notNull())
          .addColumn('expires_at', 'bigint', (c) => c.notNull())
          .addForeignKeyConstraint('challenges_user', ['pool_id', 'user_id'], 'users', ['pool_id', 'id'], (c) => c.onDelete('cascade'))
          .execute();
        await db.schema
          .createTable('auth_sessions')
          .addColumn('id_hash', 'text', (c) => c.primaryKey())
          .addColumn('pool_id', 'text', (c) => c.notNull().references('pools.id').onDelete('cascade'))
          .addColumn('client_id', 'text', (c) => c.notNull())
          .addColumn('user_id', 'text')
          .addColumn('state', 'text', (c) => c.notNull())
          .addColumn('expires_at', 'bigint', (c) => c.notNull())
          .execute();
        await db.schema
          .createTable('passkeys')
          .addColumn('pool_id', 'text', (c) => c.notNull())
          .addColumn('user_id', 'text', (c) => c.notNull())
          .addColumn('credential_id', 'text', (c) => c.notNull())
          .addColumn('public_key', bytes as 'blob', (c) => c.notNull())
          .addColumn('algorithm', 'integer', (c) => c.notNull())
          .addColumn('sign_count', 'bigint', (c) => c.notNull())
          .addColumn('transports', 'text', (c) => c.notNull())
          .addColumn('attachment', 'text')
          .addColumn('aaguid', 'text', (c) => c.notNull())
          .addColumn('backup_eligible', 'integer', (c) => c.notNull())
          .addColumn('backup_state', 'integer', (c) => c.notNull())
          .addColumn('user_verified', 'integer', (c) => c.notNull())
          .addColumn('fmt', 'text', (c) => c.notNull())
          .addColumn('friendly_name', 'text', (c) => c.notNull())
          .addColumn('relying_party_id', 'text', (c) => c.notNull())
          .addColumn('created_at', 'bigint', (c) => c.notNull())
          .addColumn('last_used_at', 'bigint')
          .addColumn('clone_warnings', 'integer', (c) => c.notNull().defaultTo(0))
          .addPrimaryKeyConstraint('passkeys_pk', ['pool_id', 'credential_id'])
          .addForeignKeyConstraint('passkeys_user', ['pool_id', 'user_id'], 'users', ['pool_id', 'id'], (c) => c.onDelete('cascade'))
          .execute();
        await db.schema
          .createIndex('passkeys_user_order')
          .on('passkeys')
          .columns(['pool_id', 'user_id', 'created_at', 'credential_id'])
          .execute();
      },
    },
    '0002_password_set_at': {
      async up(db: Kysely<any>) {
        await db.schema
          .alterTable('users')
          .addColumn('password_set_at', 'bigint', (c) => c.notNull().defaultTo(0))
          .execute();
        await sql`update users set password_set_at = updated_at where srp_verifier is not null`.execute(db);
      },
    },
    '0003_login_attempts_and_standins': {
      // Idempotent (IF NOT EXISTS): SQLite DDL is not transactional under Kysely's migrator, so a
      // migration interrupted half-way must be able to run again.
      // Password attempts are admitted per typed login name (an HMAC of it), for known and unknown
      // users alike, so a lockout looks the same whether or not the name exists; the per-user
      // counters this replaces could only lock real users (and were decided on a stale read).
      async up(db: Kysely<any>) {
        await db.schema
          .createTable('login_attempts')
          .ifNotExists()
          .addColumn('pool_id', 'text', (c) => c.notNull().references('pools.id').onDelete('cascade'))
          .addColumn('login_key', 'text', (c) => c.notNull())
          .addColumn('failures', 'integer', (c) => c.notNull())
          .addColumn('locked_until', 'bigint', (c) => c.notNull())
          .addColumn('updated_at', 'bigint', (c) => c.notNull())
          .addPrimaryKeyConstraint('login_attempts_pk', ['pool_id', 'login_key'])
          .execute();
        await db.schema.createIndex('login_attempts_updated').ifNotExists().on('login_attempts').column('updated_at').execute();
        // Codes "sent" to names that get none (unknown users, with existence errors prevented): the same
        // attempts and expiry as a real code, none of which ever matches. Keyed by an HMAC of the name.
        await db.schema
          .createTable('standin_codes')
          .ifNotExists()
          .addColumn('pool_id', 'text', (c) => c.notNull().references('pools.id').onDelete('cascade'))
          .addColumn('name_key', 'text', (c) => c.notNull())
          .addColumn('purpose', 'text', (c) => c.notNull())
          .addColumn('attempts', 'integer', (c) => c.notNull())
          .addColumn('expires_at', 'bigint', (c) => c.notNull())
          .addPrimaryKeyConstraint('standin_codes_pk', ['pool_id', 'name_key', 'purpose'])
          .execute();
        // users.failed_attempts / locked_until are no longer read or written. They stay (with their
        // defaults) so that instances of the previous release keep working during a rolling upgrade;
        // a later migration drops them.
      },
    },
    '0004_auth_session_attempts': {
      // Answers counted per Session (EMAIL_OTP / SMS_OTP codes): a wrong code keeps the Session usable up
      // to a limit, guarded in one UPDATE so workers and instances cannot exceed it together. Rows written
      // by the previous release get 0, which is what they have used.
      async up(db: Kysely<any>) {
        await db.schema
          .alterTable('auth_sessions')
          .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
          .execute();
      },
    },
    '0005_send_budgets': {
      // How many codes were sent (and sign-up codes tried) per key and purpose in the current window:
      // admitted by one guarded upsert (Store.admitBudget), so workers and instances share one count.
      // Keys are HMACs (of the typed name, or of the user id), as login_attempts' are. Idempotent, as 0003.
      async up(db: Kysely<any>) {
        await db.schema
          .createTable('send_budgets')
          .ifNotExists()
          .addColumn('pool_id', 'text', (c) => c.notNull().references('pools.id').onDelete('cascade'))
          .addColumn('budget_key', 'text', (c) => c.notNull())
          .addColumn('purpose', 'text', (c) => c.notNull())
          .addColumn('used', 'integer', (c) => c.notNull())
          .addColumn('window_ends_at', 'bigint', (c) => c.notNull())
          .addPrimaryKeyConstraint('send_budgets_pk', ['pool_id', 'budget_key', 'purpose'])
          .execute();
        await db.schema.createIndex('send_budgets_window').ifNotExists().on('send_budgets').column('window_ends_at').execute();
      },
    },
    '0006_mfa': {
      // A user's MFA state: the TOTP secret (sealed under the server key, as signing keys are) with the
      // last time step accepted for it (the replay guard, advanced by one guarded UPDATE), a pending
      // secret between AssociateSoftwareToken and VerifySoftwareToken, and the SetUserMFAPreference flags.
      // A user without a row has no MFA settings. Idempotent, as 0003.
      async up(db: Kysely<any>) {
        await db.schema
          .createTable('user_mfa')
          .ifNotExists()
          .addColumn('pool_id', 'text', (c) => c.notNull().references('pools.id').onDelete('cascade'))
          .addColumn('user_id', 'text', (c) => c.notNull())
          .addColumn('totp_secret_enc', 'text')
          .addColumn('totp_pending_enc', 'text')
          .addColumn('totp_last_step', 'bigint', (c) => c.notNull().defaultTo(0))
          .addColumn('totp_name', 'text')
          .addColumn('totp_enabled', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('sms_enabled', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('email_enabled', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('webauthn_enabled', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('preferred', 'text')
          .addColumn('updated_at', 'bigint', (c) => c.notNull())
          .addPrimaryKeyConstraint('user_mfa_pk', ['pool_id', 'user_id'])
          .execute();
      },
    },
    '0007_devices': {
      // Remembered devices (ConfirmDevice / DEVICE_SRP_AUTH). A device row is written unconfirmed (no verifier,
      // expires_at set) with the sign-in that hands out its NewDeviceMetadata; ConfirmDevice stores the
      // device's SRP verifier and clears expires_at. token_families.device_key binds a sign-in to the device
      // it was made on, so ForgetDevice revokes exactly those families. users.srp_identity records the SRP
      // identity a verifier was made with (null: the user id, every verifier before this release).
      // Idempotent where SQLite allows (IF NOT EXISTS), as 0003.
      async up(db: Kysely<any>) {
        await db.schema
          .createTable('devices')
          .ifNotExists()
          .addColumn('pool_id', 'text', (c) => c.notNull())
          .addColumn('device_key', 'text', (c) => c.notNull())
          .addColumn('user_id', 'text', (c) => c.notNull())
          .addColumn('group_key', 'text', (c) => c.notNull())
          .addColumn('name', 'text')
          .addColumn('remembered', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('srp_salt', 'text')
          .addColumn('srp_verifier', 'text')
          .addColumn('last_ip', 'text')
          .addColumn('created_at', 'bigint', (c) => c.notNull())
          .addColumn('updated_at', 'bigint', (c) => c.notNull())
          .addColumn('last_auth_at', 'bigint')
          .addColumn('expires_at', 'bigint')
          .addPrimaryKeyConstraint('devices_pk', ['pool_id', 'device_key'])
          .addForeignKeyConstraint('devices_user', ['pool_id', 'user_id'], 'users', ['pool_id', 'id'], (c) => c.onDelete('cascade'))
          .execute();
        await db.schema
          .createIndex('devices_user_order')
          .ifNotExists()
          .on('devices')
          .columns(['pool_id', 'user_id', 'device_key'])
          .execute();
        await db.schema.createIndex('devices_expires').ifNotExists().on('devices').column('expires_at').execute();
        await db.schema.alterTable('token_families').addColumn('device_key', 'text').execute();
        await db.schema.alterTable('users').addColumn('srp_identity', 'text').execute();
      },
    },
    '0008_attributes': {
      // A changed email / phone_number waiting for verification (UserAttributeUpdateSettings
      // .AttributesRequireVerificationBeforeUpdate): kept apart from `attributes`, so sign-in, the email
      // alias key and every read keep the old, verified value until the new one is verified. Rows written
      // by the previous release have nothing pending.
      async up(db: Kysely<any>) {
        await db.schema
          .alterTable('users')
          .addColumn('pending_attributes', 'text', (c) => c.notNull().defaultTo('{}'))
          .execute();
      },
    },
    '0009_passkey_extras': {
      // A registration challenge remembers whether its Start asked for a conditional create (the browser's
      // automatic passkey upgrade, which may omit user presence). Rows of the previous release get 0: they
      // asked for nothing, so their registrations keep needing UP. The passkeys table already stores the
      // flags and AAGUID the richer listing returns.
      async up(db: Kysely<any>) {
        await db.schema
          .alterTable('challenges')
          .addColumn('conditional_create', 'integer', (c) => c.notNull().defaultTo(0))
          .execute();
      },
    },
    '0010_events': {
      // The transactional outbox of lifecycle events (docs/events.md): inserted in the transaction of the change,
      // claimed for delivery with a lease (one guarded UPDATE), kept after delivery for AdminListUserAuthEvents.
      async up(db: Kysely<any>) {
        await db.schema
          .createTable('events')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('pool_id', 'text', (c) => c.notNull())
          .addColumn('user_id', 'text', (c) => c.notNull())
          .addColumn('username', 'text', (c) => c.notNull())
          .addColumn('type', 'text', (c) => c.notNull())
          .addColumn('detail', 'text', (c) => c.notNull())
          .addColumn('created_at', 'bigint', (c) => c.notNull())
          .addColumn('next_attempt_at', 'bigint')
          .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('lease_until', 'bigint', (c) => c.notNull().defaultTo(0))
          .addColumn('lease_owner', 'text')
          .addColumn('delivered_at', 'bigint')
          .addColumn('last_error', 'text')
          .execute();
        await db.schema.createIndex('events_due').on('events').columns(['next_attempt_at']).execute();
        await db.schema.createIndex('events_user').on('events').columns(['pool_id', 'user_id', 'created_at']).execute();
        await db.schema.createIndex('events_created').on('events').columns(['created_at']).execute();
      },
    },
    '0011_groups': {
      // User-pool groups and memberships. Memberships reference both the group and the user with cascading
      // foreign keys, so a membership cannot outlive either even when a delete races an AdminAddUserToGroup
      // (the store also deletes them explicitly, as for every other table).
      async up(db: Kysely<any>) {
        await db.schema
          .createTable('groups')
          .addColumn('pool_id', 'text', (c) => c.notNull().references('pools.id').onDelete('cascade'))
          .addColumn('name', 'text', (c) => c.notNull())
          .addColumn('description', 'text')
          .addColumn('role_arn', 'text')
          .addColumn('precedence', 'integer')
          .addColumn('created_at', 'bigint', (c) => c.notNull())
          .addColumn('updated_at', 'bigint', (c) => c.notNull())
          .addPrimaryKeyConstraint('groups_pk', ['pool_id', 'name'])
          .execute();
        await db.schema
          .createTable('group_members')
          .addColumn('pool_id', 'text', (c) => c.notNull())
          .addColumn('group_name', 'text', (c) => c.notNull())
          .addColumn('user_id', 'text', (c) => c.notNull())
          .addPrimaryKeyConstraint('group_members_pk', ['pool_id', 'group_name', 'user_id'])
          .addForeignKeyConstraint('group_members_group', ['pool_id', 'group_name'], 'groups', ['pool_id', 'name'], (c) =>
            c.onDelete('cascade'),
          )
          .addForeignKeyConstraint('group_members_user', ['pool_id', 'user_id'], 'users', ['pool_id', 'id'], (c) => c.onDelete('cascade'))
          .execute();
        await db.schema.createIndex('group_members_user').on('group_members').columns(['pool_id', 'user_id']).execute();
      },
    },
    '0012_config_version': {
      // One counter row, bumped by triggers in the transaction of every write to pools, clients and signing_keys:
      // each process caches those records and re-reads only this row to learn that another instance changed one.
      // Triggers rather than application code, so a write by an older release during a rolling upgrade, or by an
      // operator's SQL, reaches every cache too.
      async up(db: Kysely<any>) {
        await db.schema
          .createTable('config_version')
          .addColumn('id', 'integer', (c) => c.primaryKey())
          .addColumn('version', 'bigint', (c) => c.notNull())
          .execute();
        await db.insertInto('config_version').values({ id: 1, version: 0 }).execute();
        const bump = 'UPDATE config_version SET version = version + 1 WHERE id = 1';
        if (dialect === 'postgres') {
          // The version row of the changed table's own schema, whatever the writer's search_path (an operator's SQL).
          await sql
            .raw(
              'CREATE FUNCTION bump_config_version() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN ' +
                "EXECUTE format('UPDATE %I.config_version SET version = version + 1 WHERE id = 1', TG_TABLE_SCHEMA); " +
                'RETURN NULL; END $$',
            )
            .execute(db);
          // Row-level, and not for an UPDATE that changes nothing (createGroup's lock on the pool row).
          for (const t of ['pools', 'clients', 'signing_keys']) {
            await sql
              .raw(`CREATE TRIGGER ${t}_config_version AFTER INSERT OR DELETE ON ${t} FOR EACH ROW EXECUTE FUNCTION bump_config_version()`)
              .execute(db);
            await sql
              .raw(
                `CREATE TRIGGER ${t}_config_version_update AFTER UPDATE ON ${t} FOR EACH ROW ` +
                  'WHEN (OLD.* IS DISTINCT FROM NEW.*) EXECUTE FUNCTION bump_config_version()',
              )
              .execute(db);
          }
        } else {
          for (const t of ['pools', 'clients', 'signing_keys'])
            for (const ev of ['INSERT', 'UPDATE', 'DELETE'])
              await sql.raw(`CREATE TRIGGER ${t}_config_version_${ev.toLowerCase()} AFTER ${ev} ON ${t} BEGIN ${bump}; END`).execute(db);
        }
      },
    },
  };
}

export function migrationProvider(dialect: Dialect): MigrationProvider {
  return { getMigrations: async () => migrations(dialect) };
}

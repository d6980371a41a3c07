import { sql, type RawBuilder, type Selectable } from 'kysely';
import type { AuthSessionsTable, ChallengesTable, PasskeysTable, TokenFamiliesTable, UsersTable } from './schema.js';
import type { AuthSessionRecord, ChallengeRecord, PasskeyRecord, TokenFamilyRecord, TokenGroupRow, UserRecord } from '../types.js';
import { toChallenge, toFamily, toPasskey, toSession, toUser } from './rows.js';

// A request step's rows in one statement (one round trip on PostgreSQL): several tables joined, each table's
// columns selected under its own prefix, so equal column names (pool_id, user_id, created_at) do not collide.
// The column lists are checked against the table shapes at compile time: a column added to a table and not
// here is a type error, not a field silently missing from a record.

type Exhaustive<T, C extends readonly (keyof T)[]> = [Exclude<keyof T, C[number]>] extends [never] ? C : never;
const columns =
  <T>() =>
  <const C extends readonly (keyof T & string)[]>(c: Exhaustive<T, C>): C =>
    c;

export const USER_COLUMNS = columns<UsersTable>()([
  'pool_id',
  'id',
  'username',
  'username_key',
  'email_key',
  'status',
  'enabled',
  'attributes',
  'pending_attributes',
  'srp_salt',
  'srp_verifier',
  'password_set_at',
  'passkey_count',
  'tokens_valid_after',
  'created_at',
  'updated_at',
  'srp_identity',
]);
export const PASSKEY_COLUMNS = columns<PasskeysTable>()([
  'pool_id',
  'user_id',
  'credential_id',
  'public_key',
  'algorithm',
  'sign_count',
  'transports',
  'attachment',
  'aaguid',
  'backup_eligible',
  'backup_state',
  'user_verified',
  'fmt',
  'friendly_name',
  'relying_party_id',
  'created_at',
  'last_used_at',
  'clone_warnings',
]);
export const SESSION_COLUMNS = columns<AuthSessionsTable>()([
  'id_hash',
  'pool_id',
  'client_id',
  'user_id',
  'state',
  'expires_at',
  'attempts',
]);
export const FAMILY_COLUMNS = columns<TokenFamiliesTable>()([
  'origin_jti',
  'pool_id',
  'client_id',
  'user_id',
  'refresh_hash',
  'auth_time',
  'created_at',
  'expires_at',
  'revoked_at',
  'device_key',
]);
export const CHALLENGE_COLUMNS = columns<ChallengesTable>()([
  'challenge',
  'kind',
  'pool_id',
  'user_id',
  'client_id',
  'expires_at',
  'conditional_create',
]);

/** `alias.col as prefix_col, …` for every column: the select list of one table of a join. */
export function prefixed(alias: string, cols: readonly string[], prefix: string): RawBuilder<unknown> {
  return sql.join(cols.map((c) => sql`${sql.ref(`${alias}.${c}`)} as ${sql.id(`${prefix}${c}`)}`));
}

/**
 * One table's row back out of a joined row (the inverse of prefixed), or undefined when the join found none: the
 * `key` column (part of the table's primary key, never null in a stored row) is null.
 */
function unprefixed<T>(row: Record<string, unknown>, cols: readonly string[], prefix: string, key: string): T | undefined {
  if (row[`${prefix}${key}`] === null || row[`${prefix}${key}`] === undefined) return undefined;
  const out: Record<string, unknown> = {};
  for (const c of cols) out[c] = row[`${prefix}${c}`];
  return out as T;
}

/** One table's record out of a joined row, selected with prefixed(alias, its columns, prefix); undefined when absent. */
const recordIn =
  <T, R>(cols: readonly string[], key: string, to: (row: Selectable<T>) => R) =>
  (row: Record<string, unknown>, prefix: string): R | undefined => {
    const r = unprefixed<Selectable<T>>(row, cols, prefix, key);
    return r && to(r);
  };
export const userIn = recordIn<UsersTable, UserRecord>(USER_COLUMNS, 'id', toUser);
export const passkeyIn = recordIn<PasskeysTable, PasskeyRecord>(PASSKEY_COLUMNS, 'credential_id', toPasskey);
export const sessionIn = recordIn<AuthSessionsTable, AuthSessionRecord>(SESSION_COLUMNS, 'id_hash', toSession);
export const familyIn = recordIn<TokenFamiliesTable, TokenFamilyRecord>(FAMILY_COLUMNS, 'origin_jti', toFamily);
export const challengeIn = recordIn<ChallengesTable, ChallengeRecord>(CHALLENGE_COLUMNS, 'challenge', toChallenge);

/** The passkeys of a join that has one row per passkey (a row with nulls where there is none). */
export const passkeysIn = (rows: readonly Record<string, unknown>[], prefix: string): PasskeyRecord[] =>
  rows.flatMap((r) => passkeyIn(r, prefix) ?? []);

/**
 * The groups of the user in `users` row `userAlias`, as one JSON text column: `[[name, precedence, role_arn], …]`,
 * at most `limit`, by name (the order of Store.listGroupsForUser). A scalar subquery, so it adds no rows to the
 * join it is selected in; read back with tokenGroups().
 */
export function tokenGroupsColumn(dialect: 'sqlite' | 'postgres', userAlias: string, limit: number): RawBuilder<string | null> {
  const inner = sql`select g.name, g.precedence, g.role_arn from group_members m
    inner join groups g on g.pool_id = m.pool_id and g.name = m.group_name
    where m.pool_id = ${sql.ref(`${userAlias}.pool_id`)} and m.user_id = ${sql.ref(`${userAlias}.id`)}
    order by g.name limit ${limit}`;
  // The aggregate's own ORDER BY: neither dialect promises to keep a subquery's order in an aggregate.
  return dialect === 'postgres'
    ? sql<string | null>`(select coalesce(json_agg(json_build_array(t.name, t.precedence, t.role_arn) order by t.name), '[]')::text
        from (${inner}) t)`
    : sql<string | null>`(select json_group_array(json_array(t.name, t.precedence, t.role_arn) order by t.name) from (${inner}) t)`;
}

/** The rows of tokenGroupsColumn; none when the user row itself was not found (null). */
export function tokenGroups(text: unknown): TokenGroupRow[] {
  if (typeof text !== 'string') return [];
  return (JSON.parse(text) as [string, number | string | null, string | null][]).map(([name, precedence, roleArn]) => ({
    name,
    precedence: precedence === null ? null : Number(precedence),
    roleArn,
  }));
}

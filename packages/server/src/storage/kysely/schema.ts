import type { ColumnType } from 'kysely';
/** Table shapes as Kysely sees them. Booleans are 0/1 integers and JSON is text in both dialects. */
export interface MetaTable {
  key: string;
  value: string;
}
export interface PoolsTable {
  id: string;
  name: string;
  config: string;
  created_at: number;
  updated_at: number;
}
export interface ClientsTable {
  id: string;
  pool_id: string;
  name: string;
  config: string;
  created_at: number;
  updated_at: number;
}
export interface SigningKeysTable {
  kid: string;
  pool_id: string;
  alg: string;
  private_key_enc: string;
  public_jwk: string;
  created_at: number;
  retired_at: number | null;
  expires_at: number | null;
}
export interface UsersTable {
  pool_id: string;
  id: string;
  username: string;
  username_key: string;
  email_key: string | null;
  status: string;
  enabled: number;
  attributes: string;
  pending_attributes: string;
  srp_salt: string | null;
  srp_verifier: string | null;
  password_set_at: number;
  passkey_count: number;
  tokens_valid_after: number;
  created_at: number;
  updated_at: number;
  /** The SRP identity of srp_verifier; null: the user id (migration 0007). */
  srp_identity: string | null;
}
export interface LoginAttemptsTable {
  pool_id: string;
  login_key: string;
  failures: number;
  locked_until: number;
  updated_at: number;
}
export interface SendBudgetsTable {
  pool_id: string;
  budget_key: string;
  purpose: string;
  used: number;
  window_ends_at: number;
}
export interface StandinCodesTable {
  pool_id: string;
  name_key: string;
  purpose: string;
  attempts: number;
  expires_at: number;
}
export interface CodesTable {
  pool_id: string;
  user_id: string;
  purpose: string;
  code_hash: string;
  attempts: number;
  expires_at: number;
}
export interface OutboxTable {
  id: number | undefined;
  pool_id: string;
  user_id: string | null;
  destination: string;
  subject: string;
  body: string;
  code: string | null;
  created_at: number;
}
export interface TokenFamiliesTable {
  origin_jti: string;
  pool_id: string;
  client_id: string;
  user_id: string;
  refresh_hash: string;
  auth_time: number;
  created_at: number;
  expires_at: number;
  revoked_at: number | null;
  /** The device the sign-in was made on (migration 0007); null when none. */
  device_key: string | null;
}
export interface DevicesTable {
  pool_id: string;
  device_key: string;
  user_id: string;
  group_key: string;
  name: string | null;
  remembered: number;
  srp_salt: string | null;
  srp_verifier: string | null;
  last_ip: string | null;
  created_at: number;
  updated_at: number;
  last_auth_at: number | null;
  expires_at: number | null;
}
export interface ChallengesTable {
  challenge: string;
  kind: string;
  pool_id: string;
  user_id: string;
  client_id: string;
  expires_at: number;
  /** 1 when the Start asked for a conditional create (0009_passkey_extras); such a registration may lack UP. */
  conditional_create: ColumnType<number, number | undefined, number>;
}
export interface AuthSessionsTable {
  id_hash: string;
  pool_id: string;
  client_id: string;
  user_id: string | null;
  state: string;
  expires_at: number;
  /** Answers counted so far (Store.admitAuthSessionAttempt); the column's default is 0. */
  attempts: ColumnType<number, number | undefined, number>;
}
export interface PasskeysTable {
  pool_id: string;
  user_id: string;
  credential_id: string;
  public_key: Uint8Array;
  algorithm: number;
  sign_count: number;
  transports: string;
  attachment: string | null;
  aaguid: string;
  backup_eligible: number;
  backup_state: number;
  user_verified: number;
  fmt: string;
  friendly_name: string;
  relying_party_id: string;
  created_at: number;
  last_used_at: number | null;
  clone_warnings: number;
}
export interface GroupsTable {
  pool_id: string;
  name: string;
  description: string | null;
  role_arn: string | null;
  precedence: number | null;
  created_at: number;
  updated_at: number;
}
export interface GroupMembersTable {
  pool_id: string;
  group_name: string;
  user_id: string;
}
export interface EventsTable {
  id: string;
  pool_id: string;
  user_id: string;
  username: string;
  type: string;
  detail: string;
  created_at: number;
  next_attempt_at: number | null;
  attempts: number;
  lease_until: number;
  lease_owner: string | null;
  delivered_at: number | null;
  last_error: string | null;
}

export interface UserMfaTable {
  pool_id: string;
  user_id: string;
  totp_secret_enc: string | null;
  totp_pending_enc: string | null;
  totp_last_step: number;
  totp_name: string | null;
  totp_enabled: number;
  sms_enabled: number;
  email_enabled: number;
  webauthn_enabled: number;
  preferred: string | null;
  updated_at: number;
}

export interface Database {
  meta: MetaTable;
  pools: PoolsTable;
  clients: ClientsTable;
  signing_keys: SigningKeysTable;
  users: UsersTable;
  codes: CodesTable;
  login_attempts: LoginAttemptsTable;
  standin_codes: StandinCodesTable;
  send_budgets: SendBudgetsTable;
  outbox: OutboxTable;
  token_families: TokenFamiliesTable;
  challenges: ChallengesTable;
  auth_sessions: AuthSessionsTable;
  passkeys: PasskeysTable;
  groups: GroupsTable;
  group_members: GroupMembersTable;
  events: EventsTable;
  devices: DevicesTable;
  user_mfa: UserMfaTable;
  config_version: ConfigVersionTable;
}

/** One row (id 1): bumped with every pool, client and signing-key write (storage/kysely/configCache.ts). */
export interface ConfigVersionTable {
  id: number;
  version: number;
}

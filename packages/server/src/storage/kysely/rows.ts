import type { Selectable } from 'kysely';
import type {
  ClientRecord,
  PasskeyRecord,
  PoolRecord,
  SigningKeyRecord,
  TokenFamilyRecord,
  UserRecord,
  UserStatus,
  AuthSessionRecord,
  ChallengeRecord,
  OutboxMessage,
  DeviceRecord,
} from '../types.js';
import type {
  ClientsTable,
  PasskeysTable,
  PoolsTable,
  SigningKeysTable,
  TokenFamiliesTable,
  UsersTable,
  AuthSessionsTable,
  ChallengesTable,
  OutboxTable,
  DevicesTable,
} from './schema.js';
import { parseClientConfig, parsePoolConfig } from '../configs.js';

// Row ↔ record mapping in one place, so the two dialects' representations (0/1 vs boolean, Buffer vs
// Uint8Array, text JSON) never leak out of storage/.

const n = (v: unknown): number => (typeof v === 'number' ? v : Number(v));
const nn = (v: unknown): number | null => (v === null || v === undefined ? null : n(v));

export const toPool = (r: Selectable<PoolsTable>): PoolRecord => ({
  id: r.id,
  name: r.name,
  config: parsePoolConfig(r.config),
  createdAt: n(r.created_at),
  updatedAt: n(r.updated_at),
});
export const toClient = (r: Selectable<ClientsTable>): ClientRecord => ({
  id: r.id,
  poolId: r.pool_id,
  name: r.name,
  config: parseClientConfig(r.config),
  createdAt: n(r.created_at),
  updatedAt: n(r.updated_at),
});
export const toKey = (r: Selectable<SigningKeysTable>): SigningKeyRecord => ({
  kid: r.kid,
  poolId: r.pool_id,
  alg: r.alg,
  privateKeyEnc: r.private_key_enc,
  publicJwk: JSON.parse(r.public_jwk),
  createdAt: n(r.created_at),
  retiredAt: nn(r.retired_at),
  expiresAt: nn(r.expires_at),
});
export const toUser = (r: Selectable<UsersTable>): UserRecord => ({
  poolId: r.pool_id,
  id: r.id,
  username: r.username,
  usernameKey: r.username_key,
  emailKey: r.email_key,
  status: r.status as UserStatus,
  enabled: n(r.enabled) === 1,
  attributes: JSON.parse(r.attributes),
  pendingAttributes: JSON.parse(r.pending_attributes),
  srpSalt: r.srp_salt,
  srpVerifier: r.srp_verifier,
  passwordSetAt: n(r.password_set_at),
  passkeyCount: n(r.passkey_count),
  tokensValidAfter: n(r.tokens_valid_after),
  createdAt: n(r.created_at),
  updatedAt: n(r.updated_at),
  srpIdentity: r.srp_identity ?? undefined,
});
export const fromUser = (u: UserRecord): UsersTable => ({
  pool_id: u.poolId,
  id: u.id,
  username: u.username,
  username_key: u.usernameKey,
  email_key: u.emailKey,
  status: u.status,
  enabled: u.enabled ? 1 : 0,
  attributes: JSON.stringify(u.attributes),
  pending_attributes: JSON.stringify(u.pendingAttributes),
  srp_salt: u.srpSalt,
  srp_verifier: u.srpVerifier,
  password_set_at: u.passwordSetAt,
  passkey_count: u.passkeyCount,
  tokens_valid_after: u.tokensValidAfter,
  created_at: u.createdAt,
  updated_at: u.updatedAt,
  srp_identity: u.srpIdentity ?? null,
});
export const toFamily = (r: Selectable<TokenFamiliesTable>): TokenFamilyRecord => ({
  originJti: r.origin_jti,
  poolId: r.pool_id,
  clientId: r.client_id,
  userId: r.user_id,
  refreshHash: r.refresh_hash,
  authTime: n(r.auth_time),
  createdAt: n(r.created_at),
  expiresAt: n(r.expires_at),
  revokedAt: nn(r.revoked_at),
  deviceKey: r.device_key ?? undefined,
});
export const toDevice = (r: Selectable<DevicesTable>): DeviceRecord => ({
  poolId: r.pool_id,
  deviceKey: r.device_key,
  userId: r.user_id,
  groupKey: r.group_key,
  name: r.name,
  remembered: n(r.remembered) === 1,
  srpSalt: r.srp_salt,
  srpVerifier: r.srp_verifier,
  lastIp: r.last_ip,
  createdAt: n(r.created_at),
  updatedAt: n(r.updated_at),
  lastAuthenticatedAt: nn(r.last_auth_at),
  expiresAt: nn(r.expires_at),
});
export const toPasskey = (r: Selectable<PasskeysTable>): PasskeyRecord => ({
  poolId: r.pool_id,
  userId: r.user_id,
  credentialId: r.credential_id,
  publicKey: new Uint8Array(r.public_key),
  algorithm: n(r.algorithm),
  signCount: n(r.sign_count),
  transports: JSON.parse(r.transports),
  attachment: r.attachment,
  aaguid: r.aaguid,
  backupEligible: n(r.backup_eligible) === 1,
  backupState: n(r.backup_state) === 1,
  userVerified: n(r.user_verified) === 1,
  fmt: r.fmt,
  friendlyName: r.friendly_name,
  relyingPartyId: r.relying_party_id,
  createdAt: n(r.created_at),
  lastUsedAt: nn(r.last_used_at),
  cloneWarnings: n(r.clone_warnings),
});
export const fromPasskey = (p: PasskeyRecord): PasskeysTable => ({
  pool_id: p.poolId,
  user_id: p.userId,
  credential_id: p.credentialId,
  public_key: Buffer.from(p.publicKey),
  algorithm: p.algorithm,
  sign_count: p.signCount,
  transports: JSON.stringify(p.transports),
  attachment: p.attachment,
  aaguid: p.aaguid,
  backup_eligible: p.backupEligible ? 1 : 0,
  backup_state: p.backupState ? 1 : 0,
  user_verified: p.userVerified ? 1 : 0,
  fmt: p.fmt,
  friendly_name: p.friendlyName,
  relying_party_id: p.relyingPartyId,
  created_at: p.createdAt,
  last_used_at: p.lastUsedAt,
  clone_warnings: p.cloneWarnings,
});
export const toSession = (r: Selectable<AuthSessionsTable>): AuthSessionRecord => ({
  idHash: r.id_hash,
  poolId: r.pool_id,
  clientId: r.client_id,
  userId: r.user_id,
  state: JSON.parse(r.state),
  expiresAt: n(r.expires_at),
});
export const toChallenge = (r: Selectable<ChallengesTable>): ChallengeRecord => ({
  challenge: r.challenge,
  kind: r.kind as 'registration',
  poolId: r.pool_id,
  userId: r.user_id,
  clientId: r.client_id,
  expiresAt: n(r.expires_at),
  // Present only when set, so a plain challenge reads back exactly as it was put.
  ...(n(r.conditional_create) === 1 ? { conditionalCreate: true } : {}),
});
export const toOutbox = (r: Selectable<OutboxTable>): OutboxMessage => ({
  id: n(r.id),
  poolId: r.pool_id,
  userId: r.user_id,
  destination: r.destination,
  subject: r.subject,
  body: r.body,
  code: r.code,
  createdAt: n(r.created_at),
});

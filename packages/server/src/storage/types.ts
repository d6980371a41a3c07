/** Records as the storage layer holds them. Times are epoch milliseconds; bytes are Uint8Array. */

import type { ClientConfig, JsonObject, PoolConfig } from './configs.js';

export type { ClientConfig, JsonObject, PoolConfig, TokenUnit } from './configs.js';

export interface PoolRecord {
  id: string;
  name: string;
  /**
   * Cognito-shaped settings (Policies, UsernameAttributes, WebAuthnConfiguration, …) plus `Latchkey` extensions,
   * validated when read (storage/configs.ts).
   */
  config: PoolConfig;
  createdAt: number;
  updatedAt: number;
}

export interface ClientRecord {
  id: string;
  poolId: string;
  name: string;
  /** Cognito-shaped members plus `LatchkeyAllowedOrigins`, validated when read (storage/configs.ts). */
  config: ClientConfig;
  createdAt: number;
  updatedAt: number;
}

export type UserStatus = 'UNCONFIRMED' | 'CONFIRMED' | 'FORCE_CHANGE_PASSWORD' | 'RESET_REQUIRED' | 'EXTERNAL_PROVIDER';

export interface UserRecord {
  poolId: string;
  /** The internal id, also the `sub` claim and, in email-as-username pools, the username. */
  id: string;
  username: string;
  /** Case-folded username used for lookups (case-insensitive pools fold, case-sensitive ones do not). */
  usernameKey: string;
  /** Lower-cased email when the pool lets users sign in with it (username attribute, or verified alias). */
  emailKey: string | null;
  status: UserStatus;
  enabled: boolean;
  attributes: Record<string, string>;
  /**
   * A new email / phone_number awaiting verification (AttributesRequireVerificationBeforeUpdate): not an
   * attribute yet, so never a sign-in name, an alias or a claim until VerifyUserAttribute promotes it.
   */
  pendingAttributes: Record<string, string>;
  srpSalt: string | null;
  srpVerifier: string | null;
  /** When the current password (temporary or not) was set; temporary passwords expire from here. */
  passwordSetAt: number;
  passkeyCount: number;
  /** Access tokens issued before this instant are rejected (global sign-out). */
  tokensValidAfter: number;
  createdAt: number;
  updatedAt: number;
  /**
   * The SRP identity (USER_ID_FOR_SRP) srpVerifier was made with; null or absent: the user id (every
   * verifier made before migration 0007). See auth/password.ts srpIdentityOf.
   */
  srpIdentity?: string | null;
}

export type UserPatch = Partial<
  Pick<
    UserRecord,
    | 'emailKey'
    | 'status'
    | 'enabled'
    | 'attributes'
    | 'pendingAttributes'
    | 'srpSalt'
    | 'srpVerifier'
    | 'srpIdentity'
    | 'passwordSetAt'
    | 'tokensValidAfter'
  >
>;

export interface SigningKeyRecord {
  kid: string;
  poolId: string;
  alg: string;
  /** Private JWK, encrypted under the server key (see security/secrets.ts). */
  privateKeyEnc: string;
  publicJwk: JsonObject;
  createdAt: number;
  /** When set, the key no longer signs; it stays in the JWKS until `expiresAt`. */
  retiredAt: number | null;
  expiresAt: number | null;
}

export interface TokenFamilyRecord {
  /** The `origin_jti` of every token of one sign-in. */
  originJti: string;
  poolId: string;
  clientId: string;
  userId: string;
  /** SHA-256 of the refresh token; the token itself is never stored. */
  refreshHash: string;
  authTime: number;
  createdAt: number;
  expiresAt: number;
  revokedAt: number | null;
  /** The device the sign-in was made on; ForgetDevice revokes the families bound to it. */
  deviceKey?: string | null;
}

/** A device of a user (remembered devices). Unconfirmed until ConfirmDevice stores its SRP verifier. */
export interface DeviceRecord {
  poolId: string;
  /** `<region>_<uuid>`, as Cognito's. */
  deviceKey: string;
  userId: string;
  /** The device SRP "pool name" (DeviceGroupKey). */
  groupKey: string;
  name: string | null;
  remembered: boolean;
  srpSalt: string | null;
  srpVerifier: string | null;
  lastIp: string | null;
  createdAt: number;
  updatedAt: number;
  lastAuthenticatedAt: number | null;
  /** An unconfirmed device is forgotten at this instant (purgeExpired); null once confirmed. */
  expiresAt: number | null;
}

export interface ChallengeRecord {
  /** The challenge itself (base64url); unique. */
  challenge: string;
  kind: 'registration';
  poolId: string;
  userId: string;
  clientId: string;
  expiresAt: number;
  /**
   * The Start asked for a conditional create (LatchkeyConditionalCreate): the browser may create the
   * passkey without user presence, and only a registration answering this challenge may lack UP.
   */
  conditionalCreate?: boolean;
}

export interface AuthSessionRecord {
  /** SHA-256 of the opaque session string sent to the client. */
  idHash: string;
  poolId: string;
  clientId: string;
  /** Unset for username-less (discoverable) passkey sign-in. */
  userId: string | null;
  state: JsonObject;
  expiresAt: number;
}

export interface PasskeyRecord {
  poolId: string;
  userId: string;
  credentialId: string;
  publicKey: Uint8Array;
  algorithm: number;
  signCount: number;
  transports: string[];
  attachment: string | null;
  aaguid: string;
  backupEligible: boolean;
  backupState: boolean;
  userVerified: boolean;
  fmt: string;
  friendlyName: string;
  relyingPartyId: string;
  createdAt: number;
  lastUsedAt: number | null;
  cloneWarnings: number;
}

export type CodePurpose = 'signup' | 'forgot' | 'verify_email' | 'verify_phone_number';

export interface CodeRecord {
  poolId: string;
  userId: string;
  purpose: CodePurpose;
  codeHash: string;
  attempts: number;
  expiresAt: number;
}

export interface OutboxMessage {
  id: number;
  poolId: string;
  userId: string | null;
  destination: string;
  subject: string;
  body: string;
  /** The code, present only for the development outbox (never sent over SMTP separately). */
  code: string | null;
  createdAt: number;
}

export type AddPasskeyResult = 'added' | 'limit' | 'exists-same-user' | 'exists-other-user' | 'challenge-gone';

/** A verified passkey assertion to record, guarded by the values read before verification. */
export interface PasskeyUse {
  poolId: string;
  credentialId: string;
  expected: { signCount: number; lastUsedAt: number | null };
  update: { signCount: number; backupState: boolean; lastUsedAt: number; cloneWarning: boolean };
}

/** Standard attributes ListUsers filters on (matched case-insensitively in the user's attributes). */
export type FilterableAttribute = 'email' | 'phone_number' | 'name' | 'given_name' | 'family_name' | 'preferred_username';

export interface UserFilter {
  attribute: 'username' | 'sub' | 'user_status' | 'enabled' | FilterableAttribute;
  value: string;
  /** `=` exact, `^=` prefix. */
  op: '=' | '^=';
}

/** One password attempt to admit (Store.admitLoginAttempt's arguments after the pool). */
export interface LoginAttempt {
  loginKey: string;
  threshold: number;
  lockMs: readonly number[];
}

/** A user-pool group (CreateGroup). `name` is case-sensitive, as Cognito's GroupName. */
export interface GroupRecord {
  poolId: string;
  name: string;
  description: string | null;
  roleArn: string | null;
  /** Lower is stronger; null ranks after every number. */
  precedence: number | null;
  createdAt: number;
  updatedAt: number;
}

/** A group as tokens carry it (cognito:groups, cognito:roles): what the step reads attach to a user. */
export type TokenGroupRow = Pick<GroupRecord, 'name' | 'roleArn' | 'precedence'>;

/** Store.readPasskeySignIn: each part undefined when absent. */
export interface PasskeySignInRows {
  session?: AuthSessionRecord;
  passkey?: PasskeyRecord;
  /** The passkey's user. */
  user?: UserRecord;
  /** The user's groups (none without a user). */
  groups: TokenGroupRow[];
}

/** What Store.getTokenState reads besides the token's state, in the same statement. */
export interface TokenStateAlso {
  /** A page of the user's passkeys, as listPasskeys. */
  passkeys?: { limit: number; after?: { createdAt: number; credentialId: string } };
  /** The pool's passkey of this credential id (any user's), as getPasskey. */
  passkey?: string;
  /** The live registration challenge, as peekChallenge. */
  challenge?: { challenge: string; now: number };
}

/** Store.getTokenState. The parts `also` asked for are present (passkeys) or undefined when absent (passkey, challenge). */
export interface TokenState {
  familyRevoked: boolean;
  user: UserRecord | undefined;
  passkeys?: PasskeyRecord[];
  passkey?: PasskeyRecord;
  challenge?: ChallengeRecord;
}

/** Store.readRefresh: each part undefined when absent. */
export interface RefreshRows {
  family?: TokenFamilyRecord;
  /** The family's user. */
  user?: UserRecord;
  groups: TokenGroupRow[];
}

export type GroupPatch = Partial<Pick<GroupRecord, 'description' | 'roleArn' | 'precedence'>>;

/** The lifecycle event types (docs/events.md). */
export const LIFECYCLE_EVENT_TYPES = [
  'passkey.registered',
  'passkey.deleted',
  'signin.succeeded',
  'signin.failed',
  'password.changed',
  'user.created',
  'user.confirmed',
  'user.disabled',
  'user.deleted',
  'mfa.changed',
] as const;
export type LifecycleEventType = (typeof LIFECYCLE_EVENT_TYPES)[number];

/**
 * A lifecycle event in the transactional outbox: written in the same transaction as the change it reports,
 * delivered at least once to the pool's event webhook, kept afterwards for AdminListUserAuthEvents.
 */
export interface LifecycleEventRecord {
  /** Stable across delivery attempts: the receiver's de-duplication key. */
  id: string;
  poolId: string;
  /** The user's sub. */
  userId: string;
  username: string;
  type: LifecycleEventType;
  detail: JsonObject;
  createdAt: number;
  /** When the next delivery attempt is due; null when nothing is to be delivered (no webhook, delivered, or given up). */
  nextAttemptAt: number | null;
  attempts: number;
  deliveredAt: number | null;
}

/** The MFA methods a user can have (Cognito's names, as in UserMFASettingList). */
export type MfaMethod = 'SOFTWARE_TOKEN_MFA' | 'SMS_MFA' | 'EMAIL_OTP';

/** A user's MFA state (table user_mfa). Absent row = nothing set up. */
export interface UserMfaRecord {
  poolId: string;
  userId: string;
  /** The verified TOTP secret, sealed under the server key (SecretBox). */
  totpSecretEnc: string | null;
  /** The secret of an AssociateSoftwareToken not yet verified, sealed. */
  totpPendingEnc: string | null;
  /** The last TOTP time step accepted for the verified secret: only later steps are accepted. */
  totpLastStep: number;
  /** VerifySoftwareToken's FriendlyDeviceName. */
  totpName: string | null;
  totpEnabled: boolean;
  smsEnabled: boolean;
  emailEnabled: boolean;
  webAuthnEnabled: boolean;
  preferred: MfaMethod | null;
  updatedAt: number;
}

/** What SetUserMFAPreference changes; absent members are left as they are. */
export type MfaPreferencePatch = Partial<
  Pick<UserMfaRecord, 'totpEnabled' | 'smsEnabled' | 'emailEnabled' | 'webAuthnEnabled' | 'preferred'>
>;

/** A TOTP code accepted at sign-in: recorded only if `step` is later than the stored last step of that secret. */
export interface TotpUse {
  poolId: string;
  userId: string;
  secretEnc: string;
  step: number;
}

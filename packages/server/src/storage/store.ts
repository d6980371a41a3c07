import type {
  AddPasskeyResult,
  AuthSessionRecord,
  ChallengeRecord,
  LoginAttempt,
  ClientRecord,
  CodePurpose,
  CodeRecord,
  GroupPatch,
  GroupRecord,
  LifecycleEventRecord,
  DeviceRecord,
  OutboxMessage,
  PasskeyRecord,
  PasskeyUse,
  PoolRecord,
  SigningKeyRecord,
  TokenFamilyRecord,
  UserFilter,
  UserPatch,
  UserRecord,
  UserMfaRecord,
  MfaPreferencePatch,
  TotpUse,
  PasskeySignInRows,
  RefreshRows,
  TokenState,
  TokenStateAlso,
  TokenGroupRow,
} from './types.js';

export * from './types.js';

/** Thrown by create methods when a unique key is taken. `key` names which one. */
export class StoreConflictError extends Error {
  constructor(readonly key: 'pool' | 'client' | 'username' | 'email' | 'passkey' | 'other') {
    super(`conflict on ${key}`);
  }
}

/**
 * The one storage interface: use-case methods, each atomic as documented. Implemented once over
 * Kysely for SQLite and PostgreSQL (storage/kysely). Nothing outside storage/ knows SQL.
 */
export interface Store {
  readonly dialect: 'sqlite' | 'postgres';

  // ---- server meta ----
  /** Atomic insert-if-absent; returns the value that is stored afterwards (the winner's under races). */
  getOrPutMeta(key: string, value: string): Promise<string>;
  getMeta(key: string): Promise<string | undefined>;
  /** Insert-or-replace, committed before it resolves (the readiness probe writes through it). */
  putMeta(key: string, value: string): Promise<void>;

  // ---- pools and clients ----
  /** @throws StoreConflictError('pool') */
  createPool(pool: PoolRecord): Promise<void>;
  /**
   * Served from a per-process cache (absent ids too) that re-reads one version row at most every FIXED.configRecheckMs;
   * every write to pools, clients and signing keys bumps that row in its transaction (triggers, so writes from any
   * release or from SQL count too), so a change on any instance is seen within 1 s everywhere, and at once by the
   * process that made it. Each call returns a record of its own. `fresh`: read the database, not the cache (for a
   * read-modify-write, which must not write back another instance's change undone).
   */
  getPool(id: string, opts?: { fresh?: boolean }): Promise<PoolRecord | undefined>;
  /** Replaces config and updatedAt; false when the pool does not exist. */
  updatePool(id: string, config: PoolRecord['config'], updatedAt: number, name?: string): Promise<boolean>;
  /** Deletes the pool and, in the same transaction, everything in it. False when absent. */
  deletePool(id: string): Promise<boolean>;
  /** Ordered by id; `after` is the last id of the previous page. */
  listPools(limit: number, after?: string): Promise<PoolRecord[]>;
  createClient(client: ClientRecord): Promise<void>;
  /** Cached like getPool. */
  getClient(id: string, opts?: { fresh?: boolean }): Promise<ClientRecord | undefined>;
  updateClient(id: string, name: string, config: ClientRecord['config'], updatedAt: number): Promise<boolean>;
  /** Deletes the client and its token families. */
  deleteClient(poolId: string, id: string): Promise<boolean>;
  listClients(poolId: string, limit: number, after?: string): Promise<ClientRecord[]>;

  // ---- signing keys ----
  /** All keys of a pool (active and retired, not yet expired), newest first. */
  listSigningKeys(poolId: string, now: number): Promise<SigningKeyRecord[]>;
  getSigningKey(kid: string): Promise<SigningKeyRecord | undefined>;
  /** Inserts a new key and retires the pool's other active keys in one transaction. */
  rotateSigningKey(key: SigningKeyRecord, retireOthersAt: number, retiredExpireAt: number): Promise<void>;

  // ---- users ----
  /** With `events`, inserts them in the same transaction (the lifecycle outbox). @throws StoreConflictError('username' | 'email') */
  createUser(user: UserRecord, events?: readonly LifecycleEventRecord[]): Promise<void>;
  getUser(poolId: string, id: string): Promise<UserRecord | undefined>;
  /** The user holding this email sign-in key, if any. */
  findUserByEmail(poolId: string, emailKey: string): Promise<UserRecord | undefined>;
  /**
   * Finds by username key and email key (when given), in the given order. Sign-in uses 'alias-first'
   * (a verified alias wins over a username that merely looks like it: such usernames are refused in
   * alias pools, but may predate that rule); admin operations 'username-first'.
   */
  findUserByLogin(
    poolId: string,
    usernameKey: string,
    emailKey: string | null,
    order?: 'alias-first' | 'username-first',
  ): Promise<UserRecord | undefined>;
  /** getUser and, in the same statement, the user's groups (at most `groupLimit`; none without a user). */
  getUserWithGroups(poolId: string, id: string, groupLimit: number): Promise<{ user?: UserRecord; groups: TokenGroupRow[] }>;
  /** findUserByLogin and, in the same statement, the found user's groups (at most `groupLimit`; none without a user). */
  findUserWithGroups(
    poolId: string,
    usernameKey: string,
    emailKey: string | null,
    order: 'alias-first' | 'username-first',
    groupLimit: number,
  ): Promise<{ user?: UserRecord; groups: TokenGroupRow[] }>;
  /**
   * findUserByLogin ('alias-first', as sign-in finds users) and, in the same statement, the found user's first
   * `passkeyLimit` passkeys in listPasskeys order (none without a user).
   */
  findSignInUserWithPasskeys(
    poolId: string,
    usernameKey: string,
    emailKey: string | null,
    passkeyLimit: number,
  ): Promise<{ user?: UserRecord; passkeys: PasskeyRecord[] }>;
  /**
   * Applies a patch; false when the user does not exist or, with `guard`, when the stored SRP verifier
   * is no longer the given one (a compare-and-swap: of concurrent password changes from one verifier,
   * exactly one applies). With `events`, they are inserted in the same transaction, only when the patch applied.
   * @throws StoreConflictError('email')
   */
  updateUser(
    poolId: string,
    id: string,
    patch: UserPatch,
    updatedAt: number,
    guard?: { srpVerifier: string | null },
    events?: readonly LifecycleEventRecord[],
  ): Promise<boolean>;
  /** Applies several users' patches (and inserts `events`) in one transaction (all or none). @throws StoreConflictError('email') */
  updateUsers(
    poolId: string,
    patches: { id: string; patch: UserPatch }[],
    updatedAt: number,
    events?: readonly LifecycleEventRecord[],
  ): Promise<void>;
  /** Deletes the user with passkeys, codes, sessions, token families and group memberships (and inserts `events`) in one transaction. */
  deleteUser(poolId: string, id: string, events?: readonly LifecycleEventRecord[]): Promise<boolean>;
  /** Ordered by usernameKey; `after` is the last usernameKey of the previous page. */
  listUsers(poolId: string, limit: number, after: string | undefined, filter: UserFilter | undefined): Promise<UserRecord[]>;
  /**
   * Admits one password attempt for a login key (an opaque string: callers pass an HMAC of the typed
   * name) unless the key is locked at `now`. A single guarded upsert, so whatever the concurrency, the
   * number of workers or instances, at most `threshold` attempts are admitted before the lock and one
   * per lock window after it. Every admitted attempt counts as a failure until clearLoginAttempts (the
   * caller clears on success); the admission that brings the count to `threshold + i` locks the key
   * until now + lockMs[min(i, lockMs.length - 1)]. True when admitted. A counter with neither an attempt
   * nor a lock in the last 15 minutes starts over (as Cognito's does); purgeExpired forgets such counters.
   */
  admitLoginAttempt(poolId: string, loginKey: string, now: number, threshold: number, lockMs: readonly number[]): Promise<boolean>;
  /**
   * consumeAuthSession and, in the same transaction, admitLoginAttempt for the attempt `attemptFor`
   * names from the consumed session (none: nothing admitted, `admitted` true). Exactly one concurrent
   * caller receives the session, so a step answered many times at once is one attempt, evaluated once.
   */
  consumeAuthSessionAdmitting(
    idHash: string,
    now: number,
    attemptFor: (session: AuthSessionRecord) => LoginAttempt | undefined,
  ): Promise<{ session: AuthSessionRecord; admitted: boolean } | undefined>;
  /** Forgets the attempt counters of these login keys (after a verified password, or a password reset). */
  clearLoginAttempts(poolId: string, loginKeys: readonly string[]): Promise<void>;
  /**
   * Admits one use of a budget: at most `limit` per key and purpose in a fixed window of `windowMs`
   * that starts at the first use after the previous window ended. A single guarded upsert, so however
   * many workers or instances ask at once, at most `limit` are admitted per window. `key` is opaque
   * (callers pass an HMAC); `purpose` names the budget. True when admitted; a refusal changes nothing.
   */
  admitBudget(poolId: string, key: string, purpose: string, now: number, limit: number, windowMs: number): Promise<boolean>;
  /** How many users the pool has (DescribeUserPool's EstimatedNumberOfUsers). */
  countUsers(poolId: string): Promise<number>;

  // ---- one-time codes ----
  /**
   * Replaces any pending code of that purpose; with `message`, also adds it to the outbox in the same
   * transaction (the development delivery: one commit for the code and its message).
   */
  putCode(code: CodeRecord, message?: Omit<OutboxMessage, 'id'>): Promise<void>;
  /** A stand-in code for a name that gets none (see useStandInCode): replaces any pending one. */
  putStandInCode(poolId: string, nameKey: string, purpose: CodePurpose, expiresAt: number): Promise<void>;
  /**
   * useCode for a stand-in: the same counting, expiry and refusal after `maxAttempts`, but no code ever
   * matches, so it never answers 'ok'.
   */
  useStandInCode(
    poolId: string,
    nameKey: string,
    purpose: CodePurpose,
    now: number,
    maxAttempts: number,
  ): Promise<'mismatch' | 'expired' | 'missing' | 'too-many'>;
  /**
   * Single-use check: counts the attempt atomically (refusing once `maxAttempts` is reached) and,
   * when `matches(codeHash)` holds, deletes the code so a second use fails. Exactly one of concurrent
   * correct submissions gets 'ok'.
   */
  useCode(
    poolId: string,
    userId: string,
    purpose: CodePurpose,
    now: number,
    maxAttempts: number,
    matches: (codeHash: string) => boolean,
  ): Promise<'ok' | 'mismatch' | 'expired' | 'missing' | 'too-many'>;
  addOutbox(msg: Omit<OutboxMessage, 'id'>): Promise<void>;
  listOutbox(poolId: string | undefined, limit: number): Promise<OutboxMessage[]>;

  // ---- tokens ----
  getTokenFamilyByRefreshHash(refreshHash: string): Promise<TokenFamilyRecord | undefined>;
  /**
   * One read answering "is this access token's sign-in still valid": family not revoked, user enabled. The same
   * statement also reads what `also` asks for, for the operation the token authorizes (TokenStateAlso).
   */
  getTokenState(poolId: string, originJti: string, userId: string, also?: TokenStateAlso): Promise<TokenState>;
  /** REFRESH_TOKEN_AUTH's rows in one read: the family of the refresh token hash, its user and the user's groups. */
  readRefresh(refreshHash: string, groupLimit: number): Promise<RefreshRows>;
  revokeTokenFamily(originJti: string, now: number): Promise<boolean>;
  /** Revokes every family of the user and moves `tokensValidAfter` to now, in one transaction. */
  revokeAllUserTokens(poolId: string, userId: string, now: number): Promise<void>;

  // ---- ceremonies ----
  putChallenge(challenge: ChallengeRecord): Promise<void>;
  /** Delete-returning: exactly one concurrent caller receives the record; expired ones are not returned. */
  consumeChallenge(challenge: string, now: number): Promise<ChallengeRecord | undefined>;
  /**
   * Stores a sign-in step; with `message`, also adds it to the outbox in the same transaction (an
   * EMAIL_OTP / SMS_OTP challenge delivered in development: one commit, as for putCode).
   */
  putAuthSession(session: AuthSessionRecord, message?: Omit<OutboxMessage, 'id'>): Promise<void>;
  /**
   * Counts one answer to a session's step without consuming it: a single guarded UPDATE (attempts <
   * maxAttempts) returning the session, so however many workers or instances answer at once, at most
   * `maxAttempts` answers are admitted per session. 'expired' when the session exists but has expired,
   * 'too-many' when it exists but its answers are used up, 'missing' when there is no such session.
   * Nothing is consumed: the admitted answer that succeeds consumes the session in finishSignIn.
   */
  admitAuthSessionAttempt(
    idHash: string,
    now: number,
    maxAttempts: number,
  ): Promise<{ session: AuthSessionRecord; attempts: number } | 'expired' | 'too-many' | 'missing'>;
  /** Reads an unexpired session without consuming it (the final step consumes it in finishSignIn). */
  peekAuthSession(idHash: string, now: number): Promise<AuthSessionRecord | undefined>;
  /**
   * The last write of a sign-in, in ONE transaction: consumes the step's session (when given; exactly
   * one concurrent caller can), applies the count-guarded passkey use (when given), clears the login
   * key's attempt counter (when given) and stores the new token family. Returns what stopped it, with
   * nothing written in that case. The passkey use applies only if the stored signCount and lastUsedAt
   * still equal what was read (so two concurrent uses cannot both pass, even with counters that stay 0);
   * the new lastUsedAt is forced past the old one. With `newDevice`, the (unconfirmed) device is inserted in
   * the same transaction; otherwise, when `family.deviceKey` is set, that device's last authentication is
   * set to `now` and the sign-in stops with 'device-gone' if the device no longer exists (so a concurrent
   * ForgetDevice either refuses this sign-in or revokes its family, never neither).
   */
  finishSignIn(input: {
    sessionHash?: string;
    now: number;
    passkeyUse?: PasskeyUse;
    clearLoginKey?: string;
    /** A TOTP code answered: the step is recorded with the same guard as useTotpStep ('totp-replay' when it fails). */
    totpUse?: TotpUse;
    family: TokenFamilyRecord;
    newDevice?: DeviceRecord;
    /** Lifecycle events (signin.succeeded) inserted in the same transaction. */
    events?: readonly LifecycleEventRecord[];
  }): Promise<'ok' | 'session-gone' | 'passkey-race' | 'totp-replay' | 'device-gone'>;
  /** Reads an unexpired registration challenge without consuming it. */
  peekChallenge(challenge: string, now: number): Promise<ChallengeRecord | undefined>;
  /** Delete-returning: exactly one concurrent caller receives the session; expired ones are not returned. */
  consumeAuthSession(idHash: string, now: number): Promise<AuthSessionRecord | undefined>;

  // ---- passkeys ----
  /**
   * Adds a passkey unless the user is at `limit` or the credential id exists. Atomic: the user's
   * passkeyCount is incremented with a guarded UPDATE in the same transaction as the insert, so the
   * limit holds under concurrent registrations on any number of instances. With `consumeChallenge`,
   * the registration challenge is deleted in the same transaction ('challenge-gone' if another caller
   * already did), so a registration costs one commit and exactly one of concurrent completions wins.
   */
  addPasskey(
    passkey: PasskeyRecord,
    limit: number,
    consumeChallenge?: string,
    events?: readonly LifecycleEventRecord[],
  ): Promise<AddPasskeyResult>;
  getPasskey(poolId: string, credentialId: string): Promise<PasskeyRecord | undefined>;
  /**
   * The respond step of a passkey sign-in in one read: the live Session of `sessionHash` (as peekAuthSession), the
   * pool's passkey `credentialId` (as getPasskey), that passkey's user and the user's groups (at most `groupLimit`).
   */
  readPasskeySignIn(q: {
    sessionHash: string;
    now: number;
    poolId: string;
    credentialId: string;
    groupLimit: number;
  }): Promise<PasskeySignInRows>;
  /** Keyset page ordered by (createdAt, credentialId), strictly after the cursor. */
  listPasskeys(
    poolId: string,
    userId: string,
    limit: number,
    after?: { createdAt: number; credentialId: string },
  ): Promise<PasskeyRecord[]>;
  /** Sets the friendly name of the user's own passkey; false when not theirs or absent (nothing changes). */
  renamePasskey(poolId: string, userId: string, credentialId: string, friendlyName: string): Promise<boolean>;
  /**
   * Deletes the user's own passkey (and decrements passkeyCount, inserts `events`); false when not theirs or absent,
   * with nothing written. With `signOutAt`, the same transaction also revokes every token family of the user and
   * moves `tokensValidAfter` to it (as revokeAllUserTokens): the lost-device path, all or nothing.
   */
  deletePasskey(
    poolId: string,
    userId: string,
    credentialId: string,
    signOutAt?: number,
    events?: readonly LifecycleEventRecord[],
  ): Promise<boolean>;

  // ---- groups ----
  /**
   * Inserts a group unless the name is taken ('exists') or the pool holds `maxGroups` ('limit'): a guarded
   * INSERT … SELECT under the pool row's lock, so the quota holds under concurrent creates on any number of instances.
   */
  createGroup(group: GroupRecord, maxGroups: number): Promise<'ok' | 'exists' | 'limit'>;
  getGroup(poolId: string, name: string): Promise<GroupRecord | undefined>;
  /** Applies the patch (null clears a member); the updated group, or undefined when absent. */
  updateGroup(poolId: string, name: string, patch: GroupPatch, updatedAt: number): Promise<GroupRecord | undefined>;
  /** Deletes the group and its memberships in one transaction. False when absent. */
  deleteGroup(poolId: string, name: string): Promise<boolean>;
  /** Ordered by name; `after` is the last name of the previous page. */
  listGroups(poolId: string, limit: number, after?: string): Promise<GroupRecord[]>;
  /**
   * Adds a membership (idempotent: 'ok' when it exists) unless the user is already in `maxGroupsPerUser` groups.
   * A guarded INSERT … SELECT under the user row's lock (the limit holds under concurrent adds on any number of
   * instances); foreign keys keep a concurrent group or user delete from leaving an orphan.
   */
  addUserToGroup(poolId: string, name: string, userId: string, maxGroupsPerUser: number): Promise<'ok' | 'no-group' | 'no-user' | 'limit'>;
  /** False when the user was not a member. */
  removeUserFromGroup(poolId: string, name: string, userId: string): Promise<boolean>;
  /** The user's groups ordered by name; `after` is the last name of the previous page. */
  listGroupsForUser(poolId: string, userId: string, limit: number, after?: string): Promise<GroupRecord[]>;
  /** The group's members ordered by usernameKey; `after` is the last usernameKey of the previous page. */
  listUsersInGroup(poolId: string, name: string, limit: number, after?: string): Promise<UserRecord[]>;

  // ---- lifecycle events (the transactional outbox; docs/events.md) ----
  /** Inserts events on their own (a change with no transaction of its own, such as a failed sign-in). */
  addEvents(events: readonly LifecycleEventRecord[]): Promise<void>;
  /**
   * Leases up to `limit` due events (nextAttemptAt <= now, no live lease) to `owner` until now + leaseMs and counts
   * the attempt: one guarded UPDATE (FOR UPDATE SKIP LOCKED on PostgreSQL), so however many workers or instances
   * claim at once, each event is leased to one of them per attempt.
   */
  claimEvents(now: number, leaseMs: number, limit: number, owner: string): Promise<LifecycleEventRecord[]>;
  /** Records a delivery; false when the lease is no longer `owner`'s. */
  markEventDelivered(id: string, owner: string, now: number): Promise<boolean>;
  /** Schedules the next attempt (null: give up) after a failed one; false when the lease is not `owner`'s or it was delivered. */
  markEventFailed(id: string, owner: string, nextAttemptAt: number | null, error: string): Promise<boolean>;
  /** The user's events (of `types`, when given), newest first; `before` is the last (createdAt, id) of the previous page. */
  listUserEvents(
    poolId: string,
    userId: string,
    limit: number,
    before?: { createdAt: number; id: string },
    types?: readonly string[],
  ): Promise<LifecycleEventRecord[]>;
  /** Events still to be delivered (of one pool, or all). */
  countPendingEvents(poolId?: string): Promise<number>;

  // ---- MFA ----
  getUserMfa(poolId: string, userId: string): Promise<UserMfaRecord | undefined>;
  /** Upserts the user's pending TOTP secret, replacing any previous pending one (the verified one stays). */
  putPendingTotp(poolId: string, userId: string, secretEnc: string, now: number): Promise<void>;
  /**
   * Makes the pending secret the verified one, with `step` as its last accepted step, if the pending
   * secret is still `pendingEnc` (one guarded UPDATE: of concurrent verifications of one association,
   * exactly one succeeds; a re-association in between makes it fail). With `enable`, TOTP MFA is also
   * enabled and preferred. `events` (mfa.changed) are inserted in the same transaction, only when it succeeds.
   * False when the guard failed (nothing written).
   */
  activateTotp(
    poolId: string,
    userId: string,
    pendingEnc: string,
    step: number,
    name: string | null,
    now: number,
    enable: boolean,
    events?: readonly LifecycleEventRecord[],
  ): Promise<boolean>;
  /**
   * Records an accepted TOTP step: one guarded UPDATE (verified secret still `secretEnc`, stored last
   * step earlier than `step`), so a code is accepted at most once across workers and instances.
   */
  useTotpStep(use: TotpUse, now: number): Promise<boolean>;
  /**
   * Applies a preference patch (upsert). With `requireTotp`, applies only if a verified secret exists
   * (false otherwise, nothing written). A preferred method that the patch disables is cleared in the same
   * transaction, which also inserts `events` (mfa.changed).
   */
  setMfaPreference(
    poolId: string,
    userId: string,
    patch: MfaPreferencePatch,
    now: number,
    requireTotp: boolean,
    events?: readonly LifecycleEventRecord[],
  ): Promise<boolean>;

  // ---- devices ----
  /** A device by key, confirmed or not (an unconfirmed one only until its expiresAt). */
  getDevice(poolId: string, deviceKey: string, now: number): Promise<DeviceRecord | undefined>;
  /**
   * ConfirmDevice: stores the device's SRP verifier, name and remembered status and clears expiresAt, only
   * if the device is the user's, unexpired and not yet confirmed (a guarded UPDATE: of concurrent
   * confirmations exactly one applies). False otherwise.
   */
  confirmDevice(
    poolId: string,
    userId: string,
    deviceKey: string,
    confirm: { srpSalt: string; srpVerifier: string; name: string | null; remembered: boolean },
    now: number,
  ): Promise<boolean>;
  /** The user's confirmed devices ordered by deviceKey, strictly after `after`. */
  listDevices(poolId: string, userId: string, limit: number, after?: string): Promise<DeviceRecord[]>;
  /** Sets a confirmed device's remembered status (and updatedAt); false when not the user's, absent or unconfirmed. */
  setDeviceRemembered(poolId: string, userId: string, deviceKey: string, remembered: boolean, now: number): Promise<boolean>;
  /**
   * Deletes the user's device and, in the same transaction, revokes every token family bound to it
   * (family.deviceKey), so its refresh tokens and access tokens stop working on every instance. False when
   * not the user's or absent.
   */
  forgetDevice(poolId: string, userId: string, deviceKey: string, now: number): Promise<boolean>;

  // ---- housekeeping ----
  /** Removes expired challenges, sessions, codes, families, unconfirmed devices and keys. Returns rows removed. */
  purgeExpired(now: number): Promise<number>;
  close(): Promise<void>;
}

import { AUTH_SESSION_MINUTES } from '@latchkey/wire';
import { deepFreeze } from './freeze.js';

// The defaults table, continued (see defaults.ts): what app clients and pools get for members left out,
// and the fixed numbers behind codes, lockouts and key rotation. domain/ reads these; nothing restates them.

// ---- app-client defaults ----

/** One app-client member: what a client gets when the member is left out. */
export interface ClientDefault<T> {
  readonly default: T;
  readonly type: string;
  readonly why: string;
  /** Written into a new (or updated) client's config, so DescribeUserPoolClient shows it as Cognito does. */
  readonly stored: boolean;
}

function clientDefault<T>(spec: ClientDefault<T>): ClientDefault<T> {
  return spec;
}

/** Cognito's defaults for app clients (CreateUserPoolClient, and UpdateUserPoolClient's members left out). */
export const CLIENT_OPTIONS = {
  AccessTokenValidity: clientDefault({ default: 60, type: 'integer, in TokenValidityUnits.AccessToken', stored: true, why: 'one hour' }),
  IdTokenValidity: clientDefault({ default: 60, type: 'integer, in TokenValidityUnits.IdToken', stored: true, why: 'one hour' }),
  RefreshTokenValidity: clientDefault({
    default: 30,
    type: 'integer, in TokenValidityUnits.RefreshToken',
    stored: true,
    why: '30 days; 0 also means the default, as in Cognito',
  }),
  TokenValidityUnits: clientDefault({
    default: { AccessToken: 'minutes', IdToken: 'minutes', RefreshToken: 'days' } as const,
    type: 'seconds | minutes | hours | days, per token',
    stored: true,
    why: "Cognito's units",
  }),
  EnableTokenRevocation: clientDefault({
    default: true,
    type: 'boolean',
    stored: true,
    why: 'RevokeToken works and access tokens of revoked sign-ins are refused',
  }),
  AuthSessionValidity: clientDefault({
    default: AUTH_SESSION_MINUTES,
    type: 'minutes 3..15',
    stored: true,
    why: 'how long a challenge session (a sign-in in progress) lives',
  }),
  PreventUserExistenceErrors: clientDefault({
    default: 'ENABLED' as 'ENABLED' | 'LEGACY',
    type: 'ENABLED | LEGACY',
    stored: true,
    why: 'unknown users answer like wrong passwords, so usernames cannot be probed',
  }),
  ExplicitAuthFlows: clientDefault<readonly string[]>({
    default: ['ALLOW_REFRESH_TOKEN_AUTH', 'ALLOW_USER_SRP_AUTH'],
    type: 'list of ALLOW_… flows',
    stored: false,
    why: "Cognito's default without ALLOW_CUSTOM_AUTH: Latchkey has no custom auth (Lambda triggers)",
  }),
  LatchkeyAllowedOrigins: clientDefault<readonly string[]>({
    default: [],
    type: 'list of origins',
    stored: false,
    why: "WebAuthn origins beyond the relying party's own (LatchkeyUpdateUserPoolClientSettings)",
  }),
} as const;

/** Cognito's bounds on token lifetimes, in seconds; lifetimes outside them are refused, stored ones clamped. */
export const TOKEN_VALIDITY_BOUNDS = deepFreeze({
  AccessToken: [5 * 60, 86400],
  IdToken: [5 * 60, 86400],
  RefreshToken: [3600, 3650 * 86400],
} as const);

// ---- pool settings ----

/** One pool setting: what a pool has when the member is left out. */
export interface PoolDefault<T> {
  readonly default: T;
  readonly type: string;
  readonly why: string;
}

function poolDefault<T>(spec: PoolDefault<T>): PoolDefault<T> {
  return spec;
}

/** Cognito's pool defaults, for members a pool's config leaves out. */
export const POOL_OPTIONS = {
  PasswordPolicy: poolDefault({
    default: {
      MinimumLength: 8,
      RequireUppercase: true,
      RequireLowercase: true,
      RequireNumbers: true,
      RequireSymbols: true,
      TemporaryPasswordValidityDays: 7,
    },
    type: 'Policies.PasswordPolicy',
    why: "Cognito's default policy; members given replace these one by one",
  }),
  AllowedFirstAuthFactors: poolDefault<readonly string[]>({
    default: ['PASSWORD'],
    type: 'Policies.SignInPolicy.AllowedFirstAuthFactors',
    why: 'passwords only until WEB_AUTHN (or an OTP) is allowed',
  }),
  MfaConfiguration: poolDefault({ default: 'OFF', type: 'OFF | ON | OPTIONAL', why: "Cognito's default" }),
  UserVerification: poolDefault<'required' | 'preferred'>({
    default: 'preferred',
    type: 'WebAuthnConfiguration.UserVerification',
    why: 'sent to browsers and enforced; preferred lets security keys without a PIN sign in',
  }),
  FactorConfiguration: poolDefault({
    default: 'SINGLE_FACTOR',
    type: 'WebAuthnConfiguration.FactorConfiguration',
    why: 'a passkey is a first factor on its own',
  }),
  UserPoolTier: poolDefault({ default: 'ESSENTIALS', type: 'LITE | ESSENTIALS | PLUS', why: "Cognito's default for new pools" }),
  DeletionProtection: poolDefault({ default: 'INACTIVE', type: 'ACTIVE | INACTIVE', why: 'pools can be deleted unless protected' }),
  CaseSensitive: poolDefault({
    default: false,
    type: 'UsernameConfiguration.CaseSensitive',
    why: 'usernames are matched case-insensitively, as Cognito recommends',
  }),
  AllowAdminCreateUserOnly: poolDefault({
    default: false,
    type: 'AdminCreateUserConfig.AllowAdminCreateUserOnly',
    why: 'self sign-up is allowed',
  }),
  UsernameAttributes: poolDefault<readonly string[]>({ default: [], type: 'email | phone_number', why: 'users sign in with a username' }),
  AliasAttributes: poolDefault<readonly string[]>({ default: [], type: 'email | phone_number | preferred_username', why: 'no aliases' }),
  AutoVerifiedAttributes: poolDefault<readonly string[]>({
    default: [],
    type: 'email | phone_number',
    why: 'no verification codes are sent on sign-up',
  }),
} as const;

/** Latchkey's own settings, per pool (LatchkeyUpdateUserPoolSettings). */
export const LATCHKEY_SETTINGS = {
  maxPasskeysPerUser: poolDefault({
    default: 20,
    type: 'integer 1..100',
    why: 'LimitExceededException past it (holds under concurrent registrations on any number of instances)',
  }),
  registrationTimeoutMs: poolDefault({
    default: 300_000,
    type: 'integer 30000..3600000',
    why: "the `timeout` sent for registration, and the registration challenge's lifetime",
  }),
  attestation: poolDefault<'none' | 'direct'>({
    default: 'none',
    type: 'none | direct',
    why:
      '`none`: any attestation accepted, statement not relied on; `direct`: browsers are asked for attestation and the ' +
      'statement must verify (packed, fido-u2f, tpm, android-key, android-safetynet, apple)',
  }),
  signCountPolicy: poolDefault<'lenient-synced' | 'strict'>({
    default: 'lenient-synced',
    type: 'lenient-synced | strict',
    why:
      'when the stored and asserted counters are both non-zero and the new one is not greater: `lenient-synced` rejects ' +
      'device-bound credentials and accepts synced (backup-eligible) ones, recording a clone warning (`cloneWarnings` on ' +
      'the passkey, a log line); `strict` always rejects',
  }),
  tokenSigningAlg: poolDefault<'RS256' | 'ES256'>({
    default: 'RS256',
    type: 'RS256 | ES256',
    why: '`ES256` for smaller, faster tokens; changing it rotates the key (old keys stay in the JWKS for a day)',
  }),
  lockoutThreshold: poolDefault({
    default: 5,
    type: 'integer 1..100',
    why: 'failed passwords before the growing lockout (1 s doubling to 15 min) starts',
  }),
  eventWebhookUrl: poolDefault({
    default: '',
    type: 'https:// URL (http:// on loopback), or empty',
    why:
      'where the lifecycle events of the pool are POSTed, signed with the webhook secret (docs/events.md); empty: events are ' +
      'only recorded (AdminListUserAuthEvents)',
  }),
  passkeyChangeEmail: poolDefault({
    default: false,
    type: 'boolean',
    why:
      'true: a user with a verified email address is told by email when a passkey is added to or removed from the account ' +
      '(sent after the change commits; a failed send is logged, the operation still succeeds)',
  }),
  webhookSecretVersion: poolDefault({
    default: 0,
    type: 'integer, read-only',
    why:
      "generation of the pool's webhook secret (`webhookSecret` in LatchkeyDescribeUserPoolSettings, the key of " +
      '`x-latchkey-signature`); `rotateWebhookSecret: true` in LatchkeyUpdateUserPoolSettings increments it',
  }),
} as const;

/** Latchkey's per-pool settings as domain code reads them. */
export type LatchkeyPoolSettings = { -readonly [K in keyof typeof LATCHKEY_SETTINGS]: (typeof LATCHKEY_SETTINGS)[K]['default'] };

/** Fixed behaviour (not configurable), listed so that each number has one home and one reason. */
export const FIXED = {
  codeLifetimeMs: poolDefault({
    default: { signup: 24 * 3600_000, forgot: 3600_000, verify_email: 24 * 3600_000, verify_phone_number: 24 * 3600_000 },
    type: 'ms per purpose',
    why: "Cognito's: sign-up and attribute codes 24 hours, password-reset codes 1 hour",
  }),
  maxCodeAttempts: poolDefault({ default: 5, type: 'count', why: 'wrong guesses allowed per code before it is dead' }),
  codeSendsPerWindow: poolDefault({
    default: 5,
    type: 'count',
    why:
      'codes sent per user (or typed name) and purpose per window: Cognito refuses a sixth code request in an hour with ' +
      'LimitExceededException; bounds SMS bills, inbox spam and the guesses a resend loop gets (5 per code)',
  }),
  signInFailedEventWindowMs: poolDefault({
    default: 60_000,
    type: 'ms',
    why: 'signin.failed events are coalesced: at most one per user and factor (flow or challenge) per window',
  }),
  codeSendWindowMs: poolDefault({
    default: 3600_000,
    type: 'ms',
    why: 'the send budget window: fixed, starting at the first send after the last window ended ("in a given hour", as Cognito)',
  }),
  signUpConfirmAttempts: poolDefault({
    default: 20,
    type: 'count',
    why:
      'ConfirmSignUp attempts per typed name per window, across resends: caps guesses at the 6-digit code (which signs ' +
      'the user in) at 20 per day, whatever the resends; past it LimitExceededException, as Cognito',
  }),
  signUpConfirmWindowMs: poolDefault({
    default: 24 * 3600_000,
    type: 'ms',
    why: 'the ConfirmSignUp attempt window: one sign-up code lifetime, so a code cannot outlive its window of guesses',
  }),
  signInCodeDigits: poolDefault({
    default: 8,
    type: 'digits',
    why: "EMAIL_OTP / SMS_OTP sign-in codes have 8 digits, as Cognito's do (docs/wire-contract.md §3.4, EMAIL_OTP / SMS_OTP)",
  }),
  mfaCodeDigits: poolDefault({
    default: 6,
    type: 'digits',
    why: "SMS_MFA and EMAIL_OTP MFA codes have 6 digits, as Cognito's MFA messages do (docs/wire-contract.md, MFA challenges)",
  }),
  signInCodeLifetimeMs: poolDefault({
    default: 3 * 60_000,
    type: 'ms',
    why:
      'an EMAIL_OTP / SMS_OTP code lives as long as the default auth session that carries it (Cognito documents ' +
      'no separate lifetime); a client with a longer AuthSessionValidity does not lengthen it',
  }),
  maxSignInCodeAttempts: poolDefault({
    default: 3,
    type: 'count',
    why:
      'answers allowed per EMAIL_OTP / SMS_OTP challenge (Cognito documents none): a wrong one keeps the Session ' +
      "usable, as Amplify's confirmSignIn resends it; the next after the limit is NotAuthorizedException",
  }),
  lockoutBaseMs: poolDefault({ default: 1000, type: 'ms', why: 'the first lock after lockoutThreshold failures; it doubles per failure' }),
  lockoutMaxMs: poolDefault({ default: 15 * 60_000, type: 'ms', why: 'the longest lock, as in Cognito' }),
  loginAttemptIdleResetMs: poolDefault({
    default: 15 * 60_000,
    type: 'ms',
    why: 'a counter with neither an attempt nor a lock this long starts over (as Cognito does)',
  }),
  signingKeyCacheMs: poolDefault({
    default: 1000,
    type: 'ms',
    why: 'how long an instance may keep signing with the key it last read, so a rotation reaches every instance at once',
  }),
  verificationRecordMaxAgeMs: poolDefault({
    default: 1000,
    type: 'ms',
    why:
      "the most a verification key's record is reused whatever LATCHKEY_KEY_CACHE_MS says: an emergency retirement " +
      'stops verification everywhere within 2 s',
  }),
  configRecheckMs: poolDefault({
    default: 250,
    type: 'ms',
    why:
      'how long an instance trusts its cached pool and app-client records before re-reading the one config_version row, ' +
      'so a change on any instance is seen everywhere within 1 s',
  }),
  unknownKidCacheMs: poolDefault({
    default: 1000,
    type: 'ms',
    why: 'how long a kid no key has is remembered as unknown, so forged tokens cost no database read',
  }),
  purgeIntervalMs: poolDefault({
    default: 60_000,
    type: 'ms',
    why: 'how often each instance deletes expired challenges, sessions, codes, token families and keys',
  }),
  unconfirmedDeviceMs: poolDefault({
    default: 24 * 3600_000,
    type: 'ms',
    why: 'how long a device handed out in NewDeviceMetadata waits for its ConfirmDevice before it is forgotten',
  }),
  srpTimestampWindowMs: poolDefault({
    default: 15 * 60_000,
    type: 'ms',
    why: "how far an SRP answer's TIMESTAMP may be from the server's clock (Amplify signs it with the client's)",
  }),
  sigv4MaxSkewMs: poolDefault({
    default: 5 * 60_000,
    type: 'ms',
    why: "how far an admin request's X-Amz-Date may be from the server's clock, as AWS allows",
  }),
  smsWebhookBackoffMs: poolDefault({
    default: 250,
    type: 'ms',
    why: 'the pause before the second SMS webhook attempt; it doubles per attempt, so 3 attempts add at most 750 ms to the timeouts',
  }),
  signUpSessionValidity: poolDefault({
    default: 'AuthSessionValidity' as const,
    type: 'app-client member',
    why:
      "ConfirmSignUp's Session (one USER_AUTH sign-in without a second code) lives as long as a sign-in step: Cognito " +
      'documents no lifetime of its own, only "within the authentication flow session duration"',
  }),
  maxGroupsPerPool: poolDefault({
    default: 10_000,
    type: 'count',
    why: "Cognito's quota of groups per user pool: CreateGroup past it answers LimitExceededException",
  }),
  maxGroupsPerUser: poolDefault({
    default: 100,
    type: 'count',
    why: "Cognito's quota of groups a user can be in: AdminAddUserToGroup past it answers LimitExceededException",
  }),
  eventRetentionMs: poolDefault({
    default: 90 * 24 * 3600_000,
    type: 'ms',
    why: 'how long delivered lifecycle events stay readable by AdminListUserAuthEvents (90 days, as Cognito keeps auth events)',
  }),
  eventGiveUpMs: poolDefault({
    default: 3 * 24 * 3600_000,
    type: 'ms',
    why: 'a lifecycle event not delivered this long after it happened is no longer retried (its last error is kept)',
  }),
  eventRetryMaxMs: poolDefault({
    default: 300_000,
    type: 'ms',
    why: 'the longest pause between attempts of a lifecycle event: the doubling from LATCHKEY_EVENT_RETRY_BASE_MS stops at 5 minutes',
  }),
  eventTimeoutMs: poolDefault({
    default: 10_000,
    type: 'ms',
    why: 'how long one event webhook attempt may take (connect to response) before it counts as failed; at most half the lease',
  }),
  eventBatch: poolDefault({
    default: 20,
    type: 'count',
    why: 'events one worker claims per poll, delivered at most 5 at a time: bounds the connections and memory of a backlog',
  }),
  keyRetirementMs: poolDefault({
    default: 24 * 3600_000,
    type: 'ms',
    why: 'how long a rotated signing key stays in the JWKS: the longest access and id token lifetime, so issued tokens verify',
  }),
  maxCustomAttributes: poolDefault({
    default: 50,
    type: 'count',
    why: "custom attributes per pool (Schema + AddCustomAttributes): Cognito's quota; more is InvalidParameterException",
  }),
  maxTagsPerPool: poolDefault({ default: 50, type: 'count', why: "tags per user pool (TagResource, UserPoolTags): Cognito's quota" }),
  wellKnownCacheMs: poolDefault({
    default: 30_000,
    type: 'ms',
    why:
      'how long each process reuses its RP ID → pools index and the documents of `/.well-known/webauthn` and ' +
      '`/.well-known/passkey-endpoints` without a pool id (unauthenticated, any Host): one pool scan per window, not per ' +
      'request; a pool or client change shows there within this time',
  }),
  wellKnownCacheEntries: poolDefault({
    default: 1000,
    type: 'count',
    why: 'RP IDs whose `/.well-known/webauthn` document a process keeps (only RP IDs some pool has; the oldest go first)',
  }),
} as const;

deepFreeze(CLIENT_OPTIONS);
deepFreeze(POOL_OPTIONS);
deepFreeze(LATCHKEY_SETTINGS);
deepFreeze(FIXED);

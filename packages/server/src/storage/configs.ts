import type { LatchkeyPoolSettings } from '../config/defaults.js';

/** The LambdaConfig members that name one trigger (Cognito's names; each holds a Lambda ARN there, a URL here). */
export const TRIGGER_MEMBERS = [
  'PreSignUp',
  'CustomMessage',
  'PostConfirmation',
  'PreAuthentication',
  'PostAuthentication',
  'DefineAuthChallenge',
  'CreateAuthChallenge',
  'VerifyAuthChallengeResponse',
  'PreTokenGeneration',
  'UserMigration',
] as const;

// A pool's and an app client's config are JSON documents: Cognito-shaped members that DescribeUserPool and
// DescribeUserPoolClient echo, plus Latchkey's own. They are checked once, where a row becomes a record,
// into the types below: every member domain code reads has its declared type or is absent. A stored value
// of the wrong type (a hand-edited row, a partial restore) fails closed: the row is refused with a
// StoredConfigError (an internal error on the wire, logged) instead of falling back to a default, because a
// default can be weaker than what was stored (a dropped ClientSecret would make a secret client public, a
// dropped UserVerification would stop requiring it). Other members are kept verbatim for Describe.

/** A stored pool or client config that does not match its type; `path` names the member (never its value). */
export class StoredConfigError extends Error {
  constructor(
    readonly kind: 'pool' | 'client',
    readonly path: string,
  ) {
    super(`stored ${kind} config is corrupt at ${path || 'the document'}: refusing it rather than applying defaults`);
    this.name = 'StoredConfigError';
  }
}

export type JsonObject = { [key: string]: unknown };

export interface PasswordPolicyConfig {
  MinimumLength?: number;
  RequireUppercase?: boolean;
  RequireLowercase?: boolean;
  RequireNumbers?: boolean;
  RequireSymbols?: boolean;
  PasswordHistorySize?: number;
  TemporaryPasswordValidityDays?: number;
}

export interface WebAuthnConfig {
  RelyingPartyId?: string;
  UserVerification?: 'required' | 'preferred';
  FactorConfiguration?: string;
}

/** A pool's LambdaConfig, validated: each trigger member is the URL Latchkey calls (triggers/config.ts checked it when stored). */
export interface LambdaConfigRecord {
  PreSignUp?: string;
  CustomMessage?: string;
  PostConfirmation?: string;
  PreAuthentication?: string;
  PostAuthentication?: string;
  DefineAuthChallenge?: string;
  CreateAuthChallenge?: string;
  VerifyAuthChallengeResponse?: string;
  PreTokenGeneration?: string;
  UserMigration?: string;
  PreTokenGenerationConfig?: { LambdaArn?: string; LambdaVersion?: string };
  [key: string]: unknown;
}

/** A pool's stored config, validated. Absent members take their defaults from POOL_OPTIONS / LATCHKEY_SETTINGS. */
export interface PoolConfig {
  Policies?: { PasswordPolicy?: PasswordPolicyConfig; SignInPolicy?: { AllowedFirstAuthFactors?: string[] }; [key: string]: unknown };
  UsernameAttributes?: string[];
  AliasAttributes?: string[];
  AutoVerifiedAttributes?: string[];
  UsernameConfiguration?: { CaseSensitive?: boolean };
  /** Remembered devices: present (even empty) means the pool tracks devices (NewDeviceMetadata at sign-in). */
  DeviceConfiguration?: { ChallengeRequiredOnNewDevice?: boolean; DeviceOnlyRememberedOnUserPrompt?: boolean };
  AdminCreateUserConfig?: { AllowAdminCreateUserOnly?: boolean; [key: string]: unknown };
  WebAuthnConfiguration?: WebAuthnConfig;
  MfaConfiguration?: string;
  SoftwareTokenMfaConfiguration?: { Enabled?: boolean };
  SmsMfaConfiguration?: { SmsAuthenticationMessage?: string; SmsConfiguration?: JsonObject };
  EmailMfaConfiguration?: { Message?: string; Subject?: string };
  UserPoolTier?: string;
  DeletionProtection?: string;
  Latchkey?: Partial<LatchkeyPoolSettings>;
  LambdaConfig?: LambdaConfigRecord;
  [key: string]: unknown;
}

export type TokenUnit = 'seconds' | 'minutes' | 'hours' | 'days';

/** An app client's stored config, validated. Absent members take their defaults from CLIENT_OPTIONS. */
export interface ClientConfig {
  ClientSecret?: string;
  ExplicitAuthFlows?: string[];
  PreventUserExistenceErrors?: 'ENABLED' | 'LEGACY';
  EnableTokenRevocation?: boolean;
  AuthSessionValidity?: number;
  AccessTokenValidity?: number;
  IdTokenValidity?: number;
  RefreshTokenValidity?: number;
  TokenValidityUnits?: { AccessToken?: TokenUnit; IdToken?: TokenUnit; RefreshToken?: TokenUnit };
  LatchkeyAllowedOrigins?: string[];
  [key: string]: unknown;
}

type Check = (v: unknown) => boolean;
const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);
const str: Check = (v) => typeof v === 'string';
const bool: Check = (v) => typeof v === 'boolean';
const int: Check = (v) => Number.isInteger(v);
const strings: Check = (v) => Array.isArray(v) && v.every((s) => typeof s === 'string');
const oneOf =
  (...allowed: string[]): Check =>
  (v) =>
    typeof v === 'string' && allowed.includes(v);

type Members = Record<string, Check | { members: Members; open?: boolean }>;

/**
 * A copy of `doc` whose listed members all pass their checks; unlisted members are kept when `open`
 * (dropped otherwise: nothing reads them). Key order is the stored order, so Describe answers read as
 * they were written.
 * @throws StoredConfigError naming the first listed member that fails its check.
 */
function checked(kind: 'pool' | 'client', doc: JsonObject, members: Members, open: boolean, at = ''): JsonObject {
  const out: JsonObject = {};
  for (const [key, v] of Object.entries(doc)) {
    const check = Object.hasOwn(members, key) ? members[key] : undefined;
    const path = at ? `${at}.${key}` : key;
    if (check === undefined) {
      if (open) out[key] = v;
    } else if (typeof check === 'function') {
      if (!check(v)) throw new StoredConfigError(kind, path);
      out[key] = v;
    } else if (isObject(v)) out[key] = checked(kind, v, check.members, check.open ?? false, path);
    else throw new StoredConfigError(kind, path);
  }
  return out;
}

const UNIT = oneOf('seconds', 'minutes', 'hours', 'days');

const POOL_MEMBERS: Members = {
  Policies: {
    open: true,
    members: {
      PasswordPolicy: {
        open: true,
        members: {
          MinimumLength: int,
          RequireUppercase: bool,
          RequireLowercase: bool,
          RequireNumbers: bool,
          RequireSymbols: bool,
          PasswordHistorySize: int,
          TemporaryPasswordValidityDays: int,
        },
      },
      SignInPolicy: { open: true, members: { AllowedFirstAuthFactors: strings } },
    },
  },
  UsernameAttributes: strings,
  AliasAttributes: strings,
  SchemaAttributes: (v) => Array.isArray(v) && v.every(isObject),
  AutoVerifiedAttributes: strings,
  UsernameConfiguration: { open: true, members: { CaseSensitive: bool } },
  DeviceConfiguration: { members: { ChallengeRequiredOnNewDevice: bool, DeviceOnlyRememberedOnUserPrompt: bool } },
  AdminCreateUserConfig: { open: true, members: { AllowAdminCreateUserOnly: bool } },
  WebAuthnConfiguration: {
    open: true,
    members: { RelyingPartyId: str, UserVerification: oneOf('required', 'preferred'), FactorConfiguration: str },
  },
  MfaConfiguration: str,
  LambdaConfig: {
    open: true,
    members: {
      ...Object.fromEntries(TRIGGER_MEMBERS.map((k) => [k, str])),
      PreTokenGenerationConfig: { open: true, members: { LambdaArn: str, LambdaVersion: str } },
    },
  },
  SoftwareTokenMfaConfiguration: { open: true, members: { Enabled: bool } },
  SmsMfaConfiguration: { open: true, members: { SmsAuthenticationMessage: str } },
  EmailMfaConfiguration: { open: true, members: { Message: str, Subject: str } },
  UserPoolTier: str,
  DeletionProtection: str,
  Latchkey: {
    members: {
      maxPasskeysPerUser: int,
      registrationTimeoutMs: int,
      attestation: oneOf('none', 'direct'),
      signCountPolicy: oneOf('lenient-synced', 'strict'),
      tokenSigningAlg: oneOf('RS256', 'ES256'),
      lockoutThreshold: int,
      webhookSecretVersion: int,
      eventWebhookUrl: str,
      passkeyChangeEmail: bool,
    },
  },
};

const CLIENT_MEMBERS: Members = {
  ClientSecret: str,
  ExplicitAuthFlows: strings,
  PreventUserExistenceErrors: oneOf('ENABLED', 'LEGACY'),
  EnableTokenRevocation: bool,
  AuthSessionValidity: int,
  AccessTokenValidity: int,
  IdTokenValidity: int,
  RefreshTokenValidity: int,
  TokenValidityUnits: { members: { AccessToken: UNIT, IdToken: UNIT, RefreshToken: UNIT } },
  LatchkeyAllowedOrigins: strings,
  ReadAttributes: strings,
  WriteAttributes: strings,
};

/**
 * A pool's config document (as stored: JSON text, or an already parsed value), validated.
 * @throws StoredConfigError when the document is not a JSON object or a member has the wrong type.
 */
export function parsePoolConfig(doc: unknown): PoolConfig {
  return checked('pool', parseDoc('pool', doc), POOL_MEMBERS, true) as PoolConfig;
}

/**
 * An app client's config document, validated.
 * @throws StoredConfigError when the document is not a JSON object or a member has the wrong type.
 */
export function parseClientConfig(doc: unknown): ClientConfig {
  return checked('client', parseDoc('client', doc), CLIENT_MEMBERS, true) as ClientConfig;
}

function parseDoc(kind: 'pool' | 'client', doc: unknown): JsonObject {
  let v = doc;
  if (typeof doc === 'string') {
    try {
      v = JSON.parse(doc);
    } catch {
      throw new StoredConfigError(kind, '');
    }
  }
  if (!isObject(v)) throw new StoredConfigError(kind, '');
  return v;
}

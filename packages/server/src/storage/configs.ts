import type { LatchkeyPoolSettings } from '../config/defaults.js';

// A pool's and an app client's config are JSON documents: Cognito-shaped members that DescribeUserPool and
// DescribeUserPoolClient echo, plus Latchkey's own. They are checked once, where a row becomes a record,
// into the types below: every member domain code reads has its declared type or is absent (a stored value
// of the wrong type, say from an older version or a hand-edited row, is dropped so the table's default
// applies instead of a cast lying about it). Other members are kept verbatim for Describe.

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

/** A pool's stored config, validated. Absent members take their defaults from POOL_OPTIONS / LATCHKEY_SETTINGS. */
export interface PoolConfig {
  Policies?: { PasswordPolicy?: PasswordPolicyConfig; SignInPolicy?: { AllowedFirstAuthFactors?: string[] }; [key: string]: unknown };
  UsernameAttributes?: string[];
  AliasAttributes?: string[];
  AutoVerifiedAttributes?: string[];
  UsernameConfiguration?: { CaseSensitive?: boolean };
  AdminCreateUserConfig?: { AllowAdminCreateUserOnly?: boolean; [key: string]: unknown };
  WebAuthnConfiguration?: WebAuthnConfig;
  MfaConfiguration?: string;
  UserPoolTier?: string;
  DeletionProtection?: string;
  Latchkey?: Partial<LatchkeyPoolSettings>;
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
 * A copy of `doc` in which each listed member that fails its check (or, for an object, is not one) is
 * left out; unlisted members are kept when `open`. Key order is the stored order, so Describe answers
 * read as they were written.
 */
function checked(doc: JsonObject, members: Members, open: boolean): JsonObject {
  const out: JsonObject = {};
  for (const [key, v] of Object.entries(doc)) {
    const check = Object.hasOwn(members, key) ? members[key] : undefined;
    if (check === undefined) {
      if (open) out[key] = v;
    } else if (typeof check === 'function') {
      if (check(v)) out[key] = v;
    } else if (isObject(v)) out[key] = checked(v, check.members, check.open ?? false);
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
  AutoVerifiedAttributes: strings,
  UsernameConfiguration: { open: true, members: { CaseSensitive: bool } },
  AdminCreateUserConfig: { open: true, members: { AllowAdminCreateUserOnly: bool } },
  WebAuthnConfiguration: {
    open: true,
    members: { RelyingPartyId: str, UserVerification: oneOf('required', 'preferred'), FactorConfiguration: str },
  },
  MfaConfiguration: str,
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
};

/** A pool's config document (as stored: JSON text, or an already parsed value), validated; never throws. */
export function parsePoolConfig(doc: unknown): PoolConfig {
  return checked(parseDoc(doc), POOL_MEMBERS, true) as PoolConfig;
}

/** An app client's config document, validated; never throws. */
export function parseClientConfig(doc: unknown): ClientConfig {
  return checked(parseDoc(doc), CLIENT_MEMBERS, true) as ClientConfig;
}

// A row whose JSON does not parse, or is not an object, reads as an empty config: all defaults.
function parseDoc(doc: unknown): JsonObject {
  let v = doc;
  if (typeof doc === 'string') {
    try {
      v = JSON.parse(doc);
    } catch {
      return {};
    }
  }
  return isObject(v) ? v : {};
}

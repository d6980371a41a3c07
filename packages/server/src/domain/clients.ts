import type { ClientConfig, ClientRecord, TokenUnit } from '../storage/store.js';
import { CLIENT_OPTIONS, TOKEN_VALIDITY_BOUNDS, deepFreeze } from '../config/defaults.js';
import { InvalidParameterException } from '../protocol/errors.js';

const UNIT_SECONDS: Record<TokenUnit, number> = { seconds: 1, minutes: 60, hours: 3600, days: 86400 };

/**
 * What a new client gets, and what UpdateUserPoolClient returns members to when they are left out
 * (Cognito's update semantics): the stored members of CLIENT_OPTIONS.
 */
export const CLIENT_DEFAULTS: Readonly<Record<string, unknown>> = deepFreeze(
  Object.fromEntries(Object.entries(CLIENT_OPTIONS).flatMap(([k, o]) => (o.stored ? [[k, o.default]] : []))),
);

/** The flows of a client created without ExplicitAuthFlows (see CLIENT_OPTIONS for why). */
export const DEFAULT_AUTH_FLOWS = CLIENT_OPTIONS.ExplicitAuthFlows.default;

export { TOKEN_VALIDITY_BOUNDS };

type TokenKind = keyof typeof TOKEN_VALIDITY_BOUNDS;

/** A token lifetime in seconds as a client config gives it (value × unit, the table's defaults where absent). */
function validitySeconds(config: ClientConfig, kind: TokenKind): number {
  const value = config[`${kind}Validity`] ?? CLIENT_OPTIONS[`${kind}Validity`].default;
  return value * UNIT_SECONDS[config.TokenValidityUnits?.[kind] ?? CLIENT_OPTIONS.TokenValidityUnits.default[kind]];
}

/**
 * A new or updated client config with its token lifetimes checked against Cognito's bounds. As in
 * Cognito, `RefreshTokenValidity: 0` means the default (30 days).
 * @throws InvalidParameterException "Invalid range for token validity." (Cognito's words) when a
 *   lifetime, in its unit, is outside TOKEN_VALIDITY_BOUNDS.
 */
export function checkedTokenValidity(config: Record<string, unknown>): Record<string, unknown> {
  const out = { ...config };
  if (out.RefreshTokenValidity === 0) {
    out.RefreshTokenValidity = CLIENT_OPTIONS.RefreshTokenValidity.default;
    out.TokenValidityUnits = {
      ...(out.TokenValidityUnits as object | undefined),
      RefreshToken: CLIENT_OPTIONS.TokenValidityUnits.default.RefreshToken,
    };
  }
  // The members were validated by the operation's input shape: only the lifetimes are checked here.
  const typed = out as ClientConfig;
  for (const kind of Object.keys(TOKEN_VALIDITY_BOUNDS) as TokenKind[]) {
    const seconds = validitySeconds(typed, kind);
    const [min, max] = TOKEN_VALIDITY_BOUNDS[kind];
    if (seconds < min || seconds > max)
      throw new InvalidParameterException('Invalid range for token validity.', `${kind}: ${seconds} s outside ${min}..${max}`);
  }
  return out;
}

/** An app client as domain code reads it: the row mapper validated its config; absent members read as the table's defaults. */
export class AppClient {
  constructor(readonly record: ClientRecord) {}
  get id() {
    return this.record.id;
  }
  get poolId() {
    return this.record.poolId;
  }
  private get c(): ClientConfig {
    return this.record.config;
  }
  get secret(): string | undefined {
    return this.c.ClientSecret;
  }
  get explicitAuthFlows(): readonly string[] {
    return this.c.ExplicitAuthFlows ?? DEFAULT_AUTH_FLOWS;
  }
  allows(flow: string): boolean {
    return this.explicitAuthFlows.includes(flow);
  }
  get preventUserExistenceErrors(): boolean {
    return (this.c.PreventUserExistenceErrors ?? CLIENT_OPTIONS.PreventUserExistenceErrors.default) === 'ENABLED';
  }
  get enableTokenRevocation(): boolean {
    return this.c.EnableTokenRevocation ?? CLIENT_OPTIONS.EnableTokenRevocation.default;
  }
  /** Auth session lifetime, 3–15 minutes. */
  get authSessionValiditySec(): number {
    return (this.c.AuthSessionValidity ?? CLIENT_OPTIONS.AuthSessionValidity.default) * 60;
  }
  // Clamped: a client stored before the bounds were checked must not issue 1-second or 100-year tokens.
  private validity(kind: TokenKind): number {
    const [min, max] = TOKEN_VALIDITY_BOUNDS[kind];
    return Math.min(max, Math.max(min, validitySeconds(this.c, kind)));
  }
  get accessValiditySec(): number {
    return this.validity('AccessToken');
  }
  get idValiditySec(): number {
    return this.validity('IdToken');
  }
  get refreshValiditySec(): number {
    return this.validity('RefreshToken');
  }
  /** Latchkey extension: web or app origins allowed for WebAuthn besides the RP ID's own. */
  /** The attributes the client may read (GetUser, id token); undefined: all but developer-only ones. */
  get readAttributes(): readonly string[] | undefined {
    const r = this.c.ReadAttributes;
    return Array.isArray(r) ? (r as string[]) : undefined;
  }
  /** The attributes the client may write (SignUp, UpdateUserAttributes); undefined: all but developer-only ones. */
  get writeAttributes(): readonly string[] | undefined {
    const w = this.c.WriteAttributes;
    return Array.isArray(w) ? (w as string[]) : undefined;
  }
  get allowedOrigins(): readonly string[] {
    return this.c.LatchkeyAllowedOrigins ?? CLIENT_OPTIONS.LatchkeyAllowedOrigins.default;
  }
}

import type { ClientRecord } from '../storage/store.js';
import { InvalidParameterException } from '../protocol/errors.js';

const UNIT_SECONDS: Record<string, number> = { seconds: 1, minutes: 60, hours: 3600, days: 86400 };

/**
 * What a new client gets, and what UpdateUserPoolClient returns members to when they are left out
 * (Cognito's update semantics).
 */
export const CLIENT_DEFAULTS: Readonly<Record<string, unknown>> = Object.freeze({
  RefreshTokenValidity: 30,
  AccessTokenValidity: 60,
  IdTokenValidity: 60,
  TokenValidityUnits: { AccessToken: 'minutes', IdToken: 'minutes', RefreshToken: 'days' },
  EnableTokenRevocation: true,
  AuthSessionValidity: 3,
  PreventUserExistenceErrors: 'ENABLED',
});

/**
 * The flows of a client created without ExplicitAuthFlows. Cognito's default also has ALLOW_CUSTOM_AUTH;
 * Latchkey has no custom auth (Lambda triggers), so it is only allowed when asked for.
 */
export const DEFAULT_AUTH_FLOWS = ['ALLOW_REFRESH_TOKEN_AUTH', 'ALLOW_USER_SRP_AUTH'];

type TokenKind = 'AccessToken' | 'IdToken' | 'RefreshToken';

/** What a client's stored config says when a member is absent (Cognito's defaults). */
const VALIDITY_FALLBACK: Record<TokenKind, { value: number; unit: string }> = {
  AccessToken: { value: 60, unit: 'minutes' },
  IdToken: { value: 60, unit: 'minutes' },
  RefreshToken: { value: 30, unit: 'days' },
};

/** Cognito's bounds, seconds: access and id tokens 5 minutes to 1 day, refresh tokens 60 minutes to 10 years. */
export const TOKEN_VALIDITY_BOUNDS: Readonly<Record<TokenKind, readonly [number, number]>> = Object.freeze({
  AccessToken: [5 * 60, 86400],
  IdToken: [5 * 60, 86400],
  RefreshToken: [3600, 3650 * 86400],
});

/** A token lifetime in seconds as a stored client config gives it (value × unit, defaults where absent). */
function validitySeconds(config: Record<string, unknown>, kind: TokenKind): number {
  const units = (config.TokenValidityUnits ?? {}) as Record<string, string | undefined>;
  const value = (config[`${kind}Validity`] as number | undefined) ?? VALIDITY_FALLBACK[kind].value;
  return value * UNIT_SECONDS[units[kind] ?? VALIDITY_FALLBACK[kind].unit]!;
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
    out.RefreshTokenValidity = VALIDITY_FALLBACK.RefreshToken.value;
    out.TokenValidityUnits = { ...(out.TokenValidityUnits as object | undefined), RefreshToken: VALIDITY_FALLBACK.RefreshToken.unit };
  }
  for (const kind of Object.keys(TOKEN_VALIDITY_BOUNDS) as TokenKind[]) {
    const seconds = validitySeconds(out, kind);
    const [min, max] = TOKEN_VALIDITY_BOUNDS[kind];
    if (seconds < min || seconds > max)
      throw new InvalidParameterException('Invalid range for token validity.', `${kind}: ${seconds} s outside ${min}..${max}`);
  }
  return out;
}

/** Typed view of an app client's stored config. */
export class AppClient {
  constructor(readonly record: ClientRecord) {}
  get id() {
    return this.record.id;
  }
  get poolId() {
    return this.record.poolId;
  }
  private get c() {
    return this.record.config as Record<string, any>;
  }
  get secret(): string | undefined {
    return this.c.ClientSecret;
  }
  get explicitAuthFlows(): string[] {
    return this.c.ExplicitAuthFlows ?? DEFAULT_AUTH_FLOWS;
  }
  allows(flow: string): boolean {
    return this.explicitAuthFlows.includes(flow);
  }
  get preventUserExistenceErrors(): boolean {
    return (this.c.PreventUserExistenceErrors ?? 'ENABLED') === 'ENABLED';
  }
  get enableTokenRevocation(): boolean {
    return this.c.EnableTokenRevocation ?? true;
  }
  /** Auth session lifetime, 3–15 minutes (default 3). */
  get authSessionValiditySec(): number {
    return (this.c.AuthSessionValidity ?? 3) * 60;
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
  get allowedOrigins(): string[] {
    return this.c.LatchkeyAllowedOrigins ?? [];
  }
}

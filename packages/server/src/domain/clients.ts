import type { ClientRecord } from '../storage/store.js';

const UNIT_SECONDS: Record<string, number> = { seconds: 1, minutes: 60, hours: 3600, days: 86400 };

/**
 * What a new client gets, and what UpdateUserPoolClient returns members to when they are left out
 * (Cognito's update semantics).
 */
export const CLIENT_DEFAULTS: Readonly<Record<string, unknown>> = Object.freeze({
  RefreshTokenValidity: 30, AccessTokenValidity: 60, IdTokenValidity: 60,
  TokenValidityUnits: { AccessToken: 'minutes', IdToken: 'minutes', RefreshToken: 'days' },
  EnableTokenRevocation: true, AuthSessionValidity: 3, PreventUserExistenceErrors: 'ENABLED',
});

export const DEFAULT_AUTH_FLOWS = ['ALLOW_REFRESH_TOKEN_AUTH', 'ALLOW_USER_SRP_AUTH', 'ALLOW_CUSTOM_AUTH'];

/** Typed view of an app client's stored config. */
export class AppClient {
  constructor(readonly record: ClientRecord) {}
  get id() { return this.record.id; }
  get poolId() { return this.record.poolId; }
  private get c() { return this.record.config as Record<string, any>; }
  get secret(): string | undefined { return this.c.ClientSecret; }
  get explicitAuthFlows(): string[] { return this.c.ExplicitAuthFlows ?? DEFAULT_AUTH_FLOWS; }
  allows(flow: string): boolean { return this.explicitAuthFlows.includes(flow); }
  get preventUserExistenceErrors(): boolean { return (this.c.PreventUserExistenceErrors ?? 'ENABLED') === 'ENABLED'; }
  get enableTokenRevocation(): boolean { return this.c.EnableTokenRevocation ?? true; }
  /** Auth session lifetime, 3–15 minutes (default 3). */
  get authSessionValiditySec(): number { return (this.c.AuthSessionValidity ?? 3) * 60; }
  private validity(name: 'AccessToken' | 'IdToken' | 'RefreshToken', fallback: number, fallbackUnit: string): number {
    const units = (this.c.TokenValidityUnits ?? {}) as Record<string, string>;
    const value = this.c[`${name}Validity`] ?? fallback;
    return value * UNIT_SECONDS[units[name] ?? fallbackUnit]!;
  }
  get accessValiditySec(): number { return this.validity('AccessToken', 60, 'minutes'); }
  get idValiditySec(): number { return this.validity('IdToken', 60, 'minutes'); }
  get refreshValiditySec(): number { return this.validity('RefreshToken', 30, 'days'); }
  /** Latchkey extension: web or app origins allowed for WebAuthn besides the RP ID's own. */
  get allowedOrigins(): string[] { return this.c.LatchkeyAllowedOrigins ?? []; }
}

import type { PoolRecord, JsonObject } from '../storage/store.js';

/** Latchkey settings beyond Cognito, per pool (see docs/configuration.md "Pool settings"). */
export interface LatchkeyPoolSettings {
  /** Most passkeys one user may hold (LimitExceededException past it). */
  maxPasskeysPerUser: number;
  /** `timeout` sent to the browser for registration, and the challenge lifetime, ms. */
  registrationTimeoutMs: number;
  /** `none`: any attestation accepted and not verified; `direct`: the statement must verify. */
  attestation: 'none' | 'direct';
  /**
   * `lenient-synced`: a non-increasing counter on a backup-eligible (synced) passkey is accepted and
   * recorded as a clone warning, rejected for device-bound ones; `strict`: always rejected.
   */
  signCountPolicy: 'lenient-synced' | 'strict';
  /** JWT signature algorithm for this pool's tokens (RS256 is Cognito's). */
  tokenSigningAlg: 'RS256' | 'ES256';
  /** Failed password attempts before the growing lockout starts. */
  lockoutThreshold: number;
}

export const DEFAULT_LATCHKEY_SETTINGS: LatchkeyPoolSettings = {
  maxPasskeysPerUser: 20,
  registrationTimeoutMs: 300_000,
  attestation: 'none',
  signCountPolicy: 'lenient-synced',
  tokenSigningAlg: 'RS256',
  lockoutThreshold: 5,
};

export interface PasswordPolicy {
  MinimumLength: number;
  RequireUppercase: boolean;
  RequireLowercase: boolean;
  RequireNumbers: boolean;
  RequireSymbols: boolean;
  TemporaryPasswordValidityDays: number;
}

export const DEFAULT_PASSWORD_POLICY: PasswordPolicy = {
  MinimumLength: 8,
  RequireUppercase: true,
  RequireLowercase: true,
  RequireNumbers: true,
  RequireSymbols: true,
  TemporaryPasswordValidityDays: 7,
};

export interface WebAuthnConfiguration {
  RelyingPartyId?: string;
  UserVerification: 'required' | 'preferred';
  FactorConfiguration?: string;
}

/** Typed view of a pool's stored config. */
export class Pool {
  constructor(readonly record: PoolRecord) {}
  get id() {
    return this.record.id;
  }
  get name() {
    return this.record.name;
  }
  /** The SRP pool name: the part of the id after '_' (docs/wire-contract.md §3.2). */
  get srpName() {
    return this.record.id.slice(this.record.id.indexOf('_') + 1);
  }
  private get c(): JsonObject {
    return this.record.config;
  }
  get policies(): JsonObject {
    return (this.c.Policies as JsonObject) ?? {};
  }
  get passwordPolicy(): PasswordPolicy {
    return { ...DEFAULT_PASSWORD_POLICY, ...((this.policies.PasswordPolicy as object) ?? {}) };
  }
  get allowedFirstAuthFactors(): string[] {
    const sip = this.policies.SignInPolicy as { AllowedFirstAuthFactors?: string[] } | undefined;
    return sip?.AllowedFirstAuthFactors ?? ['PASSWORD'];
  }
  get usernameAttributes(): string[] {
    return (this.c.UsernameAttributes as string[]) ?? [];
  }
  get aliasAttributes(): string[] {
    return (this.c.AliasAttributes as string[]) ?? [];
  }
  get emailIsUsername(): boolean {
    return this.usernameAttributes.includes('email');
  }
  get emailIsAlias(): boolean {
    return this.aliasAttributes.includes('email');
  }
  get caseSensitive(): boolean {
    return ((this.c.UsernameConfiguration as { CaseSensitive?: boolean }) ?? {}).CaseSensitive ?? false;
  }
  get autoVerifiedAttributes(): string[] {
    return (this.c.AutoVerifiedAttributes as string[]) ?? [];
  }
  get webAuthn(): WebAuthnConfiguration | undefined {
    return this.c.WebAuthnConfiguration as WebAuthnConfiguration | undefined;
  }
  get mfaConfiguration(): string {
    return (this.c.MfaConfiguration as string) ?? 'OFF';
  }
  get latchkey(): LatchkeyPoolSettings {
    return { ...DEFAULT_LATCHKEY_SETTINGS, ...((this.c.Latchkey as object) ?? {}) };
  }
  get allowAdminCreateUserOnly(): boolean {
    return ((this.c.AdminCreateUserConfig as { AllowAdminCreateUserOnly?: boolean }) ?? {}).AllowAdminCreateUserOnly ?? false;
  }
  /** Folds a typed username for lookup, per UsernameConfiguration.CaseSensitive. */
  usernameKey(username: string): string {
    return this.caseSensitive ? username : username.toLowerCase();
  }
}

/** Cognito's `Value 'x' failed to satisfy` style description of the password policy, for errors. */
export function passwordPolicyViolation(policy: PasswordPolicy, password: string): string | undefined {
  if ([...password].length < policy.MinimumLength) return 'Password not long enough';
  if (policy.RequireUppercase && !/[A-Z]/.test(password)) return 'Password must have uppercase characters';
  if (policy.RequireLowercase && !/[a-z]/.test(password)) return 'Password must have lowercase characters';
  if (policy.RequireNumbers && !/[0-9]/.test(password)) return 'Password must have numeric characters';
  if (policy.RequireSymbols && !/[\^$*.[\]{}()?"!@#%&/\\,><':;|_~`=+\- ]/.test(password)) return 'Password must have symbol characters';
  return undefined;
}

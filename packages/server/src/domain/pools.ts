import type { PoolRecord, PoolConfig } from '../storage/store.js';
import type { LambdaConfigRecord } from '../storage/configs.js';
import { LATCHKEY_SETTINGS, POOL_OPTIONS, type LatchkeyPoolSettings } from '../config/defaults.js';
import { buildSchema, isStoredSchema, type SchemaAttribute } from './schema.js';

export type { LatchkeyPoolSettings };

/** Latchkey settings beyond Cognito, per pool, where a pool sets none (see docs/configuration.md "Pool settings"). */
export const DEFAULT_LATCHKEY_SETTINGS: Readonly<LatchkeyPoolSettings> = Object.freeze(
  Object.fromEntries(Object.entries(LATCHKEY_SETTINGS).map(([k, o]) => [k, o.default])) as LatchkeyPoolSettings,
);

/** A pool's password policy with every member present (the table's defaults where the pool sets none). */
export type PasswordPolicy = {
  -readonly [K in keyof typeof POOL_OPTIONS.PasswordPolicy.default]: (typeof POOL_OPTIONS.PasswordPolicy.default)[K];
};

/** Cognito's default password policy, from the defaults table. */
export const DEFAULT_PASSWORD_POLICY: Readonly<PasswordPolicy> = POOL_OPTIONS.PasswordPolicy.default;

export interface WebAuthnConfiguration {
  RelyingPartyId?: string;
  UserVerification: 'required' | 'preferred';
  FactorConfiguration?: string;
}

/** A pool as domain code reads it: the row mapper validated its config; absent members read as the table's defaults. */
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
  private get c(): PoolConfig {
    return this.record.config;
  }
  get policies(): NonNullable<PoolConfig['Policies']> {
    return this.c.Policies ?? {};
  }
  get passwordPolicy(): PasswordPolicy {
    return { ...DEFAULT_PASSWORD_POLICY, ...this.policies.PasswordPolicy };
  }
  get allowedFirstAuthFactors(): readonly string[] {
    return this.policies.SignInPolicy?.AllowedFirstAuthFactors ?? POOL_OPTIONS.AllowedFirstAuthFactors.default;
  }
  get usernameAttributes(): readonly string[] {
    return this.c.UsernameAttributes ?? POOL_OPTIONS.UsernameAttributes.default;
  }
  get aliasAttributes(): readonly string[] {
    return this.c.AliasAttributes ?? POOL_OPTIONS.AliasAttributes.default;
  }
  get emailIsUsername(): boolean {
    return this.usernameAttributes.includes('email');
  }
  get emailIsAlias(): boolean {
    return this.aliasAttributes.includes('email');
  }
  get caseSensitive(): boolean {
    return this.c.UsernameConfiguration?.CaseSensitive ?? POOL_OPTIONS.CaseSensitive.default;
  }
  get autoVerifiedAttributes(): readonly string[] {
    return this.c.AutoVerifiedAttributes ?? POOL_OPTIONS.AutoVerifiedAttributes.default;
  }
  /** The pool's WebAuthn configuration with UserVerification defaulted; undefined when none was set. */
  get webAuthn(): WebAuthnConfiguration | undefined {
    const w = this.c.WebAuthnConfiguration;
    return w && { ...w, UserVerification: w.UserVerification ?? POOL_OPTIONS.UserVerification.default };
  }
  get mfaConfiguration(): string {
    return this.c.MfaConfiguration ?? POOL_OPTIONS.MfaConfiguration.default;
  }
  /** TOTP MFA is available (SetUserPoolMfaConfig SoftwareTokenMfaConfiguration.Enabled). */
  get totpMfaEnabled(): boolean {
    return this.mfaConfiguration !== 'OFF' && this.c.SoftwareTokenMfaConfiguration?.Enabled === true;
  }
  /** SMS MFA is available: SetUserPoolMfaConfig stored an SmsMfaConfiguration. */
  get smsMfaEnabled(): boolean {
    return this.mfaConfiguration !== 'OFF' && this.c.SmsMfaConfiguration !== undefined;
  }
  /** Email MFA is available: SetUserPoolMfaConfig stored an EmailMfaConfiguration. */
  get emailMfaEnabled(): boolean {
    return this.mfaConfiguration !== 'OFF' && this.c.EmailMfaConfiguration !== undefined;
  }
  /** The MFA code message of SetUserPoolMfaConfig ({####} = the code), for SMS or email; undefined for the default. */
  mfaMessage(medium: 'SMS' | 'EMAIL'): { body?: string; subject?: string } {
    if (medium === 'SMS') return { body: this.c.SmsMfaConfiguration?.SmsAuthenticationMessage };
    return { body: this.c.EmailMfaConfiguration?.Message, subject: this.c.EmailMfaConfiguration?.Subject };
  }
  /** A passkey sign-in with user verification satisfies MFA (WebAuthnConfiguration.FactorConfiguration). */
  get passkeyIsMultiFactor(): boolean {
    return this.c.WebAuthnConfiguration?.FactorConfiguration === 'MULTI_FACTOR_WITH_USER_VERIFICATION';
  }
  get userPoolTier(): string {
    return this.c.UserPoolTier ?? POOL_OPTIONS.UserPoolTier.default;
  }
  get deletionProtection(): string {
    return this.c.DeletionProtection ?? POOL_OPTIONS.DeletionProtection.default;
  }
  /**
   * The pool's DeviceConfiguration with both members defaulted (false, as Cognito's), or undefined when the
   * pool tracks no devices (no NewDeviceMetadata, DEVICE_KEY ignored).
   */
  get deviceConfiguration(): { ChallengeRequiredOnNewDevice: boolean; DeviceOnlyRememberedOnUserPrompt: boolean } | undefined {
    const d = this.c.DeviceConfiguration;
    return (
      d && {
        ChallengeRequiredOnNewDevice: d.ChallengeRequiredOnNewDevice ?? false,
        DeviceOnlyRememberedOnUserPrompt: d.DeviceOnlyRememberedOnUserPrompt ?? false,
      }
    );
  }
  /** The pool's triggers (URLs; triggers/config.ts validated them when stored). */
  get lambdaConfig(): LambdaConfigRecord {
    return this.c.LambdaConfig ?? {};
  }
  get latchkey(): LatchkeyPoolSettings {
    return { ...DEFAULT_LATCHKEY_SETTINGS, ...this.c.Latchkey };
  }
  get allowAdminCreateUserOnly(): boolean {
    return this.c.AdminCreateUserConfig?.AllowAdminCreateUserOnly ?? POOL_OPTIONS.AllowAdminCreateUserOnly.default;
  }
  /**
   * The pool's schema: standard attributes then custom ones (CreateUserPool stores it as SchemaAttributes; a pool
   * created before that kept only its `Schema` input, which is built the same way).
   */
  get schema(): readonly SchemaAttribute[] {
    if (isStoredSchema(this.c.SchemaAttributes)) return this.c.SchemaAttributes;
    try {
      return buildSchema(Array.isArray(this.c.Schema) ? (this.c.Schema as never) : undefined);
    } catch {
      return buildSchema(undefined);
    }
  }
  /** The schema attribute of this name, if any. */
  attribute(name: string): SchemaAttribute | undefined {
    return this.schema.find((a) => a.Name === name);
  }
  /** Attributes the pool's schema marks Required (Cognito refuses to delete them). */
  get requiredAttributes(): readonly string[] {
    return this.schema.filter((a) => a.Required && a.Name !== 'sub').map((a) => a.Name);
  }
  /** Attributes whose change waits for verification (UserAttributeUpdateSettings.AttributesRequireVerificationBeforeUpdate). */
  get verifyBeforeUpdate(): readonly string[] {
    const u = this.c.UserAttributeUpdateSettings as { AttributesRequireVerificationBeforeUpdate?: unknown } | undefined;
    const list = u?.AttributesRequireVerificationBeforeUpdate;
    return Array.isArray(list) ? list.filter((a): a is string => typeof a === 'string') : [];
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

import { v, common } from '../protocol/validate.js';

const authFactors = v.list(v.str({ enum: ['PASSWORD', 'EMAIL_OTP', 'SMS_OTP', 'WEB_AUTHN'] }), { max: 4 });

/** SchemaAttributeType: CreateUserPool's Schema and AddCustomAttributes' CustomAttributes (names 1–20 characters). */
export const schemaAttribute = () =>
  v.obj({
    Name: v.str({ min: 1, max: 20 }),
    AttributeDataType: v.str({ enum: ['String', 'Number', 'DateTime', 'Boolean'] }),
    DeveloperOnlyAttribute: v.bool(),
    Mutable: v.bool(),
    Required: v.bool(),
    NumberAttributeConstraints: v.obj({ MinValue: v.str({ max: 32 }), MaxValue: v.str({ max: 32 }) }),
    StringAttributeConstraints: v.obj({ MinLength: v.str({ max: 32 }), MaxLength: v.str({ max: 32 }) }),
  });

/** Members shared by CreateUserPool and UpdateUserPool. */
export const poolSettingsShape = {
  Policies: v.obj({
    PasswordPolicy: v.obj({
      MinimumLength: v.int({ min: 6, max: 99 }),
      RequireUppercase: v.bool(),
      RequireLowercase: v.bool(),
      RequireNumbers: v.bool(),
      RequireSymbols: v.bool(),
      PasswordHistorySize: v.int({ min: 0, max: 24 }),
      TemporaryPasswordValidityDays: v.int({ min: 0, max: 365 }),
    }),
    SignInPolicy: v.obj({ AllowedFirstAuthFactors: authFactors }),
  }),
  DeletionProtection: v.str({ enum: ['ACTIVE', 'INACTIVE'] }),
  AutoVerifiedAttributes: v.list(v.str({ enum: ['phone_number', 'email'] })),
  MfaConfiguration: v.str({ enum: ['OFF', 'ON', 'OPTIONAL'] }),
  AdminCreateUserConfig: v.obj({
    AllowAdminCreateUserOnly: v.bool(),
    UnusedAccountValidityDays: v.int({ min: 0, max: 365 }),
    InviteMessageTemplate: v.doc(),
  }),
  UserPoolTier: v.str({ enum: ['LITE', 'ESSENTIALS', 'PLUS'] }),
  AccountRecoverySetting: v.doc({ maxBytes: 4096 }),
  UserAttributeUpdateSettings: v.obj({ AttributesRequireVerificationBeforeUpdate: v.list(v.str({ enum: ['phone_number', 'email'] })) }),
  EmailConfiguration: v.doc({ maxBytes: 8192 }),
  VerificationMessageTemplate: v.doc({ maxBytes: 65536 }),
  EmailVerificationMessage: v.str({ min: 6, max: 20000 }),
  EmailVerificationSubject: v.str({ min: 1, max: 140 }),
  SmsVerificationMessage: v.str({ min: 6, max: 140 }),
  SmsAuthenticationMessage: v.str({ min: 6, max: 140 }),
  UserPoolTags: v.map({ maxEntries: 50 }),
  LambdaConfig: v.doc({ maxBytes: 8192 }),
  DeviceConfiguration: v.obj({ ChallengeRequiredOnNewDevice: v.bool(), DeviceOnlyRememberedOnUserPrompt: v.bool() }),
  UserPoolAddOns: v.doc({ maxBytes: 1024 }),
};

export const createPoolShape = {
  PoolName: v.str({ required: true, min: 1, max: 128, pattern: /^[\w\s+=,.@-]+$/ }),
  ...poolSettingsShape,
  AliasAttributes: v.list(v.str({ enum: ['phone_number', 'email', 'preferred_username'] })),
  UsernameAttributes: v.list(v.str({ enum: ['phone_number', 'email'] })),
  UsernameConfiguration: v.obj({ CaseSensitive: v.bool({ required: true }) }),
  Schema: v.list(schemaAttribute(), { min: 1, max: 50 }),
};

export const updatePoolShape = {
  UserPoolId: common.userPoolId(),
  ...poolSettingsShape,
  PoolName: v.str({ min: 1, max: 128, pattern: /^[\w\s+=,.@-]+$/ }),
};

const flows = [
  'ADMIN_NO_SRP_AUTH',
  'CUSTOM_AUTH_FLOW_ONLY',
  'USER_PASSWORD_AUTH',
  'ALLOW_ADMIN_USER_PASSWORD_AUTH',
  'ALLOW_CUSTOM_AUTH',
  'ALLOW_USER_PASSWORD_AUTH',
  'ALLOW_USER_SRP_AUTH',
  'ALLOW_REFRESH_TOKEN_AUTH',
  'ALLOW_USER_AUTH',
] as const;
const unit = v.str({ enum: ['seconds', 'minutes', 'hours', 'days'] });

/** Members shared by CreateUserPoolClient and UpdateUserPoolClient. */
export const clientSettingsShape = {
  RefreshTokenValidity: v.int({ min: 0, max: 315360000 }),
  AccessTokenValidity: v.int({ min: 1, max: 86400 }),
  IdTokenValidity: v.int({ min: 1, max: 86400 }),
  TokenValidityUnits: v.obj({ AccessToken: unit, IdToken: unit, RefreshToken: unit }),
  ReadAttributes: v.list(v.str({ min: 1, max: 2048 })),
  WriteAttributes: v.list(v.str({ min: 1, max: 2048 })),
  ExplicitAuthFlows: v.list(v.str({ enum: flows })),
  SupportedIdentityProviders: v.list(v.str({ min: 1, max: 32 })),
  CallbackURLs: v.list(v.str({ min: 1, max: 1024 }), { max: 100 }),
  LogoutURLs: v.list(v.str({ min: 1, max: 1024 }), { max: 100 }),
  DefaultRedirectURI: v.str({ min: 1, max: 1024 }),
  AllowedOAuthFlows: v.list(v.str({ enum: ['code', 'implicit', 'client_credentials'] })),
  AllowedOAuthScopes: v.list(v.str({ min: 1, max: 256 })),
  AllowedOAuthFlowsUserPoolClient: v.bool(),
  AnalyticsConfiguration: v.doc({ maxBytes: 2048 }),
  PreventUserExistenceErrors: v.str({ enum: ['LEGACY', 'ENABLED'] }),
  EnableTokenRevocation: v.bool(),
  EnablePropagateAdditionalUserContextData: v.bool(),
  AuthSessionValidity: v.int({ min: 3, max: 15 }),
  RefreshTokenRotation: v.doc({ maxBytes: 1024 }),
};

const mfaSetting = () => v.obj({ Enabled: v.bool(), PreferredMfa: v.bool() });

/** SetUserMFAPreference / AdminSetUserMFAPreference's settings members. */
export const mfaSettingsShape = {
  SMSMfaSettings: mfaSetting(),
  SoftwareTokenMfaSettings: mfaSetting(),
  EmailMfaSettings: mfaSetting(),
  WebAuthnMfaSettings: v.obj({ Enabled: v.bool() }),
};

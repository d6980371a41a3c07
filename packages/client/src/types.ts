/**
 * Public types. Names and shapes follow `aws-amplify/auth` v6 (6.22.x) so that code written against
 * Amplify type-checks against this library unchanged.
 */

// ---------------------------------------------------------------- configuration

export type PreferredChallenge = 'EMAIL_OTP' | 'SMS_OTP' | 'WEB_AUTHN' | undefined;

/** `Auth.Cognito` of `Amplify.configure` (user-pool part; identity-pool and OAuth keys are accepted and ignored). */
export interface CognitoUserPoolConfig {
  userPoolClientId: string;
  /** `<region>_<poolName>`; the part after `_` is the SRP pool name. */
  userPoolId: string;
  /** Absolute URL used verbatim for every call. Default `https://cognito-idp.<region>.amazonaws.com/`. */
  userPoolEndpoint?: string;
  signUpVerificationMethod?: 'code' | 'link';
  loginWith?: { username?: boolean; email?: boolean; phone?: boolean; oauth?: unknown };
  userAttributes?: Partial<Record<AuthStandardAttributeKey, { required: boolean }>>;
  mfa?: { status?: 'on' | 'off' | 'optional'; totpEnabled?: boolean; smsEnabled?: boolean };
  passwordFormat?: {
    minLength?: number;
    requireLowercase?: boolean;
    requireUppercase?: boolean;
    requireNumbers?: boolean;
    requireSpecialCharacters?: boolean;
  };
  groups?: Record<string, Record<string, number>>[];
  passwordless?: {
    emailOtpEnabled?: boolean;
    smsOtpEnabled?: boolean;
    webAuthn?: { relyingPartyId?: string; userVerification?: string };
    preferredChallenge?: PreferredChallenge;
  };
  /** Accepted for config compatibility; Cognito identity pools are not supported. */
  identityPoolId?: string;
  identityPoolEndpoint?: string;
  allowGuestAccess?: boolean;
}

/** The `Amplify.configure` resources shape (only `Auth.Cognito` is read). */
export interface ResourcesConfig {
  Auth?: { Cognito: CognitoUserPoolConfig };
  [category: string]: unknown;
}

/** Key/value storage for tokens. Sync or async; `localStorage` and `sessionStorage` qualify. */
export interface TokenStorage {
  getItem(key: string): string | null | undefined | Promise<string | null | undefined>;
  setItem(key: string, value: string): void | Promise<void>;
  removeItem(key: string): void | Promise<void>;
}

export type Headers = Record<string, string>;

/** Options of {@link configure} (second argument). */
export interface ConfigureOptions {
  /** Where tokens live. Default: `localStorage` when available, else an in-memory store. */
  storage?: TokenStorage;
  /** `fetch` implementation. Default: `globalThis.fetch` (browsers, Node ≥ 18). */
  fetch?: typeof fetch;
  /** Extra headers on every request (like Amplify's `libraryOptions.Auth.headers`). */
  headers?: () => Headers | Promise<Headers>;
  /** Amplify's libraryOptions shape, accepted for drop-in use: only `Auth.headers` is read. */
  Auth?: { headers?: () => Headers | Promise<Headers> };
  /** Retry policy. Default: 3 attempts, delay `2^attempt × baseDelayMs + jitter` with baseDelayMs 100 (as Amplify). */
  retry?: { maxAttempts?: number; baseDelayMs?: number; jitterMs?: number };
}

// ---------------------------------------------------------------- attributes and delivery

export type AuthVerifiableAttributeKey = 'email' | 'phone_number';
export type AuthStandardAttributeKey =
  | 'address'
  | 'birthdate'
  | 'email_verified'
  | 'family_name'
  | 'gender'
  | 'given_name'
  | 'locale'
  | 'middle_name'
  | 'name'
  | 'nickname'
  | 'phone_number_verified'
  | 'picture'
  | 'preferred_username'
  | 'profile'
  | 'sub'
  | 'updated_at'
  | 'website'
  | 'zoneinfo'
  | AuthVerifiableAttributeKey;
export type CustomAttribute = string & NonNullable<unknown>;
export type UserAttributeKey = AuthStandardAttributeKey | CustomAttribute;
export type VerifiableUserAttributeKey = AuthVerifiableAttributeKey;
export type AuthUserAttributes<K extends UserAttributeKey = UserAttributeKey> = Partial<Record<K, string>>;
export type AuthAdditionalInfo = Record<string, string>;
export type AuthDeliveryMedium = 'EMAIL' | 'SMS' | 'PHONE' | 'UNKNOWN';
export type ClientMetadata = Record<string, string>;
export type ValidationData = Record<string, string>;

export interface AuthCodeDeliveryDetails<K extends UserAttributeKey = UserAttributeKey> {
  destination?: string;
  deliveryMedium?: AuthDeliveryMedium;
  attributeName?: K;
}
export type CodeDeliveryDetails<K extends UserAttributeKey = UserAttributeKey> = AuthCodeDeliveryDetails<K>;

// ---------------------------------------------------------------- sign-in

export type AuthFlowType = 'USER_AUTH' | 'USER_SRP_AUTH' | 'CUSTOM_WITH_SRP' | 'CUSTOM_WITHOUT_SRP' | 'USER_PASSWORD_AUTH';
export type AuthFactorType = 'WEB_AUTHN' | 'EMAIL_OTP' | 'SMS_OTP' | 'PASSWORD' | 'PASSWORD_SRP';
/** Cognito `ChallengeNameType`. */
export type ChallengeName =
  | 'SMS_MFA'
  | 'SMS_OTP'
  | 'SOFTWARE_TOKEN_MFA'
  | 'EMAIL_OTP'
  | 'SELECT_MFA_TYPE'
  | 'SELECT_CHALLENGE'
  | 'MFA_SETUP'
  | 'PASSWORD'
  | 'PASSWORD_SRP'
  | 'PASSWORD_VERIFIER'
  | 'CUSTOM_CHALLENGE'
  | 'DEVICE_SRP_AUTH'
  | 'DEVICE_PASSWORD_VERIFIER'
  | 'ADMIN_NO_SRP_AUTH'
  | 'NEW_PASSWORD_REQUIRED'
  | 'WEB_AUTHN';

export type AuthMFAType = 'SMS' | 'TOTP' | 'EMAIL';
export type AuthAllowedMFATypes = AuthMFAType[];

export interface AuthTOTPSetupDetails {
  sharedSecret: string;
  getSetupUri(appName: string, accountName?: string): URL;
}

/** `setUpTOTP()`'s output. */
export type SetUpTOTPOutput = AuthTOTPSetupDetails;
export interface VerifyTOTPSetupInput {
  code: string;
  options?: { friendlyDeviceName?: string };
}
/** One method's setting in `updateMFAPreference()`. */
export type MFAPreference = 'ENABLED' | 'DISABLED' | 'PREFERRED' | 'NOT_PREFERRED';
export interface UpdateMFAPreferenceInput {
  sms?: MFAPreference;
  totp?: MFAPreference;
  email?: MFAPreference;
}
export interface FetchMFAPreferenceOutput {
  enabled?: AuthMFAType[];
  preferred?: AuthMFAType;
}

export type SignInOptions = Record<string, unknown> & {
  authFlowType?: AuthFlowType;
  clientMetadata?: ClientMetadata;
  preferredChallenge?: AuthFactorType;
};
export interface SignInInput {
  username: string;
  password?: string;
  options?: SignInOptions;
}

export interface ConfirmSignInWithCustomChallenge {
  signInStep: 'CONFIRM_SIGN_IN_WITH_CUSTOM_CHALLENGE';
  additionalInfo?: AuthAdditionalInfo;
}
export interface ContinueSignInWithMFASelection {
  signInStep: 'CONTINUE_SIGN_IN_WITH_MFA_SELECTION';
  allowedMFATypes?: AuthAllowedMFATypes;
}
export interface ConfirmSignInWithNewPasswordRequired<K extends UserAttributeKey = UserAttributeKey> {
  signInStep: 'CONFIRM_SIGN_IN_WITH_NEW_PASSWORD_REQUIRED';
  missingAttributes?: K[];
}
export interface ConfirmSignInWithSMSCode {
  signInStep: 'CONFIRM_SIGN_IN_WITH_SMS_CODE';
  codeDeliveryDetails?: AuthCodeDeliveryDetails;
}
export interface ConfirmSignInWithTOTPCode {
  signInStep: 'CONFIRM_SIGN_IN_WITH_TOTP_CODE';
}
export interface ConfirmSignInWithEmailCode {
  signInStep: 'CONFIRM_SIGN_IN_WITH_EMAIL_CODE';
  codeDeliveryDetails?: AuthCodeDeliveryDetails;
}
export interface ContinueSignInWithTOTPSetup {
  signInStep: 'CONTINUE_SIGN_IN_WITH_TOTP_SETUP';
  totpSetupDetails: AuthTOTPSetupDetails;
}
export interface ContinueSignInWithEmailSetup {
  signInStep: 'CONTINUE_SIGN_IN_WITH_EMAIL_SETUP';
}
export interface ContinueSignInWithMFASetupSelection {
  signInStep: 'CONTINUE_SIGN_IN_WITH_MFA_SETUP_SELECTION';
  allowedMFATypes?: AuthAllowedMFATypes;
}
export interface ContinueSignInWithFirstFactorSelection {
  signInStep: 'CONTINUE_SIGN_IN_WITH_FIRST_FACTOR_SELECTION';
  availableChallenges?: ChallengeName[];
}
export interface ConfirmSignInWithPassword {
  signInStep: 'CONFIRM_SIGN_IN_WITH_PASSWORD';
}
export interface ConfirmSignUpStep {
  signInStep: 'CONFIRM_SIGN_UP';
}
export interface ResetPasswordStep {
  signInStep: 'RESET_PASSWORD';
}
export interface DoneSignInStep {
  signInStep: 'DONE';
}
export type AuthNextSignInStep<K extends UserAttributeKey = UserAttributeKey> =
  | ConfirmSignInWithCustomChallenge
  | ContinueSignInWithMFASelection
  | ConfirmSignInWithNewPasswordRequired<K>
  | ConfirmSignInWithSMSCode
  | ConfirmSignInWithTOTPCode
  | ConfirmSignInWithEmailCode
  | ContinueSignInWithTOTPSetup
  | ContinueSignInWithEmailSetup
  | ContinueSignInWithMFASetupSelection
  | ContinueSignInWithFirstFactorSelection
  | ConfirmSignInWithPassword
  | ConfirmSignUpStep
  | ResetPasswordStep
  | DoneSignInStep;

export interface SignInOutput<K extends UserAttributeKey = UserAttributeKey> {
  isSignedIn: boolean;
  nextStep: AuthNextSignInStep<K>;
}
export type ConfirmSignInOutput = SignInOutput;

export type ConfirmSignInOptions = Record<string, unknown> & {
  userAttributes?: AuthUserAttributes;
  clientMetadata?: ClientMetadata;
  friendlyDeviceName?: string;
};
export interface ConfirmSignInInput {
  challengeResponse: string;
  options?: ConfirmSignInOptions;
}

// ---------------------------------------------------------------- sign-up

export type SignUpOptions<K extends UserAttributeKey = UserAttributeKey> = {
  userAttributes?: AuthUserAttributes<K>;
  validationData?: ValidationData;
  clientMetadata?: ClientMetadata;
  autoSignIn?: SignInOptions | boolean;
};
export interface SignUpInput {
  username: string;
  password?: string;
  options?: SignUpOptions<UserAttributeKey>;
}
export interface DoneSignUpStep {
  signUpStep: 'DONE';
}
export interface ConfirmSignUpSignUpStep<K extends UserAttributeKey = UserAttributeKey> {
  signUpStep: 'CONFIRM_SIGN_UP';
  codeDeliveryDetails: AuthCodeDeliveryDetails<K>;
}
export interface AutoSignInSignUpStep<K extends UserAttributeKey = UserAttributeKey> {
  signUpStep: 'COMPLETE_AUTO_SIGN_IN';
  codeDeliveryDetails?: AuthCodeDeliveryDetails<K>;
}
export type AuthNextSignUpStep<K extends UserAttributeKey = UserAttributeKey> =
  | ConfirmSignUpSignUpStep<K>
  | AutoSignInSignUpStep<K>
  | DoneSignUpStep;
export interface SignUpOutput<K extends UserAttributeKey = AuthVerifiableAttributeKey> {
  isSignUpComplete: boolean;
  userId?: string;
  nextStep: AuthNextSignUpStep<K>;
}
export type ConfirmSignUpOutput = SignUpOutput;

export interface ConfirmSignUpInput {
  username: string;
  confirmationCode: string;
  options?: Record<string, unknown> & { clientMetadata?: ClientMetadata; forceAliasCreation?: boolean };
}
export interface ResendSignUpCodeInput {
  username: string;
  options?: Record<string, unknown> & { clientMetadata?: ClientMetadata };
}
export type ResendSignUpCodeOutput = AuthCodeDeliveryDetails<AuthVerifiableAttributeKey>;

// ---------------------------------------------------------------- passwords

export interface ResetPasswordInput {
  username: string;
  options?: Record<string, unknown> & { clientMetadata?: ClientMetadata };
}
export type AuthResetPasswordStep = 'CONFIRM_RESET_PASSWORD_WITH_CODE' | 'DONE';
export interface ResetPasswordOutput {
  isPasswordReset: boolean;
  nextStep: {
    resetPasswordStep: AuthResetPasswordStep;
    additionalInfo?: AuthAdditionalInfo;
    codeDeliveryDetails: AuthCodeDeliveryDetails<AuthVerifiableAttributeKey>;
  };
}
export interface ConfirmResetPasswordInput {
  username: string;
  newPassword: string;
  confirmationCode: string;
  options?: Record<string, unknown> & { clientMetadata?: ClientMetadata };
}
export interface UpdatePasswordInput {
  oldPassword: string;
  newPassword: string;
}

// ---------------------------------------------------------------- session

export interface SignOutInput {
  global: boolean;
  oauth?: { redirectUrl?: string };
}

export interface CognitoAuthSignInDetails {
  loginId?: string;
  authFlowType?: AuthFlowType;
}
export interface AuthUser {
  username: string;
  userId: string;
  signInDetails?: CognitoAuthSignInDetails;
}
export type GetCurrentUserOutput = AuthUser;

type JsonPrimitive = null | string | number | boolean;
type JsonArray = (JsonPrimitive | JsonObject | JsonArray)[];
interface JsonObject {
  [x: string]: JsonPrimitive | JsonArray | JsonObject;
}
export type JwtPayload = {
  exp?: number;
  iss?: string;
  aud?: string | string[];
  nbf?: number;
  iat?: number;
  scope?: string;
  jti?: string;
  sub?: string;
} & JsonObject;
export interface JWT {
  payload: JwtPayload;
  toString(): string;
}
export interface AuthTokens {
  idToken?: JWT;
  accessToken: JWT;
  signInDetails?: CognitoAuthSignInDetails;
}
export interface AWSCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  expiration?: Date;
}
/** `credentials` and `identityId` are always undefined: identity pools are out of scope. */
export interface AuthSession {
  tokens?: AuthTokens;
  credentials?: AWSCredentials;
  identityId?: string;
  userSub?: string;
}
export interface FetchAuthSessionOptions {
  forceRefresh?: boolean;
  clientMetadata?: ClientMetadata;
}

// ---------------------------------------------------------------- passkeys

export interface AuthWebAuthnCredential {
  credentialId: string | undefined;
  friendlyCredentialName: string | undefined;
  relyingPartyId: string | undefined;
  authenticatorAttachment?: string;
  authenticatorTransports: string[] | undefined;
  createdAt: Date | undefined;
  // Latchkey extensions (docs/wire-contract.md §10.1); undefined against Amazon Cognito.
  /** When the passkey last signed in. */
  lastUsedAt?: Date;
  /** A synced (multi-device) passkey: the BE flag at registration. */
  backupEligible?: boolean;
  /** Backed up as of the last use (BS flag). */
  backupState?: boolean;
  /** The user was verified at registration (UV flag). */
  userVerified?: boolean;
  /** The authenticator's AAGUID, lowercase and dashed. */
  aaguid?: string;
  /** The passkey provider's name, for AAGUIDs the server knows (a rename changes only `friendlyCredentialName`). */
  providerName?: string;
  /** An icon of the passkey provider, served by the server, for AAGUIDs it knows. */
  providerIconUrl?: string;
}
/** Latchkey extension: `updateWebAuthnCredential` (rename). */
export interface UpdateWebAuthnCredentialInput {
  credentialId: string;
  /** Stored trimmed; 1–256 characters after trimming, no control characters. */
  friendlyCredentialName: string;
}
/** `associateWebAuthnCredential` input (Latchkey extension; Amplify takes none). */
export interface AssociateWebAuthnCredentialInput {
  /**
   * `'conditional'`: the automatic passkey upgrade right after a password or code sign-in — the browser creates
   * the passkey without a prompt if it can, else rejects (`PasskeyRegistrationCanceled` / `Unknown`); the server
   * accepts it without user presence only for this request (`LatchkeyConditionalCreate`).
   */
  mediation?: 'conditional';
  /** Aborts the ceremony (a pending conditional create waits until the browser decides): `PasskeyOperationAborted`. */
  signal?: AbortSignal;
}
export interface ListWebAuthnCredentialsInput {
  pageSize?: number;
  nextToken?: string;
}
export interface ListWebAuthnCredentialsOutput {
  credentials: AuthWebAuthnCredential[];
  nextToken?: string;
}
export interface DeleteWebAuthnCredentialInput {
  credentialId: string;
}

// devices: deviceTypes.ts
export type { AWSAuthDevice, FetchDevicesOutput, ForgetDeviceInput } from './deviceTypes.js';

// ---------------------------------------------------------------- events (extension)

/** Payloads of {@link onAuthEvent}; the same `{event, data}` objects Amplify puts on Hub channel `auth`. */
export type AuthEventPayload =
  | { event: 'signedIn'; data: AuthUser }
  | { event: 'signedOut'; data?: undefined }
  | { event: 'tokenRefresh'; data?: undefined }
  | { event: 'tokenRefresh_failure'; data: { error: unknown } };
export type AuthEventListener = (payload: AuthEventPayload) => void;

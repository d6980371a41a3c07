/**
 * @latchkey/auth — the `aws-amplify/auth` v6 API for Amazon Cognito user pools and Cognito-compatible
 * servers (Latchkey), with no runtime dependencies. See README.md for the differences and extensions.
 */

// configuration
export { configure, type AmplifyOutputsLike } from './config.js';
export { createMemoryStorage } from './storage.js';

// sign-up
export { signUp } from './apis/signUp.js';
export { confirmSignUp } from './apis/confirmSignUp.js';
export { resendSignUpCode } from './apis/resendSignUpCode.js';
export { autoSignIn } from './apis/autoSignIn.js';

// sign-in / session
export { signIn } from './apis/signIn.js';
export { confirmSignIn } from './apis/confirmSignIn.js';
export { signOut } from './apis/signOut.js';
export { getCurrentUser } from './apis/getCurrentUser.js';
export { fetchAuthSession } from './apis/fetchAuthSession.js';
export { decodeJWT } from './tokens.js';

// passwords and account
export { updatePassword } from './apis/updatePassword.js';
export { resetPassword } from './apis/resetPassword.js';
export { confirmResetPassword } from './apis/confirmResetPassword.js';
export { deleteUser } from './apis/deleteUser.js';
export { setUpTOTP, verifyTOTPSetup, updateMFAPreference, fetchMFAPreference } from './apis/mfa.js';

// passkeys
export { associateWebAuthnCredential } from './apis/associateWebAuthnCredential.js';
export { listWebAuthnCredentials } from './apis/listWebAuthnCredentials.js';
export { deleteWebAuthnCredential } from './apis/deleteWebAuthnCredential.js';

// devices
export { rememberDevice } from './apis/rememberDevice.js';
export { forgetDevice } from './apis/forgetDevice.js';
export { fetchDevices } from './apis/fetchDevices.js';

// extensions (not in aws-amplify/auth)
export { getPasskeySupport, type PasskeySupport } from './apis/getPasskeySupport.js';
export { signInWithPasskey, type SignInWithPasskeyInput } from './apis/signInWithPasskey.js';
export { signInWithPasskeyAutofill, type SignInWithPasskeyAutofillInput } from './apis/signInWithPasskeyAutofill.js';
export { updateWebAuthnCredential } from './apis/updateWebAuthnCredential.js';
export { signalPasskeyUserDetails, type SignalPasskeyUserDetailsInput } from './apis/signalPasskeyUserDetails.js';
export { onAuthEvent } from './events.js';

// errors
export { AmplifyError, AuthError, PasskeyError } from './errors.js';
export type { AmplifyErrorParams, ErrorMetadata, PasskeyErrorName } from './errors.js';

export type {
  AssociateWebAuthnCredentialInput,
  AuthAllowedMFATypes,
  AuthCodeDeliveryDetails,
  AuthDeliveryMedium,
  AuthEventListener,
  AuthEventPayload,
  AuthFactorType,
  AuthFlowType,
  AuthMFAType,
  AuthNextSignInStep,
  AuthNextSignUpStep,
  AuthSession,
  AuthTokens,
  AuthTOTPSetupDetails,
  AuthUser,
  AuthUserAttributes,
  AuthWebAuthnCredential,
  AWSAuthDevice,
  AWSCredentials,
  ChallengeName,
  ClientMetadata,
  CodeDeliveryDetails,
  CognitoAuthSignInDetails,
  CognitoUserPoolConfig,
  ConfigureOptions,
  ConfirmResetPasswordInput,
  ConfirmSignInInput,
  ConfirmSignInOptions,
  ConfirmSignInOutput,
  ConfirmSignUpInput,
  ConfirmSignUpOutput,
  FetchMFAPreferenceOutput,
  MFAPreference,
  SetUpTOTPOutput,
  UpdateMFAPreferenceInput,
  VerifyTOTPSetupInput,
  DeleteWebAuthnCredentialInput,
  FetchAuthSessionOptions,
  FetchDevicesOutput,
  ForgetDeviceInput,
  GetCurrentUserOutput,
  JWT,
  JwtPayload,
  ListWebAuthnCredentialsInput,
  ListWebAuthnCredentialsOutput,
  ResendSignUpCodeInput,
  ResendSignUpCodeOutput,
  ResetPasswordInput,
  ResetPasswordOutput,
  ResourcesConfig,
  SignInInput,
  SignInOptions,
  SignInOutput,
  SignOutInput,
  SignUpInput,
  SignUpOptions,
  SignUpOutput,
  TokenStorage,
  UpdatePasswordInput,
  UpdateWebAuthnCredentialInput,
  UserAttributeKey,
  VerifiableUserAttributeKey,
} from './types.js';

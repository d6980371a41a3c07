import { AuthError, assertValidation } from '../errors.js';
import { getTokens, requireAccessToken } from '../tokens.js';
import { AuthAction, callUserPool } from '../transport.js';
import type {
  AuthMFAType,
  FetchMFAPreferenceOutput,
  MFAPreference,
  SetUpTOTPOutput,
  UpdateMFAPreferenceInput,
  VerifyTOTPSetupInput,
} from '../types.js';

const MFA_NAMES: Record<string, AuthMFAType> = { SMS_MFA: 'SMS', SOFTWARE_TOKEN_MFA: 'TOTP', EMAIL_OTP: 'EMAIL' };

/**
 * Starts TOTP enrolment for the signed-in user (Cognito `AssociateSoftwareToken`): the shared secret and
 * an `otpauth://` URI builder, as Amplify's `setUpTOTP`. Confirm with {@link verifyTOTPSetup}.
 * @throws AuthError `UserUnAuthenticatedException`, the service's errors (`SoftwareTokenMFANotFoundException`, …),
 *   `SetUpTOTPException` when no secret came back.
 */
export async function setUpTOTP(): Promise<SetUpTOTPOutput> {
  const AccessToken = await requireAccessToken();
  const tokens = await getTokens();
  // Amplify passes the claim through JSON.stringify, so its default account name is the quoted username.
  const username = JSON.stringify(tokens?.idToken?.payload['cognito:username'] ?? '');
  const { SecretCode } = await callUserPool<{ SecretCode?: string }>(
    'AssociateSoftwareToken',
    { AccessToken },
    { action: AuthAction.SetUpTOTP },
  );
  if (!SecretCode) throw new AuthError({ name: 'SetUpTOTPException', message: 'Failed to set up TOTP.' });
  return {
    sharedSecret: SecretCode,
    getSetupUri: (appName: string, accountName?: string) =>
      new URL(`otpauth://totp/${appName}:${accountName ?? username}?secret=${SecretCode}&issuer=${appName}`),
  };
}

/**
 * Confirms TOTP enrolment with a code from the authenticator app (Cognito `VerifySoftwareToken`).
 * @throws AuthError `EmptyVerifyTOTPSetupCode`, `UserUnAuthenticatedException`, `EnableSoftwareTokenMFAException`, …
 */
export async function verifyTOTPSetup(input: VerifyTOTPSetupInput): Promise<void> {
  assertValidation(!!input.code, 'EmptyVerifyTOTPSetupCode');
  const AccessToken = await requireAccessToken();
  await callUserPool(
    'VerifySoftwareToken',
    { AccessToken, UserCode: input.code, FriendlyDeviceName: input.options?.friendlyDeviceName },
    { action: AuthAction.VerifyTOTPSetup },
  );
}

/** Amplify's `getMFASettings`: a preference → Cognito's `{Enabled, PreferredMfa}`. */
function settings(p: MFAPreference | undefined): { Enabled: boolean; PreferredMfa?: boolean } | undefined {
  if (p === 'DISABLED') return { Enabled: false };
  if (p === 'PREFERRED') return { Enabled: true, PreferredMfa: true };
  if (p === 'ENABLED') return { Enabled: true };
  if (p === 'NOT_PREFERRED') return { Enabled: true, PreferredMfa: false };
  return undefined;
}

/**
 * Enables, disables or prefers MFA methods for the signed-in user (Cognito `SetUserMFAPreference`).
 * @throws AuthError `UserUnAuthenticatedException`, `InvalidParameterException` ("User has not verified software token mfa", …)
 */
export async function updateMFAPreference(input: UpdateMFAPreferenceInput): Promise<void> {
  const AccessToken = await requireAccessToken();
  await callUserPool(
    'SetUserMFAPreference',
    {
      AccessToken,
      SMSMfaSettings: settings(input.sms),
      SoftwareTokenMfaSettings: settings(input.totp),
      EmailMfaSettings: settings(input.email),
    },
    { action: AuthAction.UpdateMFAPreference },
  );
}

/**
 * The signed-in user's enabled and preferred MFA methods (Cognito `GetUser`), as Amplify reports them.
 * @throws AuthError `UserUnAuthenticatedException` and the service's errors.
 */
export async function fetchMFAPreference(): Promise<FetchMFAPreferenceOutput> {
  const AccessToken = await requireAccessToken();
  const { PreferredMfaSetting, UserMFASettingList } = await callUserPool<{ PreferredMfaSetting?: string; UserMFASettingList?: string[] }>(
    'GetUser',
    { AccessToken },
    { action: AuthAction.FetchMFAPreference },
  );
  return {
    preferred: PreferredMfaSetting ? MFA_NAMES[PreferredMfaSetting] : undefined,
    enabled: UserMFASettingList?.map((t) => MFA_NAMES[t]).filter((t): t is AuthMFAType => !!t),
  };
}

import type { Services } from '../services.js';
import type { MfaMethod, MfaPreferencePatch, UserMfaRecord, UserRecord } from '../storage/store.js';
import type { Pool } from '../domain/pools.js';
import { InvalidParameterException } from '../protocol/errors.js';
import { enabledMfaMethods } from './flows/mfa.js';

/** SetUserMFAPreference's settings members (SMSMfaSettings, SoftwareTokenMfaSettings, EmailMfaSettings; WebAuthn has no preference). */
export interface MfaSettingsInput {
  SMSMfaSettings?: { Enabled?: boolean; PreferredMfa?: boolean };
  SoftwareTokenMfaSettings?: { Enabled?: boolean; PreferredMfa?: boolean };
  EmailMfaSettings?: { Enabled?: boolean; PreferredMfa?: boolean };
  WebAuthnMfaSettings?: { Enabled?: boolean };
}

const MEMBERS = [
  ['SMSMfaSettings', 'SMS_MFA', 'smsEnabled'],
  ['SoftwareTokenMfaSettings', 'SOFTWARE_TOKEN_MFA', 'totpEnabled'],
  ['EmailMfaSettings', 'EMAIL_OTP', 'emailEnabled'],
] as const;

/**
 * SetUserMFAPreference / AdminSetUserMFAPreference: enables or disables each method and sets at most
 * one preferred (a preferred method is enabled). Cognito's refusals: TOTP without a verified token,
 * SMS without a phone number, email without an email address, passkey MFA when the pool's passkeys are
 * single-factor or the user has no other method.
 * @throws InvalidParameterException
 */
export async function setMfaPreference(
  s: Pick<Services, 'store' | 'clock'>,
  pool: Pool,
  user: UserRecord,
  input: MfaSettingsInput,
): Promise<void> {
  const patch: MfaPreferencePatch = {};
  const preferred: MfaMethod[] = [];
  const current = await s.store.getUserMfa(pool.id, user.id);
  for (const [member, method, flag] of MEMBERS) {
    const set = input[member];
    if (!set) continue;
    const enabled = set.Enabled === true || set.PreferredMfa === true;
    patch[flag] = enabled;
    if (set.PreferredMfa === true) preferred.push(method);
    else if (set.PreferredMfa === false && current?.preferred === method) patch.preferred = null;
  }
  if (preferred.length > 1) throw new InvalidParameterException('Only one MFA method can be set as preferred.');
  if (preferred.length === 1) patch.preferred = preferred[0]!;
  if (patch.smsEnabled && !user.attributes.phone_number)
    throw new InvalidParameterException('User does not have delivery config set to turn on SMS_MFA');
  if (patch.emailEnabled && !user.attributes.email)
    throw new InvalidParameterException('User does not have delivery config set to turn on EMAIL_OTP');
  if (input.WebAuthnMfaSettings?.Enabled !== undefined) {
    const on = input.WebAuthnMfaSettings.Enabled;
    if (on && !pool.passkeyIsMultiFactor)
      throw new InvalidParameterException(
        'Passkey MFA requires WebAuthnConfiguration FactorConfiguration MULTI_FACTOR_WITH_USER_VERIFICATION.',
      );
    if (on && enabledAfter(user, current, patch).length === 0)
      throw new InvalidParameterException('Passkey MFA requires another enabled MFA method.');
    patch.webAuthnEnabled = on;
  }
  const ok = await s.store.setMfaPreference(pool.id, user.id, patch, s.clock.now(), patch.totpEnabled === true);
  if (!ok) throw new InvalidParameterException('User has not verified software token mfa');
}

function enabledAfter(user: UserRecord, current: UserMfaRecord | undefined, patch: MfaPreferencePatch): MfaMethod[] {
  const base: UserMfaRecord = current ?? {
    poolId: user.poolId,
    userId: user.id,
    totpSecretEnc: null,
    totpPendingEnc: null,
    totpLastStep: 0,
    totpName: null,
    totpEnabled: false,
    smsEnabled: false,
    emailEnabled: false,
    webAuthnEnabled: false,
    preferred: null,
    updatedAt: 0,
  };
  // A TOTP being enabled by this very call counts once the store's guard accepts it.
  return enabledMfaMethods(user, { ...base, ...patch, totpSecretEnc: base.totpSecretEnc ?? (patch.totpEnabled ? 'pending' : null) });
}

/** GetUser / AdminGetUser's MFA members: UserMFASettingList, PreferredMfaSetting and the legacy MFAOptions. */
export async function describeUserMfa(s: Pick<Services, 'store'>, pool: Pool, user: UserRecord) {
  const mfa = await s.store.getUserMfa(pool.id, user.id);
  const list = enabledMfaMethods(user, mfa);
  // Cognito leaves the lists out when empty (Amplify's fetchMFAPreference then reports `enabled: undefined`).
  return {
    ...(list.includes('SMS_MFA') ? { MFAOptions: [{ DeliveryMedium: 'SMS' as const, AttributeName: 'phone_number' }] } : {}),
    ...(list.length > 0 ? { UserMFASettingList: list } : {}),
    ...(mfa?.preferred && list.includes(mfa.preferred) ? { PreferredMfaSetting: mfa.preferred } : {}),
  };
}

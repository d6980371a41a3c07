import { InvalidParameterException } from '../protocol/errors.js';
import { POOL_OPTIONS } from '../config/defaults.js';

/**
 * CreateUserPool / UpdateUserPool: the rules Cognito states for `Policies.SignInPolicy` with the one-time
 * password factors. The API reference (SignInPolicyType): "your user pool must be in the Essentials tier
 * or higher"; the CDK's AllowedFirstAuthFactors: the password factor "must be true". Checked for
 * EMAIL_OTP / SMS_OTP only, so pools that predate these factors validate as before.
 * @throws InvalidParameterException
 */
export function assertSignInPolicy(config: {
  Policies?: { SignInPolicy?: { AllowedFirstAuthFactors?: string[] } };
  UserPoolTier?: string;
}) {
  const factors = config.Policies?.SignInPolicy?.AllowedFirstAuthFactors;
  if (!factors) return;
  if (new Set(factors).size !== factors.length) throw new InvalidParameterException('AllowedFirstAuthFactors contains duplicates.');
  const otp = factors.filter((f) => f === 'EMAIL_OTP' || f === 'SMS_OTP');
  if (otp.length === 0) return;
  const tier = config.UserPoolTier ?? POOL_OPTIONS.UserPoolTier.default;
  if (tier === 'LITE')
    throw new InvalidParameterException(`${otp.join(' and ')} as a first auth factor requires the ESSENTIALS or PLUS user pool tier.`);
  if (!factors.includes('PASSWORD')) throw new InvalidParameterException('AllowedFirstAuthFactors must include PASSWORD.');
}

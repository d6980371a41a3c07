import { operation, type Wire } from './types.js';
import { v, common } from '../protocol/validate.js';
import { loadPool } from './shared.js';
import { describeMfa } from './getUserPoolMfaConfig.js';
import type { Services } from '../services.js';
import type { SetUserPoolMfaConfigResponse } from '@aws-sdk/client-cognito-identity-provider';
import { POOL_OPTIONS } from '../config/defaults.js';
import { InvalidParameterException, ResourceNotFoundException } from '../protocol/errors.js';

const PLACEHOLDER = '{####}';

/**
 * SetUserPoolMfaConfig: MfaConfiguration, the factors (TOTP on/off; SMS and email MFA on while their
 * configuration is stored) and WebAuthnConfiguration. A member left out keeps its stored value; OFF
 * clears the factors. Cognito's refusals: OFF together with a factor, ON/OPTIONAL with none.
 * @throws InvalidParameterException | ResourceNotFoundException
 */
export const SetUserPoolMfaConfig = operation({
  auth: 'sigv4',
  input: {
    UserPoolId: common.userPoolId(),
    MfaConfiguration: v.str({ enum: ['OFF', 'ON', 'OPTIONAL'] }),
    WebAuthnConfiguration: v.obj({
      RelyingPartyId: v.str({ min: 1, max: 127, pattern: /^[a-z0-9.-]+$/i }),
      UserVerification: v.str({ enum: ['required', 'preferred'] }),
      FactorConfiguration: v.str({ enum: ['SINGLE_FACTOR', 'MULTI_FACTOR_WITH_USER_VERIFICATION'] }),
    }),
    SoftwareTokenMfaConfiguration: v.obj({ Enabled: v.bool() }),
    SmsMfaConfiguration: v.obj({
      SmsAuthenticationMessage: v.str({ min: 6, max: 140 }),
      SmsConfiguration: v.obj({
        SnsCallerArn: v.str({ min: 20, max: 2048 }),
        ExternalId: v.str({ max: 2048 }),
        SnsRegion: v.str({ min: 5, max: 32 }),
      }),
    }),
    EmailMfaConfiguration: v.obj({ Message: v.str({ min: 6, max: 20000 }), Subject: v.str({ min: 1, max: 140 }) }),
  },
  async handle(s: Pick<Services, 'store' | 'clock'>, input): Promise<Wire<SetUserPoolMfaConfigResponse>> {
    const pool = await loadPool(s, input.UserPoolId, { fresh: true });
    const config = { ...pool.record.config };
    const sms = input.SmsMfaConfiguration;
    if (sms?.SmsAuthenticationMessage !== undefined && !sms.SmsAuthenticationMessage.includes(PLACEHOLDER))
      throw new InvalidParameterException(`SmsAuthenticationMessage must contain the ${PLACEHOLDER} placeholder.`);
    const email = input.EmailMfaConfiguration;
    if (email?.Message !== undefined && !email.Message.includes(PLACEHOLDER))
      throw new InvalidParameterException(`EmailMfaConfiguration Message must contain the ${PLACEHOLDER} placeholder.`);
    const mode = input.MfaConfiguration ?? config.MfaConfiguration ?? POOL_OPTIONS.MfaConfiguration.default;
    if (mode === 'OFF') {
      if (input.SoftwareTokenMfaConfiguration?.Enabled === true || sms !== undefined || email !== undefined)
        throw new InvalidParameterException("Invalid MFA configuration given, can't turn off MFA and configure an MFA together.");
      delete config.SoftwareTokenMfaConfiguration;
      delete config.SmsMfaConfiguration;
      delete config.EmailMfaConfiguration;
    } else {
      if (input.SoftwareTokenMfaConfiguration !== undefined)
        config.SoftwareTokenMfaConfiguration = { Enabled: input.SoftwareTokenMfaConfiguration.Enabled === true };
      if (sms !== undefined) config.SmsMfaConfiguration = sms;
      if (email !== undefined) config.EmailMfaConfiguration = email;
      const any = config.SoftwareTokenMfaConfiguration?.Enabled === true || config.SmsMfaConfiguration || config.EmailMfaConfiguration;
      if (!any)
        throw new InvalidParameterException(
          "Invalid MFA configuration given, can't disable all MFAs with a required or optional configuration.",
        );
    }
    config.MfaConfiguration = mode;
    if (input.WebAuthnConfiguration !== undefined) {
      config.WebAuthnConfiguration = {
        ...(input.WebAuthnConfiguration.RelyingPartyId ? { RelyingPartyId: input.WebAuthnConfiguration.RelyingPartyId.toLowerCase() } : {}),
        UserVerification: input.WebAuthnConfiguration.UserVerification ?? POOL_OPTIONS.UserVerification.default,
        FactorConfiguration: input.WebAuthnConfiguration.FactorConfiguration ?? POOL_OPTIONS.FactorConfiguration.default,
      };
    }
    if (!(await s.store.updatePool(pool.id, config, s.clock.now())))
      throw new ResourceNotFoundException(`User pool ${pool.id} does not exist.`);
    return describeMfa(config);
  },
});

import { operation, type Wire } from './types.js';
import { v, common } from '../protocol/validate.js';
import { loadPool } from './shared.js';
import { describeMfa } from './getUserPoolMfaConfig.js';
import type { Services } from '../services.js';
import type { SetUserPoolMfaConfigResponse } from '@aws-sdk/client-cognito-identity-provider';
import { POOL_OPTIONS } from '../config/defaults.js';

/** SetUserPoolMfaConfig: stores MfaConfiguration and WebAuthnConfiguration {RelyingPartyId, UserVerification}. */
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
    SoftwareTokenMfaConfiguration: v.doc({ maxBytes: 1024 }),
    SmsMfaConfiguration: v.doc({ maxBytes: 4096 }),
    EmailMfaConfiguration: v.doc({ maxBytes: 65536 }),
  },
  async handle(s: Pick<Services, 'store' | 'clock'>, input): Promise<Wire<SetUserPoolMfaConfigResponse>> {
    const pool = await loadPool(s, input.UserPoolId);
    const config = { ...(pool.record.config as Record<string, unknown>) };
    if (input.MfaConfiguration !== undefined) config.MfaConfiguration = input.MfaConfiguration;
    if (input.WebAuthnConfiguration !== undefined) {
      config.WebAuthnConfiguration = {
        ...(input.WebAuthnConfiguration.RelyingPartyId ? { RelyingPartyId: input.WebAuthnConfiguration.RelyingPartyId.toLowerCase() } : {}),
        UserVerification: input.WebAuthnConfiguration.UserVerification ?? POOL_OPTIONS.UserVerification.default,
        FactorConfiguration: input.WebAuthnConfiguration.FactorConfiguration ?? POOL_OPTIONS.FactorConfiguration.default,
      };
    }
    for (const k of ['SoftwareTokenMfaConfiguration', 'SmsMfaConfiguration', 'EmailMfaConfiguration'] as const) {
      if (input[k] !== undefined) config[k] = input[k];
    }
    await s.store.updatePool(pool.id, config, s.clock.now());
    return describeMfa(config);
  },
});

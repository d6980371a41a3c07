import { operation, type Wire } from './types.js';
import { common } from '../protocol/validate.js';
import { loadPool } from './shared.js';
import type { Services } from '../services.js';
import type { GetUserPoolMfaConfigResponse, UserPoolMfaType } from '@aws-sdk/client-cognito-identity-provider';
import type { PoolConfig } from '../storage/store.js';
import { POOL_OPTIONS } from '../config/defaults.js';

/**
 * The pool's MFA configuration as Cognito reports it: MfaConfiguration and SoftwareTokenMfaConfiguration
 * always (defaults included), SMS and email MFA while configured, WebAuthnConfiguration once set.
 */
export function describeMfa(c: PoolConfig): Wire<GetUserPoolMfaConfigResponse> {
  return {
    MfaConfiguration: (c.MfaConfiguration ?? POOL_OPTIONS.MfaConfiguration.default) as UserPoolMfaType,
    SoftwareTokenMfaConfiguration: { Enabled: c.SoftwareTokenMfaConfiguration?.Enabled === true },
    ...(c.WebAuthnConfiguration
      ? { WebAuthnConfiguration: c.WebAuthnConfiguration as Wire<GetUserPoolMfaConfigResponse>['WebAuthnConfiguration'] }
      : {}),
    ...(c.SmsMfaConfiguration
      ? { SmsMfaConfiguration: c.SmsMfaConfiguration as Wire<GetUserPoolMfaConfigResponse>['SmsMfaConfiguration'] }
      : {}),
    ...(c.EmailMfaConfiguration ? { EmailMfaConfiguration: c.EmailMfaConfiguration } : {}),
  };
}

/** GetUserPoolMfaConfig. @throws ResourceNotFoundException */
export const GetUserPoolMfaConfig = operation({
  auth: 'sigv4',
  input: { UserPoolId: common.userPoolId() },
  async handle(s: Pick<Services, 'store'>, { UserPoolId }): Promise<Wire<GetUserPoolMfaConfigResponse>> {
    const pool = await loadPool(s, UserPoolId);
    return describeMfa(pool.record.config);
  },
});

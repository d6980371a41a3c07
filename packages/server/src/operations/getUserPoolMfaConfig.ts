import { operation, type Wire } from './types.js';
import { common } from '../protocol/validate.js';
import { loadPool } from './shared.js';
import type { Services } from '../services.js';
import type { GetUserPoolMfaConfigResponse, UserPoolMfaType } from '@aws-sdk/client-cognito-identity-provider';
import { POOL_OPTIONS } from '../config/defaults.js';

export function describeMfa(config: Record<string, unknown>): Wire<GetUserPoolMfaConfigResponse> {
  // These members were stored by SetUserPoolMfaConfig after validation against its shape.
  const c = config as Wire<GetUserPoolMfaConfigResponse>;
  return {
    MfaConfiguration: c.MfaConfiguration ?? (POOL_OPTIONS.MfaConfiguration.default as UserPoolMfaType),
    ...(c.WebAuthnConfiguration ? { WebAuthnConfiguration: c.WebAuthnConfiguration } : {}),
    ...(c.SoftwareTokenMfaConfiguration ? { SoftwareTokenMfaConfiguration: c.SoftwareTokenMfaConfiguration } : {}),
    ...(c.SmsMfaConfiguration ? { SmsMfaConfiguration: c.SmsMfaConfiguration } : {}),
    ...(c.EmailMfaConfiguration ? { EmailMfaConfiguration: c.EmailMfaConfiguration } : {}),
  };
}

export const GetUserPoolMfaConfig = operation({
  auth: 'sigv4',
  input: { UserPoolId: common.userPoolId() },
  async handle(s: Pick<Services, 'store'>, { UserPoolId }): Promise<Wire<GetUserPoolMfaConfigResponse>> {
    const pool = await loadPool(s, UserPoolId);
    return describeMfa(pool.record.config as Record<string, unknown>);
  },
});

import { operation } from './types.js';
import { common } from '../protocol/validate.js';
import { loadPool } from './shared.js';
import { POOL_OPTIONS } from '../config/defaults.js';

export function describeMfa(config: Record<string, unknown>) {
  return {
    MfaConfiguration: (config.MfaConfiguration as string) ?? POOL_OPTIONS.MfaConfiguration.default,
    ...(config.WebAuthnConfiguration ? { WebAuthnConfiguration: config.WebAuthnConfiguration } : {}),
    ...(config.SoftwareTokenMfaConfiguration ? { SoftwareTokenMfaConfiguration: config.SoftwareTokenMfaConfiguration } : {}),
    ...(config.SmsMfaConfiguration ? { SmsMfaConfiguration: config.SmsMfaConfiguration } : {}),
    ...(config.EmailMfaConfiguration ? { EmailMfaConfiguration: config.EmailMfaConfiguration } : {}),
  };
}

export const GetUserPoolMfaConfig = operation<{ UserPoolId: string }, object>({
  auth: 'sigv4',
  input: { UserPoolId: common.userPoolId() },
  async handle(s, { UserPoolId }) {
    const pool = await loadPool(s, UserPoolId);
    return describeMfa(pool.record.config as Record<string, unknown>);
  },
});

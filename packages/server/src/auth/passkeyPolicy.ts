import type { Pool } from '../domain/pools.js';
import { POOL_OPTIONS } from '../config/defaults.js';
import { WebAuthnConfigurationMissingException, WebAuthnNotEnabledException } from '../protocol/errors.js';

export interface PasskeyConfig {
  rpId: string;
  userVerification: 'required' | 'preferred';
}

/** The pool's passkey settings when passkeys are on (WEB_AUTHN allowed and an RP ID set), else undefined. */
export function enabledPasskeyConfig(pool: Pool): PasskeyConfig | undefined {
  const rpId = pool.webAuthn?.RelyingPartyId;
  if (!pool.allowedFirstAuthFactors.includes('WEB_AUTHN') || !rpId) return undefined;
  return { rpId, userVerification: pool.webAuthn?.UserVerification ?? POOL_OPTIONS.UserVerification.default };
}

/**
 * Passkeys are on when WEB_AUTHN is an allowed first factor and a relying party id is configured.
 * @throws WebAuthnNotEnabledException | WebAuthnConfigurationMissingException
 */
export function passkeyConfig(pool: Pool, opts: { needRpId: boolean }): PasskeyConfig {
  const config = enabledPasskeyConfig(pool);
  if (config) return config;
  if (!pool.allowedFirstAuthFactors.includes('WEB_AUTHN'))
    throw new WebAuthnNotEnabledException('Passkeys are not enabled for this user pool: WEB_AUTHN is not an allowed first auth factor.');
  if (opts.needRpId)
    throw new WebAuthnConfigurationMissingException(
      'The user pool has no relying party id configured (SetUserPoolMfaConfig WebAuthnConfiguration.RelyingPartyId).',
    );
  throw new WebAuthnNotEnabledException('Passkeys are not configured for this user pool.');
}

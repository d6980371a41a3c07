import type { Pool } from '../domain/pools.js';
import { WebAuthnConfigurationMissingException, WebAuthnNotEnabledException } from '../protocol/errors.js';

/**
 * Passkeys are on when WEB_AUTHN is an allowed first factor and a relying party id is configured.
 * @throws WebAuthnNotEnabledException | WebAuthnConfigurationMissingException
 */
export function passkeyConfig(pool: Pool, opts: { needRpId: boolean }): { rpId: string; userVerification: 'required' | 'preferred' } {
  if (!pool.allowedFirstAuthFactors.includes('WEB_AUTHN')) throw new WebAuthnNotEnabledException('Passkeys are not enabled for this user pool: WEB_AUTHN is not an allowed first auth factor.');
  const rpId = pool.webAuthn?.RelyingPartyId;
  if (!rpId) {
    if (opts.needRpId) throw new WebAuthnConfigurationMissingException('The user pool has no relying party id configured (SetUserPoolMfaConfig WebAuthnConfiguration.RelyingPartyId).');
    throw new WebAuthnNotEnabledException('Passkeys are not configured for this user pool.');
  }
  return { rpId, userVerification: pool.webAuthn?.UserVerification ?? 'preferred' };
}

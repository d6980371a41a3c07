import { operation, type Wire } from './types.js';
import { v, common } from '../protocol/validate.js';
import { authorizeAccessToken } from '../auth/accessToken.js';
import { ResourceNotFoundException } from '../protocol/errors.js';
import { lookupAaguid } from '../domain/aaguids.js';
import { lifecycleEvent, noticePasskeyChange } from '../auth/events.js';
import type { Services } from '../services.js';
import type { DeleteWebAuthnCredentialResponse } from '@aws-sdk/client-cognito-identity-provider';

/** DeleteWebAuthnCredential: only the caller's own passkey; anything else is ResourceNotFoundException. */
export const DeleteWebAuthnCredential = operation({
  auth: 'none',
  input: { AccessToken: common.accessToken(), CredentialId: v.str({ required: true, min: 16, max: 8192 }) },
  async handle(
    s: Pick<Services, 'store' | 'tokens' | 'clock' | 'sender' | 'box' | 'log'>,
    { AccessToken, CredentialId },
  ): Promise<Wire<DeleteWebAuthnCredentialResponse>> {
    const { pool, user } = await authorizeAccessToken(s, AccessToken);
    // Read first for the event's provider name; the delete itself is what decides (a concurrent one finds nothing).
    const passkey = await s.store.getPasskey(pool.id, CredentialId);
    const event = lifecycleEvent(s, pool, user, 'passkey.deleted', {
      credentialId: CredentialId,
      provider: (passkey && lookupAaguid(passkey.aaguid)) ?? null,
      aaguid: passkey?.aaguid ?? null,
    });
    if (!passkey || passkey.userId !== user.id || !(await s.store.deletePasskey(pool.id, user.id, CredentialId, undefined, [event])))
      throw new ResourceNotFoundException('Credential not found.');
    noticePasskeyChange(s, pool, user, 'removed', lookupAaguid(passkey.aaguid) ?? null);
    return {};
  },
});

import { v } from '../protocol/validate.js';
import { adminUserOperation } from './shared.js';
import { ResourceNotFoundException } from '../protocol/errors.js';
import { CREDENTIAL_ID } from './webAuthnCredentials.js';
import { lookupAaguid } from '../domain/aaguids.js';
import { lifecycleEvent, noticePasskeyChange } from '../auth/events.js';
import type { Services } from '../services.js';

/** Latchkey-only operations have no SDK model: the answer is defined here (empty, as DeleteWebAuthnCredential's). */
export type LatchkeyAdminDeleteWebAuthnCredentialResponse = Record<string, never>;

/**
 * LatchkeyAdminDeleteWebAuthnCredential (SigV4; a Latchkey extension): deletes one of the user's passkeys
 * — the lost-device path. `GlobalSignOut: true` revokes every token of the user in the same transaction
 * (Store.deletePasskey with signOutAt): both happen or neither does, with the passkey.deleted event.
 * @throws ResourceNotFoundException (pool, or no such passkey of this user — nothing is revoked then),
 *   UserNotFoundException
 */
export const LatchkeyAdminDeleteWebAuthnCredential = adminUserOperation(
  { CredentialId: v.str(CREDENTIAL_ID), GlobalSignOut: v.bool() },
  async (
    s: Pick<Services, 'store' | 'clock' | 'log' | 'sender' | 'box'>,
    pool,
    user,
    { CredentialId, GlobalSignOut = false },
  ): Promise<LatchkeyAdminDeleteWebAuthnCredentialResponse> => {
    const signOutAt = GlobalSignOut ? s.clock.now() : undefined;
    // Read first for the event's provider name; the delete itself is what decides (a concurrent one finds nothing).
    const passkey = await s.store.getPasskey(pool.id, CredentialId);
    const provider = (passkey && lookupAaguid(passkey.aaguid)) ?? null;
    const event = lifecycleEvent(s, pool, user, 'passkey.deleted', {
      credentialId: CredentialId,
      provider,
      aaguid: passkey?.aaguid ?? null,
      operation: 'LatchkeyAdminDeleteWebAuthnCredential',
    });
    if (!passkey || passkey.userId !== user.id || !(await s.store.deletePasskey(pool.id, user.id, CredentialId, signOutAt, [event])))
      throw new ResourceNotFoundException('Credential not found.');
    noticePasskeyChange(s, pool, user, 'removed', provider);
    s.log.info({ poolId: pool.id, userId: user.id, globalSignOut: GlobalSignOut }, 'passkey deleted by an administrator');
    return {};
  },
);

import { v } from '../protocol/validate.js';
import { adminUserOperation } from './shared.js';
import { ResourceNotFoundException } from '../protocol/errors.js';
import { CREDENTIAL_ID } from './webAuthnCredentials.js';
import type { Services } from '../services.js';

/** Latchkey-only operations have no SDK model: the answer is defined here (empty, as DeleteWebAuthnCredential's). */
export type LatchkeyAdminDeleteWebAuthnCredentialResponse = Record<string, never>;

/**
 * LatchkeyAdminDeleteWebAuthnCredential (SigV4; a Latchkey extension): deletes one of the user's passkeys
 * — the lost-device path. `GlobalSignOut: true` revokes every token of the user in the same transaction
 * (Store.deletePasskey with signOutAt): both happen or neither does.
 * @throws ResourceNotFoundException (pool, or no such passkey of this user — nothing is revoked then),
 *   UserNotFoundException
 */
export const LatchkeyAdminDeleteWebAuthnCredential = adminUserOperation(
  { CredentialId: v.str(CREDENTIAL_ID), GlobalSignOut: v.bool() },
  async (
    s: Pick<Services, 'store' | 'clock' | 'log'>,
    pool,
    user,
    { CredentialId, GlobalSignOut = false },
  ): Promise<LatchkeyAdminDeleteWebAuthnCredentialResponse> => {
    const signOutAt = GlobalSignOut ? s.clock.now() : undefined;
    if (!(await s.store.deletePasskey(pool.id, user.id, CredentialId, signOutAt)))
      throw new ResourceNotFoundException('Credential not found.');
    s.log.info({ poolId: pool.id, userId: user.id, globalSignOut: GlobalSignOut }, 'passkey deleted by an administrator');
    return {};
  },
);

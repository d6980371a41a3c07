import { v, common } from '../protocol/validate.js';
import { adminUserOperation } from './shared.js';
import { ResourceNotFoundException } from '../protocol/errors.js';
import { CREDENTIAL_ID, listCredentialPage, type CredentialListOutput } from './webAuthnCredentials.js';
import type { Services } from '../services.js';

/** Latchkey-only operations have no SDK model: the answers are defined here. */
export type LatchkeyAdminListWebAuthnCredentialsResponse = CredentialListOutput;
export type LatchkeyAdminDeleteWebAuthnCredentialResponse = Record<string, never>;

/**
 * LatchkeyAdminListWebAuthnCredentials (SigV4; a Latchkey extension): a user's passkeys, addressed by
 * pool and username, in the same items and pages as the user's own ListWebAuthnCredentials (a NextToken
 * is bound to the user, so the user's and the admin's tokens are interchangeable and nobody else's are).
 * @throws ResourceNotFoundException (pool), UserNotFoundException, InvalidParameterException (NextToken, MaxResults)
 */
export const LatchkeyAdminListWebAuthnCredentials = adminUserOperation(
  { MaxResults: v.int({ min: 1, max: 20 }), NextToken: common.nextToken() },
  async (s: Pick<Services, 'store' | 'box' | 'config'>, pool, user, { MaxResults = 20, NextToken }) =>
    listCredentialPage(s, pool, user, MaxResults, NextToken),
);

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

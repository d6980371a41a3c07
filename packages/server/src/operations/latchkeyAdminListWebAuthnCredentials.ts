import { v, common } from '../protocol/validate.js';
import { adminUserOperation } from './shared.js';
import { listCredentialPage, type CredentialListOutput } from './webAuthnCredentials.js';
import type { Services } from '../services.js';

/** Latchkey-only operations have no SDK model: the answer is defined here (the user's listing's shape). */
export type LatchkeyAdminListWebAuthnCredentialsResponse = CredentialListOutput;

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

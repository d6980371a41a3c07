import { operation } from './types.js';
import { v, common } from '../protocol/validate.js';
import { authorizeAccessToken } from '../auth/accessToken.js';
import { credentialPage, credentialPageQuery, type CredentialListOutput } from './webAuthnCredentials.js';
import type { Services } from '../services.js';

/**
 * ListWebAuthnCredentials: keyset pages in (created-at, id) order; NextToken is MACed and bound to
 * the user, omitted on the last page; CreatedAt in epoch seconds; items carry Latchkey's extra members
 * (webAuthnCredentials.ts). @throws InvalidParameterException, NotAuthorizedException
 */
export const ListWebAuthnCredentials = operation({
  auth: 'none',
  input: { AccessToken: common.accessToken(), MaxResults: v.int({ min: 1, max: 20 }), NextToken: common.nextToken() },
  async handle(
    s: Pick<Services, 'store' | 'tokens' | 'box' | 'config'>,
    { AccessToken, MaxResults = 20, NextToken },
  ): Promise<CredentialListOutput> {
    // The page is read in the same statement as the token's state (one read for the whole request).
    const { pool, user, passkeys } = await authorizeAccessToken(s, AccessToken, (poolId, userId) => ({
      passkeys: credentialPageQuery(s, poolId, userId, MaxResults, NextToken),
    }));
    return credentialPage(s, pool.id, user.id, passkeys ?? [], MaxResults);
  },
});

import { operation } from './types.js';
import { v, common } from '../protocol/validate.js';
import { authorizeAccessToken } from '../auth/accessToken.js';
import { listCredentialPage, type CredentialListOutput } from './webAuthnCredentials.js';
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
    const { pool, user } = await authorizeAccessToken(s, AccessToken);
    return listCredentialPage(s, pool, user, MaxResults, NextToken);
  },
});

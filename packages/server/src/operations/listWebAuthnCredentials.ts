import { operation, type Wire } from './types.js';
import { v, common } from '../protocol/validate.js';
import { authorizeAccessToken } from '../auth/accessToken.js';
import { decodePageToken, encodePageToken } from './shared.js';
import { InvalidParameterException } from '../protocol/errors.js';
import type { Services } from '../services.js';
import type { ListWebAuthnCredentialsResponse, WebAuthnCredentialDescription } from '@aws-sdk/client-cognito-identity-provider';

/** Cognito's credential description plus Latchkey's `LastUsedAt` (epoch seconds), which aws-amplify ignores. */
type CredentialDescription = Wire<WebAuthnCredentialDescription> & { LastUsedAt?: number };
type ListWebAuthnCredentialsOutput = Wire<ListWebAuthnCredentialsResponse> & { Credentials: CredentialDescription[] };

/**
 * ListWebAuthnCredentials: keyset pages in (created-at, id) order; NextToken is MACed and bound to
 * the user, omitted on the last page; CreatedAt in epoch seconds.
 */
export const ListWebAuthnCredentials = operation({
  auth: 'none',
  input: { AccessToken: common.accessToken(), MaxResults: v.int({ min: 1, max: 20 }), NextToken: common.nextToken() },
  async handle(
    s: Pick<Services, 'store' | 'tokens' | 'box'>,
    { AccessToken, MaxResults = 20, NextToken },
  ): Promise<ListWebAuthnCredentialsOutput> {
    const { pool, user } = await authorizeAccessToken(s, AccessToken);
    const scope = `passkeys:${pool.id}:${user.id}`;
    let after: { createdAt: number; credentialId: string } | undefined;
    if (NextToken) {
      const c = decodePageToken<{ t: unknown; i: unknown }>(s, scope, NextToken);
      if (typeof c.t !== 'number' || typeof c.i !== 'string') throw new InvalidParameterException('Invalid pagination token.');
      after = { createdAt: c.t, credentialId: c.i };
    }
    const rows = await s.store.listPasskeys(pool.id, user.id, MaxResults + 1, after);
    const page = rows.slice(0, MaxResults);
    const last = page[page.length - 1];
    return {
      Credentials: page.map(
        (p): CredentialDescription => ({
          CredentialId: p.credentialId,
          FriendlyCredentialName: p.friendlyName,
          RelyingPartyId: p.relyingPartyId,
          ...(p.attachment ? { AuthenticatorAttachment: p.attachment } : {}),
          AuthenticatorTransports: p.transports,
          CreatedAt: p.createdAt / 1000,
          ...(p.lastUsedAt ? { LastUsedAt: p.lastUsedAt / 1000 } : {}),
        }),
      ),
      ...(rows.length > MaxResults && last ? { NextToken: encodePageToken(s, scope, { t: last.createdAt, i: last.credentialId }) } : {}),
    };
  },
});

import type { ListWebAuthnCredentialsResponse, WebAuthnCredentialDescription } from '@aws-sdk/client-cognito-identity-provider';
import { decodePageToken, encodePageToken } from './shared.js';
import { InvalidParameterException } from '../protocol/errors.js';
import { lookupAaguid, normalizeAaguid } from '../domain/aaguids.js';
import { providerIconPath } from '../domain/passkeyIcons.js';
import type { Wire } from './types.js';
import type { Services } from '../services.js';
import type { Pool } from '../domain/pools.js';
import type { PasskeyRecord, UserRecord } from '../storage/store.js';

/**
 * Cognito's credential description plus Latchkey's extensions (docs/wire-contract.md, "Latchkey extensions"),
 * which aws-amplify ignores: `LastUsedAt` (epoch seconds), the authenticator data flags of the registration
 * (`BackupEligible`, `BackupState` — as of the last use — and `UserVerified`), the `Aaguid` and, for AAGUIDs
 * Latchkey knows, the `ProviderName` (which a rename does not change) and a `ProviderIconUrl` it serves itself.
 */
export type CredentialDescription = Wire<WebAuthnCredentialDescription> & {
  LastUsedAt?: number;
  BackupEligible: boolean;
  BackupState: boolean;
  UserVerified: boolean;
  Aaguid: string;
  ProviderName?: string;
  ProviderIconUrl?: string;
};
export type CredentialListOutput = Wire<ListWebAuthnCredentialsResponse> & { Credentials: CredentialDescription[] };

/** One listing item; icon URLs are absolute, under the server's public URL. */
export function describeCredential(s: Pick<Services, 'config'>, p: PasskeyRecord): CredentialDescription {
  const aaguid = normalizeAaguid(p.aaguid) ?? '00000000-0000-0000-0000-000000000000';
  const icon = providerIconPath(aaguid);
  const provider = lookupAaguid(aaguid);
  return {
    CredentialId: p.credentialId,
    FriendlyCredentialName: p.friendlyName,
    RelyingPartyId: p.relyingPartyId,
    ...(p.attachment ? { AuthenticatorAttachment: p.attachment } : {}),
    AuthenticatorTransports: p.transports,
    CreatedAt: p.createdAt / 1000,
    ...(p.lastUsedAt ? { LastUsedAt: p.lastUsedAt / 1000 } : {}),
    BackupEligible: p.backupEligible,
    BackupState: p.backupState,
    UserVerified: p.userVerified,
    Aaguid: aaguid,
    ...(provider ? { ProviderName: provider } : {}),
    ...(icon ? { ProviderIconUrl: `${s.config.publicUrl.replace(/\/+$/, '')}${icon}` } : {}),
  };
}

/**
 * One page of a user's passkeys, for the user's own listing and the admin one alike: keyset pages in
 * (created-at, id) order; NextToken is MACed and bound to the pool and user, omitted on the last page.
 * @throws InvalidParameterException for a forged, foreign or garbled NextToken.
 */
export async function listCredentialPage(
  s: Pick<Services, 'store' | 'box' | 'config'>,
  pool: Pool,
  user: UserRecord,
  maxResults: number,
  nextToken: string | undefined,
): Promise<CredentialListOutput> {
  const q = credentialPageQuery(s, pool.id, user.id, maxResults, nextToken);
  return credentialPage(s, pool.id, user.id, await s.store.listPasskeys(pool.id, user.id, q.limit, q.after), maxResults);
}

/**
 * The store read of a credential page: one more than asked for (is there a next page?), after the NextToken's cursor.
 * Needs only the ids, so it can be asked for in the same read as the access token's state (authorizeAccessToken).
 * @throws InvalidParameterException for a NextToken that is not this user's or not intact
 */
export function credentialPageQuery(
  s: Pick<Services, 'box' | 'config'>,
  poolId: string,
  userId: string,
  maxResults: number,
  nextToken: string | undefined,
): { limit: number; after?: { createdAt: number; credentialId: string } } {
  if (!nextToken) return { limit: maxResults + 1 };
  const c = decodePageToken<{ t: unknown; i: unknown }>(s, pageScope(poolId, userId), nextToken);
  if (typeof c.t !== 'number' || typeof c.i !== 'string') throw new InvalidParameterException('Invalid pagination token.');
  return { limit: maxResults + 1, after: { createdAt: c.t, credentialId: c.i } };
}

/** The answer for the rows credentialPageQuery's read returned. */
export function credentialPage(
  s: Pick<Services, 'box' | 'config'>,
  poolId: string,
  userId: string,
  rows: readonly PasskeyRecord[],
  maxResults: number,
): CredentialListOutput {
  const page = rows.slice(0, maxResults);
  const last = page[page.length - 1];
  const next =
    rows.length > maxResults && last
      ? encodePageToken(s, pageScope(poolId, userId), { t: last.createdAt, i: last.credentialId })
      : undefined;
  return { Credentials: page.map((p) => describeCredential(s, p)), ...(next ? { NextToken: next } : {}) };
}

const pageScope = (poolId: string, userId: string) => `passkeys:${poolId}:${userId}`;

/** The credential id member of the passkey operations (as DeleteWebAuthnCredential's). */
export const CREDENTIAL_ID = { required: true, min: 16, max: 8192 } as const;

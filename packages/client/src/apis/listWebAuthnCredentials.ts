import { getTokens, requireAccessToken } from '../tokens.js';
import { AuthAction, callUserPool } from '../transport.js';
import { hasSignal, knownRpId, rememberRpId, signalAllAcceptedCredentials } from '../internal/signals.js';
import type { AuthWebAuthnCredential, ListWebAuthnCredentialsInput, ListWebAuthnCredentialsOutput } from '../types.js';

interface WebAuthnCredentialDescription {
  CredentialId?: string;
  FriendlyCredentialName?: string;
  RelyingPartyId?: string;
  AuthenticatorAttachment?: string;
  AuthenticatorTransports?: string[];
  /** epoch seconds */
  CreatedAt?: number;
  // Latchkey extensions (docs/wire-contract.md §10.1)
  LastUsedAt?: number;
  BackupEligible?: boolean;
  BackupState?: boolean;
  UserVerified?: boolean;
  Aaguid?: string;
  ProviderName?: string;
  ProviderIconUrl?: string;
}

/**
 * Lists the signed-in user's passkeys, one page at a time (`pageSize` → MaxResults, 0–20 on Cognito;
 * pass the returned `nextToken` for the next page). `createdAt` is a `Date`. Against Latchkey the items
 * also carry `lastUsedAt`, `backupEligible`, `backupState`, `userVerified`, `aaguid`, `providerIconUrl`;
 * and where the browser has the Signal API, a listing that is complete (one page, no `nextToken` given or
 * returned) is signalled with `signalAllAcceptedCredentials`, so the device forgets passkeys deleted elsewhere.
 */
export async function listWebAuthnCredentials(input?: ListWebAuthnCredentialsInput): Promise<ListWebAuthnCredentialsOutput> {
  const { credentials, nextToken } = await listPage(input);
  if (!input?.nextToken && !nextToken) await signalAccepted(credentials);
  return { credentials, nextToken };
}

async function listPage(input?: ListWebAuthnCredentialsInput): Promise<ListWebAuthnCredentialsOutput> {
  const AccessToken = await requireAccessToken();
  const { Credentials = [], NextToken } = await callUserPool<{
    Credentials?: WebAuthnCredentialDescription[];
    NextToken?: string;
  }>(
    'ListWebAuthnCredentials',
    { AccessToken, MaxResults: input?.pageSize, NextToken: input?.nextToken },
    { action: AuthAction.ListWebAuthnCredentials },
  );
  return { credentials: Credentials.map(toCredential), nextToken: NextToken };
}

function toCredential(item: WebAuthnCredentialDescription): AuthWebAuthnCredential {
  const out: AuthWebAuthnCredential = {
    credentialId: item.CredentialId,
    friendlyCredentialName: item.FriendlyCredentialName,
    relyingPartyId: item.RelyingPartyId,
    authenticatorAttachment: item.AuthenticatorAttachment,
    authenticatorTransports: item.AuthenticatorTransports,
    createdAt: item.CreatedAt ? new Date(item.CreatedAt * 1000) : undefined,
  };
  if (typeof item.LastUsedAt === 'number') out.lastUsedAt = new Date(item.LastUsedAt * 1000);
  if (typeof item.BackupEligible === 'boolean') out.backupEligible = item.BackupEligible;
  if (typeof item.BackupState === 'boolean') out.backupState = item.BackupState;
  if (typeof item.UserVerified === 'boolean') out.userVerified = item.UserVerified;
  if (typeof item.Aaguid === 'string') out.aaguid = item.Aaguid;
  if (typeof item.ProviderName === 'string') out.providerName = item.ProviderName;
  if (typeof item.ProviderIconUrl === 'string') out.providerIconUrl = item.ProviderIconUrl;
  return out;
}

/** Every page (for the signal after a rename or deletion); at most 50 pages. */
async function listAll(): Promise<AuthWebAuthnCredential[]> {
  const all: AuthWebAuthnCredential[] = [];
  let nextToken: string | undefined;
  for (let i = 0; i < 50; i++) {
    const page = await listPage(nextToken ? { nextToken } : {});
    all.push(...page.credentials);
    nextToken = page.nextToken;
    if (!nextToken) return all;
  }
  throw new Error('listing does not end');
}

/** `signalAllAcceptedCredentials` with these (complete) credentials, per RP ID; a no-op without the Signal API. */
async function signalAccepted(credentials: AuthWebAuthnCredential[]): Promise<void> {
  if (!hasSignal('signalAllAcceptedCredentials')) return;
  const sub = (await getTokens())?.accessToken.payload.sub;
  if (typeof sub !== 'string') return;
  for (const c of credentials) rememberRpId(c.relyingPartyId);
  const rpIds = new Set(credentials.map((c) => c.relyingPartyId).filter((r): r is string => !!r));
  const fallback = knownRpId();
  if (rpIds.size === 0 && fallback) rpIds.add(fallback);
  for (const rpId of rpIds) {
    const ids = credentials.filter((c) => (c.relyingPartyId ?? rpId) === rpId).map((c) => c.credentialId!);
    await signalAllAcceptedCredentials(rpId, sub, ids);
  }
}

/** After a change to the user's passkeys: the complete list, signalled (only where the Signal API exists). */
export async function signalAcceptedAfterChange(): Promise<void> {
  if (!hasSignal('signalAllAcceptedCredentials')) return;
  try {
    await signalAccepted(await listAll());
  } catch {
    // A signal is advice to the device: a failed listing leaves it as it was, and the change itself succeeded.
  }
}

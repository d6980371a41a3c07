import { requireAccessToken } from '../tokens.js';
import { AuthAction, callUserPool } from '../transport.js';
import type { ListWebAuthnCredentialsInput, ListWebAuthnCredentialsOutput } from '../types.js';

interface WebAuthnCredentialDescription {
  CredentialId?: string;
  FriendlyCredentialName?: string;
  RelyingPartyId?: string;
  AuthenticatorAttachment?: string;
  AuthenticatorTransports?: string[];
  /** epoch seconds */
  CreatedAt?: number;
}

/**
 * Lists the signed-in user's passkeys, one page at a time (`pageSize` → MaxResults, 0–20 on Cognito;
 * pass the returned `nextToken` for the next page). `createdAt` is a `Date`.
 */
export async function listWebAuthnCredentials(input?: ListWebAuthnCredentialsInput): Promise<ListWebAuthnCredentialsOutput> {
  const AccessToken = await requireAccessToken();
  const { Credentials = [], NextToken } = await callUserPool<{
    Credentials?: WebAuthnCredentialDescription[];
    NextToken?: string;
  }>(
    'ListWebAuthnCredentials',
    { AccessToken, MaxResults: input?.pageSize, NextToken: input?.nextToken },
    { action: AuthAction.ListWebAuthnCredentials },
  );
  return {
    credentials: Credentials.map((item) => ({
      credentialId: item.CredentialId,
      friendlyCredentialName: item.FriendlyCredentialName,
      relyingPartyId: item.RelyingPartyId,
      authenticatorAttachment: item.AuthenticatorAttachment,
      authenticatorTransports: item.AuthenticatorTransports,
      createdAt: item.CreatedAt ? new Date(item.CreatedAt * 1000) : undefined,
    })),
    nextToken: NextToken,
  };
}

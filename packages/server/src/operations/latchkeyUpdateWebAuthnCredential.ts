import { operation } from './types.js';
import { v, common } from '../protocol/validate.js';
import { authorizeAccessToken } from '../auth/accessToken.js';
import { InvalidParameterException, ResourceNotFoundException } from '../protocol/errors.js';
import { CREDENTIAL_ID } from './webAuthnCredentials.js';
import type { Services } from '../services.js';

/** Latchkey-only operations have no SDK model: the answer is defined here (empty, as DeleteWebAuthnCredential's). */
export type LatchkeyUpdateWebAuthnCredentialResponse = Record<string, never>;

/** Longest friendly name after trimming, in characters (code points). */
export const MAX_FRIENDLY_NAME = 256;

/**
 * The name as stored: trimmed, 1–256 characters, no control characters (C0, DEL, C1) and no line or
 * paragraph separators, which would break the one-line display every client gives it.
 * @throws InvalidParameterException
 */
export function friendlyCredentialName(raw: string): string {
  const name = raw.trim();
  const length = [...name].length;
  if (length < 1 || length > MAX_FRIENDLY_NAME)
    throw new InvalidParameterException(`FriendlyCredentialName must be 1 to ${MAX_FRIENDLY_NAME} characters after trimming.`);
  if (/[\p{Cc}\u2028\u2029]/u.test(name))
    throw new InvalidParameterException('FriendlyCredentialName must not contain control characters.');
  return name;
}

/**
 * LatchkeyUpdateWebAuthnCredential (a Latchkey extension; Cognito cannot rename a passkey): sets the
 * friendly name of one of the caller's own passkeys; ListWebAuthnCredentials returns it from then on.
 * @throws InvalidParameterException (the name), NotAuthorizedException (the token), ResourceNotFoundException
 *   (no such passkey, or another user's: the two are not told apart)
 */
export const LatchkeyUpdateWebAuthnCredential = operation({
  auth: 'none',
  input: {
    AccessToken: common.accessToken(),
    CredentialId: v.str(CREDENTIAL_ID),
    // The raw member may carry surrounding white space; the limit is checked after trimming.
    FriendlyCredentialName: v.str({ required: true, min: 1, max: 4 * MAX_FRIENDLY_NAME }),
  },
  async handle(
    s: Pick<Services, 'store' | 'tokens'>,
    { AccessToken, CredentialId, FriendlyCredentialName },
  ): Promise<LatchkeyUpdateWebAuthnCredentialResponse> {
    const { pool, user } = await authorizeAccessToken(s, AccessToken);
    const name = friendlyCredentialName(FriendlyCredentialName);
    if (!(await s.store.renamePasskey(pool.id, user.id, CredentialId, name))) throw new ResourceNotFoundException('Credential not found.');
    return {};
  },
});

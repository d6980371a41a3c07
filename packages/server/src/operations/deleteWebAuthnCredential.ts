import { operation } from './types.js';
import { v, common } from '../protocol/validate.js';
import { authorizeAccessToken } from '../auth/accessToken.js';
import { ResourceNotFoundException } from '../protocol/errors.js';

/** DeleteWebAuthnCredential: only the caller's own passkey; anything else is ResourceNotFoundException. */
export const DeleteWebAuthnCredential = operation<{ AccessToken: string; CredentialId: string }, object>({
  auth: 'none',
  input: { AccessToken: common.accessToken(), CredentialId: v.str({ required: true, min: 16, max: 8192 }) },
  async handle(s, { AccessToken, CredentialId }) {
    const { pool, user } = await authorizeAccessToken(s, AccessToken);
    if (!(await s.store.deletePasskey(pool.id, user.id, CredentialId))) throw new ResourceNotFoundException('Credential not found.');
    return {};
  },
});

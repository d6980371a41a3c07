import { operation, type Wire } from './types.js';
import { v, common } from '../protocol/validate.js';
import { authorizeAccessToken } from '../auth/accessToken.js';
import { ResourceNotFoundException } from '../protocol/errors.js';
import type { Services } from '../services.js';
import type { DeleteWebAuthnCredentialResponse } from '@aws-sdk/client-cognito-identity-provider';

/** DeleteWebAuthnCredential: only the caller's own passkey; anything else is ResourceNotFoundException. */
export const DeleteWebAuthnCredential = operation({
  auth: 'none',
  input: { AccessToken: common.accessToken(), CredentialId: v.str({ required: true, min: 16, max: 8192 }) },
  async handle(s: Pick<Services, 'store' | 'tokens'>, { AccessToken, CredentialId }): Promise<Wire<DeleteWebAuthnCredentialResponse>> {
    const { pool, user } = await authorizeAccessToken(s, AccessToken);
    if (!(await s.store.deletePasskey(pool.id, user.id, CredentialId))) throw new ResourceNotFoundException('Credential not found.');
    return {};
  },
});

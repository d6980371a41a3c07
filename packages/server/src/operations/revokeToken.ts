import { operation, type Wire } from './types.js';
import { v, common } from '../protocol/validate.js';
import { loadClient } from './shared.js';
import { sha256Hex, safeEqual } from '../security/secrets.js';
import { UnauthorizedException, UnsupportedOperationException, UnsupportedTokenTypeException } from '../protocol/errors.js';
import type { Services } from '../services.js';
import type { RevokeTokenResponse } from '@aws-sdk/client-cognito-identity-provider';

/** RevokeToken: revokes a refresh token and every access/id token of the same sign-in (origin_jti). */
export const RevokeToken = operation({
  auth: 'none',
  input: {
    Token: v.str({ required: true, min: 1, max: 4096 }),
    ClientId: common.clientId(),
    ClientSecret: v.str({ min: 1, max: 64 }),
    ClientMetadata: common.clientMetadata(),
  },
  async handle(s: Pick<Services, 'store' | 'clock'>, { Token, ClientId, ClientSecret }): Promise<Wire<RevokeTokenResponse>> {
    const client = await loadClient(s, ClientId);
    if (client.secret && (!ClientSecret || !safeEqual(ClientSecret, client.secret)))
      throw new UnauthorizedException('Invalid client secret.');
    if (!client.enableTokenRevocation) throw new UnsupportedOperationException('Token revocation is not enabled for this client.');
    if (Token.split('.').length === 3) throw new UnsupportedTokenTypeException('Only refresh tokens can be revoked.');
    const fam = await s.store.getTokenFamilyByRefreshHash(sha256Hex(Token));
    if (!fam) return {};
    if (fam.clientId !== client.id) throw new UnauthorizedException('The token was not issued to this client.');
    await s.store.revokeTokenFamily(fam.originJti, s.clock.now());
    return {};
  },
});

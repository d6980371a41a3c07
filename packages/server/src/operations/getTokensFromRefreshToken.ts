import { operation, type Wire } from './types.js';
import { v, common } from '../protocol/validate.js';
import { loadClientPool } from './shared.js';
import { refreshTokens } from '../auth/flows/refresh.js';
import { NotAuthorizedException } from '../protocol/errors.js';
import { safeEqual } from '../security/secrets.js';
import type { Services } from '../services.js';
import type { GetTokensFromRefreshTokenResponse } from '@aws-sdk/client-cognito-identity-provider';

/** GetTokensFromRefreshToken (aws-amplify ≥ 6.14 refreshes with it). */
export const GetTokensFromRefreshToken = operation({
  auth: 'none',
  input: {
    RefreshToken: v.str({ required: true, min: 1, max: 4096 }),
    ClientId: common.clientId(),
    ClientSecret: v.str({ min: 1, max: 64 }),
    ClientMetadata: common.clientMetadata(),
    DeviceKey: v.str({ min: 1, max: 55 }),
  },
  async handle(s: Pick<Services, 'store' | 'clock' | 'tokens' | 'triggers'>, input): Promise<Wire<GetTokensFromRefreshTokenResponse>> {
    const { client, pool } = await loadClientPool(s, input.ClientId);
    if (client.secret && (!input.ClientSecret || !safeEqual(input.ClientSecret, client.secret)))
      throw new NotAuthorizedException(`Unable to verify secret for client ${client.id}`);
    const out = await refreshTokens(s, pool, client, input.RefreshToken, { clientSecretChecked: true, deviceKey: input.DeviceKey });
    return { AuthenticationResult: out.AuthenticationResult };
  },
});

import { operation, type Wire } from './types.js';
import { common } from '../protocol/validate.js';
import { authorizeAccessToken } from '../auth/accessToken.js';
import { setMfaPreference } from '../auth/mfaPreference.js';
import { mfaSettingsShape } from './poolShapes.js';
import type { Services } from '../services.js';
import type { SetUserMFAPreferenceResponse } from '@aws-sdk/client-cognito-identity-provider';

/** SetUserMFAPreference (AccessToken). @throws InvalidParameterException | NotAuthorizedException */
export const SetUserMFAPreference = operation({
  auth: 'none',
  input: { AccessToken: common.accessToken(), ...mfaSettingsShape },
  async handle(s: Pick<Services, 'store' | 'tokens' | 'clock'>, input): Promise<Wire<SetUserMFAPreferenceResponse>> {
    const { pool, user } = await authorizeAccessToken(s, input.AccessToken);
    await setMfaPreference(s, pool, user, input);
    return {};
  },
});

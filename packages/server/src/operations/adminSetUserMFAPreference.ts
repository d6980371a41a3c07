import { adminUserOperation } from './shared.js';
import { setMfaPreference } from '../auth/mfaPreference.js';
import { mfaSettingsShape } from './poolShapes.js';
import type { Services } from '../services.js';
import type { Wire } from './types.js';
import type { AdminSetUserMFAPreferenceResponse } from '@aws-sdk/client-cognito-identity-provider';

/** AdminSetUserMFAPreference (SigV4). @throws InvalidParameterException | UserNotFoundException | ResourceNotFoundException */
export const AdminSetUserMFAPreference = adminUserOperation(
  mfaSettingsShape,
  async (s: Pick<Services, 'store' | 'clock'>, pool, user, input): Promise<Wire<AdminSetUserMFAPreferenceResponse>> => {
    await setMfaPreference(s, pool, user, input);
    return {};
  },
);

import { adminUserOperation } from './shared.js';
import { common } from '../protocol/validate.js';
import { NotAuthorizedException } from '../protocol/errors.js';
import { runPostConfirmation } from '../triggers/signUp.js';
import { NO_CLIENT } from '../triggers/events.js';
import type { Services } from '../services.js';
import type { Wire } from './types.js';
import type { AdminConfirmSignUpResponse } from '@aws-sdk/client-cognito-identity-provider';

export const AdminConfirmSignUp = adminUserOperation(
  { ClientMetadata: common.clientMetadata() },
  async (s: Pick<Services, 'store' | 'clock' | 'triggers'>, pool, user, input): Promise<Wire<AdminConfirmSignUpResponse>> => {
    if (user.status !== 'UNCONFIRMED') throw new NotAuthorizedException(`User cannot be confirmed. Current status is ${user.status}`);
    await s.store.updateUser(pool.id, user.id, { status: 'CONFIRMED' }, s.clock.now());
    await runPostConfirmation(s, pool, 'PostConfirmation_ConfirmSignUp', NO_CLIENT, { ...user, status: 'CONFIRMED' }, input.ClientMetadata);
    return {};
  },
);

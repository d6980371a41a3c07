import { adminUserOperation } from './shared.js';
import { v, common } from '../protocol/validate.js';
import { assertPasswordPolicy, passwordSecret, userAttemptKey } from '../auth/password.js';
import type { Services } from '../services.js';
import type { Wire } from './types.js';
import { lifecycleEvent } from '../auth/events.js';
import type { AdminSetUserPasswordResponse } from '@aws-sdk/client-cognito-identity-provider';

/** AdminSetUserPassword: Permanent → CONFIRMED; otherwise the user must choose a new one at next sign-in. */
export const AdminSetUserPassword = adminUserOperation(
  { Password: common.password(), Permanent: v.bool() },
  async (s: Pick<Services, 'store' | 'clock' | 'box'>, pool, user, input): Promise<Wire<AdminSetUserPasswordResponse>> => {
    assertPasswordPolicy(pool, input.Password);
    const status = input.Permanent ? 'CONFIRMED' : 'FORCE_CHANGE_PASSWORD';
    const now = s.clock.now();
    const event = lifecycleEvent(s, pool, user, 'password.changed', { operation: 'AdminSetUserPassword', permanent: !!input.Permanent });
    await s.store.updateUser(pool.id, user.id, { ...passwordSecret(pool, user, input.Password, now), status }, now, undefined, [event]);
    await s.store.clearLoginAttempts(pool.id, [userAttemptKey(s, pool, user)]);
    return {};
  },
);

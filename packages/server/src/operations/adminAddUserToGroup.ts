import { adminUserOperation } from './shared.js';
import { groupName, groupNotFound } from './groupShapes.js';
import { LimitExceededException, UserNotFoundException } from '../protocol/errors.js';
import { FIXED } from '../config/defaults.js';
import type { Services } from '../services.js';
import type { NoOutput } from './types.js';

/**
 * Idempotent, as Cognito's: adding a member again succeeds. The user's next tokens (sign-in or refresh) carry it.
 * @throws ResourceNotFoundException | UserNotFoundException | LimitExceededException (a user is in at most 100 groups)
 */
export const AdminAddUserToGroup = adminUserOperation(
  { GroupName: groupName() },
  async (s: Pick<Services, 'store'>, pool, user, input): Promise<NoOutput> => {
    const outcome = await s.store.addUserToGroup(pool.id, input.GroupName, user.id, FIXED.maxGroupsPerUser.default);
    if (outcome === 'no-group') throw groupNotFound();
    if (outcome === 'no-user') throw new UserNotFoundException('User does not exist.');
    if (outcome === 'limit') throw new LimitExceededException('The user has reached the limit of groups they can belong to.');
    return {};
  },
);

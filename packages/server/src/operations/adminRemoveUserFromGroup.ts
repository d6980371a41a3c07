import { adminUserOperation } from './shared.js';
import { groupName, loadGroup } from './groupShapes.js';
import type { Services } from '../services.js';
import type { NoOutput } from './types.js';

/** Succeeds when the user was not a member, as Cognito's. @throws ResourceNotFoundException | UserNotFoundException */
export const AdminRemoveUserFromGroup = adminUserOperation(
  { GroupName: groupName() },
  async (s: Pick<Services, 'store'>, pool, user, input): Promise<NoOutput> => {
    await loadGroup(s, pool.id, input.GroupName);
    await s.store.removeUserFromGroup(pool.id, input.GroupName, user.id);
    return {};
  },
);

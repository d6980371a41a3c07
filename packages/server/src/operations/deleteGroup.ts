import { operation, type NoOutput } from './types.js';
import { loadPool } from './shared.js';
import { groupNotFound, groupShape } from './groupShapes.js';
import type { Services } from '../services.js';

/** Deletes the group and, in the same transaction, its memberships. @throws ResourceNotFoundException */
export const DeleteGroup = operation({
  auth: 'sigv4',
  input: groupShape,
  async handle(s: Pick<Services, 'store'>, input): Promise<NoOutput> {
    const pool = await loadPool(s, input.UserPoolId);
    if (!(await s.store.deleteGroup(pool.id, input.GroupName))) throw groupNotFound();
    return {};
  },
});

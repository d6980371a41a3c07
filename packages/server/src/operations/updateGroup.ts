import { operation, type Wire } from './types.js';
import { loadPool } from './shared.js';
import { describeGroup, groupNotFound, groupShape, groupSettingsShape } from './groupShapes.js';
import type { GroupPatch } from '../storage/store.js';
import type { Services } from '../services.js';
import type { UpdateGroupResponse } from '@aws-sdk/client-cognito-identity-provider';

/** Changes only the members given (absent ones stay as they are). @throws ResourceNotFoundException (pool, or "Group not found.") */
export const UpdateGroup = operation({
  auth: 'sigv4',
  input: { ...groupShape, ...groupSettingsShape },
  async handle(s: Pick<Services, 'store' | 'clock'>, input): Promise<Wire<UpdateGroupResponse>> {
    const pool = await loadPool(s, input.UserPoolId);
    const patch: GroupPatch = {};
    if (input.Description !== undefined) patch.description = input.Description;
    if (input.RoleArn !== undefined) patch.roleArn = input.RoleArn;
    if (input.Precedence !== undefined) patch.precedence = input.Precedence;
    const group = await s.store.updateGroup(pool.id, input.GroupName, patch, s.clock.now());
    if (!group) throw groupNotFound();
    return { Group: describeGroup(group) };
  },
});

import { operation, type Wire } from './types.js';
import { loadPool } from './shared.js';
import { describeGroup, groupShape, groupSettingsShape } from './groupShapes.js';
import { GroupExistsException, LimitExceededException } from '../protocol/errors.js';
import { FIXED } from '../config/defaults.js';
import type { Services } from '../services.js';
import type { CreateGroupResponse } from '@aws-sdk/client-cognito-identity-provider';

/** @throws ResourceNotFoundException | GroupExistsException | LimitExceededException (10,000 groups per pool) */
export const CreateGroup = operation({
  auth: 'sigv4',
  input: { ...groupShape, ...groupSettingsShape },
  async handle(s: Pick<Services, 'store' | 'clock'>, input): Promise<Wire<CreateGroupResponse>> {
    const pool = await loadPool(s, input.UserPoolId);
    const now = s.clock.now();
    const group = {
      poolId: pool.id,
      name: input.GroupName,
      description: input.Description ?? null,
      roleArn: input.RoleArn ?? null,
      precedence: input.Precedence ?? null,
      createdAt: now,
      updatedAt: now,
    };
    const outcome = await s.store.createGroup(group, FIXED.maxGroupsPerPool.default);
    if (outcome === 'exists') throw new GroupExistsException('A group with the name already exists.');
    if (outcome === 'limit') throw new LimitExceededException('The user pool has reached its limit of groups.');
    return { Group: describeGroup(group) };
  },
});

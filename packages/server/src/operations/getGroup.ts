import { operation, type Wire } from './types.js';
import { loadPool } from './shared.js';
import { describeGroup, groupShape, loadGroup } from './groupShapes.js';
import type { Services } from '../services.js';
import type { GetGroupResponse } from '@aws-sdk/client-cognito-identity-provider';

/** @throws ResourceNotFoundException (pool, or "Group not found.") */
export const GetGroup = operation({
  auth: 'sigv4',
  input: groupShape,
  async handle(s: Pick<Services, 'store'>, input): Promise<Wire<GetGroupResponse>> {
    const pool = await loadPool(s, input.UserPoolId);
    return { Group: describeGroup(await loadGroup(s, pool.id, input.GroupName)) };
  },
});

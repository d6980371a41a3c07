import type { GroupType } from '@aws-sdk/client-cognito-identity-provider';
import { v, common } from '../protocol/validate.js';
import { ResourceNotFoundException } from '../protocol/errors.js';
import type { GroupRecord } from '../storage/store.js';
import type { Services } from '../services.js';
import type { Wire } from './types.js';

/** Cognito's GroupName rule (the same characters as a username). */
export const groupName = () => v.str({ required: true, min: 1, max: 128, pattern: /^[\p{L}\p{M}\p{S}\p{N}\p{P}]+$/u });

/** Members CreateGroup and UpdateGroup share, with Cognito's limits (Precedence up to 2^31-1). */
export const groupSettingsShape = {
  Description: v.str({ max: 2048 }),
  RoleArn: v.str({
    min: 20,
    max: 2048,
    pattern: /^arn:[\w+=/,.@-]+:[\w+=/,.@-]+:([\w+=/,.@-]*)?:[0-9]+:[\w+=/,.@-]+(:[\w+=/,.@-]+)?(:[\w+=/,.@-]+)?$/,
  }),
  Precedence: v.int({ min: 0, max: 2_147_483_647 }),
};

/** The shape of one user-pool group request (GetGroup, DeleteGroup, ListUsersInGroup, …). */
export const groupShape = { UserPoolId: common.userPoolId(), GroupName: groupName() };

/** Group list pages: Cognito's 0..60 (0 and absent: 60). */
export const groupPageShape = { Limit: v.int({ min: 0, max: 60 }), NextToken: common.nextToken() };

const secs = (ms: number) => ms / 1000;

/** GroupType on the wire; members that are not set are left out, as Cognito does. */
export function describeGroup(g: GroupRecord): Wire<GroupType> {
  return {
    GroupName: g.name,
    UserPoolId: g.poolId,
    ...(g.description !== null ? { Description: g.description } : {}),
    ...(g.roleArn !== null ? { RoleArn: g.roleArn } : {}),
    ...(g.precedence !== null ? { Precedence: g.precedence } : {}),
    LastModifiedDate: secs(g.updatedAt),
    CreationDate: secs(g.createdAt),
  };
}

/** Cognito's answer for a group that does not exist. */
export const groupNotFound = () => new ResourceNotFoundException('Group not found.');

/** @throws ResourceNotFoundException "Group not found." */
export async function loadGroup(s: Pick<Services, 'store'>, poolId: string, name: string): Promise<GroupRecord> {
  const g = await s.store.getGroup(poolId, name);
  if (!g) throw groupNotFound();
  return g;
}

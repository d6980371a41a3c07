import { operation, type Wire } from './types.js';
import { decodePageToken, encodePageToken, loadPool } from './shared.js';
import { groupPageShape, groupShape, loadGroup } from './groupShapes.js';
import { describeUser } from '../domain/describe.js';
import type { Services } from '../services.js';
import type { ListUsersInGroupResponse } from '@aws-sdk/client-cognito-identity-provider';

/** The group's members by username, a page at a time. @throws ResourceNotFoundException | InvalidParameterException */
export const ListUsersInGroup = operation({
  auth: 'sigv4',
  input: { ...groupShape, ...groupPageShape },
  async handle(s: Pick<Services, 'store' | 'box'>, input): Promise<Wire<ListUsersInGroupResponse>> {
    const pool = await loadPool(s, input.UserPoolId);
    await loadGroup(s, pool.id, input.GroupName);
    const limit = input.Limit || 60;
    const scope = `group-users:${pool.id}:${input.GroupName}`;
    const after = input.NextToken ? decodePageToken<{ a: string }>(s, scope, input.NextToken).a : undefined;
    const rows = await s.store.listUsersInGroup(pool.id, input.GroupName, limit + 1, after);
    const page = rows.slice(0, limit);
    return {
      Users: page.map(describeUser),
      ...(rows.length > limit ? { NextToken: encodePageToken(s, scope, { a: page[page.length - 1]!.usernameKey }) } : {}),
    };
  },
});

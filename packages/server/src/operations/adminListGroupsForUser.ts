import { adminUserOperation, decodePageToken, encodePageToken } from './shared.js';
import { describeGroup, groupPageShape } from './groupShapes.js';
import type { Services } from '../services.js';
import type { Wire } from './types.js';
import type { AdminListGroupsForUserResponse } from '@aws-sdk/client-cognito-identity-provider';

/** The user's groups by name, a page at a time. @throws ResourceNotFoundException | UserNotFoundException | InvalidParameterException */
export const AdminListGroupsForUser = adminUserOperation(
  groupPageShape,
  async (s: Pick<Services, 'store' | 'box'>, pool, user, input): Promise<Wire<AdminListGroupsForUserResponse>> => {
    const limit = input.Limit || 60;
    const scope = `user-groups:${pool.id}:${user.id}`;
    const after = input.NextToken ? decodePageToken<{ a: string }>(s, scope, input.NextToken).a : undefined;
    const rows = await s.store.listGroupsForUser(pool.id, user.id, limit + 1, after);
    const page = rows.slice(0, limit);
    return {
      Groups: page.map(describeGroup),
      ...(rows.length > limit ? { NextToken: encodePageToken(s, scope, { a: page[page.length - 1]!.name }) } : {}),
    };
  },
);

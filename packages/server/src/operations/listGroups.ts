import { operation, type Wire } from './types.js';
import { common } from '../protocol/validate.js';
import { decodePageToken, encodePageToken, loadPool } from './shared.js';
import { describeGroup, groupPageShape } from './groupShapes.js';
import type { Services } from '../services.js';
import type { ListGroupsResponse } from '@aws-sdk/client-cognito-identity-provider';

/** The pool's groups by name, a page at a time. @throws ResourceNotFoundException | InvalidParameterException (page token) */
export const ListGroups = operation({
  auth: 'sigv4',
  input: { UserPoolId: common.userPoolId(), ...groupPageShape },
  async handle(s: Pick<Services, 'store' | 'box'>, input): Promise<Wire<ListGroupsResponse>> {
    const pool = await loadPool(s, input.UserPoolId);
    const limit = input.Limit || 60;
    const scope = `groups:${pool.id}`;
    const after = input.NextToken ? decodePageToken<{ a: string }>(s, scope, input.NextToken).a : undefined;
    const rows = await s.store.listGroups(pool.id, limit + 1, after);
    const page = rows.slice(0, limit);
    return {
      Groups: page.map(describeGroup),
      ...(rows.length > limit ? { NextToken: encodePageToken(s, scope, { a: page[page.length - 1]!.name }) } : {}),
    };
  },
});

import { operation, type Wire } from './types.js';
import { v, common } from '../protocol/validate.js';
import { decodePageToken, encodePageToken, loadPool } from './shared.js';
import { describeUser } from '../domain/describe.js';
import { InvalidParameterException } from '../protocol/errors.js';
import type { UserFilter } from '../storage/store.js';
import type { Services } from '../services.js';
import type { ListUsersResponse } from '@aws-sdk/client-cognito-identity-provider';

const FILTERABLE: Record<string, UserFilter['attribute']> = {
  username: 'username',
  email: 'email',
  sub: 'sub',
  'cognito:user_status': 'user_status',
  status: 'enabled',
};

/** Parses Cognito's filter syntax: `attribute = "value"` or `attribute ^= "value"`. */
export function parseFilter(filter: string): UserFilter {
  const m = /^\s*([\w:]+)\s*(\^?=)\s*"((?:[^"\\]|\\.)*)"\s*$/.exec(filter);
  const attribute = m ? FILTERABLE[m[1]!] : undefined;
  if (!m || !attribute)
    throw new InvalidParameterException('Invalid search filter: use username, email, sub, cognito:user_status or status with = or ^=');
  return { attribute, op: m[2] as '=' | '^=', value: m[3]!.replace(/\\(.)/g, '$1') };
}

export const ListUsers = operation({
  auth: 'sigv4',
  input: {
    UserPoolId: common.userPoolId(),
    AttributesToGet: v.list(v.str({ min: 1, max: 32 })),
    Limit: v.int({ min: 0, max: 60 }),
    PaginationToken: v.str({ min: 1, max: 131072, pattern: /^\S+$/ }),
    Filter: v.str({ max: 256 }),
  },
  async handle(s: Pick<Services, 'store' | 'box'>, input): Promise<Wire<ListUsersResponse>> {
    const pool = await loadPool(s, input.UserPoolId);
    const limit = input.Limit || 60;
    const filter = input.Filter ? parseFilter(input.Filter) : undefined;
    const scope = `users:${pool.id}:${input.Filter ?? ''}`;
    const after = input.PaginationToken ? decodePageToken<{ a: string }>(s, scope, input.PaginationToken).a : undefined;
    const rows = await s.store.listUsers(pool.id, limit + 1, after, filter);
    const page = rows.slice(0, limit);
    const users = page.map((u) => {
      const d = describeUser(u);
      return input.AttributesToGet ? { ...d, Attributes: d.Attributes.filter((a) => input.AttributesToGet!.includes(a.Name)) } : d;
    });
    return {
      Users: users,
      ...(rows.length > limit ? { PaginationToken: encodePageToken(s, scope, { a: page[page.length - 1]!.usernameKey }) } : {}),
    };
  },
});

import { operation, type Wire } from './types.js';
import { v, common } from '../protocol/validate.js';
import { decodePageToken, encodePageToken, loadPool } from './shared.js';
import { describeUser } from '../domain/describe.js';
import { InvalidParameterException } from '../protocol/errors.js';
import type { UserFilter } from '../storage/store.js';
import type { Services } from '../services.js';
import type { ListUsersResponse } from '@aws-sdk/client-cognito-identity-provider';

/** The attributes Cognito's ListUsers searches ("Custom attributes are not searchable"). */
const FILTERABLE: Record<string, UserFilter['attribute']> = {
  username: 'username',
  email: 'email',
  phone_number: 'phone_number',
  name: 'name',
  given_name: 'given_name',
  family_name: 'family_name',
  preferred_username: 'preferred_username',
  'cognito:user_status': 'user_status',
  status: 'enabled',
  sub: 'sub',
};

/**
 * Parses Cognito's filter syntax: `attribute = "value"` or `attribute ^= "value"` (quotes inside escaped).
 * @throws InvalidParameterException "Error while parsing filter." (Cognito's), or for an attribute it does not search.
 */
export function parseFilter(filter: string): UserFilter {
  const m = /^\s*([\w:]+)\s*(\^?=)\s*"((?:[^"\\]|\\.)*)"\s*$/.exec(filter);
  if (!m) throw new InvalidParameterException('Error while parsing filter.');
  const attribute = Object.hasOwn(FILTERABLE, m[1]!) ? FILTERABLE[m[1]!] : undefined;
  if (!attribute) throw new InvalidParameterException(`Invalid search attribute: ${m[1]}`);
  return { attribute, op: m[2] as '=' | '^=', value: m[3]!.replace(/\\(.)/g, '$1') };
}

/** ListUsers: pages in username order, with Cognito's filters and AttributesToGet. */
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
    const unknown = input.AttributesToGet?.find((n) => n !== 'sub' && !pool.attribute(n));
    if (unknown !== undefined) throw new InvalidParameterException(`One or more requested attributes do not exist: ${unknown}`);
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

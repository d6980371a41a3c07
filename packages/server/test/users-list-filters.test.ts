/**
 * ListUsers filters (issue 17 item 6), over the wire with the real AWS SDK v3 on SQLite and PostgreSQL: `=` and `^=`
 * on every attribute Cognito searches (username, email, phone_number, name, given_name, family_name,
 * preferred_username, cognito:user_status, status, sub), AttributesToGet, paging of a filtered listing, and
 * Cognito's errors for a filter it cannot parse or an attribute it does not search.
 */
import { describe, expect, it } from 'vitest';
import {
  AdminCreateUserCommand,
  AdminDisableUserCommand,
  ListUsersCommand,
  type UserType,
} from '@aws-sdk/client-cognito-identity-provider';
import { DIALECTS, useServerWithPool, type TestServer } from './helpers/harness.js';
import { expectServiceError } from './helpers/errors.js';
import { attr } from './helpers/latchkeyAdmin.js';

const PEOPLE: Record<string, Record<string, string>> = {
  ada: { given_name: 'Ada', family_name: 'Lovelace', name: 'Ada Lovelace', phone_number: '+441234567890', preferred_username: 'countess' },
  alan: { given_name: 'Alan', family_name: 'Turing', name: 'Alan Turing', phone_number: '+441234500000', preferred_username: 'bombe' },
  grace: { given_name: 'Grace', family_name: 'Hopper', name: 'Grace Hopper', phone_number: '+12025550100', preferred_username: 'co"b\\ol' },
  adele: {
    given_name: 'Adele',
    family_name: 'Goldberg',
    name: 'Adele Goldberg',
    phone_number: '+12025550199',
    preferred_username: 'smalltalk',
  },
};

describe.each(DIALECTS)('ListUsers filters on %s', (dialect) => {
  let srv: TestServer;
  let poolId: string;
  const subs: Record<string, string> = {};

  useServerWithPool(
    dialect,
    {
      pool: { schema: [{ Name: 'team', AttributeDataType: 'String' }] },
      setup: async (s, pool) => {
        poolId = pool.userPoolId;
        for (const [username, attrs] of Object.entries(PEOPLE)) {
          const r = await s.admin.send(
            new AdminCreateUserCommand({
              UserPoolId: poolId,
              Username: username,
              MessageAction: 'SUPPRESS',
              UserAttributes: Object.entries({ ...attrs, email: `${username}@example.com`, 'custom:team': 'core' }).map(
                ([Name, Value]) => ({
                  Name,
                  Value,
                }),
              ),
            }),
          );
          subs[username] = attr(r.User!.Attributes, 'sub')!;
        }
        await s.admin.send(new AdminDisableUserCommand({ UserPoolId: poolId, Username: 'grace' }));
      },
    },
    (s) => (srv = s),
  );

  const names = (users: UserType[] | undefined) => (users ?? []).map((u) => u.Username).sort();
  const list = (Filter?: string, extra: { Limit?: number; PaginationToken?: string; AttributesToGet?: string[] } = {}) =>
    srv.admin.send(new ListUsersCommand({ UserPoolId: poolId, Filter, ...extra }));
  const found = async (filter: string) => names((await list(filter)).Users);

  it('= and ^= on every searchable standard attribute', async () => {
    expect(await found('phone_number = "+441234567890"')).toEqual(['ada']);
    expect(await found('phone_number ^= "+44"')).toEqual(['ada', 'alan']);
    expect(await found('given_name = "Grace"')).toEqual(['grace']);
    expect(await found('given_name ^= "Ad"')).toEqual(['ada', 'adele']);
    expect(await found('family_name = "Turing"')).toEqual(['alan']);
    expect(await found('family_name ^= "Go"')).toEqual(['adele']);
    expect(await found('name = "Ada Lovelace"')).toEqual(['ada']);
    expect(await found('name ^= "A"')).toEqual(['ada', 'adele', 'alan']);
    expect(await found('preferred_username ^= "s"')).toEqual(['adele']);
    expect(await found('email = "alan@example.com"')).toEqual(['alan']);
    expect(await found('username ^= "ad"')).toEqual(['ada', 'adele']);
    expect(await found(`sub = "${subs.adele}"`)).toEqual(['adele']);
    expect(await found(`sub ^= "${subs.alan!.slice(0, 8)}"`)).toEqual(['alan']);
    expect(await found('given_name = "Nobody"')).toEqual([]);
  });

  it('cognito:user_status is case-insensitive; status (Enabled / Disabled) is case-sensitive', async () => {
    expect(await found('cognito:user_status = "FORCE_CHANGE_PASSWORD"')).toEqual(['ada', 'adele', 'alan', 'grace']);
    expect(await found('cognito:user_status = "force_change_password"')).toEqual(['ada', 'adele', 'alan', 'grace']);
    expect(await found('cognito:user_status = "CONFIRMED"')).toEqual([]);
    expect(await found('status = "Disabled"')).toEqual(['grace']);
    expect(await found('status ^= "En"')).toEqual(['ada', 'adele', 'alan']);
    expect(await found('status = "disabled"')).toEqual([]);
  });

  it('a value with a quote or a backslash, escaped in the filter, matches exactly', async () => {
    expect(await found('preferred_username = "co\\"b\\\\ol"')).toEqual(['grace']);
    expect(await found('preferred_username ^= "co\\"b"')).toEqual(['grace']);
    expect(await found('preferred_username = "co\\"b"')).toEqual([]);
  });

  it('AttributesToGet returns only the named attributes; a name outside the schema is refused', async () => {
    const r = await list('username = "ada"', { AttributesToGet: ['email', 'custom:team'] });
    expect(r.Users![0]!.Attributes!.map((a) => a.Name).sort()).toEqual(['custom:team', 'email']);
    const none = await list('username = "ada"', { AttributesToGet: [] });
    expect(none.Users![0]!.Attributes).toEqual([]);
    await expectServiceError(list(undefined, { AttributesToGet: ['custom:nope'] }), 'InvalidParameterException');
  });

  it('a filtered listing pages (Limit + PaginationToken) without repeats or skips', async () => {
    const first = await list('name ^= "A"', { Limit: 2 });
    expect(first.Users).toHaveLength(2);
    const second = await list('name ^= "A"', { Limit: 2, PaginationToken: first.PaginationToken });
    expect([...names(first.Users), ...names(second.Users)].sort()).toEqual(['ada', 'adele', 'alan']);
    expect(second.PaginationToken).toBeUndefined();
    // A token is bound to its filter.
    await expectServiceError(list('name ^= "G"', { Limit: 2, PaginationToken: first.PaginationToken }), 'InvalidParameterException');
  });

  it("Cognito's errors: a filter it cannot parse, a custom or unknown attribute", async () => {
    await expectServiceError(list('given_name = Ada'), 'InvalidParameterException', 'Error while parsing filter.');
    await expectServiceError(list('given_name != "Ada"'), 'InvalidParameterException', 'Error while parsing filter.');
    await expectServiceError(list('custom:team = "core"'), 'InvalidParameterException', 'Invalid search attribute: custom:team');
    await expectServiceError(list('nickname = "x"'), 'InvalidParameterException', 'Invalid search attribute: nickname');
    await expectServiceError(list('constructor = "x"'), 'InvalidParameterException', 'Invalid search attribute: constructor');
  });
});

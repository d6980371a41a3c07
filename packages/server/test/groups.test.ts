/**
 * Groups: every group operation through the real AWS SDK (shapes, limits, paging, every refusal), the group
 * claims in id and access tokens (verified with aws-jwt-verify) on sign-in and refresh, and the clean-up of
 * memberships when a group or a user is deleted. On SQLite and PostgreSQL.
 */
import { describe, expect, it } from 'vitest';
import {
  AdminAddUserToGroupCommand,
  AdminDeleteUserCommand,
  AdminListGroupsForUserCommand,
  AdminRemoveUserFromGroupCommand,
  CreateGroupCommand,
  DeleteGroupCommand,
  GetGroupCommand,
  GetTokensFromRefreshTokenCommand,
  ListGroupsCommand,
  ListUsersInGroupCommand,
  UpdateGroupCommand,
  type GroupType,
} from '@aws-sdk/client-cognito-identity-provider';
import { JwtVerifier } from 'aws-jwt-verify';
import { DIALECTS, useServerWithPool, type TestServer } from './helpers/harness.js';
import { createTestPool, type TestPool } from './helpers/pool.js';
import { expectServiceError } from './helpers/errors.js';
import { accessToken, createUser, passkeySignIn, passwordTokens, registerPasskey, type TestUser } from './helpers/latchkeyAdmin.js';
import { VirtualAuthenticator } from '@latchkey/virtual-authenticator';

const ROLE_A = 'arn:aws:iam::123456789012:role/ReadersRole';
const ROLE_B = 'arn:aws:iam::123456789012:role/WritersRole';

describe.each(DIALECTS)('groups on %s', (dialect) => {
  let server: TestServer;
  let pool: TestPool;
  let n = 0;
  const uniq = (p: string) => `${p}-${++n}`;
  useServerWithPool(dialect, {}, (s, p) => ([server, pool] = [s, p]));

  const create = (GroupName: string, extra: Partial<GroupType> = {}, UserPoolId = pool.userPoolId) =>
    server.admin.send(new CreateGroupCommand({ UserPoolId, GroupName, ...extra }));
  const add = (Username: string, GroupName: string) =>
    server.admin.send(new AdminAddUserToGroupCommand({ UserPoolId: pool.userPoolId, Username, GroupName }));
  async function groupsOf(Username: string) {
    const names: (string | undefined)[] = [];
    let NextToken: string | undefined;
    for (let page = 0; page < 10; page++) {
      const r = await server.admin.send(new AdminListGroupsForUserCommand({ UserPoolId: pool.userPoolId, Username, NextToken }));
      names.push(...r.Groups!.map((g) => g.GroupName));
      if (!(NextToken = r.NextToken)) break;
    }
    return names;
  }
  const membersOf = async (GroupName: string) =>
    (await server.admin.send(new ListUsersInGroupCommand({ UserPoolId: pool.userPoolId, GroupName }))).Users!.map((u) => u.Username);

  async function verifiedTokens(user: TestUser) {
    const t = await passwordTokens(server, pool.clientId, user);
    return { ...(await verify(t.AccessToken!, t.IdToken!)), refreshToken: t.RefreshToken! };
  }
  async function verify(accessToken: string, idToken: string) {
    const issuer = `${server.endpoint}/${pool.userPoolId}`;
    const jwksUri = `${issuer}/.well-known/jwks.json`;
    const jwks = await (await fetch(jwksUri)).json();
    const access = JwtVerifier.create({ issuer, audience: null, jwksUri });
    access.cacheJwks(jwks as never);
    const id = JwtVerifier.create({ issuer, audience: pool.clientId, jwksUri });
    id.cacheJwks(jwks as never);
    return {
      access: (await access.verify(accessToken, { tokenUse: 'access', clientId: pool.clientId } as never)) as Record<string, unknown>,
      id: (await id.verify(idToken, { tokenUse: 'id' } as never)) as Record<string, unknown>,
    };
  }

  it("CreateGroup / GetGroup: Cognito's GroupType (epoch seconds, unset members absent); a taken name: GroupExistsException", async () => {
    const name = uniq('admins');
    const before = Date.now() / 1000;
    const created = (await create(name, { Description: 'Administrators', RoleArn: ROLE_A, Precedence: 3 })).Group!;
    expect(created).toMatchObject({ GroupName: name, UserPoolId: pool.userPoolId, Description: 'Administrators', RoleArn: ROLE_A });
    expect(created.Precedence).toBe(3);
    expect(created.CreationDate).toBeInstanceOf(Date);
    expect(created.CreationDate!.getTime() / 1000).toBeGreaterThanOrEqual(Math.floor(before) - 1);
    const got = (await server.admin.send(new GetGroupCommand({ UserPoolId: pool.userPoolId, GroupName: name }))).Group!;
    expect(got).toEqual(created);
    const bare = (await create(uniq('bare'))).Group!;
    expect(Object.keys(bare).sort()).toEqual(['CreationDate', 'GroupName', 'LastModifiedDate', 'UserPoolId']);

    await expectServiceError(create(name), 'GroupExistsException', 'A group with the name already exists.');
    // Names are case-sensitive, as Cognito's.
    expect((await create(name.toUpperCase())).Group!.GroupName).toBe(name.toUpperCase());
  });

  it("every refusal: unknown pool and group, and Cognito's limits on each member", async () => {
    await expectServiceError(create('x', {}, 'us-east-1_nope'), 'ResourceNotFoundException');
    const missing = { UserPoolId: pool.userPoolId, GroupName: 'no-such-group' };
    await expectServiceError(server.admin.send(new GetGroupCommand(missing)), 'ResourceNotFoundException', 'Group not found.');
    await expectServiceError(server.admin.send(new UpdateGroupCommand(missing)), 'ResourceNotFoundException', 'Group not found.');
    await expectServiceError(server.admin.send(new DeleteGroupCommand(missing)), 'ResourceNotFoundException', 'Group not found.');
    await expectServiceError(server.admin.send(new ListUsersInGroupCommand(missing)), 'ResourceNotFoundException', 'Group not found.');
    const u = await createUser(server, pool);
    await expectServiceError(add(u.username, 'no-such-group'), 'ResourceNotFoundException', 'Group not found.');
    await expectServiceError(
      server.admin.send(new AdminRemoveUserFromGroupCommand({ ...missing, Username: u.username })),
      'ResourceNotFoundException',
      'Group not found.',
    );
    const g = uniq('g');
    await create(g);
    await expectServiceError(add('nobody-here', g), 'UserNotFoundException', 'User does not exist.');
    await expectServiceError(
      server.admin.send(new AdminListGroupsForUserCommand({ UserPoolId: pool.userPoolId, Username: 'nobody-here' })),
      'UserNotFoundException',
    );
    await expectServiceError(
      server.admin.send(new AdminRemoveUserFromGroupCommand({ UserPoolId: pool.userPoolId, Username: 'nobody-here', GroupName: g })),
      'UserNotFoundException',
    );

    const invalid = [
      () => create(''),
      () => create('x'.repeat(129)),
      () => create('has space'),
      () => create(uniq('d'), { Description: 'd'.repeat(2049) }),
      () => create(uniq('p'), { Precedence: -1 }),
      () => create(uniq('p'), { Precedence: 2 ** 31 }),
      () => create(uniq('r'), { RoleArn: 'not-an-arn-but-long-enough' }),
      () => server.admin.send(new ListGroupsCommand({ UserPoolId: pool.userPoolId, Limit: 61 })),
      () => server.admin.send(new ListGroupsCommand({ UserPoolId: pool.userPoolId, NextToken: 'forged.token' })),
      () => server.admin.send(new ListUsersInGroupCommand({ UserPoolId: pool.userPoolId, GroupName: g, Limit: -1 })),
    ];
    for (const call of invalid) await expectServiceError(call(), 'InvalidParameterException');
    expect((await server.admin.send(new ListGroupsCommand({ UserPoolId: pool.userPoolId, Limit: 1 }))).Groups).toHaveLength(1);
    // Edges that are allowed: 128 characters, symbols and letters of any script, 2048-character descriptions, 2^31-1.
    await create('é'.repeat(128), { Description: 'd'.repeat(2048), Precedence: 2 ** 31 - 1 });
    await create('admins:read/ünïcødé+€');
  });

  it('UpdateGroup changes only the members given; LastModifiedDate moves, CreationDate stays', async () => {
    const name = uniq('editors');
    const created = (await create(name, { Description: 'old', RoleArn: ROLE_A, Precedence: 5 })).Group!;
    server.clock.advance(5000);
    const upd = (extra: object) => server.admin.send(new UpdateGroupCommand({ UserPoolId: pool.userPoolId, GroupName: name, ...extra }));
    const a = (await upd({ Precedence: 1 })).Group!;
    expect(a).toMatchObject({ Description: 'old', RoleArn: ROLE_A, Precedence: 1 });
    expect(a.LastModifiedDate!.getTime()).toBeGreaterThan(created.LastModifiedDate!.getTime());
    expect(a.CreationDate).toEqual(created.CreationDate);
    const b = (await upd({ RoleArn: ROLE_B, Description: 'new' })).Group!;
    expect(b).toMatchObject({ Description: 'new', RoleArn: ROLE_B, Precedence: 1 });
    expect((await server.admin.send(new GetGroupCommand({ UserPoolId: pool.userPoolId, GroupName: name }))).Group).toEqual(b);
    await expectServiceError(upd({ RoleArn: 'short' }), 'InvalidParameterException');
  });

  it('ListGroups pages by name with NextToken (Limit 0 means 60); a token from another listing is refused', async () => {
    const { userPoolId: UserPoolId } = await createTestPool(server.admin);
    const names = Array.from({ length: 7 }, (_, i) => `grp-${String.fromCharCode(103 - i)}`);
    for (const GroupName of names) await server.admin.send(new CreateGroupCommand({ UserPoolId, GroupName }));
    const seen: string[] = [];
    let NextToken: string | undefined;
    let pages = 0;
    do {
      const r = await server.admin.send(new ListGroupsCommand({ UserPoolId, Limit: 3, NextToken }));
      expect(r.Groups!.length).toBeLessThanOrEqual(3);
      seen.push(...r.Groups!.map((g) => g.GroupName!));
      NextToken = r.NextToken;
    } while (NextToken && ++pages < 10);
    expect(seen).toEqual([...names].sort());
    const all = await server.admin.send(new ListGroupsCommand({ UserPoolId, Limit: 0 }));
    expect(all.Groups).toHaveLength(7);
    expect(all.NextToken).toBeUndefined();
    const first = await server.admin.send(new ListGroupsCommand({ UserPoolId, Limit: 1 }));
    await expectServiceError(
      server.admin.send(new ListGroupsCommand({ UserPoolId: pool.userPoolId, NextToken: first.NextToken })),
      'InvalidParameterException',
    );
  });

  it('memberships: add is idempotent, both listings page, remove, and AdminListGroupsForUser / ListUsersInGroup agree', async () => {
    const g = uniq('team');
    const others = [uniq('o1'), uniq('o2'), uniq('o3')];
    await create(g);
    for (const o of others) await create(o);
    const users = [await createUser(server, pool, 'm'), await createUser(server, pool, 'm'), await createUser(server, pool, 'm')];
    for (const u of users) await add(u.username, g);
    await add(users[0]!.username, g);
    for (const o of others) await add(users[0]!.username, o);

    const page1 = await server.admin.send(new ListUsersInGroupCommand({ UserPoolId: pool.userPoolId, GroupName: g, Limit: 2 }));
    expect(page1.Users).toHaveLength(2);
    const page2 = await server.admin.send(
      new ListUsersInGroupCommand({ UserPoolId: pool.userPoolId, GroupName: g, Limit: 2, NextToken: page1.NextToken }),
    );
    expect(page2.NextToken).toBeUndefined();
    expect([...page1.Users!, ...page2.Users!].map((u) => u.Username)).toEqual(users.map((u) => u.username).sort());
    expect(page1.Users![0]!.Attributes?.some((a) => a.Name === 'sub')).toBe(true);

    const mine = await server.admin.send(
      new AdminListGroupsForUserCommand({ UserPoolId: pool.userPoolId, Username: users[0]!.username, Limit: 3 }),
    );
    expect(mine.Groups).toHaveLength(3);
    const rest = await server.admin.send(
      new AdminListGroupsForUserCommand({ UserPoolId: pool.userPoolId, Username: users[0]!.username, NextToken: mine.NextToken }),
    );
    expect([...mine.Groups!, ...rest.Groups!].map((x) => x.GroupName)).toEqual([g, ...others].sort());

    await server.admin.send(
      new AdminRemoveUserFromGroupCommand({ UserPoolId: pool.userPoolId, Username: users[1]!.username, GroupName: g }),
    );
    // Removing a non-member succeeds, as Cognito's.
    await server.admin.send(
      new AdminRemoveUserFromGroupCommand({ UserPoolId: pool.userPoolId, Username: users[1]!.username, GroupName: g }),
    );
    expect(await membersOf(g)).toEqual([users[0]!.username, users[2]!.username].sort());
    expect(await groupsOf(users[1]!.username)).toEqual([]);
  });

  it('a user is in at most 100 groups: the 101st add is LimitExceededException; re-adding an existing one still succeeds', async () => {
    const u = await createUser(server, pool, 'many');
    const prefix = uniq('q');
    for (let i = 0; i <= 100; i++) await create(`${prefix}-${String(i).padStart(3, '0')}`);
    for (let i = 0; i < 100; i++) await add(u.username, `${prefix}-${String(i).padStart(3, '0')}`);
    await expectServiceError(add(u.username, `${prefix}-100`), 'LimitExceededException');
    await add(u.username, `${prefix}-000`);
    expect(await groupsOf(u.username)).toHaveLength(100);
  });

  it('tokens: cognito:groups in both by precedence (absent last, ties by name); cognito:roles, preferred_role (id token)', async () => {
    const u = await createUser(server, pool, 'claims');
    const none = await verifiedTokens(u);
    expect(none.id['cognito:groups']).toBeUndefined();
    expect(none.access['cognito:groups']).toBeUndefined();
    expect(none.id['cognito:roles']).toBeUndefined();

    const [low, high, unranked, tie] = [uniq('low'), uniq('high'), uniq('unranked'), uniq('tie')];
    await create(high, { Precedence: 10, RoleArn: ROLE_B });
    await create(low, { Precedence: 1, RoleArn: ROLE_A });
    await create(unranked);
    await create(tie, { Precedence: 10 });
    for (const g of [unranked, high, tie, low]) await add(u.username, g);
    const t = await verifiedTokens(u);
    const ordered = [low, ...[high, tie].sort(), unranked];
    expect(t.id['cognito:groups']).toEqual(ordered);
    expect(t.access['cognito:groups']).toEqual(ordered);
    expect(t.id['cognito:roles']).toEqual([ROLE_A, ROLE_B]);
    expect(t.id['cognito:preferred_role']).toBe(ROLE_A);
    expect(t.access['cognito:roles']).toBeUndefined();

    // A passkey sign-in reads the groups in the same statement as its Session and credential (Store.readPasskeySignIn):
    // the same claims, in the same order.
    const authenticator = new VirtualAuthenticator();
    await registerPasskey(server, await accessToken(server, pool.clientId, u), authenticator);
    const viaPasskey = (await passkeySignIn(server, server, pool.clientId, u.username, authenticator)).done.AuthenticationResult!;
    const p = await verify(viaPasskey.AccessToken!, viaPasskey.IdToken!);
    for (const claim of ['cognito:groups', 'cognito:roles', 'cognito:preferred_role'])
      expect({ claim, access: p.access[claim], id: p.id[claim] }).toEqual({ claim, access: t.access[claim], id: t.id[claim] });

    // Two groups of the strongest precedence with different roles: no preferred role (Cognito's rule).
    await server.admin.send(new UpdateGroupCommand({ UserPoolId: pool.userPoolId, GroupName: high, Precedence: 1 }));
    const tied = await verifiedTokens(u);
    expect(tied.id['cognito:preferred_role']).toBeUndefined();
    expect(tied.id['cognito:roles']).toEqual([ROLE_B, ROLE_A]); // the tie is broken by name: high-… before low-…

    // Refresh reads the current groups: a removal shows in the refreshed tokens of the same sign-in.
    await server.admin.send(new AdminRemoveUserFromGroupCommand({ UserPoolId: pool.userPoolId, Username: u.username, GroupName: low }));
    const r = (await server.client.send(new GetTokensFromRefreshTokenCommand({ ClientId: pool.clientId, RefreshToken: tied.refreshToken })))
      .AuthenticationResult!;
    const refreshed = await verify(r.AccessToken!, r.IdToken!);
    expect(refreshed.access['cognito:groups']).toEqual(
      [high, tie, unranked].sort((a, b) => (a === unranked ? 1 : b === unranked ? -1 : a < b ? -1 : 1)),
    );
    expect(refreshed.id['cognito:preferred_role']).toBe(ROLE_B);
    expect(refreshed.id['cognito:roles']).toEqual([ROLE_B]);
  });

  it('DeleteGroup and AdminDeleteUser remove the memberships: a group or user re-created with the same name starts empty', async () => {
    const g = uniq('temp');
    const keep = uniq('keep');
    await create(g);
    await create(keep);
    const u = await createUser(server, pool, 'del');
    const v = await createUser(server, pool, 'del');
    await add(u.username, g);
    await add(u.username, keep);
    await add(v.username, keep);
    await server.admin.send(new DeleteGroupCommand({ UserPoolId: pool.userPoolId, GroupName: g }));
    expect(await groupsOf(u.username)).toEqual([keep]);
    await create(g);
    expect(await membersOf(g)).toEqual([]);
    expect((await verifiedTokens(u)).id['cognito:groups']).toEqual([keep]);

    await server.admin.send(new AdminDeleteUserCommand({ UserPoolId: pool.userPoolId, Username: u.username }));
    expect(await membersOf(keep)).toEqual([v.username]);
  });
});

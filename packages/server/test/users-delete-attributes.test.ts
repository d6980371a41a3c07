/**
 * DeleteUserAttributes (token) and AdminDeleteUserAttributes (SigV4): attributes go, names the user does
 * not hold are no error, email takes email_verified and the email alias with it; sub, names outside the
 * schema, required and username attributes, and (for users) the verified flags are refused.
 * Over the wire with the real AWS SDK v3, on SQLite and PostgreSQL.
 */
import { describe, expect, it } from 'vitest';
import {
  AdminCreateUserCommand,
  AdminDeleteUserAttributesCommand,
  AdminGetUserCommand,
  AdminSetUserPasswordCommand,
  AdminUpdateUserAttributesCommand,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  DeleteUserAttributesCommand,
  GetUserCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { DIALECTS, useServerWithPool, type TestServer } from './helpers/harness.js';
import { createTestPool, type TestPool } from './helpers/pool.js';
import { expectServiceError } from './helpers/errors.js';
import { accessToken, attr, createUser, initiatePasswordAuth } from './helpers/latchkeyAdmin.js';

describe.each(DIALECTS)('users: delete attributes on %s', (dialect) => {
  let server: TestServer;
  let pool: TestPool;

  useServerWithPool(
    dialect,
    { pool: { aliasAttributes: ['email'], schema: [{ Name: 'team', AttributeDataType: 'String' }] } },
    (s, p) => ([server, pool] = [s, p]),
  );

  const adminAttrs = async (p: TestPool, username: string) =>
    (await server.admin.send(new AdminGetUserCommand({ UserPoolId: p.userPoolId, Username: username }))).UserAttributes ?? [];
  const del = (token: string, names: string[]) =>
    server.client.send(new DeleteUserAttributesCommand({ AccessToken: token, UserAttributeNames: names }));

  it('deletes attributes; names the user does not hold and an empty list are no error', async () => {
    const user = await createUser(server, pool, 'del');
    await server.admin.send(
      new AdminUpdateUserAttributesCommand({
        UserPoolId: pool.userPoolId,
        Username: user.username,
        UserAttributes: [
          { Name: 'given_name', Value: 'Ada' },
          { Name: 'custom:team', Value: 'core' },
        ],
      }),
    );
    const token = await accessToken(server, pool.clientId, user);
    const r = await del(token, ['given_name', 'custom:team', 'family_name']);
    expect(r.$metadata.httpStatusCode).toBe(200);
    await del(token, []);
    const me = await server.client.send(new GetUserCommand({ AccessToken: token }));
    expect(attr(me.UserAttributes, 'given_name')).toBeUndefined();
    expect(attr(me.UserAttributes, 'custom:team')).toBeUndefined();
    expect(attr(me.UserAttributes, 'sub')).toBe(user.sub);
  });

  it('deleting email drops email_verified and the email sign-in alias', async () => {
    const user = await createUser(server, pool, 'alias');
    const email = attr(await adminAttrs(pool, user.username), 'email')!;
    expect((await initiatePasswordAuth(server.client, pool.clientId, email, user.password)).AuthenticationResult).toBeTruthy();
    await del(await accessToken(server, pool.clientId, user), ['email']);
    const after = await adminAttrs(pool, user.username);
    expect(attr(after, 'email')).toBeUndefined();
    expect(attr(after, 'email_verified')).toBeUndefined();
    await expectServiceError(initiatePasswordAuth(server.client, pool.clientId, email, user.password), 'NotAuthorizedException');
    expect((await initiatePasswordAuth(server.client, pool.clientId, user.username, user.password)).AuthenticationResult).toBeTruthy();
  });

  it('refuses sub, names outside the schema and (for users) verified flags, changing nothing', async () => {
    const user = await createUser(server, pool, 'refuse');
    const token = await accessToken(server, pool.clientId, user);
    await expectServiceError(del(token, ['sub']), 'InvalidParameterException', 'Cannot modify an immutable attribute: sub');
    await expectServiceError(del(token, ['nonsense']), 'InvalidParameterException', 'Attribute does not exist in the schema.');
    await expectServiceError(del(token, ['email_verified']), 'InvalidParameterException', /non-mutable attribute email_verified/);
    // All or nothing: a refused name in the list keeps the others.
    await expectServiceError(del(token, ['email', 'sub']), 'InvalidParameterException');
    expect(attr(await adminAttrs(pool, user.username), 'email')).toBeTruthy();
    await expectServiceError(del('not.a.token', ['email']), 'NotAuthorizedException');
  });

  it('refuses required attributes and the username attribute (email-as-username pool)', async () => {
    const created = await server.admin.send(
      new CreateUserPoolCommand({
        PoolName: `req-${dialect}`,
        UsernameAttributes: ['email'],
        Schema: [{ Name: 'given_name', AttributeDataType: 'String', Required: true, Mutable: true }],
      }),
    );
    const userPoolId = created.UserPool!.Id!;
    const client = await server.admin.send(
      new CreateUserPoolClientCommand({
        UserPoolId: userPoolId,
        ClientName: 'c',
        ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
      }),
    );
    const p = { userPoolId, clientId: client.UserPoolClient!.ClientId! };
    const email = `req-${dialect}@example.com`;
    await server.admin.send(
      new AdminCreateUserCommand({
        UserPoolId: userPoolId,
        Username: email,
        MessageAction: 'SUPPRESS',
        UserAttributes: [
          { Name: 'email', Value: email },
          { Name: 'email_verified', Value: 'true' },
          { Name: 'given_name', Value: 'Ada' },
        ],
      }),
    );
    await server.admin.send(
      new AdminSetUserPasswordCommand({ UserPoolId: userPoolId, Username: email, Password: 'Passw0rd!X', Permanent: true }),
    );
    const token = await accessToken(server, p.clientId, { username: email, password: 'Passw0rd!X' });
    await expectServiceError(del(token, ['given_name']), 'InvalidParameterException', 'Cannot delete required attribute: given_name');
    await expectServiceError(del(token, ['email']), 'InvalidParameterException', 'Cannot delete the username attribute: email');
  });

  it('AdminDeleteUserAttributes: by username or alias, verified flags allowed; unknown user and unsigned calls refused', async () => {
    const user = await createUser(server, pool, 'admin');
    const email = attr(await adminAttrs(pool, user.username), 'email')!;
    await server.admin.send(
      new AdminDeleteUserAttributesCommand({ UserPoolId: pool.userPoolId, Username: email, UserAttributeNames: ['email_verified'] }),
    );
    const after = await adminAttrs(pool, user.username);
    expect(attr(after, 'email')).toBe(email);
    expect(attr(after, 'email_verified')).toBeUndefined();
    await expectServiceError(
      server.admin.send(
        new AdminDeleteUserAttributesCommand({ UserPoolId: pool.userPoolId, Username: 'nobody-here', UserAttributeNames: ['email'] }),
      ),
      'UserNotFoundException',
    );
    await expectServiceError(
      server.admin.send(
        new AdminDeleteUserAttributesCommand({ UserPoolId: pool.userPoolId, Username: user.username, UserAttributeNames: ['sub'] }),
      ),
      'InvalidParameterException',
    );
    await expectServiceError(
      server.client.send(
        new AdminDeleteUserAttributesCommand({ UserPoolId: pool.userPoolId, Username: user.username, UserAttributeNames: ['email'] }),
      ),
      'UnrecognizedClientException',
    );
  });
});

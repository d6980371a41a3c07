/**
 * Custom attributes and the pool schema (issue 17 item 3), over the wire with the real AWS SDK v3 on SQLite and
 * PostgreSQL: Schema at CreateUserPool and AddCustomAttributes (`custom:` / `dev:custom:`, String / Number, Mutable,
 * constraints), enforced in SignUp, AdminCreateUser, UpdateUserAttributes and AdminUpdateUserAttributes, and the app
 * client's ReadAttributes / WriteAttributes (GetUser and the id token show only what the client may read). Every
 * refusal is Cognito's error type.
 */
import { describe, expect, it } from 'vitest';
import {
  AddCustomAttributesCommand,
  AdminCreateUserCommand,
  AdminGetUserCommand,
  AdminUpdateUserAttributesCommand,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  DeleteUserAttributesCommand,
  DescribeUserPoolClientCommand,
  DescribeUserPoolCommand,
  GetUserCommand,
  SignUpCommand,
  UpdateUserAttributesCommand,
  UpdateUserPoolClientCommand,
  type AttributeType,
} from '@aws-sdk/client-cognito-identity-provider';
import { DIALECTS, useServerWithPool, type TestServer } from './helpers/harness.js';
import { expectServiceError } from './helpers/errors.js';
import { adminCreateConfirmedUser, attr, initiatePasswordAuth, PASSWORD } from './helpers/latchkeyAdmin.js';

let n = 0;
const uniq = (p: string) => `${p}${process.pid}x${++n}`;
const list = (o: Record<string, string>): AttributeType[] => Object.entries(o).map(([Name, Value]) => ({ Name, Value }));
const claims = (jwt: string) => JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString('utf8')) as Record<string, unknown>;

/** Cognito's standard attributes of a new pool, in DescribeUserPool's order. */
const STANDARD = [
  'sub',
  'name',
  'given_name',
  'family_name',
  'middle_name',
  'nickname',
  'preferred_username',
  'profile',
  'picture',
  'website',
  'email',
  'email_verified',
  'gender',
  'birthdate',
  'zoneinfo',
  'locale',
  'phone_number',
  'phone_number_verified',
  'address',
  'updated_at',
];

describe.each(DIALECTS)('pool schema and custom attributes on %s', (dialect) => {
  let srv: TestServer;
  let poolId: string;
  let open: string;
  let restricted: string;

  useServerWithPool(
    dialect,
    {
      setup: async (s) => {
        const pool = await s.admin.send(
          new CreateUserPoolCommand({
            PoolName: uniq('schema'),
            Policies: { PasswordPolicy: { MinimumLength: 8, RequireSymbols: false } },
            Schema: [
              { Name: 'team', AttributeDataType: 'String', StringAttributeConstraints: { MinLength: '2', MaxLength: '8' } },
              { Name: 'age', AttributeDataType: 'Number', NumberAttributeConstraints: { MinValue: '0', MaxValue: '150' } },
              { Name: 'tier', AttributeDataType: 'String', Mutable: false },
              { Name: 'secret', AttributeDataType: 'String', DeveloperOnlyAttribute: true },
            ],
          }),
        );
        poolId = pool.UserPool!.Id!;
        const flows = ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'] as const;
        open = (
          await s.admin.send(new CreateUserPoolClientCommand({ UserPoolId: poolId, ClientName: 'open', ExplicitAuthFlows: [...flows] }))
        ).UserPoolClient!.ClientId!;
        restricted = (
          await s.admin.send(
            new CreateUserPoolClientCommand({
              UserPoolId: poolId,
              ClientName: 'restricted',
              ExplicitAuthFlows: [...flows],
              ReadAttributes: ['email', 'email_verified', 'custom:team'],
              WriteAttributes: ['email', 'custom:team'],
            }),
          )
        ).UserPoolClient!.ClientId!;
      },
    },
    (s) => (srv = s),
  );

  const confirmed = async (attrs: Record<string, string> = {}) => {
    const username = uniq('u');
    await adminCreateConfirmedUser(srv.admin, poolId, username, PASSWORD);
    if (Object.keys(attrs).length)
      await srv.admin.send(new AdminUpdateUserAttributesCommand({ UserPoolId: poolId, Username: username, UserAttributes: list(attrs) }));
    return username;
  };
  const tokens = async (clientId: string, username: string) =>
    (await initiatePasswordAuth(srv.client, clientId, username)).AuthenticationResult!;
  const signUp = (attrs: Record<string, string>, clientId = open) =>
    srv.client.send(new SignUpCommand({ ClientId: clientId, Username: uniq('s'), Password: PASSWORD, UserAttributes: list(attrs) }));
  const update = (token: string, attrs: Record<string, string>) =>
    srv.client.send(new UpdateUserAttributesCommand({ AccessToken: token, UserAttributes: list(attrs) }));
  const adminUpdate = (username: string, attrs: Record<string, string>) =>
    srv.admin.send(new AdminUpdateUserAttributesCommand({ UserPoolId: poolId, Username: username, UserAttributes: list(attrs) }));
  const adminAttrs = async (username: string) =>
    (await srv.admin.send(new AdminGetUserCommand({ UserPoolId: poolId, Username: username }))).UserAttributes;

  describe('the schema as DescribeUserPool returns it', () => {
    it("lists Cognito's standard attributes with their shapes, then the custom ones as custom: / dev:custom:", async () => {
      const schema = (await srv.admin.send(new DescribeUserPoolCommand({ UserPoolId: poolId }))).UserPool!.SchemaAttributes!;
      expect(schema.map((a) => a.Name)).toEqual([...STANDARD, 'custom:team', 'custom:age', 'custom:tier', 'dev:custom:secret']);
      const byName = Object.fromEntries(schema.map((a) => [a.Name, a]));
      expect(byName.sub).toEqual({
        Name: 'sub',
        AttributeDataType: 'String',
        DeveloperOnlyAttribute: false,
        Mutable: false,
        Required: true,
        StringAttributeConstraints: { MinLength: '1', MaxLength: '2048' },
      });
      expect(byName.email_verified).toEqual({
        Name: 'email_verified',
        AttributeDataType: 'Boolean',
        DeveloperOnlyAttribute: false,
        Mutable: true,
        Required: false,
      });
      expect(byName.birthdate!.StringAttributeConstraints).toEqual({ MinLength: '10', MaxLength: '10' });
      expect(byName.updated_at).toMatchObject({ AttributeDataType: 'Number', NumberAttributeConstraints: { MinValue: '0' } });
      expect(byName['custom:team']).toEqual({
        Name: 'custom:team',
        AttributeDataType: 'String',
        DeveloperOnlyAttribute: false,
        Mutable: true,
        Required: false,
        StringAttributeConstraints: { MinLength: '2', MaxLength: '8' },
      });
      expect(byName['custom:age']!.NumberAttributeConstraints).toEqual({ MinValue: '0', MaxValue: '150' });
      expect(byName['custom:tier']!.Mutable).toBe(false);
      expect(byName['dev:custom:secret']!.DeveloperOnlyAttribute).toBe(true);
    });

    it('AddCustomAttributes appends attributes that are writable at once; a taken name or Required: true is refused', async () => {
      const name = `x${n++}`;
      await srv.admin.send(
        new AddCustomAttributesCommand({ UserPoolId: poolId, CustomAttributes: [{ Name: name, AttributeDataType: 'Number' }] }),
      );
      const schema = (await srv.admin.send(new DescribeUserPoolCommand({ UserPoolId: poolId }))).UserPool!.SchemaAttributes!;
      expect(schema.at(-1)).toEqual({
        Name: `custom:${name}`,
        AttributeDataType: 'Number',
        DeveloperOnlyAttribute: false,
        Mutable: true,
        Required: false,
        NumberAttributeConstraints: {},
      });
      const user = await confirmed({ [`custom:${name}`]: '42' });
      expect(attr(await adminAttrs(user), `custom:${name}`)).toBe('42');
      await expectServiceError(
        srv.admin.send(new AddCustomAttributesCommand({ UserPoolId: poolId, CustomAttributes: [{ Name: 'team' }] })),
        'InvalidParameterException',
        'Existing attribute already has name custom:team.',
      );
      await expectServiceError(
        srv.admin.send(new AddCustomAttributesCommand({ UserPoolId: poolId, CustomAttributes: [{ Name: 'req', Required: true }] })),
        'InvalidParameterException',
        'Required custom attributes are not supported currently.',
      );
      await expectServiceError(
        srv.admin.send(new AddCustomAttributesCommand({ UserPoolId: 'local_000000000', CustomAttributes: [{ Name: 'a' }] })),
        'ResourceNotFoundException',
      );
    });
  });

  describe('writes', () => {
    it('SignUp takes custom attributes within their constraints', async () => {
      const r = await signUp({ email: `${uniq('e')}@example.com`, 'custom:team': 'core', 'custom:age': '33', 'custom:tier': 'gold' });
      expect(r.UserSub).toBeTruthy();
    });

    it('refuses an unknown attribute, a number out of range, a string too short or too long (InvalidParameterException)', async () => {
      await expectServiceError(
        signUp({ 'custom:nope': 'x' }),
        'InvalidParameterException',
        'Attributes did not conform to the schema: custom:nope: Attribute does not exist in the schema.',
      );
      await expectServiceError(
        signUp({ 'custom:age': '151' }),
        'InvalidParameterException',
        /^Attributes did not conform to the schema: custom:age: /,
      );
      await expectServiceError(signUp({ 'custom:age': '-1' }), 'InvalidParameterException', /custom:age/);
      await expectServiceError(signUp({ 'custom:age': 'old' }), 'InvalidParameterException', /custom:age/);
      await expectServiceError(signUp({ 'custom:team': 'x' }), 'InvalidParameterException', /custom:team/);
      await expectServiceError(signUp({ 'custom:team': 'much-too-long' }), 'InvalidParameterException', /custom:team/);
      const user = await confirmed();
      const { AccessToken } = await tokens(open, user);
      await expectServiceError(
        update(AccessToken!, { 'custom:nope': 'x' }),
        'InvalidParameterException',
        'Attribute does not exist in the schema.',
      );
      await expectServiceError(update(AccessToken!, { 'custom:age': '1000' }), 'InvalidParameterException', /custom:age/);
      await expectServiceError(adminUpdate(user, { 'custom:age': '1000' }), 'InvalidParameterException', /custom:age/);
      await expectServiceError(
        adminUpdate(user, { 'custom:nope': 'x' }),
        'InvalidParameterException',
        'Attribute does not exist in the schema.',
      );
      expect(attr(await adminAttrs(user), 'custom:age')).toBeUndefined();
    });

    it('a non-mutable attribute is set at creation and never changed, by the user or an admin', async () => {
      const username = uniq('imm');
      await srv.admin.send(
        new AdminCreateUserCommand({
          UserPoolId: poolId,
          Username: username,
          MessageAction: 'SUPPRESS',
          UserAttributes: list({ 'custom:tier': 'gold' }),
        }),
      );
      expect(attr(await adminAttrs(username), 'custom:tier')).toBe('gold');
      await expectServiceError(
        adminUpdate(username, { 'custom:tier': 'lead' }),
        'InvalidParameterException',
        'Cannot modify the non-mutable attribute custom:tier',
      );
      const user = await confirmed();
      const { AccessToken } = await tokens(open, user);
      await expectServiceError(
        update(AccessToken!, { 'custom:tier': 'lead' }),
        'InvalidParameterException',
        'Cannot modify the non-mutable attribute custom:tier',
      );
      expect(attr(await adminAttrs(username), 'custom:tier')).toBe('gold');
    });

    it('a developer-only attribute: admins write and read it; users can neither write nor see it', async () => {
      const user = await confirmed({ 'dev:custom:secret': 's3' });
      expect(attr(await adminAttrs(user), 'dev:custom:secret')).toBe('s3');
      const { AccessToken, IdToken } = await tokens(open, user);
      const me = await srv.client.send(new GetUserCommand({ AccessToken: AccessToken! }));
      expect(attr(me.UserAttributes, 'dev:custom:secret')).toBeUndefined();
      expect(claims(IdToken!)['dev:custom:secret']).toBeUndefined();
      await expectServiceError(
        update(AccessToken!, { 'dev:custom:secret': 'mine' }),
        'NotAuthorizedException',
        'A client attempted to write unauthorized attribute',
      );
      await expectServiceError(
        signUp({ 'dev:custom:secret': 'mine' }),
        'NotAuthorizedException',
        'A client attempted to write unauthorized attribute',
      );
      expect(attr(await adminAttrs(user), 'dev:custom:secret')).toBe('s3');
    });
  });

  describe("the app client's ReadAttributes and WriteAttributes", () => {
    it('a client writes only its WriteAttributes (NotAuthorizedException otherwise), at SignUp and later', async () => {
      await expectServiceError(
        signUp({ given_name: 'Ada' }, restricted),
        'NotAuthorizedException',
        'A client attempted to write unauthorized attribute',
      );
      expect((await signUp({ email: `${uniq('r')}@example.com`, 'custom:team': 'ok' }, restricted)).UserSub).toBeTruthy();
      const user = await confirmed();
      const { AccessToken } = await tokens(restricted, user);
      await expectServiceError(
        update(AccessToken!, { given_name: 'Ada' }),
        'NotAuthorizedException',
        'A client attempted to write unauthorized attribute',
      );
      await expectServiceError(
        srv.client.send(new DeleteUserAttributesCommand({ AccessToken: AccessToken!, UserAttributeNames: ['given_name'] })),
        'NotAuthorizedException',
      );
      await update(AccessToken!, { 'custom:team': 'blue' });
      expect(attr(await adminAttrs(user), 'custom:team')).toBe('blue');
      expect(attr(await adminAttrs(user), 'given_name')).toBeUndefined();
    });

    it('GetUser and the id token carry only the ReadAttributes (and sub); another client sees everything', async () => {
      const user = await confirmed({ given_name: 'Ada', 'custom:team': 'core' });
      const narrow = await tokens(restricted, user);
      const me = await srv.client.send(new GetUserCommand({ AccessToken: narrow.AccessToken! }));
      expect(me.UserAttributes!.map((a) => a.Name).sort()).toEqual(['custom:team', 'email', 'email_verified', 'sub']);
      const c = claims(narrow.IdToken!);
      expect({ given_name: c.given_name, team: c['custom:team'], email: c.email }).toEqual({
        given_name: undefined,
        team: 'core',
        email: `${user}@example.com`,
      });
      const wide = await tokens(open, user);
      expect(claims(wide.IdToken!).given_name).toBe('Ada');
      const all = await srv.client.send(new GetUserCommand({ AccessToken: wide.AccessToken! }));
      expect(attr(all.UserAttributes, 'given_name')).toBe('Ada');
    });

    it('ReadAttributes / WriteAttributes must name schema attributes; DescribeUserPoolClient returns them', async () => {
      await expectServiceError(
        srv.admin.send(new CreateUserPoolClientCommand({ UserPoolId: poolId, ClientName: 'bad', ReadAttributes: ['custom:nope'] })),
        'InvalidParameterException',
        'Invalid read attributes specified while creating a client',
      );
      await expectServiceError(
        srv.admin.send(new UpdateUserPoolClientCommand({ UserPoolId: poolId, ClientId: restricted, WriteAttributes: ['custom:nope'] })),
        'InvalidParameterException',
        'Invalid write attributes specified while updating a client',
      );
      const d = await srv.admin.send(new DescribeUserPoolClientCommand({ UserPoolId: poolId, ClientId: restricted }));
      expect({ read: d.UserPoolClient!.ReadAttributes, write: d.UserPoolClient!.WriteAttributes }).toEqual({
        read: ['email', 'email_verified', 'custom:team'],
        write: ['email', 'custom:team'],
      });
    });
  });

  describe('required attributes', () => {
    it('a standard attribute the Schema makes Required must be given at SignUp and AdminCreateUser, and cannot be deleted', async () => {
      const pool = await srv.admin.send(
        new CreateUserPoolCommand({
          PoolName: uniq('req'),
          Policies: { PasswordPolicy: { MinimumLength: 8, RequireSymbols: false } },
          Schema: [{ Name: 'name', AttributeDataType: 'String', Required: true, Mutable: true }],
        }),
      );
      const id = pool.UserPool!.Id!;
      expect(pool.UserPool!.SchemaAttributes!.find((a) => a.Name === 'name')!.Required).toBe(true);
      const client = (
        await srv.admin.send(
          new CreateUserPoolClientCommand({
            UserPoolId: id,
            ClientName: 'c',
            ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
          }),
        )
      ).UserPoolClient!.ClientId!;
      await expectServiceError(
        srv.client.send(new SignUpCommand({ ClientId: client, Username: uniq('r'), Password: PASSWORD })),
        'InvalidParameterException',
        'Attributes did not conform to the schema: name: The attribute is required',
      );
      await expectServiceError(
        srv.admin.send(new AdminCreateUserCommand({ UserPoolId: id, Username: uniq('r'), MessageAction: 'SUPPRESS' })),
        'InvalidParameterException',
        'Attributes did not conform to the schema: name: The attribute is required',
      );
      const username = uniq('r');
      await srv.admin.send(
        new AdminCreateUserCommand({
          UserPoolId: id,
          Username: username,
          MessageAction: 'SUPPRESS',
          UserAttributes: list({ name: 'Ada' }),
        }),
      );
      await expectServiceError(
        srv.admin.send(new AdminUpdateUserAttributesCommand({ UserPoolId: id, Username: username, UserAttributes: list({ name: '' }) })),
        'InvalidParameterException',
        'Attributes did not conform to the schema: name: The attribute is required',
      );
    });
  });
});

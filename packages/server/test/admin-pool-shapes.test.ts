/**
 * Complete pool shapes and the operations infrastructure tools call on every deploy (issue 17 items 5 and 9), over
 * the wire with the real AWS SDK v3 on SQLite and PostgreSQL: CreateUserPool / DescribeUserPool return the members
 * Cognito returns for a new pool; the tag operations keep UserPoolTags; DescribeUserPoolDomain,
 * DescribeRiskConfiguration and GetLogDeliveryConfiguration answer as Cognito does for a pool with none.
 */
import { describe, expect, it } from 'vitest';
import {
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  DescribeRiskConfigurationCommand,
  DescribeUserPoolCommand,
  DescribeUserPoolDomainCommand,
  GetLogDeliveryConfigurationCommand,
  ListTagsForResourceCommand,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateUserPoolCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { DIALECTS, useServerWithPool, type TestServer } from './helpers/harness.js';
import { expectServiceError } from './helpers/errors.js';

let n = 0;
const uniq = (p: string) => `${p}${process.pid}x${++n}`;

describe.each(DIALECTS)('pool shapes and deploy-time operations on %s', (dialect) => {
  let srv: TestServer;
  useServerWithPool(dialect, {}, (s) => (srv = s));

  const create = async (extra: object = {}) =>
    (await srv.admin.send(new CreateUserPoolCommand({ PoolName: uniq('shape'), ...extra }))).UserPool!;

  it("a new pool's CreateUserPool answer has Cognito's defaults, and DescribeUserPool returns the same", async () => {
    const pool = await create();
    expect(pool.Arn).toBe(`arn:aws:cognito-idp:${srv.services.config.region}:000000000000:userpool/${pool.Id}`);
    expect(pool).toMatchObject({
      AdminCreateUserConfig: { AllowAdminCreateUserOnly: false, UnusedAccountValidityDays: 7 },
      EmailConfiguration: { EmailSendingAccount: 'COGNITO_DEFAULT' },
      VerificationMessageTemplate: { DefaultEmailOption: 'CONFIRM_WITH_CODE' },
      AccountRecoverySetting: {
        RecoveryMechanisms: [
          { Priority: 1, Name: 'verified_email' },
          { Priority: 2, Name: 'verified_phone_number' },
        ],
      },
      UsernameConfiguration: { CaseSensitive: false },
      UserAttributeUpdateSettings: { AttributesRequireVerificationBeforeUpdate: [] },
      LambdaConfig: {},
      UserPoolTags: {},
      EstimatedNumberOfUsers: 0,
      MfaConfiguration: 'OFF',
      DeletionProtection: 'INACTIVE',
    });
    expect(pool.SchemaAttributes).toHaveLength(20);
    expect(pool.Domain).toBeUndefined();
    expect(pool.CreationDate).toBeInstanceOf(Date);
    const described = (await srv.admin.send(new DescribeUserPoolCommand({ UserPoolId: pool.Id }))).UserPool;
    expect(described).toEqual(pool);
  });

  it('given members are kept over the defaults', async () => {
    const pool = await create({
      AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
      VerificationMessageTemplate: { DefaultEmailOption: 'CONFIRM_WITH_LINK' },
      AccountRecoverySetting: { RecoveryMechanisms: [{ Priority: 1, Name: 'verified_phone_number' }] },
      AutoVerifiedAttributes: ['email'],
      UserAttributeUpdateSettings: { AttributesRequireVerificationBeforeUpdate: ['email'] },
    });
    expect(pool.AdminCreateUserConfig).toEqual({ AllowAdminCreateUserOnly: true, UnusedAccountValidityDays: 7 });
    expect(pool.VerificationMessageTemplate).toEqual({ DefaultEmailOption: 'CONFIRM_WITH_LINK' });
    expect(pool.AccountRecoverySetting).toEqual({ RecoveryMechanisms: [{ Priority: 1, Name: 'verified_phone_number' }] });
    expect(pool.UserAttributeUpdateSettings).toEqual({ AttributesRequireVerificationBeforeUpdate: ['email'] });
  });

  it('TagResource, ListTagsForResource and UntagResource work on the pool ARN (its UserPoolTags)', async () => {
    const pool = await create({ UserPoolTags: { team: 'auth' } });
    const arn = pool.Arn!;
    expect((await srv.admin.send(new ListTagsForResourceCommand({ ResourceArn: arn }))).Tags).toEqual({ team: 'auth' });
    await srv.admin.send(new TagResourceCommand({ ResourceArn: arn, Tags: { env: 'prod', team: 'identity' } }));
    expect((await srv.admin.send(new ListTagsForResourceCommand({ ResourceArn: arn }))).Tags).toEqual({ team: 'identity', env: 'prod' });
    await srv.admin.send(new UntagResourceCommand({ ResourceArn: arn, TagKeys: ['team', 'never-set'] }));
    expect((await srv.admin.send(new ListTagsForResourceCommand({ ResourceArn: arn }))).Tags).toEqual({ env: 'prod' });
    expect((await srv.admin.send(new DescribeUserPoolCommand({ UserPoolId: pool.Id }))).UserPool!.UserPoolTags).toEqual({ env: 'prod' });
    const bare = await create();
    expect((await srv.admin.send(new ListTagsForResourceCommand({ ResourceArn: bare.Arn }))).Tags).toEqual({});
  });

  it('tag operations refuse an unknown pool (ResourceNotFoundException), a non-pool ARN and more than 50 tags', async () => {
    const pool = await create();
    await expectServiceError(
      srv.admin.send(new ListTagsForResourceCommand({ ResourceArn: pool.Arn!.replace(pool.Id!, 'local_000000000') })),
      'ResourceNotFoundException',
    );
    await expectServiceError(
      srv.admin.send(new ListTagsForResourceCommand({ ResourceArn: 'arn:aws:s3:::some-bucket-name-here' })),
      'InvalidParameterException',
    );
    const many = Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`k${i}`, 'v']));
    await srv.admin.send(new TagResourceCommand({ ResourceArn: pool.Arn, Tags: many }));
    const more = Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`m${i}`, 'v']));
    await expectServiceError(srv.admin.send(new TagResourceCommand({ ResourceArn: pool.Arn, Tags: more })), 'InvalidParameterException');
    expect(Object.keys((await srv.admin.send(new ListTagsForResourceCommand({ ResourceArn: pool.Arn }))).Tags!)).toHaveLength(30);
  });

  it('UpdateUserPool keeps custom attributes (the schema is creation-time, extended only by AddCustomAttributes)', async () => {
    const pool = await create({ Schema: [{ Name: 'team', AttributeDataType: 'String' }] });
    await srv.admin.send(new UpdateUserPoolCommand({ UserPoolId: pool.Id }));
    const after = (await srv.admin.send(new DescribeUserPoolCommand({ UserPoolId: pool.Id }))).UserPool!;
    expect(after.SchemaAttributes!.map((a) => a.Name)).toContain('custom:team');
  });

  it('DescribeUserPoolDomain of a domain nobody has: an empty DomainDescription, as Cognito answers', async () => {
    const r = await srv.admin.send(new DescribeUserPoolDomainCommand({ Domain: uniq('my-app-') }));
    expect(r.DomainDescription).toEqual({});
  });

  it('DescribeRiskConfiguration and GetLogDeliveryConfiguration: a pool (and client) with none', async () => {
    const pool = await create();
    expect((await srv.admin.send(new DescribeRiskConfigurationCommand({ UserPoolId: pool.Id }))).RiskConfiguration).toEqual({
      UserPoolId: pool.Id,
    });
    const client = await srv.admin.send(new CreateUserPoolClientCommand({ UserPoolId: pool.Id, ClientName: 'c' }));
    const ClientId = client.UserPoolClient!.ClientId!;
    expect((await srv.admin.send(new DescribeRiskConfigurationCommand({ UserPoolId: pool.Id, ClientId }))).RiskConfiguration).toEqual({
      UserPoolId: pool.Id,
      ClientId,
    });
    expect((await srv.admin.send(new GetLogDeliveryConfigurationCommand({ UserPoolId: pool.Id }))).LogDeliveryConfiguration).toEqual({
      UserPoolId: pool.Id,
      LogConfigurations: [],
    });
    await expectServiceError(
      srv.admin.send(new DescribeRiskConfigurationCommand({ UserPoolId: 'local_000000000' })),
      'ResourceNotFoundException',
    );
    await expectServiceError(
      srv.admin.send(new GetLogDeliveryConfigurationCommand({ UserPoolId: 'local_000000000' })),
      'ResourceNotFoundException',
    );
  });
});

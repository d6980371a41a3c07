import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Amplify } from 'aws-amplify';
import { confirmUserAttribute, fetchUserAttributes, signIn, signOut, updateUserAttributes } from 'aws-amplify/auth';
import { CreateUserPoolClientCommand, CreateUserPoolCommand } from '@aws-sdk/client-cognito-identity-provider';
import { DIALECTS, startTestServer, type TestServer } from './helpers/harness.js';
import { adminCreateConfirmedUser, outboxCode, PASSWORD } from './helpers/latchkeyAdmin.js';

// The real, unmodified aws-amplify v6: a changed email that waits for verification
// (AttributesRequireVerificationBeforeUpdate) and custom attributes, on both dialects.
describe.each(DIALECTS)('aws-amplify attribute updates on %s', (dialect) => {
  let server: TestServer;
  let poolId: string;

  beforeAll(async () => {
    server = await startTestServer(dialect);
    const pool = await server.admin.send(
      new CreateUserPoolCommand({
        PoolName: `amplify-attrs-${dialect}`,
        Policies: { PasswordPolicy: { MinimumLength: 8, RequireSymbols: false } },
        AliasAttributes: ['email'],
        AutoVerifiedAttributes: ['email'],
        UserAttributeUpdateSettings: { AttributesRequireVerificationBeforeUpdate: ['email'] },
        Schema: [{ Name: 'team', AttributeDataType: 'String', StringAttributeConstraints: { MaxLength: '8' } }],
      }),
    );
    poolId = pool.UserPool!.Id!;
    const client = await server.admin.send(
      new CreateUserPoolClientCommand({
        UserPoolId: poolId,
        ClientName: 'web',
        ExplicitAuthFlows: ['ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
      }),
    );
    Amplify.configure({
      Auth: {
        Cognito: { userPoolId: poolId, userPoolClientId: client.UserPoolClient!.ClientId!, userPoolEndpoint: server.endpoint + '/' },
      },
    });
  });
  afterAll(async () => {
    await signOut().catch(() => undefined);
    await server.stop();
  });

  it('updateUserAttributes(email) → CONFIRM_ATTRIBUTE_WITH_CODE; the old email signs in until confirmUserAttribute', async () => {
    const username = `amy${dialect}`;
    const email = `${username}@example.com`;
    await adminCreateConfirmedUser(server.admin, poolId, username, PASSWORD, email);
    expect((await signIn({ username: email, password: PASSWORD })).isSignedIn).toBe(true);

    const next = `new-${email}`;
    const out = await updateUserAttributes({ userAttributes: { email: next, 'custom:team': 'core' } });
    expect(out['custom:team']).toMatchObject({ isUpdated: true, nextStep: { updateAttributeStep: 'DONE' } });
    expect(out.email).toMatchObject({
      isUpdated: false,
      nextStep: {
        updateAttributeStep: 'CONFIRM_ATTRIBUTE_WITH_CODE',
        codeDeliveryDetails: { attributeName: 'email', deliveryMedium: 'EMAIL' },
      },
    });
    expect(await fetchUserAttributes()).toMatchObject({ email, email_verified: 'true', 'custom:team': 'core' });

    await signOut();
    expect((await signIn({ username: email, password: PASSWORD })).isSignedIn).toBe(true);
    await expect(updateUserAttributes({ userAttributes: { 'custom:team': 'far-too-long' } })).rejects.toMatchObject({
      name: 'InvalidParameterException',
    });
    await expect(updateUserAttributes({ userAttributes: { 'custom:nope': 'x' } })).rejects.toMatchObject({
      name: 'InvalidParameterException',
    });

    await confirmUserAttribute({ userAttributeKey: 'email', confirmationCode: await outboxCode(server, poolId, next) });
    expect(await fetchUserAttributes()).toMatchObject({ email: next, email_verified: 'true' });
    await signOut();
    await expect(signIn({ username: email, password: PASSWORD })).rejects.toMatchObject({ name: 'NotAuthorizedException' });
    expect((await signIn({ username: next, password: PASSWORD })).isSignedIn).toBe(true);
  });
});

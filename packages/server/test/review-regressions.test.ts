import { describe, expect, it } from 'vitest';
import {
  AdminCreateUserCommand,
  AdminUpdateUserAttributesCommand,
  DeleteUserPoolClientCommand,
  GetUserAttributeVerificationCodeCommand,
  GetUserCommand,
  InitiateAuthCommand,
  RespondToAuthChallengeCommand,
  VerifyUserAttributeCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { DIALECTS, useServerWithPool, type TestServer } from './helpers/harness.js';
import { createTestPool, type TestPool } from './helpers/pool.js';
import { accessToken, createUser, outboxCode } from './helpers/latchkeyAdmin.js';
import { expectServiceError } from './helpers/errors.js';

// Regressions for defects found in review: each would fail on the code before its fix.
describe.each(DIALECTS)('review regressions on %s', (dialect) => {
  let srv: TestServer;
  let pool: TestPool;
  useServerWithPool(dialect, { pool: { aliasAttributes: ['email'] } }, (s, p) => {
    srv = s;
    pool = p;
  });

  it('DeleteUserPoolClient with another pool id touches nothing of the client or its sign-ins', async () => {
    const other = await createTestPool(srv.admin);
    const user = await createUser(srv, other);
    const token = await accessToken(srv, other.clientId, user);
    await expectServiceError(
      srv.admin.send(new DeleteUserPoolClientCommand({ UserPoolId: pool.userPoolId, ClientId: other.clientId })),
      'ResourceNotFoundException',
    );
    const me = await srv.client.send(new GetUserCommand({ AccessToken: token }));
    expect(me.Username).toBe(user.username);
  });

  it('a verification code sent to one address cannot verify another', async () => {
    const user = await createUser(srv, pool, 'addr');
    const token = await accessToken(srv, pool.clientId, user);
    const first = `${user.username}@example.com`;
    await srv.client.send(new GetUserAttributeVerificationCodeCommand({ AccessToken: token, AttributeName: 'email' }));
    const code = await outboxCode(srv, pool.userPoolId, first);
    // An admin changes the address without a new code being sent.
    await srv.admin.send(
      new AdminUpdateUserAttributesCommand({
        UserPoolId: pool.userPoolId,
        Username: user.username,
        UserAttributes: [{ Name: 'email', Value: `moved-${first}` }],
      }),
    );
    await expectServiceError(
      srv.client.send(new VerifyUserAttributeCommand({ AccessToken: token, AttributeName: 'email', Code: code })),
      'CodeMismatchException',
    );
  });

  it("NEW_PASSWORD_REQUIRED cannot claim another user's email alias: the changed email is unverified and the alias stays with its holder", async () => {
    const holder = await createUser(srv, pool, 'holder');
    const holderEmail = `${holder.username}@example.com`;
    const name = `temp-${Date.now()}`;
    await srv.admin.send(
      new AdminCreateUserCommand({
        UserPoolId: pool.userPoolId,
        Username: name,
        MessageAction: 'SUPPRESS',
        TemporaryPassword: 'Temp-Passw0rd',
        UserAttributes: [
          { Name: 'email', Value: `${name}@example.com` },
          { Name: 'email_verified', Value: 'true' },
        ],
      }),
    );
    const challenge = await srv.client.send(
      new InitiateAuthCommand({
        ClientId: pool.clientId,
        AuthFlow: 'USER_PASSWORD_AUTH',
        AuthParameters: { USERNAME: name, PASSWORD: 'Temp-Passw0rd' },
      }),
    );
    expect(challenge.ChallengeName).toBe('NEW_PASSWORD_REQUIRED');
    const done = await srv.client.send(
      new RespondToAuthChallengeCommand({
        ClientId: pool.clientId,
        ChallengeName: 'NEW_PASSWORD_REQUIRED',
        Session: challenge.Session,
        ChallengeResponses: { USERNAME: name, NEW_PASSWORD: 'NewPassw0rdX', 'userAttributes.email': holderEmail },
      }),
    );
    const me = await srv.client.send(new GetUserCommand({ AccessToken: done.AuthenticationResult!.AccessToken! }));
    expect(me.UserAttributes?.find((a) => a.Name === 'email')?.Value).toBe(holderEmail);
    expect(me.UserAttributes?.find((a) => a.Name === 'email_verified')?.Value).toBe('false');
    // Signing in with that email still reaches the holder, not the newcomer.
    const byEmail = await accessToken(srv, pool.clientId, { username: holderEmail, password: holder.password });
    expect((await srv.client.send(new GetUserCommand({ AccessToken: byEmail }))).Username).toBe(holder.username);
  });
});

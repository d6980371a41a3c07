/**
 * AdminResetUserPassword over the wire with the real AWS SDK v3 on SQLite and PostgreSQL: the password stops working
 * (PasswordResetRequiredException), a reset code goes to the verified email and ConfirmForgotPassword with it sets a
 * new password; unconfirmed users and users with nothing verified are refused.
 */
import { describe, expect, it } from 'vitest';
import {
  AdminCreateUserCommand,
  AdminGetUserCommand,
  AdminResetUserPasswordCommand,
  ConfirmForgotPasswordCommand,
  SignUpCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { DIALECTS, useServerWithPool, type TestServer } from './helpers/harness.js';
import type { TestPool } from './helpers/pool.js';
import { expectServiceError } from './helpers/errors.js';
import { createUser, initiatePasswordAuth, outboxCode, PASSWORD } from './helpers/latchkeyAdmin.js';

let n = 0;

describe.each(DIALECTS)('AdminResetUserPassword on %s', (dialect) => {
  let srv: TestServer;
  let pool: TestPool;
  useServerWithPool(dialect, {}, (s, p) => ([srv, pool] = [s, p]));

  const reset = (Username: string) => srv.admin.send(new AdminResetUserPasswordCommand({ UserPoolId: pool.userPoolId, Username }));

  it('RESET_REQUIRED: the old password is refused; the emailed code and ConfirmForgotPassword set a new one', async () => {
    const user = await createUser(srv, pool, 'reset');
    expect((await reset(user.username)).$metadata.httpStatusCode).toBe(200);
    const got = await srv.admin.send(new AdminGetUserCommand({ UserPoolId: pool.userPoolId, Username: user.username }));
    expect(got.UserStatus).toBe('RESET_REQUIRED');
    await expectServiceError(initiatePasswordAuth(srv.client, pool.clientId, user.username), 'PasswordResetRequiredException');
    const code = await outboxCode(srv, pool.userPoolId, `${user.username}@example.com`);
    const fresh = 'N3w-Passw0rd';
    await srv.client.send(
      new ConfirmForgotPasswordCommand({ ClientId: pool.clientId, Username: user.username, ConfirmationCode: code, Password: fresh }),
    );
    expect((await initiatePasswordAuth(srv.client, pool.clientId, user.username, fresh)).AuthenticationResult).toBeTruthy();
    await expectServiceError(initiatePasswordAuth(srv.client, pool.clientId, user.username, PASSWORD), 'NotAuthorizedException');
  });

  it('refuses an unconfirmed user (NotAuthorizedException) and one with nothing verified (InvalidParameterException)', async () => {
    const unconfirmed = `unconf${process.pid}x${++n}`;
    await srv.client.send(
      new SignUpCommand({
        ClientId: pool.clientId,
        Username: unconfirmed,
        Password: PASSWORD,
        UserAttributes: [{ Name: 'email', Value: `${unconfirmed}@example.com` }],
      }),
    );
    await expectServiceError(reset(unconfirmed), 'NotAuthorizedException', 'User password cannot be reset in the current state.');
    const bare = `bare${process.pid}x${++n}`;
    await srv.admin.send(new AdminCreateUserCommand({ UserPoolId: pool.userPoolId, Username: bare, MessageAction: 'SUPPRESS' }));
    await expectServiceError(reset(bare), 'InvalidParameterException');
    await expectServiceError(reset('nobody-here'), 'UserNotFoundException');
  });
});

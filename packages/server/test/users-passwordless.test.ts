/**
 * Passwordless sign-up (issue 12, item 8): SignUp without a Password where the pool allows a passwordless
 * first factor, ConfirmSignUp's Session and InitiateAuth USER_AUTH with it (tokens, no second code):
 * single use (also in parallel), bound to client and user, expiring with AuthSessionValidity; the user
 * has no password until AdminSetUserPassword or ChangePassword (without PreviousPassword) gives one.
 * Over the wire with the real AWS SDK v3, on SQLite and PostgreSQL.
 */
import { describe, expect, it } from 'vitest';
import {
  AdminGetUserCommand,
  AdminSetUserPasswordCommand,
  AdminUserGlobalSignOutCommand,
  ChangePasswordCommand,
  ConfirmSignUpCommand,
  GetUserAuthFactorsCommand,
  InitiateAuthCommand,
  RespondToAuthChallengeCommand,
  SignUpCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { decodeJwt } from 'jose';
import { DIALECTS, useServerWithPool, type TestServer } from './helpers/harness.js';
import { createTestPool, type TestPool } from './helpers/pool.js';
import { expectServiceError } from './helpers/errors.js';
import { PASSWORD, createExtraClient, createUser, initiatePasswordAuth, outboxCode } from './helpers/latchkeyAdmin.js';

const EXPIRED = 'Invalid session for the user, session is expired.';

describe.each(DIALECTS)('users: passwordless sign-up on %s', (dialect) => {
  let server: TestServer;
  let pool: TestPool;
  let n = 0;
  const uniq = (p: string) => `${p}${++n}${dialect}`;

  useServerWithPool(dialect, {}, (s, p) => ([server, pool] = [s, p]));

  /** SignUp without a password, then ConfirmSignUp with the outbox code: ConfirmSignUp's reply. */
  async function signUpAndConfirm(username = uniq('pl'), p: TestPool = pool) {
    const email = `${username}@example.com`;
    const up = await server.client.send(
      new SignUpCommand({ ClientId: p.clientId, Username: username, UserAttributes: [{ Name: 'email', Value: email }] }),
    );
    expect(up.UserConfirmed).toBe(false);
    const code = await outboxCode(server, p.userPoolId, email);
    const confirmed = await server.client.send(
      new ConfirmSignUpCommand({ ClientId: p.clientId, Username: username, ConfirmationCode: code }),
    );
    return { username, email, sub: up.UserSub!, session: confirmed.Session };
  }

  const sessionSignIn = (clientId: string, username: string, session: string | undefined) =>
    server.client.send(
      new InitiateAuthCommand({ ClientId: clientId, AuthFlow: 'USER_AUTH', Session: session, AuthParameters: { USERNAME: username } }),
    );

  it('SignUp without Password → ConfirmSignUp Session → InitiateAuth USER_AUTH with it → tokens, no second code', async () => {
    const { username, sub, session } = await signUpAndConfirm();
    expect(session).toMatch(/^\S{20,}$/);
    const got = await server.admin.send(new AdminGetUserCommand({ UserPoolId: pool.userPoolId, Username: username }));
    expect(got.UserStatus).toBe('CONFIRMED');
    const r = await sessionSignIn(pool.clientId, username, session);
    expect(r.ChallengeName).toBeUndefined();
    expect(r.AuthenticationResult?.RefreshToken).toBeTruthy();
    expect(decodeJwt(r.AuthenticationResult!.AccessToken!)).toMatchObject({ sub, username, client_id: pool.clientId });
    // No password: GetUserAuthFactors lists no PASSWORD factor.
    const factors = await server.client.send(new GetUserAuthFactorsCommand({ AccessToken: r.AuthenticationResult!.AccessToken }));
    expect(factors.ConfiguredUserAuthFactors ?? []).not.toContain('PASSWORD');
  });

  it('the Session is single use: a second InitiateAuth with it is refused', async () => {
    const { username, session } = await signUpAndConfirm();
    await sessionSignIn(pool.clientId, username, session);
    await expectServiceError(sessionSignIn(pool.clientId, username, session), 'NotAuthorizedException', EXPIRED);
  });

  it('two parallel uses of one Session: exactly one signs in', async () => {
    const { username, session } = await signUpAndConfirm();
    const results = await Promise.allSettled(Array.from({ length: 4 }, () => sessionSignIn(pool.clientId, username, session)));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of results.filter((x) => x.status === 'rejected')) {
      expect((r as PromiseRejectedResult).reason).toMatchObject({ name: 'NotAuthorizedException', message: EXPIRED });
    }
  });

  it('a global sign-out after ConfirmSignUp revokes its Session too (it needs no further factor)', async () => {
    const { username, session } = await signUpAndConfirm();
    const other = await signUpAndConfirm();
    server.clock.advance(1000);
    await server.admin.send(new AdminUserGlobalSignOutCommand({ UserPoolId: pool.userPoolId, Username: username }));
    await expectServiceError(sessionSignIn(pool.clientId, username, session), 'NotAuthorizedException', EXPIRED);
    // Another user's Session is untouched.
    expect((await sessionSignIn(pool.clientId, other.username, other.session)).AuthenticationResult).toBeTruthy();
  });

  it('expires with the app client AuthSessionValidity (3 minutes by default)', async () => {
    const { username, session } = await signUpAndConfirm();
    const early = await signUpAndConfirm();
    server.clock.advance(3 * 60_000 - 10_000);
    expect((await sessionSignIn(pool.clientId, early.username, early.session)).AuthenticationResult).toBeTruthy();
    server.clock.advance(11_000);
    await expectServiceError(sessionSignIn(pool.clientId, username, session), 'NotAuthorizedException', EXPIRED);
  });

  it('is bound to the client and the user: refused for another client or USERNAME, then still good for its own', async () => {
    const other = await signUpAndConfirm();
    const { username, session } = await signUpAndConfirm();
    const second = await createExtraClient(server, pool, { flows: ['ALLOW_USER_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'] });
    await expectServiceError(sessionSignIn(second, username, session), 'NotAuthorizedException', EXPIRED);
    await expectServiceError(sessionSignIn(pool.clientId, other.username, session), 'NotAuthorizedException', EXPIRED);
    await expectServiceError(sessionSignIn(pool.clientId, uniq('nobody'), session), 'NotAuthorizedException', EXPIRED);
    const r = await sessionSignIn(pool.clientId, username, session);
    expect(r.AuthenticationResult?.AccessToken).toBeTruthy();
  });

  it('a sign-in step Session is no sign-up Session, and the sign-up Session answers no challenge', async () => {
    const { username, session } = await signUpAndConfirm();
    const pwUser = await createUser(server, pool, 'pw');
    const select = await server.client.send(
      new InitiateAuthCommand({ ClientId: pool.clientId, AuthFlow: 'USER_AUTH', AuthParameters: { USERNAME: pwUser.username } }),
    );
    expect(select.ChallengeName).toBe('SELECT_CHALLENGE');
    await expectServiceError(sessionSignIn(pool.clientId, pwUser.username, select.Session), 'NotAuthorizedException', EXPIRED);
    await expectServiceError(
      server.client.send(
        new RespondToAuthChallengeCommand({
          ClientId: pool.clientId,
          ChallengeName: 'SELECT_CHALLENGE',
          Session: session,
          ChallengeResponses: { USERNAME: username, ANSWER: 'PASSWORD' },
        }),
      ),
      'NotAuthorizedException',
      EXPIRED,
    );
  });

  it('a passwordless user fails password sign-in like a wrong password; AdminSetUserPassword gives them one', async () => {
    const { username } = await signUpAndConfirm();
    await expectServiceError(
      initiatePasswordAuth(server.client, pool.clientId, username, PASSWORD),
      'NotAuthorizedException',
      'Incorrect username or password.',
    );
    await server.admin.send(
      new AdminSetUserPasswordCommand({ UserPoolId: pool.userPoolId, Username: username, Password: PASSWORD, Permanent: true }),
    );
    const r = await initiatePasswordAuth(server.client, pool.clientId, username, PASSWORD);
    const factors = await server.client.send(new GetUserAuthFactorsCommand({ AccessToken: r.AuthenticationResult!.AccessToken }));
    expect(factors.ConfiguredUserAuthFactors).toContain('PASSWORD');
  });

  it('ChangePassword without PreviousPassword sets a first password (Cognito: omit it when the user has none)', async () => {
    const { username, session } = await signUpAndConfirm();
    const tokens = (await sessionSignIn(pool.clientId, username, session)).AuthenticationResult!;
    await server.client.send(new ChangePasswordCommand({ AccessToken: tokens.AccessToken, ProposedPassword: PASSWORD }));
    expect((await initiatePasswordAuth(server.client, pool.clientId, username, PASSWORD)).AuthenticationResult).toBeTruthy();
    // From now on the previous password is required.
    await expectServiceError(
      server.client.send(new ChangePasswordCommand({ AccessToken: tokens.AccessToken, ProposedPassword: 'Other1Passw0rd' })),
      'NotAuthorizedException',
    );
  });

  it('SignUp without Password in a password-only pool: InvalidParameterException, as Cognito (Amplify: EmptySignUpPassword)', async () => {
    const passwordOnly = await createTestPool(server.admin, { factors: ['PASSWORD'] });
    await expectServiceError(
      server.client.send(
        new SignUpCommand({
          ClientId: passwordOnly.clientId,
          Username: uniq('pw'),
          UserAttributes: [{ Name: 'email', Value: 'x@example.com' }],
        }),
      ),
      'InvalidParameterException',
      /'password'.*Member must not be null/,
    );
  });

  it('ConfirmSignUp returns no Session to a client without ALLOW_USER_AUTH', async () => {
    const srp = await createExtraClient(server, pool, { flows: ['ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'] });
    const { session } = await signUpAndConfirm(uniq('nouserauth'), { userPoolId: pool.userPoolId, clientId: srp });
    expect(session).toBeUndefined();
  });
});

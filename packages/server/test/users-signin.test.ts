/**
 * Password sign-in and user administration: USER_PASSWORD_AUTH errors (existence errors, unconfirmed,
 * disabled, lockout, client flows), NEW_PASSWORD_REQUIRED, ADMIN_USER_PASSWORD_AUTH, ForgotPassword,
 * ChangePassword, AdminSetUserPassword, self-service attributes, ListUsers paging and filters, and
 * AdminGetUser / AdminUpdateUserAttributes / AdminDeleteUser. Real AWS SDK v3, SQLite and PostgreSQL.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  AdminCreateUserCommand,
  AdminDeleteUserCommand,
  AdminDisableUserCommand,
  AdminEnableUserCommand,
  AdminGetUserCommand,
  AdminInitiateAuthCommand,
  AdminSetUserPasswordCommand,
  AdminUpdateUserAttributesCommand,
  ChangePasswordCommand,
  ConfirmForgotPasswordCommand,
  DeleteUserCommand,
  ForgotPasswordCommand,
  GetUserAttributeVerificationCodeCommand,
  GetUserCommand,
  InitiateAuthCommand,
  ListUsersCommand,
  RespondToAuthChallengeCommand,
  SignUpCommand,
  UpdateUserAttributesCommand,
  VerifyUserAttributeCommand,
  type UserType,
} from '@aws-sdk/client-cognito-identity-provider';
import { decodeJwt } from 'jose';
import { DIALECTS, useServerWithPool, type TestServer } from './helpers/harness.js';
import { createTestPool, type TestPool } from './helpers/pool.js';
import { expectServiceError } from './helpers/errors.js';
import {
  PASSWORD,
  accessToken,
  adminCreateConfirmedUser,
  attr,
  createUser,
  initiatePasswordAuth,
  outboxCode,
} from './helpers/latchkeyAdmin.js';

const INCORRECT = 'Incorrect username or password.';
const SESSION_EXPIRED = 'Invalid session for the user, session is expired.';

describe.each(DIALECTS)('users: sign-in and administration on %s', (dialect) => {
  let server: TestServer;
  let pool: TestPool;
  let legacy: TestPool;
  let realNow: () => number;
  let n = 0;
  const uniq = (p: string) => `${p}${++n}${dialect}`;
  /** Every password used here, for the log check at the end. */
  const passwords = new Set<string>([PASSWORD]);

  useServerWithPool(
    dialect,
    {
      checkInternalErrors: false,
      pool: { schema: [{ Name: 'team', AttributeDataType: 'String' }] },
      setup: async (s) => {
        realNow = s.clock.now;
        legacy = await createTestPool(s.admin, { preventUserExistenceErrors: 'LEGACY' });
      },
    },
    (s, p) => ([server, pool] = [s, p]),
  );
  afterEach(() => {
    server.clock.now = realNow;
  });

  /** Stops the server clock (lockouts last seconds; tests must not depend on how fast they run). */
  function freezeClock() {
    const t = realNow();
    server.clock.now = () => t + server.clock.offset;
  }

  /** A CONFIRMED user with a verified email and a permanent password (admin path, no messages). */
  async function confirmedUser(p: TestPool = pool, password = PASSWORD, name = uniq('user')) {
    passwords.add(password);
    await adminCreateConfirmedUser(server.admin, p.userPoolId, name, password);
    return name;
  }

  const passwordAuth = (username: string, password = PASSWORD, p: TestPool = pool) =>
    initiatePasswordAuth(server.client, p.clientId, username, password);

  describe('USER_PASSWORD_AUTH', () => {
    it('succeeds with tokens for the right password', async () => {
      const name = await confirmedUser();
      const r = await passwordAuth(name);
      expect(r.ChallengeName).toBeUndefined();
      expect(r.AuthenticationResult).toMatchObject({ TokenType: 'Bearer', ExpiresIn: 3600 });
      expect(r.AuthenticationResult?.RefreshToken).toBeTruthy();
      expect(decodeJwt(r.AuthenticationResult!.AccessToken!).username).toBe(name);
    });

    it('PreventUserExistenceErrors ENABLED: wrong password and unknown user are the same NotAuthorizedException', async () => {
      const name = await confirmedUser();
      await expectServiceError(passwordAuth(name, 'Wr0ngPassword'), 'NotAuthorizedException', INCORRECT);
      await expectServiceError(passwordAuth(uniq('ghost'), PASSWORD), 'NotAuthorizedException', INCORRECT);
    });

    it('PreventUserExistenceErrors LEGACY: unknown user is UserNotFoundException, wrong password NotAuthorizedException', async () => {
      const name = await confirmedUser(legacy);
      await expectServiceError(passwordAuth(uniq('ghost'), PASSWORD, legacy), 'UserNotFoundException');
      await expectServiceError(passwordAuth(name, 'Wr0ngPassword', legacy), 'NotAuthorizedException', INCORRECT);
      expect((await passwordAuth(name, PASSWORD, legacy)).AuthenticationResult?.AccessToken).toBeTruthy();
    });

    it('an unconfirmed user is UserNotConfirmedException', async () => {
      const name = uniq('unconf');
      await server.client.send(
        new SignUpCommand({
          ClientId: pool.clientId,
          Username: name,
          Password: PASSWORD,
          UserAttributes: [{ Name: 'email', Value: `${name}@example.com` }],
        }),
      );
      await expectServiceError(passwordAuth(name), 'UserNotConfirmedException');
    });

    it('a disabled user is NotAuthorizedException "User is disabled."; enabled again, sign-in works', async () => {
      const name = await confirmedUser();
      await server.admin.send(new AdminDisableUserCommand({ UserPoolId: pool.userPoolId, Username: name }));
      expect((await server.admin.send(new AdminGetUserCommand({ UserPoolId: pool.userPoolId, Username: name }))).Enabled).toBe(false);
      await expectServiceError(passwordAuth(name), 'NotAuthorizedException', 'User is disabled.');
      await server.admin.send(new AdminEnableUserCommand({ UserPoolId: pool.userPoolId, Username: name }));
      expect((await passwordAuth(name)).AuthenticationResult?.AccessToken).toBeTruthy();
    });

    it('lockout: after 5 wrong passwords the right one is "Password attempts exceeded"; later it works', async () => {
      freezeClock();
      const name = await confirmedUser();
      for (let i = 0; i < 5; i++) await expectServiceError(passwordAuth(name, `Wr0ngPassword${i}`), 'NotAuthorizedException', INCORRECT);
      await expectServiceError(passwordAuth(name), 'NotAuthorizedException', 'Password attempts exceeded');
      // Still locked a moment later, and wrong guesses during the lockout get the same answer.
      server.clock.advance(500);
      await expectServiceError(passwordAuth(name, 'Wr0ngPasswordX'), 'NotAuthorizedException', 'Password attempts exceeded');
      await expectServiceError(passwordAuth(name), 'NotAuthorizedException', 'Password attempts exceeded');
      server.clock.advance(60_000);
      expect((await passwordAuth(name)).AuthenticationResult?.AccessToken).toBeTruthy();
      // A successful sign-in resets the counter: one wrong password is just "incorrect" again.
      await expectServiceError(passwordAuth(name, 'Wr0ngPassword'), 'NotAuthorizedException', INCORRECT);
      expect((await passwordAuth(name)).AuthenticationResult?.AccessToken).toBeTruthy();
    });

    it('a client without ALLOW_USER_PASSWORD_AUTH refuses the flow (InvalidParameterException)', async () => {
      const srpOnly = await createTestPool(server.admin, { flows: ['ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'] });
      const name = await confirmedUser(srpOnly);
      await expectServiceError(passwordAuth(name, PASSWORD, srpOnly), 'InvalidParameterException');
      await expectServiceError(
        server.admin.send(
          new AdminInitiateAuthCommand({
            UserPoolId: srpOnly.userPoolId,
            ClientId: srpOnly.clientId,
            AuthFlow: 'ADMIN_USER_PASSWORD_AUTH',
            AuthParameters: { USERNAME: name, PASSWORD },
          }),
        ),
        'InvalidParameterException',
      );
    });
  });

  describe('NEW_PASSWORD_REQUIRED', () => {
    async function invited(temp = 'TempPassw0rd') {
      passwords.add(temp);
      const name = uniq('invited');
      const created = await server.admin.send(
        new AdminCreateUserCommand({
          UserPoolId: pool.userPoolId,
          Username: name,
          TemporaryPassword: temp,
          MessageAction: 'SUPPRESS',
          UserAttributes: [
            { Name: 'email', Value: `${name}@example.com` },
            { Name: 'email_verified', Value: 'true' },
          ],
        }),
      );
      expect(created.User?.UserStatus).toBe('FORCE_CHANGE_PASSWORD');
      expect(created.User?.Username).toBe(name);
      return { name, temp };
    }

    it(
      'AdminCreateUser (SUPPRESS) → sign-in → challenge → a policy-breaking ' + 'password, then a good one on the same Session → tokens',
      async () => {
        const { name, temp } = await invited();
        const r = await passwordAuth(name, temp);
        expect(r.ChallengeName).toBe('NEW_PASSWORD_REQUIRED');
        expect(r.AuthenticationResult).toBeUndefined();
        expect(r.Session).toBeTruthy();
        expect(r.ChallengeParameters?.USER_ID_FOR_SRP).toBeTruthy();
        expect(JSON.parse(r.ChallengeParameters!.userAttributes!)).toMatchObject({ email: `${name}@example.com` });
        expect(JSON.parse(r.ChallengeParameters!.requiredAttributes!)).toEqual([]);

        await expectServiceError(
          server.client.send(
            new RespondToAuthChallengeCommand({
              ClientId: pool.clientId,
              ChallengeName: 'NEW_PASSWORD_REQUIRED',
              Session: r.Session,
              ChallengeResponses: { USERNAME: name, NEW_PASSWORD: 'short' },
            }),
          ),
          'InvalidPasswordException',
        );
        // aws-amplify keeps the Session after an error (confirmSignIn) and retries with it, as Cognito allows.
        passwords.add('N3wPassword');
        const done = await server.client.send(
          new RespondToAuthChallengeCommand({
            ClientId: pool.clientId,
            ChallengeName: 'NEW_PASSWORD_REQUIRED',
            Session: r.Session,
            ChallengeResponses: { USERNAME: name, NEW_PASSWORD: 'N3wPassword' },
          }),
        );
        expect(done.AuthenticationResult?.AccessToken).toBeTruthy();
      },
    );

    it('a good new password → tokens, CONFIRMED; the Session cannot be reused; the temporary password is gone', async () => {
      const { name, temp } = await invited();
      const r = await passwordAuth(name, temp);
      passwords.add('N3wPassword');
      const done = await server.client.send(
        new RespondToAuthChallengeCommand({
          ClientId: pool.clientId,
          ChallengeName: 'NEW_PASSWORD_REQUIRED',
          Session: r.Session,
          ChallengeResponses: { USERNAME: name, NEW_PASSWORD: 'N3wPassword' },
        }),
      );
      expect(done.AuthenticationResult?.AccessToken).toBeTruthy();
      expect(done.AuthenticationResult?.RefreshToken).toBeTruthy();
      expect(decodeJwt(done.AuthenticationResult!.AccessToken!).username).toBe(name);
      expect((await server.admin.send(new AdminGetUserCommand({ UserPoolId: pool.userPoolId, Username: name }))).UserStatus).toBe(
        'CONFIRMED',
      );

      await expectServiceError(
        server.client.send(
          new RespondToAuthChallengeCommand({
            ClientId: pool.clientId,
            ChallengeName: 'NEW_PASSWORD_REQUIRED',
            Session: r.Session,
            ChallengeResponses: { USERNAME: name, NEW_PASSWORD: 'An0therPassword' },
          }),
        ),
        'NotAuthorizedException',
        SESSION_EXPIRED,
      );
      await expectServiceError(passwordAuth(name, temp), 'NotAuthorizedException', INCORRECT);
      expect((await passwordAuth(name, 'N3wPassword')).AuthenticationResult?.AccessToken).toBeTruthy();
    });

    it('an expired Session (4 min; AuthSessionValidity 3) is NotAuthorizedException', async () => {
      const { name, temp } = await invited();
      const r = await passwordAuth(name, temp);
      server.clock.advance(4 * 60_000);
      await expectServiceError(
        server.client.send(
          new RespondToAuthChallengeCommand({
            ClientId: pool.clientId,
            ChallengeName: 'NEW_PASSWORD_REQUIRED',
            Session: r.Session,
            ChallengeResponses: { USERNAME: name, NEW_PASSWORD: 'N3wPassword' },
          }),
        ),
        'NotAuthorizedException',
        SESSION_EXPIRED,
      );
      server.clock.offset = 0;
      expect((await server.admin.send(new AdminGetUserCommand({ UserPoolId: pool.userPoolId, Username: name }))).UserStatus).toBe(
        'FORCE_CHANGE_PASSWORD',
      );
    });

    it('a made-up Session is NotAuthorizedException', async () => {
      const { name } = await invited();
      await expectServiceError(
        server.client.send(
          new RespondToAuthChallengeCommand({
            ClientId: pool.clientId,
            ChallengeName: 'NEW_PASSWORD_REQUIRED',
            Session: 'x'.repeat(64),
            ChallengeResponses: { USERNAME: name, NEW_PASSWORD: 'N3wPassword' },
          }),
        ),
        'NotAuthorizedException',
        SESSION_EXPIRED,
      );
    });

    it('the temporary password expires after TemporaryPasswordValidityDays (7), counted from AdminCreateUser', async () => {
      const control = await invited();
      const { name, temp } = await invited();
      server.clock.advance(6 * 86400_000);
      expect((await passwordAuth(control.name, control.temp)).ChallengeName).toBe('NEW_PASSWORD_REQUIRED');
      // A wrong guess (or any other update of the user) must not extend the temporary password.
      await expectServiceError(passwordAuth(name, 'Wr0ngPassword'), 'NotAuthorizedException', INCORRECT);
      server.clock.advance(2 * 86400_000);
      await expectServiceError(passwordAuth(control.name, control.temp), 'NotAuthorizedException', /Temporary password has expired/);
      await expectServiceError(passwordAuth(name, temp), 'NotAuthorizedException', /Temporary password has expired/);
    });

    it('AdminSetUserPassword Permanent false → FORCE_CHANGE_PASSWORD → the challenge at next sign-in', async () => {
      const name = await confirmedUser();
      passwords.add('Adm1nTemp0');
      await server.admin.send(
        new AdminSetUserPasswordCommand({ UserPoolId: pool.userPoolId, Username: name, Password: 'Adm1nTemp0', Permanent: false }),
      );
      expect((await server.admin.send(new AdminGetUserCommand({ UserPoolId: pool.userPoolId, Username: name }))).UserStatus).toBe(
        'FORCE_CHANGE_PASSWORD',
      );
      await expectServiceError(passwordAuth(name, PASSWORD), 'NotAuthorizedException', INCORRECT);
      const r = await passwordAuth(name, 'Adm1nTemp0');
      expect(r.ChallengeName).toBe('NEW_PASSWORD_REQUIRED');
      // A policy-breaking AdminSetUserPassword is refused.
      await expectServiceError(
        server.admin.send(
          new AdminSetUserPasswordCommand({ UserPoolId: pool.userPoolId, Username: name, Password: 'weak', Permanent: true }),
        ),
        'InvalidPasswordException',
      );
    });
  });

  it('AdminInitiateAuth ADMIN_USER_PASSWORD_AUTH → tokens; refused on the public InitiateAuth', async () => {
    const name = await confirmedUser();
    const r = await server.admin.send(
      new AdminInitiateAuthCommand({
        UserPoolId: pool.userPoolId,
        ClientId: pool.clientId,
        AuthFlow: 'ADMIN_USER_PASSWORD_AUTH',
        AuthParameters: { USERNAME: name, PASSWORD },
      }),
    );
    expect(r.AuthenticationResult?.AccessToken).toBeTruthy();
    expect(decodeJwt(r.AuthenticationResult!.AccessToken!).client_id).toBe(pool.clientId);
    await expectServiceError(
      server.admin.send(
        new AdminInitiateAuthCommand({
          UserPoolId: pool.userPoolId,
          ClientId: pool.clientId,
          AuthFlow: 'ADMIN_USER_PASSWORD_AUTH',
          AuthParameters: { USERNAME: name, PASSWORD: 'Wr0ngPassword' },
        }),
      ),
      'NotAuthorizedException',
      INCORRECT,
    );
    await expectServiceError(
      server.client.send(
        new InitiateAuthCommand({
          ClientId: pool.clientId,
          AuthFlow: 'ADMIN_USER_PASSWORD_AUTH',
          AuthParameters: { USERNAME: name, PASSWORD },
        }),
      ),
      'InvalidParameterException',
    );
    // The client must belong to the pool named.
    await expectServiceError(
      server.admin.send(
        new AdminInitiateAuthCommand({
          UserPoolId: legacy.userPoolId,
          ClientId: pool.clientId,
          AuthFlow: 'ADMIN_USER_PASSWORD_AUTH',
          AuthParameters: { USERNAME: name, PASSWORD },
        }),
      ),
      'ResourceNotFoundException',
    );
  });

  it('ForgotPassword → ConfirmForgotPassword: wrong code, bad password, right code; old fails, new works, lockout cleared', async () => {
    freezeClock();
    const name = await confirmedUser();
    for (let i = 0; i < 5; i++) await expectServiceError(passwordAuth(name, `Wr0ngPassword${i}`), 'NotAuthorizedException', INCORRECT);
    await expectServiceError(passwordAuth(name), 'NotAuthorizedException', 'Password attempts exceeded');

    const fp = await server.client.send(new ForgotPasswordCommand({ ClientId: pool.clientId, Username: name }));
    expect(fp.CodeDeliveryDetails).toMatchObject({ DeliveryMedium: 'EMAIL', AttributeName: 'email' });
    const code = await outboxCode(server, pool.userPoolId, `${name}@example.com`);
    const wrong = String((Number(code) + 1) % 1_000_000).padStart(6, '0');
    passwords.add('Res3tPassword');
    await expectServiceError(
      server.client.send(
        new ConfirmForgotPasswordCommand({ ClientId: pool.clientId, Username: name, ConfirmationCode: wrong, Password: 'Res3tPassword' }),
      ),
      'CodeMismatchException',
    );
    await expectServiceError(
      server.client.send(
        new ConfirmForgotPasswordCommand({ ClientId: pool.clientId, Username: name, ConfirmationCode: code, Password: 'weak' }),
      ),
      'InvalidPasswordException',
    );
    await server.client.send(
      new ConfirmForgotPasswordCommand({ ClientId: pool.clientId, Username: name, ConfirmationCode: code, Password: 'Res3tPassword' }),
    );

    // Same (frozen) instant as the lockout: the reset cleared it.
    expect((await passwordAuth(name, 'Res3tPassword')).AuthenticationResult?.AccessToken).toBeTruthy();
    await expectServiceError(passwordAuth(name, PASSWORD), 'NotAuthorizedException', INCORRECT);
    // The code was single use.
    await expectServiceError(
      server.client.send(
        new ConfirmForgotPasswordCommand({ ClientId: pool.clientId, Username: name, ConfirmationCode: code, Password: 'An0therPassword' }),
      ),
      'ExpiredCodeException',
    );
  });

  it('ForgotPassword for an unknown user: ENABLED answers like for a real user; LEGACY is UserNotFoundException', async () => {
    const fake = await server.client.send(new ForgotPasswordCommand({ ClientId: pool.clientId, Username: uniq('ghost') }));
    expect(fake.CodeDeliveryDetails?.DeliveryMedium).toBe('EMAIL');
    await expectServiceError(
      server.client.send(new ForgotPasswordCommand({ ClientId: legacy.clientId, Username: uniq('ghost') })),
      'UserNotFoundException',
    );
  });

  it(
    'ChangePassword: wrong previous → NotAuthorizedException, weak ' + 'proposed → InvalidPasswordException, then the new one works',
    async () => {
      const name = await confirmedUser();
      const access = (await passwordAuth(name)).AuthenticationResult!.AccessToken!;
      passwords.add('Chang3dPassword');
      await expectServiceError(
        server.client.send(
          new ChangePasswordCommand({ AccessToken: access, PreviousPassword: 'Wr0ngPassword', ProposedPassword: 'Chang3dPassword' }),
        ),
        'NotAuthorizedException',
        INCORRECT,
      );
      await expectServiceError(
        server.client.send(new ChangePasswordCommand({ AccessToken: access, PreviousPassword: PASSWORD, ProposedPassword: 'weak' })),
        'InvalidPasswordException',
      );
      await server.client.send(
        new ChangePasswordCommand({ AccessToken: access, PreviousPassword: PASSWORD, ProposedPassword: 'Chang3dPassword' }),
      );
      await expectServiceError(passwordAuth(name, PASSWORD), 'NotAuthorizedException', INCORRECT);
      expect((await passwordAuth(name, 'Chang3dPassword')).AuthenticationResult?.AccessToken).toBeTruthy();
    },
  );

  it('self-service: GetUser, UpdateUserAttributes (email → unverified + code), VerifyUserAttribute, DeleteUser', async () => {
    const name = await confirmedUser();
    const access = (await passwordAuth(name)).AuthenticationResult!.AccessToken!;
    const me = await server.client.send(new GetUserCommand({ AccessToken: access }));
    expect(me.Username).toBe(name);
    expect(attr(me.UserAttributes, 'email')).toBe(`${name}@example.com`);

    const newEmail = `new-${name}@example.com`;
    const upd = await server.client.send(
      new UpdateUserAttributesCommand({
        AccessToken: access,
        UserAttributes: [
          { Name: 'email', Value: newEmail },
          { Name: 'given_name', Value: 'Eve' },
        ],
      }),
    );
    expect(upd.CodeDeliveryDetailsList).toEqual([{ Destination: 'n***@e***', DeliveryMedium: 'EMAIL', AttributeName: 'email' }]);
    const mid = await server.client.send(new GetUserCommand({ AccessToken: access }));
    expect(attr(mid.UserAttributes, 'email')).toBe(newEmail);
    expect(attr(mid.UserAttributes, 'email_verified')).toBe('false');
    expect(attr(mid.UserAttributes, 'given_name')).toBe('Eve');
    // A user may not set the verified flag or sub.
    await expectServiceError(
      server.client.send(
        new UpdateUserAttributesCommand({ AccessToken: access, UserAttributes: [{ Name: 'email_verified', Value: 'true' }] }),
      ),
      'InvalidParameterException',
    );
    await expectServiceError(
      server.client.send(new UpdateUserAttributesCommand({ AccessToken: access, UserAttributes: [{ Name: 'sub', Value: 'x' }] })),
      'InvalidParameterException',
    );

    const code = await outboxCode(server, pool.userPoolId, newEmail);
    await expectServiceError(
      server.client.send(
        new VerifyUserAttributeCommand({
          AccessToken: access,
          AttributeName: 'email',
          Code: String((Number(code) + 1) % 1_000_000).padStart(6, '0'),
        }),
      ),
      'CodeMismatchException',
    );
    await server.client.send(new VerifyUserAttributeCommand({ AccessToken: access, AttributeName: 'email', Code: code }));
    expect(attr((await server.client.send(new GetUserCommand({ AccessToken: access }))).UserAttributes, 'email_verified')).toBe('true');

    const again = await server.client.send(new GetUserAttributeVerificationCodeCommand({ AccessToken: access, AttributeName: 'email' }));
    expect(again.CodeDeliveryDetails?.AttributeName).toBe('email');

    await server.client.send(new DeleteUserCommand({ AccessToken: access }));
    await expectServiceError(server.client.send(new GetUserCommand({ AccessToken: access })), 'NotAuthorizedException');
    await expectServiceError(
      server.admin.send(new AdminGetUserCommand({ UserPoolId: pool.userPoolId, Username: name })),
      'UserNotFoundException',
    );
    await expectServiceError(passwordAuth(name), 'NotAuthorizedException', INCORRECT);
  });

  it('a verification code sent to one address cannot verify another', async () => {
    const errorLines = server.log.lines.filter((l) => l.level === 'error').length;
    const aliasPool = await createTestPool(server.admin, { aliasAttributes: ['email'] });
    const user = await createUser(server, aliasPool, 'addr');
    const token = await accessToken(server, aliasPool.clientId, user);
    const first = `${user.username}@example.com`;
    await server.client.send(new GetUserAttributeVerificationCodeCommand({ AccessToken: token, AttributeName: 'email' }));
    const code = await outboxCode(server, aliasPool.userPoolId, first);
    // An admin changes the address without a new code being sent.
    await server.admin.send(
      new AdminUpdateUserAttributesCommand({
        UserPoolId: aliasPool.userPoolId,
        Username: user.username,
        UserAttributes: [{ Name: 'email', Value: `moved-${first}` }],
      }),
    );
    await expectServiceError(
      server.client.send(new VerifyUserAttributeCommand({ AccessToken: token, AttributeName: 'email', Code: code })),
      'CodeMismatchException',
    );
    // No request of this test ended in an internal error.
    expect(server.log.lines.filter((l) => l.level === 'error').slice(errorLines)).toEqual([]);
  });

  describe('ListUsers', () => {
    let lp: TestPool;
    const subs: Record<string, string> = {};

    beforeAll(async () => {
      lp = await createTestPool(server.admin);
      // 7 users: 4 CONFIRMED (one disabled), 2 UNCONFIRMED, 1 FORCE_CHANGE_PASSWORD.
      for (const [name, email] of [
        ['alpha', 'alpha@example.com'],
        ['anna', 'anna@example.com'],
        ['bob', 'bob@example.com'],
        ['carl', 'under_score@example.com'],
      ]) {
        await confirmedUser(lp, PASSWORD, name);
        await server.admin.send(
          new AdminUpdateUserAttributesCommand({
            UserPoolId: lp.userPoolId,
            Username: name,
            UserAttributes: [
              { Name: 'email', Value: email },
              { Name: 'email_verified', Value: 'true' },
            ],
          }),
        );
      }
      await server.admin.send(new AdminDisableUserCommand({ UserPoolId: lp.userPoolId, Username: 'bob' }));
      for (const name of ['dora', 'erin']) {
        await server.client.send(
          new SignUpCommand({
            ClientId: lp.clientId,
            Username: name,
            Password: PASSWORD,
            UserAttributes: [{ Name: 'email', Value: `${name}@example.com` }],
          }),
        );
      }
      await server.admin.send(
        new AdminCreateUserCommand({
          UserPoolId: lp.userPoolId,
          Username: 'fred',
          MessageAction: 'SUPPRESS',
          UserAttributes: [{ Name: 'email', Value: 'axel@example.com' }],
        }),
      );
      const all = await server.admin.send(new ListUsersCommand({ UserPoolId: lp.userPoolId }));
      for (const u of all.Users ?? []) subs[u.Username!] = attr(u.Attributes, 'sub')!;
    });

    const names = (users: UserType[] | undefined) => (users ?? []).map((u) => u.Username).sort();
    const list = (Filter?: string, Limit?: number, PaginationToken?: string) =>
      server.admin.send(new ListUsersCommand({ UserPoolId: lp.userPoolId, Filter, Limit, PaginationToken }));

    it('without a filter: all 7 users with their status, attributes and dates', async () => {
      const all = await list();
      expect(names(all.Users)).toEqual(['alpha', 'anna', 'bob', 'carl', 'dora', 'erin', 'fred']);
      expect(all.PaginationToken).toBeUndefined();
      const byName = Object.fromEntries((all.Users ?? []).map((u) => [u.Username, u]));
      expect(byName.bob).toMatchObject({ Enabled: false, UserStatus: 'CONFIRMED' });
      expect(byName.dora).toMatchObject({ Enabled: true, UserStatus: 'UNCONFIRMED' });
      expect(byName.fred).toMatchObject({ Enabled: true, UserStatus: 'FORCE_CHANGE_PASSWORD' });
      expect(byName.alpha!.UserCreateDate).toBeInstanceOf(Date);
      expect(attr(byName.carl!.Attributes, 'email')).toBe('under_score@example.com');
    });

    it('Limit + PaginationToken: 3 + 3 + 1, no repeats, no skips', async () => {
      const seen: string[] = [];
      const sizes: number[] = [];
      let token: string | undefined;
      do {
        const page = await list(undefined, 3, token);
        sizes.push(page.Users!.length);
        seen.push(...page.Users!.map((u) => u.Username!));
        token = page.PaginationToken;
        if (sizes.length > 10) throw new Error('pagination does not end');
      } while (token);
      expect(sizes).toEqual([3, 3, 1]);
      expect(new Set(seen).size).toBe(7);
      expect([...seen].sort()).toEqual(['alpha', 'anna', 'bob', 'carl', 'dora', 'erin', 'fred']);
    });

    it('filters: username =, email ^=, sub =, cognito:user_status =, status =', async () => {
      expect(names((await list('username = "anna"')).Users)).toEqual(['anna']);
      expect(names((await list('email ^= "a"')).Users)).toEqual(['alpha', 'anna', 'fred']);
      expect(names((await list(`sub = "${subs.dora}"`)).Users)).toEqual(['dora']);
      expect(names((await list('cognito:user_status = "UNCONFIRMED"')).Users)).toEqual(['dora', 'erin']);
      expect(names((await list('cognito:user_status = "FORCE_CHANGE_PASSWORD"')).Users)).toEqual(['fred']);
      expect(names((await list('status = "Disabled"')).Users)).toEqual(['bob']);
      expect(names((await list('status = "Enabled"')).Users)).toHaveLength(6);
      expect(names((await list('username = "nobody"')).Users)).toEqual([]);
    });

    it('email = "…" matches an address containing "_"', async () => {
      expect(names((await list('email = "under_score@example.com"')).Users)).toEqual(['carl']);
      expect(names((await list('email ^= "under_"')).Users)).toEqual(['carl']);
    });

    it('a filtered listing pages too', async () => {
      const first = await list('cognito:user_status = "CONFIRMED"', 2);
      expect(first.Users).toHaveLength(2);
      expect(first.PaginationToken).toBeTruthy();
      const second = await list('cognito:user_status = "CONFIRMED"', 2, first.PaginationToken);
      expect([...names(first.Users), ...names(second.Users)].sort()).toEqual(['alpha', 'anna', 'bob', 'carl']);
      expect(second.PaginationToken).toBeUndefined();
    });

    it('an invalid filter or pagination token is InvalidParameterException', async () => {
      await expectServiceError(list('nickname = "x"'), 'InvalidParameterException');
      await expectServiceError(list('username = anna'), 'InvalidParameterException');
      await expectServiceError(list('username == "anna"'), 'InvalidParameterException');
      await expectServiceError(list(undefined, 2, 'garbage.token'), 'InvalidParameterException');
    });
  });

  it('AdminGetUser, AdminUpdateUserAttributes, AdminDeleteUser (then UserNotFoundException)', async () => {
    const name = await confirmedUser();
    const got = await server.admin.send(new AdminGetUserCommand({ UserPoolId: pool.userPoolId, Username: name }));
    expect(got).toMatchObject({ Username: name, Enabled: true, UserStatus: 'CONFIRMED' });
    expect(attr(got.UserAttributes, 'sub')).toMatch(/^[0-9a-f-]{36}$/);
    expect(attr(got.UserAttributes, 'email_verified')).toBe('true');
    expect(got.UserCreateDate).toBeInstanceOf(Date);

    await server.admin.send(
      new AdminUpdateUserAttributesCommand({
        UserPoolId: pool.userPoolId,
        Username: name,
        UserAttributes: [
          { Name: 'given_name', Value: 'Gina' },
          { Name: 'email', Value: `changed-${name}@example.com` },
          { Name: 'custom:team', Value: 'blue' },
        ],
      }),
    );
    const after = await server.admin.send(new AdminGetUserCommand({ UserPoolId: pool.userPoolId, Username: name }));
    expect(attr(after.UserAttributes, 'given_name')).toBe('Gina');
    expect(attr(after.UserAttributes, 'email')).toBe(`changed-${name}@example.com`);
    expect(attr(after.UserAttributes, 'email_verified')).toBe('false');
    expect(attr(after.UserAttributes, 'custom:team')).toBe('blue');
    await expectServiceError(
      server.admin.send(
        new AdminUpdateUserAttributesCommand({
          UserPoolId: pool.userPoolId,
          Username: name,
          UserAttributes: [{ Name: 'sub', Value: 'x' }],
        }),
      ),
      'InvalidParameterException',
    );
    await expectServiceError(
      server.admin.send(
        new AdminUpdateUserAttributesCommand({
          UserPoolId: pool.userPoolId,
          Username: name,
          UserAttributes: [{ Name: 'email', Value: 'not-an-email' }],
        }),
      ),
      'InvalidParameterException',
    );

    await server.admin.send(new AdminDeleteUserCommand({ UserPoolId: pool.userPoolId, Username: name }));
    await expectServiceError(
      server.admin.send(new AdminGetUserCommand({ UserPoolId: pool.userPoolId, Username: name })),
      'UserNotFoundException',
    );
    await expectServiceError(
      server.admin.send(new AdminDeleteUserCommand({ UserPoolId: pool.userPoolId, Username: name })),
      'UserNotFoundException',
    );
    await expectServiceError(
      server.admin.send(
        new AdminUpdateUserAttributesCommand({
          UserPoolId: pool.userPoolId,
          Username: name,
          UserAttributes: [{ Name: 'given_name', Value: 'x' }],
        }),
      ),
      'UserNotFoundException',
    );
    await expectServiceError(passwordAuth(name), 'NotAuthorizedException', INCORRECT);
    await expectServiceError(
      server.admin.send(new AdminGetUserCommand({ UserPoolId: 'us-east-1_nonexist0', Username: name })),
      'ResourceNotFoundException',
    );
  });

  it('no log line contains a password used in these tests', () => {
    const text = server.log.text();
    expect(text.length).toBeGreaterThan(0);
    for (const p of passwords) expect(text.includes(p), `password ${p} in the log`).toBe(false);
  });
});

/**
 * Sign-up: SignUp → code in the outbox → ConfirmSignUp, code single use / expiry / attempt limit /
 * resend, the password policy, duplicates, email-as-username and email-alias pools, unknown and
 * confidential clients. Over the wire with the real AWS SDK v3, on SQLite and PostgreSQL.
 */
import { createHmac } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  AdminGetUserCommand,
  ConfirmSignUpCommand,
  DescribeUserPoolClientCommand,
  ResendConfirmationCodeCommand,
  SignUpCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { decodeJwt } from 'jose';
import { DIALECTS, useServerWithPool, type TestServer } from './helpers/harness.js';
import { createTestPool, type TestPool } from './helpers/pool.js';
import { expectServiceError } from './helpers/errors.js';
import { PASSWORD, UUID, attr, initiatePasswordAuth, outboxCode } from './helpers/latchkeyAdmin.js';

describe.each(DIALECTS)('users: sign-up on %s', (dialect) => {
  let server: TestServer;
  let pool: TestPool;
  let n = 0;
  const uniq = (p: string) => `${p}${++n}${dialect}`;

  useServerWithPool(dialect, { checkInternalErrors: false }, (s, p) => ([server, pool] = [s, p]));

  async function signUp(username: string, email = `${username}@example.com`, p: TestPool = pool, extra: Record<string, unknown> = {}) {
    return server.client.send(
      new SignUpCommand({
        ClientId: p.clientId,
        Username: username,
        Password: PASSWORD,
        UserAttributes: [{ Name: 'email', Value: email }],
        ...extra,
      }),
    );
  }

  const passwordAuth = (username: string, password = PASSWORD, p: TestPool = pool) =>
    initiatePasswordAuth(server.client, p.clientId, username, password);

  /** A code that is not `code` (so a "wrong code" is never accidentally right). */
  const other = (code: string) => String((Number(code) + 1) % 1_000_000).padStart(6, '0');

  it('SignUp → code in the outbox → ConfirmSignUp → CONFIRMED, email verified, sign-in works', async () => {
    const username = uniq('alice');
    const up = await signUp(username);
    expect(up.$metadata.httpStatusCode).toBe(200);
    expect(up.UserConfirmed).toBe(false);
    expect(up.UserSub).toMatch(UUID);
    expect(up.CodeDeliveryDetails).toEqual({ Destination: 'a***@e***', DeliveryMedium: 'EMAIL', AttributeName: 'email' });

    const before = await server.admin.send(new AdminGetUserCommand({ UserPoolId: pool.userPoolId, Username: username }));
    expect(before.UserStatus).toBe('UNCONFIRMED');
    expect(attr(before.UserAttributes, 'sub')).toBe(up.UserSub);
    expect(attr(before.UserAttributes, 'email_verified')).not.toBe('true');
    // Unconfirmed: the right password is refused with UserNotConfirmedException.
    await expectServiceError(passwordAuth(username), 'UserNotConfirmedException');

    const code = await outboxCode(server, pool.userPoolId, `${username}@example.com`);
    expect(code).toMatch(/^\d{6}$/);
    const confirmed = await server.client.send(
      new ConfirmSignUpCommand({ ClientId: pool.clientId, Username: username, ConfirmationCode: code }),
    );
    expect(confirmed.$metadata.httpStatusCode).toBe(200);

    const after = await server.admin.send(new AdminGetUserCommand({ UserPoolId: pool.userPoolId, Username: username }));
    expect(after.UserStatus).toBe('CONFIRMED');
    expect(after.Enabled).toBe(true);
    expect(attr(after.UserAttributes, 'email_verified')).toBe('true');

    const auth = await passwordAuth(username);
    expect(auth.AuthenticationResult?.AccessToken).toBeTruthy();
    expect(decodeJwt(auth.AuthenticationResult!.AccessToken!).sub).toBe(up.UserSub);
  });

  it('a wrong code is CodeMismatchException and does not consume the code', async () => {
    const username = uniq('wrong');
    await signUp(username);
    const code = await outboxCode(server, pool.userPoolId, `${username}@example.com`);
    await expectServiceError(
      server.client.send(new ConfirmSignUpCommand({ ClientId: pool.clientId, Username: username, ConfirmationCode: other(code) })),
      'CodeMismatchException',
      'Invalid verification code provided, please try again.',
    );
    const again = await server.admin.send(new AdminGetUserCommand({ UserPoolId: pool.userPoolId, Username: username }));
    expect(again.UserStatus).toBe('UNCONFIRMED');
    await server.client.send(new ConfirmSignUpCommand({ ClientId: pool.clientId, Username: username, ConfirmationCode: code }));
    expect((await server.admin.send(new AdminGetUserCommand({ UserPoolId: pool.userPoolId, Username: username }))).UserStatus).toBe(
      'CONFIRMED',
    );
  });

  it('a used code cannot confirm again: a code mismatch, as for an unknown user (existence errors prevented)', async () => {
    const username = uniq('reuse');
    await signUp(username);
    const code = await outboxCode(server, pool.userPoolId, `${username}@example.com`);
    await server.client.send(new ConfirmSignUpCommand({ ClientId: pool.clientId, Username: username, ConfirmationCode: code }));
    const again = () =>
      server.client.send(new ConfirmSignUpCommand({ ClientId: pool.clientId, Username: username, ConfirmationCode: code }));
    const unknown = () =>
      server.client.send(new ConfirmSignUpCommand({ ClientId: pool.clientId, Username: uniq('nobody'), ConfirmationCode: code }));
    await expectServiceError(again(), 'CodeMismatchException', 'Invalid verification code provided, please try again.');
    await expectServiceError(unknown(), 'CodeMismatchException', 'Invalid verification code provided, please try again.');
    // A resend for a confirmed user answers like one for an unknown user: a simulated delivery.
    const resent = await server.client.send(new ResendConfirmationCodeCommand({ ClientId: pool.clientId, Username: username }));
    expect(resent.CodeDeliveryDetails).toMatchObject({
      DeliveryMedium: 'EMAIL',
      AttributeName: 'email',
      Destination: expect.stringMatching(/^[a-z]\*\*\*@[a-z]\*\*\*$/),
    });
    expect(await outboxCode(server, pool.userPoolId, `${username}@example.com`)).toBe(code);
  });

  it('a code expires after 24 h (ExpiredCodeException at 25 h); a resent code then works', async () => {
    const username = uniq('late');
    await signUp(username);
    const code = await outboxCode(server, pool.userPoolId, `${username}@example.com`);
    server.clock.advance(25 * 3600_000);
    await expectServiceError(
      server.client.send(new ConfirmSignUpCommand({ ClientId: pool.clientId, Username: username, ConfirmationCode: code })),
      'ExpiredCodeException',
    );
    const resent = await server.client.send(new ResendConfirmationCodeCommand({ ClientId: pool.clientId, Username: username }));
    expect(resent.CodeDeliveryDetails).toEqual({ Destination: 'l***@e***', DeliveryMedium: 'EMAIL', AttributeName: 'email' });
    const fresh = await outboxCode(server, pool.userPoolId, `${username}@example.com`);
    await server.client.send(new ConfirmSignUpCommand({ ClientId: pool.clientId, Username: username, ConfirmationCode: fresh }));
    // Still within the 25 h window: a token from the unsigned client proves the confirmation.
    expect((await passwordAuth(username)).AuthenticationResult?.AccessToken).toBeTruthy();
  });

  it('a code is still valid just before 24 h', async () => {
    const username = uniq('intime');
    await signUp(username);
    const code = await outboxCode(server, pool.userPoolId, `${username}@example.com`);
    server.clock.advance(24 * 3600_000 - 60_000);
    await server.client.send(new ConfirmSignUpCommand({ ClientId: pool.clientId, Username: username, ConfirmationCode: code }));
    expect((await passwordAuth(username)).AuthenticationResult?.AccessToken).toBeTruthy();
  });

  it('after 5 wrong codes the right one is refused (TooManyFailedAttemptsException); a resent code works', async () => {
    const username = uniq('guess');
    await signUp(username);
    const code = await outboxCode(server, pool.userPoolId, `${username}@example.com`);
    for (let i = 0; i < 5; i++) {
      await expectServiceError(
        server.client.send(new ConfirmSignUpCommand({ ClientId: pool.clientId, Username: username, ConfirmationCode: other(code) })),
        'CodeMismatchException',
      );
    }
    await expectServiceError(
      server.client.send(new ConfirmSignUpCommand({ ClientId: pool.clientId, Username: username, ConfirmationCode: code })),
      'TooManyFailedAttemptsException',
    );
    expect((await server.admin.send(new AdminGetUserCommand({ UserPoolId: pool.userPoolId, Username: username }))).UserStatus).toBe(
      'UNCONFIRMED',
    );

    await server.client.send(new ResendConfirmationCodeCommand({ ClientId: pool.clientId, Username: username }));
    const fresh = await outboxCode(server, pool.userPoolId, `${username}@example.com`);
    await server.client.send(new ConfirmSignUpCommand({ ClientId: pool.clientId, Username: username, ConfirmationCode: fresh }));
    expect((await server.admin.send(new AdminGetUserCommand({ UserPoolId: pool.userPoolId, Username: username }))).UserStatus).toBe(
      'CONFIRMED',
    );
  });

  it('ResendConfirmationCode invalidates the previous code', async () => {
    const username = uniq('resend');
    await signUp(username);
    const first = await outboxCode(server, pool.userPoolId, `${username}@example.com`);
    let second = first;
    for (let i = 0; i < 5 && second === first; i++) {
      await server.client.send(new ResendConfirmationCodeCommand({ ClientId: pool.clientId, Username: username }));
      second = await outboxCode(server, pool.userPoolId, `${username}@example.com`);
    }
    expect(second).not.toBe(first);
    await expectServiceError(
      server.client.send(new ConfirmSignUpCommand({ ClientId: pool.clientId, Username: username, ConfirmationCode: first })),
      'CodeMismatchException',
    );
    await server.client.send(new ConfirmSignUpCommand({ ClientId: pool.clientId, Username: username, ConfirmationCode: second }));
    expect((await server.admin.send(new AdminGetUserCommand({ UserPoolId: pool.userPoolId, Username: username }))).UserStatus).toBe(
      'CONFIRMED',
    );
  });

  it('the password policy: each rule → InvalidPasswordException and no user is created', async () => {
    const strict = await createTestPool(server.admin, {
      passwordPolicy: { MinimumLength: 10, RequireUppercase: true, RequireLowercase: true, RequireNumbers: true, RequireSymbols: true },
    });
    const cases: [string, RegExp][] = [
      ['Ab1!efghi', /Password not long enough/],
      ['abcdefgh1!', /Password must have uppercase characters/],
      ['ABCDEFGH1!', /Password must have lowercase characters/],
      ['Abcdefghi!', /Password must have numeric characters/],
      ['Abcdefghi1', /Password must have symbol characters/],
    ];
    for (const [password, why] of cases) {
      const username = uniq('policy');
      await expectServiceError(
        server.client.send(
          new SignUpCommand({
            ClientId: strict.clientId,
            Username: username,
            Password: password,
            UserAttributes: [{ Name: 'email', Value: `${username}@example.com` }],
          }),
        ),
        'InvalidPasswordException',
        why,
      );
      await expectServiceError(
        server.admin.send(new AdminGetUserCommand({ UserPoolId: strict.userPoolId, Username: username })),
        'UserNotFoundException',
      );
    }
    // Exactly the minimum, with every class: accepted.
    const ok = await server.client.send(
      new SignUpCommand({
        ClientId: strict.clientId,
        Username: uniq('policyok'),
        Password: 'Abcdefg1!x',
        UserAttributes: [{ Name: 'email', Value: 'ok@example.com' }],
      }),
    );
    expect(ok.UserSub).toMatch(UUID);
  });

  it('a taken username is UsernameExistsException', async () => {
    const username = uniq('dup');
    await signUp(username);
    await expectServiceError(signUp(username, `other-${username}@example.com`), 'UsernameExistsException', 'User already exists');
  });

  describe('email as username (UsernameAttributes: [email])', () => {
    let emailPool: TestPool;
    beforeAll(async () => {
      emailPool = await createTestPool(server.admin, { usernameAttributes: ['email'] });
    });

    it('Username must be an email; the real username is the sub; confirm and sign in by email', async () => {
      await expectServiceError(
        server.client.send(new SignUpCommand({ ClientId: emailPool.clientId, Username: uniq('plainname'), Password: PASSWORD })),
        'InvalidParameterException',
      );

      const email = `${uniq('carol')}@example.com`;
      const up = await server.client.send(new SignUpCommand({ ClientId: emailPool.clientId, Username: email, Password: PASSWORD }));
      expect(up.UserSub).toMatch(UUID);
      expect(up.CodeDeliveryDetails?.AttributeName).toBe('email');

      const got = await server.admin.send(new AdminGetUserCommand({ UserPoolId: emailPool.userPoolId, Username: email }));
      expect(got.Username).toBe(up.UserSub);
      expect(attr(got.UserAttributes, 'email')).toBe(email);

      await server.client.send(
        new ConfirmSignUpCommand({
          ClientId: emailPool.clientId,
          Username: email,
          ConfirmationCode: await outboxCode(server, emailPool.userPoolId, email),
        }),
      );
      const auth = await passwordAuth(email, PASSWORD, emailPool);
      const access = decodeJwt(auth.AuthenticationResult!.AccessToken!);
      const id = decodeJwt(auth.AuthenticationResult!.IdToken!);
      expect(access.sub).toBe(up.UserSub);
      expect(access.username).toBe(up.UserSub);
      expect(id['cognito:username']).toBe(up.UserSub);
      expect(id.email).toBe(email);

      // The same email again is taken.
      await expectServiceError(
        server.client.send(new SignUpCommand({ ClientId: emailPool.clientId, Username: email, Password: PASSWORD })),
        'UsernameExistsException',
      );
    });
  });

  describe('email alias (AliasAttributes: [email])', () => {
    let aliasPool: TestPool;
    beforeAll(async () => {
      aliasPool = await createTestPool(server.admin, { aliasAttributes: ['email'] });
    });

    it('sign-in by email works once the email is verified by confirmation', async () => {
      const username = uniq('dave');
      const email = `${username}@example.com`;
      await signUp(username, email, aliasPool);
      // An unverified email is no alias yet: as if the user did not exist (ENABLED → NotAuthorizedException).
      await expectServiceError(passwordAuth(email, PASSWORD, aliasPool), 'NotAuthorizedException', 'Incorrect username or password.');

      await server.client.send(
        new ConfirmSignUpCommand({
          ClientId: aliasPool.clientId,
          Username: username,
          ConfirmationCode: await outboxCode(server, aliasPool.userPoolId, email),
        }),
      );
      const byEmail = await passwordAuth(email, PASSWORD, aliasPool);
      const access = decodeJwt(byEmail.AuthenticationResult!.AccessToken!);
      expect(access.username).toBe(username);
      const byName = await passwordAuth(username, PASSWORD, aliasPool);
      expect(decodeJwt(byName.AuthenticationResult!.AccessToken!).sub).toBe(access.sub);
    });

    it('ForceAliasCreation moves an email alias to the user being confirmed', async () => {
      // Two users sign up with one email; the first to confirm holds the alias.
      const email = `${uniq('shared')}@example.com`;
      const first = uniq('first');
      const second = uniq('second');
      await signUp(first, email, aliasPool);
      const firstCode = await outboxCode(server, aliasPool.userPoolId, email);
      await signUp(second, email, aliasPool);
      const secondCode = await outboxCode(server, aliasPool.userPoolId, email);
      await server.client.send(new ConfirmSignUpCommand({ ClientId: aliasPool.clientId, Username: first, ConfirmationCode: firstCode }));
      expect(decodeJwt((await passwordAuth(email, PASSWORD, aliasPool)).AuthenticationResult!.AccessToken!).username).toBe(first);

      await expectServiceError(
        server.client.send(new ConfirmSignUpCommand({ ClientId: aliasPool.clientId, Username: second, ConfirmationCode: secondCode })),
        'AliasExistsException',
      );
      await server.client.send(new ResendConfirmationCodeCommand({ ClientId: aliasPool.clientId, Username: second }));
      const again = await outboxCode(server, aliasPool.userPoolId, email);
      await server.client.send(
        new ConfirmSignUpCommand({ ClientId: aliasPool.clientId, Username: second, ConfirmationCode: again, ForceAliasCreation: true }),
      );
      expect((await server.admin.send(new AdminGetUserCommand({ UserPoolId: aliasPool.userPoolId, Username: second }))).UserStatus).toBe(
        'CONFIRMED',
      );
      // Cognito: "the API call will migrate the alias from the previous user to the newly created user being confirmed."
      expect(decodeJwt((await passwordAuth(email, PASSWORD, aliasPool)).AuthenticationResult!.AccessToken!).username).toBe(second);
    });
  });

  it('unknown users: ConfirmSignUp is CodeMismatchException and Resend answers as for a real user (ENABLED)', async () => {
    await expectServiceError(
      server.client.send(new ConfirmSignUpCommand({ ClientId: pool.clientId, Username: uniq('ghost'), ConfirmationCode: '123456' })),
      'CodeMismatchException',
    );
    const r = await server.client.send(new ResendConfirmationCodeCommand({ ClientId: pool.clientId, Username: uniq('ghost') }));
    expect(r.CodeDeliveryDetails?.DeliveryMedium).toBe('EMAIL');
    const legacy = await createTestPool(server.admin, { preventUserExistenceErrors: 'LEGACY' });
    await expectServiceError(
      server.client.send(new ConfirmSignUpCommand({ ClientId: legacy.clientId, Username: uniq('ghost'), ConfirmationCode: '123456' })),
      'UserNotFoundException',
    );
    await expectServiceError(
      server.client.send(new ResendConfirmationCodeCommand({ ClientId: legacy.clientId, Username: uniq('ghost') })),
      'UserNotFoundException',
    );
  });

  it('an unknown ClientId is ResourceNotFoundException', async () => {
    await expectServiceError(
      server.client.send(new SignUpCommand({ ClientId: 'abcdefghijklmnopqrstuvwxyz', Username: uniq('nobody'), Password: PASSWORD })),
      'ResourceNotFoundException',
    );
    await expectServiceError(
      server.client.send(
        new ConfirmSignUpCommand({ ClientId: 'abcdefghijklmnopqrstuvwxyz', Username: 'nobody', ConfirmationCode: '123456' }),
      ),
      'ResourceNotFoundException',
    );
  });

  it('a client with a secret needs SecretHash = base64(HMAC-SHA256(secret, username + clientId))', async () => {
    const confidential = await createTestPool(server.admin, { generateSecret: true });
    const described = await server.admin.send(
      new DescribeUserPoolClientCommand({ UserPoolId: confidential.userPoolId, ClientId: confidential.clientId }),
    );
    const secret = described.UserPoolClient!.ClientSecret!;
    expect(secret).toBeTruthy();
    const hash = (u: string) =>
      createHmac('sha256', secret)
        .update(u + confidential.clientId)
        .digest('base64');
    const username = uniq('erin');
    const input = {
      ClientId: confidential.clientId,
      Username: username,
      Password: PASSWORD,
      UserAttributes: [{ Name: 'email', Value: `${username}@example.com` }],
    };

    await expectServiceError(server.client.send(new SignUpCommand(input)), 'NotAuthorizedException');
    await expectServiceError(
      server.client.send(new SignUpCommand({ ...input, SecretHash: hash(`${username}x`) })),
      'NotAuthorizedException',
    );
    await expectServiceError(
      server.client.send(
        new SignUpCommand({
          ...input,
          SecretHash: createHmac('sha256', 'not-the-secret')
            .update(username + confidential.clientId)
            .digest('base64'),
        }),
      ),
      'NotAuthorizedException',
    );
    const up = await server.client.send(new SignUpCommand({ ...input, SecretHash: hash(username) }));
    expect(up.UserSub).toMatch(UUID);

    const code = await outboxCode(server, confidential.userPoolId, `${username}@example.com`);
    await expectServiceError(
      server.client.send(new ConfirmSignUpCommand({ ClientId: confidential.clientId, Username: username, ConfirmationCode: code })),
      'NotAuthorizedException',
    );
    await server.client.send(
      new ConfirmSignUpCommand({ ClientId: confidential.clientId, Username: username, ConfirmationCode: code, SecretHash: hash(username) }),
    );
    const auth = await initiatePasswordAuth(server.client, confidential.clientId, username, PASSWORD, { SECRET_HASH: hash(username) });
    expect(auth.AuthenticationResult?.AccessToken).toBeTruthy();
  });
});

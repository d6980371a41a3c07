/**
 * Sign-up: SignUp → code in the outbox → ConfirmSignUp, code single use / expiry / attempt limit /
 * resend, the password policy, duplicates, email-as-username and email-alias pools, unknown and
 * confidential clients. Over the wire with the real AWS SDK v3, on SQLite and PostgreSQL.
 */
import { createHmac } from 'node:crypto';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  AdminGetUserCommand,
  ConfirmSignUpCommand,
  DescribeUserPoolClientCommand,
  InitiateAuthCommand,
  ResendConfirmationCodeCommand,
  SignUpCommand,
  type AttributeType,
} from '@aws-sdk/client-cognito-identity-provider';
import { decodeJwt } from 'jose';

// A private PostgreSQL database for this file: Kysely's Migrator (storage/open.ts, no
// migrationTableSchema) finds `kysely_migration` in *any* schema of the database, so a fresh schema
// next to another test file's migrated one is not migrated (see admin-pools.test.ts). Runs before imports.
const PGENV = vi.hoisted(() => {
  const admin = new URL(process.env.DATABASE_URL ?? 'postgres://127.0.0.1:5432/test');
  if (!admin.username && !process.env.PGUSER && !process.env.USER) process.env.PGUSER = 'postgres';
  const name = `lk_users_signup_${process.pid}_${Date.now().toString(36)}`;
  const own = new URL(admin.href);
  own.pathname = `/${name}`;
  process.env.DATABASE_URL = own.href;
  return { adminUrl: admin.href, name };
});

import { DIALECTS, startTestServer, type TestServer } from './helpers/harness.js';
import { createTestPool, type TestPool } from './helpers/pool.js';

async function adminQuery(sql: string) {
  const c = new pg.Client({ connectionString: PGENV.adminUrl });
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}
beforeAll(async () => {
  if (DIALECTS.includes('postgres')) await adminQuery(`CREATE DATABASE ${PGENV.name}`);
});
afterAll(async () => {
  if (DIALECTS.includes('postgres')) await adminQuery(`DROP DATABASE IF EXISTS ${PGENV.name} WITH (FORCE)`);
});

type SdkError = { name: string; message: string; $metadata?: { httpStatusCode?: number } };

/** Expects the SDK call to fail with the named Cognito error, HTTP 400 (and the exact message when given). */
async function rejectsWith(p: Promise<unknown>, name: string, message?: string | RegExp): Promise<SdkError> {
  const err = await p.then(
    () => expect.fail(`expected ${name}, the call succeeded`),
    (e: unknown) => e as SdkError,
  );
  expect(err.name, err.message).toBe(name);
  expect(err.$metadata?.httpStatusCode).toBe(400);
  if (typeof message === 'string') expect(err.message).toBe(message);
  else if (message) expect(err.message).toMatch(message);
  return err;
}

const attr = (attrs: AttributeType[] | undefined, name: string) => attrs?.find((a) => a.Name === name)?.Value;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const PASSWORD = 'Passw0rdX';

describe.each(DIALECTS)('users: sign-up on %s', (dialect) => {
  let server: TestServer;
  let pool: TestPool;
  let n = 0;
  const uniq = (p: string) => `${p}${++n}${dialect}`;

  beforeAll(async () => {
    server = await startTestServer(dialect);
    pool = await createTestPool(server.admin);
  });
  afterAll(async () => {
    await server?.stop();
  });
  // Tests that move the server clock put it back (admin calls are SigV4-signed with the real time).
  afterEach(() => {
    server.clock.offset = 0;
  });

  /** The newest code sent to `destination` in the pool. */
  async function codeFor(poolId: string, destination: string): Promise<string> {
    const msgs = await server.services.store.listOutbox(poolId, 200);
    const m = msgs.find((x) => x.destination === destination);
    expect(m, `a message to ${destination}`).toBeDefined();
    return m!.code!;
  }

  async function signUp(username: string, email = `${username}@example.com`, p: TestPool = pool, extra: Record<string, unknown> = {}) {
    return server.client.send(new SignUpCommand({
      ClientId: p.clientId, Username: username, Password: PASSWORD, UserAttributes: [{ Name: 'email', Value: email }], ...extra,
    }));
  }

  const passwordAuth = (username: string, password = PASSWORD, p: TestPool = pool) =>
    server.client.send(new InitiateAuthCommand({ ClientId: p.clientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: username, PASSWORD: password } }));

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
    await rejectsWith(passwordAuth(username), 'UserNotConfirmedException');

    const code = await codeFor(pool.userPoolId, `${username}@example.com`);
    expect(code).toMatch(/^\d{6}$/);
    const confirmed = await server.client.send(new ConfirmSignUpCommand({ ClientId: pool.clientId, Username: username, ConfirmationCode: code }));
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
    const code = await codeFor(pool.userPoolId, `${username}@example.com`);
    await rejectsWith(server.client.send(new ConfirmSignUpCommand({ ClientId: pool.clientId, Username: username, ConfirmationCode: other(code) })),
      'CodeMismatchException', 'Invalid verification code provided, please try again.');
    const again = await server.admin.send(new AdminGetUserCommand({ UserPoolId: pool.userPoolId, Username: username }));
    expect(again.UserStatus).toBe('UNCONFIRMED');
    await server.client.send(new ConfirmSignUpCommand({ ClientId: pool.clientId, Username: username, ConfirmationCode: code }));
    expect((await server.admin.send(new AdminGetUserCommand({ UserPoolId: pool.userPoolId, Username: username }))).UserStatus).toBe('CONFIRMED');
  });

  it('a used code cannot confirm again (NotAuthorizedException: already CONFIRMED)', async () => {
    const username = uniq('reuse');
    await signUp(username);
    const code = await codeFor(pool.userPoolId, `${username}@example.com`);
    await server.client.send(new ConfirmSignUpCommand({ ClientId: pool.clientId, Username: username, ConfirmationCode: code }));
    await rejectsWith(server.client.send(new ConfirmSignUpCommand({ ClientId: pool.clientId, Username: username, ConfirmationCode: code })),
      'NotAuthorizedException', 'User cannot be confirmed. Current status is CONFIRMED');
    // And a resend for a confirmed user is refused.
    await rejectsWith(server.client.send(new ResendConfirmationCodeCommand({ ClientId: pool.clientId, Username: username })), 'InvalidParameterException');
  });

  it('a code expires after 24 h (ExpiredCodeException at 25 h); a resent code then works', async () => {
    const username = uniq('late');
    await signUp(username);
    const code = await codeFor(pool.userPoolId, `${username}@example.com`);
    server.clock.advance(25 * 3600_000);
    await rejectsWith(server.client.send(new ConfirmSignUpCommand({ ClientId: pool.clientId, Username: username, ConfirmationCode: code })), 'ExpiredCodeException');
    const resent = await server.client.send(new ResendConfirmationCodeCommand({ ClientId: pool.clientId, Username: username }));
    expect(resent.CodeDeliveryDetails).toEqual({ Destination: 'l***@e***', DeliveryMedium: 'EMAIL', AttributeName: 'email' });
    const fresh = await codeFor(pool.userPoolId, `${username}@example.com`);
    await server.client.send(new ConfirmSignUpCommand({ ClientId: pool.clientId, Username: username, ConfirmationCode: fresh }));
    // Still within the 25 h window: a token from the unsigned client proves the confirmation.
    expect((await passwordAuth(username)).AuthenticationResult?.AccessToken).toBeTruthy();
  });

  it('a code is still valid just before 24 h', async () => {
    const username = uniq('intime');
    await signUp(username);
    const code = await codeFor(pool.userPoolId, `${username}@example.com`);
    server.clock.advance(24 * 3600_000 - 60_000);
    await server.client.send(new ConfirmSignUpCommand({ ClientId: pool.clientId, Username: username, ConfirmationCode: code }));
    expect((await passwordAuth(username)).AuthenticationResult?.AccessToken).toBeTruthy();
  });

  it('after 5 wrong codes the right one is refused (TooManyFailedAttemptsException); a resent code works', async () => {
    const username = uniq('guess');
    await signUp(username);
    const code = await codeFor(pool.userPoolId, `${username}@example.com`);
    for (let i = 0; i < 5; i++) {
      await rejectsWith(server.client.send(new ConfirmSignUpCommand({ ClientId: pool.clientId, Username: username, ConfirmationCode: other(code) })), 'CodeMismatchException');
    }
    await rejectsWith(server.client.send(new ConfirmSignUpCommand({ ClientId: pool.clientId, Username: username, ConfirmationCode: code })), 'TooManyFailedAttemptsException');
    expect((await server.admin.send(new AdminGetUserCommand({ UserPoolId: pool.userPoolId, Username: username }))).UserStatus).toBe('UNCONFIRMED');

    await server.client.send(new ResendConfirmationCodeCommand({ ClientId: pool.clientId, Username: username }));
    const fresh = await codeFor(pool.userPoolId, `${username}@example.com`);
    await server.client.send(new ConfirmSignUpCommand({ ClientId: pool.clientId, Username: username, ConfirmationCode: fresh }));
    expect((await server.admin.send(new AdminGetUserCommand({ UserPoolId: pool.userPoolId, Username: username }))).UserStatus).toBe('CONFIRMED');
  });

  it('ResendConfirmationCode invalidates the previous code', async () => {
    const username = uniq('resend');
    await signUp(username);
    const first = await codeFor(pool.userPoolId, `${username}@example.com`);
    let second = first;
    for (let i = 0; i < 5 && second === first; i++) {
      await server.client.send(new ResendConfirmationCodeCommand({ ClientId: pool.clientId, Username: username }));
      second = await codeFor(pool.userPoolId, `${username}@example.com`);
    }
    expect(second).not.toBe(first);
    await rejectsWith(server.client.send(new ConfirmSignUpCommand({ ClientId: pool.clientId, Username: username, ConfirmationCode: first })), 'CodeMismatchException');
    await server.client.send(new ConfirmSignUpCommand({ ClientId: pool.clientId, Username: username, ConfirmationCode: second }));
    expect((await server.admin.send(new AdminGetUserCommand({ UserPoolId: pool.userPoolId, Username: username }))).UserStatus).toBe('CONFIRMED');
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
      await rejectsWith(server.client.send(new SignUpCommand({
        ClientId: strict.clientId, Username: username, Password: password, UserAttributes: [{ Name: 'email', Value: `${username}@example.com` }],
      })), 'InvalidPasswordException', why);
      await rejectsWith(server.admin.send(new AdminGetUserCommand({ UserPoolId: strict.userPoolId, Username: username })), 'UserNotFoundException');
    }
    // Exactly the minimum, with every class: accepted.
    const ok = await server.client.send(new SignUpCommand({
      ClientId: strict.clientId, Username: uniq('policyok'), Password: 'Abcdefg1!x', UserAttributes: [{ Name: 'email', Value: 'ok@example.com' }],
    }));
    expect(ok.UserSub).toMatch(UUID);
  });

  it('a taken username is UsernameExistsException', async () => {
    const username = uniq('dup');
    await signUp(username);
    await rejectsWith(signUp(username, `other-${username}@example.com`), 'UsernameExistsException', 'User already exists');
  });

  describe('email as username (UsernameAttributes: [email])', () => {
    let emailPool: TestPool;
    beforeAll(async () => {
      emailPool = await createTestPool(server.admin, { usernameAttributes: ['email'] });
    });

    it('Username must be an email; the real username is the sub; confirm and sign in by email', async () => {
      await rejectsWith(server.client.send(new SignUpCommand({ ClientId: emailPool.clientId, Username: uniq('plainname'), Password: PASSWORD })), 'InvalidParameterException');

      const email = `${uniq('carol')}@example.com`;
      const up = await server.client.send(new SignUpCommand({ ClientId: emailPool.clientId, Username: email, Password: PASSWORD }));
      expect(up.UserSub).toMatch(UUID);
      expect(up.CodeDeliveryDetails?.AttributeName).toBe('email');

      const got = await server.admin.send(new AdminGetUserCommand({ UserPoolId: emailPool.userPoolId, Username: email }));
      expect(got.Username).toBe(up.UserSub);
      expect(attr(got.UserAttributes, 'email')).toBe(email);

      await server.client.send(new ConfirmSignUpCommand({ ClientId: emailPool.clientId, Username: email, ConfirmationCode: await codeFor(emailPool.userPoolId, email) }));
      const auth = await passwordAuth(email, PASSWORD, emailPool);
      const access = decodeJwt(auth.AuthenticationResult!.AccessToken!);
      const id = decodeJwt(auth.AuthenticationResult!.IdToken!);
      expect(access.sub).toBe(up.UserSub);
      expect(access.username).toBe(up.UserSub);
      expect(id['cognito:username']).toBe(up.UserSub);
      expect(id.email).toBe(email);

      // The same email again is taken.
      await rejectsWith(server.client.send(new SignUpCommand({ ClientId: emailPool.clientId, Username: email, Password: PASSWORD })), 'UsernameExistsException');
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
      await rejectsWith(passwordAuth(email, PASSWORD, aliasPool), 'NotAuthorizedException', 'Incorrect username or password.');

      await server.client.send(new ConfirmSignUpCommand({ ClientId: aliasPool.clientId, Username: username, ConfirmationCode: await codeFor(aliasPool.userPoolId, email) }));
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
      const firstCode = await codeFor(aliasPool.userPoolId, email);
      await signUp(second, email, aliasPool);
      const secondCode = await codeFor(aliasPool.userPoolId, email);
      await server.client.send(new ConfirmSignUpCommand({ ClientId: aliasPool.clientId, Username: first, ConfirmationCode: firstCode }));
      expect(decodeJwt((await passwordAuth(email, PASSWORD, aliasPool)).AuthenticationResult!.AccessToken!).username).toBe(first);

      await rejectsWith(server.client.send(new ConfirmSignUpCommand({ ClientId: aliasPool.clientId, Username: second, ConfirmationCode: secondCode })), 'AliasExistsException');
      await server.client.send(new ResendConfirmationCodeCommand({ ClientId: aliasPool.clientId, Username: second }));
      const again = await codeFor(aliasPool.userPoolId, email);
      await server.client.send(new ConfirmSignUpCommand({ ClientId: aliasPool.clientId, Username: second, ConfirmationCode: again, ForceAliasCreation: true }));
      expect((await server.admin.send(new AdminGetUserCommand({ UserPoolId: aliasPool.userPoolId, Username: second }))).UserStatus).toBe('CONFIRMED');
      // Cognito: "the API call will migrate the alias from the previous user to the newly created user being confirmed."
      expect(decodeJwt((await passwordAuth(email, PASSWORD, aliasPool)).AuthenticationResult!.AccessToken!).username).toBe(second);
    });
  });

  it('unknown users: ConfirmSignUp is CodeMismatchException and Resend answers as for a real user (ENABLED)', async () => {
    await rejectsWith(server.client.send(new ConfirmSignUpCommand({ ClientId: pool.clientId, Username: uniq('ghost'), ConfirmationCode: '123456' })), 'CodeMismatchException');
    const r = await server.client.send(new ResendConfirmationCodeCommand({ ClientId: pool.clientId, Username: uniq('ghost') }));
    expect(r.CodeDeliveryDetails?.DeliveryMedium).toBe('EMAIL');
    const legacy = await createTestPool(server.admin, { preventUserExistenceErrors: 'LEGACY' });
    await rejectsWith(server.client.send(new ConfirmSignUpCommand({ ClientId: legacy.clientId, Username: uniq('ghost'), ConfirmationCode: '123456' })), 'UserNotFoundException');
    await rejectsWith(server.client.send(new ResendConfirmationCodeCommand({ ClientId: legacy.clientId, Username: uniq('ghost') })), 'UserNotFoundException');
  });

  it('an unknown ClientId is ResourceNotFoundException', async () => {
    await rejectsWith(server.client.send(new SignUpCommand({ ClientId: 'abcdefghijklmnopqrstuvwxyz', Username: uniq('nobody'), Password: PASSWORD })), 'ResourceNotFoundException');
    await rejectsWith(server.client.send(new ConfirmSignUpCommand({ ClientId: 'abcdefghijklmnopqrstuvwxyz', Username: 'nobody', ConfirmationCode: '123456' })), 'ResourceNotFoundException');
  });

  it('a client with a secret needs SecretHash = base64(HMAC-SHA256(secret, username + clientId))', async () => {
    const confidential = await createTestPool(server.admin, { generateSecret: true });
    const described = await server.admin.send(new DescribeUserPoolClientCommand({ UserPoolId: confidential.userPoolId, ClientId: confidential.clientId }));
    const secret = described.UserPoolClient!.ClientSecret!;
    expect(secret).toBeTruthy();
    const hash = (u: string) => createHmac('sha256', secret).update(u + confidential.clientId).digest('base64');
    const username = uniq('erin');
    const input = { ClientId: confidential.clientId, Username: username, Password: PASSWORD, UserAttributes: [{ Name: 'email', Value: `${username}@example.com` }] };

    await rejectsWith(server.client.send(new SignUpCommand(input)), 'NotAuthorizedException');
    await rejectsWith(server.client.send(new SignUpCommand({ ...input, SecretHash: hash(`${username}x`) })), 'NotAuthorizedException');
    await rejectsWith(server.client.send(new SignUpCommand({ ...input, SecretHash: createHmac('sha256', 'not-the-secret').update(username + confidential.clientId).digest('base64') })), 'NotAuthorizedException');
    const up = await server.client.send(new SignUpCommand({ ...input, SecretHash: hash(username) }));
    expect(up.UserSub).toMatch(UUID);

    const code = await codeFor(confidential.userPoolId, `${username}@example.com`);
    await rejectsWith(server.client.send(new ConfirmSignUpCommand({ ClientId: confidential.clientId, Username: username, ConfirmationCode: code })), 'NotAuthorizedException');
    await server.client.send(new ConfirmSignUpCommand({ ClientId: confidential.clientId, Username: username, ConfirmationCode: code, SecretHash: hash(username) }));
    const auth = await server.client.send(new InitiateAuthCommand({
      ClientId: confidential.clientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: username, PASSWORD, SECRET_HASH: hash(username) },
    }));
    expect(auth.AuthenticationResult?.AccessToken).toBeTruthy();
  });
});

/**
 * Usernames and email aliases, on both stores: in a pool where email is an alias, an email-shaped username
 * (which could pass for someone's alias) is refused by SignUp and AdminCreateUser, as Cognito does; a typed
 * email resolves to the alias owner; and no one can take over an alias its holder keeps.
 */
import { describe, expect, it } from 'vitest';
import {
  AdminCreateUserCommand,
  AdminGetUserCommand,
  GetUserCommand,
  InitiateAuthCommand,
  RespondToAuthChallengeCommand,
  SignUpCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { DIALECTS, useServerWithPool, type TestServer } from './helpers/harness.js';
import type { TestPool } from './helpers/pool.js';
import { expectServiceError } from './helpers/errors.js';
import { accessToken, adminCreateConfirmedUser, createUser, initiatePasswordAuth, PASSWORD } from './helpers/latchkeyAdmin.js';
import { newUserRecord } from '../src/auth/newUser.js';
import { Pool } from '../src/domain/pools.js';

let n = 0;
const uniq = (p: string) => `${p}${process.pid}x${++n}`;

describe.each(DIALECTS)('usernames and email aliases on %s', (dialect) => {
  let srv: TestServer;
  let aliasPool: TestPool;
  useServerWithPool(dialect, { pool: { aliasAttributes: ['email'] } }, (s, p) => {
    srv = s;
    aliasPool = p;
  });

  describe('email-shaped usernames in an email-alias pool', () => {
    it("SignUp with another person's email as Username → InvalidParameterException (Cognito's wording); nothing is stored", async () => {
      const victim = uniq('victim');
      const email = `${victim}@example.com`;
      await adminCreateConfirmedUser(srv.admin, aliasPool.userPoolId, victim, PASSWORD, email);
      await expectServiceError(
        srv.client.send(
          new SignUpCommand({
            ClientId: aliasPool.clientId,
            Username: email,
            Password: 'Attack3r-Passw0rd',
            UserAttributes: [{ Name: 'email', Value: `attacker${n}@example.com` }],
          }),
        ),
        'InvalidParameterException',
        'Username cannot be of email format, since user pool is configured for email alias.',
      );
      expect(await srv.services.store.findUserByLogin(aliasPool.userPoolId, email, null)).toBeUndefined();
      // Signing in with the email still reaches the victim, with the victim's password only.
      expect((await initiatePasswordAuth(srv.client, aliasPool.clientId, email, PASSWORD)).AuthenticationResult?.AccessToken).toBeTruthy();
    });

    it('AdminCreateUser with an email-shaped Username → InvalidParameterException; a plain one is fine', async () => {
      await expectServiceError(
        srv.admin.send(
          new AdminCreateUserCommand({ UserPoolId: aliasPool.userPoolId, Username: `${uniq('x')}@example.com`, MessageAction: 'SUPPRESS' }),
        ),
        'InvalidParameterException',
        'Username cannot be of email format, since user pool is configured for email alias.',
      );
      const ok = await srv.admin.send(
        new AdminCreateUserCommand({ UserPoolId: aliasPool.userPoolId, Username: uniq('plain'), MessageAction: 'SUPPRESS' }),
      );
      expect(ok.User?.Username).toMatch(/^plain/);
    });

    it('a phone-number-shaped username is refused where phone_number is an alias', () => {
      const phonePool = new Pool({
        id: 'local_phone',
        name: 'p',
        config: { AliasAttributes: ['phone_number'] },
        createdAt: 0,
        updatedAt: 0,
      });
      expect(() => newUserRecord(phonePool, '+15555550100', {}, 'UNCONFIRMED', undefined, 0, { emailAttributeSuffices: false })).toThrow(
        'Username cannot be of phone number format, since user pool is configured for phone_number alias.',
      );
      expect(newUserRecord(phonePool, 'bob', {}, 'UNCONFIRMED', undefined, 0, { emailAttributeSuffices: false }).username).toBe('bob');
    });

    it('a username stored before the rule that looks like a verified alias loses to the alias owner at sign-in', async () => {
      const owner = uniq('owner');
      const email = `${owner}@example.com`;
      await adminCreateConfirmedUser(srv.admin, aliasPool.userPoolId, owner, PASSWORD, email);
      // An account whose username is the owner's email, as the old code let SignUp create.
      const p = new Pool((await srv.services.store.getPool(aliasPool.userPoolId))!);
      const legacy = newUserRecord(
        new Pool({ ...p.record, config: { ...p.record.config, AliasAttributes: [] } }),
        email,
        {},
        'CONFIRMED',
        'Legacy-Passw0rd',
        srv.clock.now(),
        { emailAttributeSuffices: false },
      );
      await srv.services.store.createUser({ ...legacy, poolId: aliasPool.userPoolId, srpSalt: null, srpVerifier: null });
      const found = await srv.services.store.findUserByLogin(aliasPool.userPoolId, email, email);
      expect(found?.username).toBe(owner);
      // Admin operations address users by username first: the old account stays reachable to the admin.
      const got = await srv.admin.send(new AdminGetUserCommand({ UserPoolId: aliasPool.userPoolId, Username: email }));
      expect(got.Username).toBe(email);
      expect((await initiatePasswordAuth(srv.client, aliasPool.clientId, email, PASSWORD)).AuthenticationResult?.AccessToken).toBeTruthy();
    });
  });

  describe('an email alias stays with its holder', () => {
    it("NEW_PASSWORD_REQUIRED cannot claim another user's email alias: the new email is unverified, the alias stays put", async () => {
      const holder = await createUser(srv, aliasPool, 'holder');
      const holderEmail = `${holder.username}@example.com`;
      const name = `temp-${Date.now()}`;
      await srv.admin.send(
        new AdminCreateUserCommand({
          UserPoolId: aliasPool.userPoolId,
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
          ClientId: aliasPool.clientId,
          AuthFlow: 'USER_PASSWORD_AUTH',
          AuthParameters: { USERNAME: name, PASSWORD: 'Temp-Passw0rd' },
        }),
      );
      expect(challenge.ChallengeName).toBe('NEW_PASSWORD_REQUIRED');
      const done = await srv.client.send(
        new RespondToAuthChallengeCommand({
          ClientId: aliasPool.clientId,
          ChallengeName: 'NEW_PASSWORD_REQUIRED',
          Session: challenge.Session,
          ChallengeResponses: { USERNAME: name, NEW_PASSWORD: 'NewPassw0rdX', 'userAttributes.email': holderEmail },
        }),
      );
      const me = await srv.client.send(new GetUserCommand({ AccessToken: done.AuthenticationResult!.AccessToken! }));
      expect(me.UserAttributes?.find((a) => a.Name === 'email')?.Value).toBe(holderEmail);
      expect(me.UserAttributes?.find((a) => a.Name === 'email_verified')?.Value).toBe('false');
      // Signing in with that email still reaches the holder, not the newcomer.
      const byEmail = await accessToken(srv, aliasPool.clientId, { username: holderEmail, password: holder.password });
      expect((await srv.client.send(new GetUserCommand({ AccessToken: byEmail }))).Username).toBe(holder.username);
    });
  });
});

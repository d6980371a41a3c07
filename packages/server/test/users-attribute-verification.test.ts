/**
 * Verification on change (issue 17 items 1 and 2), over the wire with the real AWS SDK v3 on SQLite and PostgreSQL:
 * - AdminUpdateUserAttributes that changes email / phone_number in a pool that auto-verifies it sends a code (which
 *   VerifyUserAttribute then accepts), unless the same call sets the `*_verified` flag `true`;
 * - with UserAttributeUpdateSettings.AttributesRequireVerificationBeforeUpdate a changed email stays pending: sign-in,
 *   the alias, GetUser, AdminGetUser and ListUsers keep the old, verified value until the new one is verified; one
 *   account per alias holds when many users verify the same pending email at once.
 */
import { describe, expect, it } from 'vitest';
import {
  AdminGetUserCommand,
  AdminUpdateUserAttributesCommand,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  GetUserAttributeVerificationCodeCommand,
  GetUserCommand,
  ListUsersCommand,
  UpdateUserAttributesCommand,
  VerifyUserAttributeCommand,
  type CreateUserPoolCommandInput,
} from '@aws-sdk/client-cognito-identity-provider';
import { DIALECTS, useServerWithPool, type TestServer } from './helpers/harness.js';
import type { TestPool } from './helpers/pool.js';
import { expectServiceError } from './helpers/errors.js';
import { accessToken, adminCreateConfirmedUser, attr, initiatePasswordAuth, outboxCode, PASSWORD } from './helpers/latchkeyAdmin.js';

let n = 0;
const uniq = (p: string) => `${p}${process.pid}x${++n}`;

async function makePool(srv: TestServer, extra: Partial<CreateUserPoolCommandInput>): Promise<TestPool> {
  const pool = await srv.admin.send(
    new CreateUserPoolCommand({
      PoolName: uniq('verify'),
      Policies: { PasswordPolicy: { MinimumLength: 8, RequireSymbols: false } },
      AliasAttributes: ['email'],
      AutoVerifiedAttributes: ['email', 'phone_number'],
      ...extra,
    }),
  );
  const client = await srv.admin.send(
    new CreateUserPoolClientCommand({
      UserPoolId: pool.UserPool!.Id!,
      ClientName: 'web',
      ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
    }),
  );
  return { userPoolId: pool.UserPool!.Id!, clientId: client.UserPoolClient!.ClientId! };
}

describe.each(DIALECTS)('attribute verification on change on %s', (dialect) => {
  let srv: TestServer;
  let plain: TestPool;
  let strict: TestPool;
  useServerWithPool(
    dialect,
    {
      setup: async (s) => {
        plain = await makePool(s, {});
        strict = await makePool(s, {
          UserAttributeUpdateSettings: { AttributesRequireVerificationBeforeUpdate: ['email', 'phone_number'] },
        });
      },
    },
    (s) => (srv = s),
  );

  const user = async (pool: TestPool) => {
    const username = uniq('u');
    const email = `${username}@example.com`;
    await adminCreateConfirmedUser(srv.admin, pool.userPoolId, username, PASSWORD, email);
    return { username, email, password: PASSWORD };
  };
  const adminAttrs = async (pool: TestPool, username: string) =>
    (await srv.admin.send(new AdminGetUserCommand({ UserPoolId: pool.userPoolId, Username: username }))).UserAttributes;
  const adminUpdate = (pool: TestPool, username: string, attrs: Record<string, string>) =>
    srv.admin.send(
      new AdminUpdateUserAttributesCommand({
        UserPoolId: pool.userPoolId,
        Username: username,
        UserAttributes: Object.entries(attrs).map(([Name, Value]) => ({ Name, Value })),
      }),
    );
  const verify = (token: string, AttributeName: string, Code: string) =>
    srv.client.send(new VerifyUserAttributeCommand({ AccessToken: token, AttributeName, Code }));
  const signsIn = async (pool: TestPool, name: string) =>
    initiatePasswordAuth(srv.client, pool.clientId, name).then(
      (r) => !!r.AuthenticationResult,
      () => false,
    );
  const outboxTo = async (pool: TestPool, destination: string) =>
    (await srv.services.store.listOutbox(pool.userPoolId, 500)).filter((m) => m.destination === destination);

  describe('item 1: AdminUpdateUserAttributes sends a verification code', () => {
    it('a changed email gets a code that VerifyUserAttribute accepts; the new email is then the verified alias', async () => {
      const u = await user(plain);
      const next = `new-${u.email}`;
      await adminUpdate(plain, u.username, { email: next });
      expect(attr(await adminAttrs(plain, u.username), 'email_verified')).toBe('false');
      const code = await outboxCode(srv, plain.userPoolId, next);
      const token = await accessToken(srv, plain.clientId, u);
      expect((await verify(token, 'email', code)).$metadata.httpStatusCode).toBe(200);
      const after = await adminAttrs(plain, u.username);
      expect({ email: attr(after, 'email'), verified: attr(after, 'email_verified') }).toEqual({ email: next, verified: 'true' });
      expect(await signsIn(plain, next)).toBe(true);
    });

    it('a changed phone_number gets an SMS code that VerifyUserAttribute accepts', async () => {
      const u = await user(plain);
      const phone = `+1555${String(1000000 + n).slice(-7)}`;
      await adminUpdate(plain, u.username, { phone_number: phone });
      const code = await outboxCode(srv, plain.userPoolId, phone);
      const token = await accessToken(srv, plain.clientId, u);
      await expectServiceError(verify(token, 'phone_number', code === '000000' ? '111111' : '000000'), 'CodeMismatchException');
      await verify(token, 'phone_number', code);
      expect(attr(await adminAttrs(plain, u.username), 'phone_number_verified')).toBe('true');
    });

    it('setting email_verified true in the same call suppresses the code (Cognito’s documented way)', async () => {
      const u = await user(plain);
      const next = `direct-${u.email}`;
      await adminUpdate(plain, u.username, { email: next, email_verified: 'true' });
      expect(await outboxTo(plain, next)).toEqual([]);
      expect(attr(await adminAttrs(plain, u.username), 'email_verified')).toBe('true');
      expect(await signsIn(plain, next)).toBe(true);
    });

    it('without AttributesRequireVerificationBeforeUpdate a user’s change applies at once, unverified', async () => {
      const u = await user(plain);
      const token = await accessToken(srv, plain.clientId, u);
      const next = `mine-${u.email}`;
      const r = await srv.client.send(
        new UpdateUserAttributesCommand({ AccessToken: token, UserAttributes: [{ Name: 'email', Value: next }] }),
      );
      expect(r.CodeDeliveryDetailsList?.[0]).toMatchObject({ AttributeName: 'email', DeliveryMedium: 'EMAIL' });
      expect(attr(await adminAttrs(plain, u.username), 'email')).toBe(next);
      // The unverified email is no alias, and the old one is gone.
      expect(await signsIn(plain, next)).toBe(false);
      expect(await signsIn(plain, u.email)).toBe(false);
    });
  });

  describe('item 2: AttributesRequireVerificationBeforeUpdate', () => {
    it('a user’s new email stays pending: the old one keeps signing in and is what every read shows, until verified', async () => {
      const u = await user(strict);
      const token = await accessToken(srv, strict.clientId, u);
      const next = `pending-${u.email}`;
      const r = await srv.client.send(
        new UpdateUserAttributesCommand({ AccessToken: token, UserAttributes: [{ Name: 'email', Value: next }] }),
      );
      expect(r.CodeDeliveryDetailsList).toEqual([
        { AttributeName: 'email', DeliveryMedium: 'EMAIL', Destination: expect.stringMatching(/^p\*+@/) },
      ]);
      const me = (await srv.client.send(new GetUserCommand({ AccessToken: token }))).UserAttributes;
      expect({ email: attr(me, 'email'), verified: attr(me, 'email_verified') }).toEqual({ email: u.email, verified: 'true' });
      expect(attr(await adminAttrs(strict, u.username), 'email')).toBe(u.email);
      expect(await signsIn(strict, u.email)).toBe(true);
      expect(await signsIn(strict, next)).toBe(false);
      const listed = await srv.admin.send(new ListUsersCommand({ UserPoolId: strict.userPoolId, Filter: `email = "${next}"` }));
      expect(listed.Users).toEqual([]);

      const code = await outboxCode(srv, strict.userPoolId, next);
      await expectServiceError(verify(token, 'email', code === '000000' ? '111111' : '000000'), 'CodeMismatchException');
      expect(await signsIn(strict, u.email)).toBe(true);
      await verify(token, 'email', code);
      const after = (await srv.client.send(new GetUserCommand({ AccessToken: token }))).UserAttributes;
      expect({ email: attr(after, 'email'), verified: attr(after, 'email_verified') }).toEqual({ email: next, verified: 'true' });
      expect(await signsIn(strict, next)).toBe(true);
      expect(await signsIn(strict, u.email)).toBe(false);
    });

    it('a changed phone_number stays pending the same way: the old one is what reads show until the SMS code verifies it', async () => {
      const u = await user(strict);
      const old = `+1555${String(2000000 + n).slice(-7)}`;
      const next = `+1555${String(3000000 + n).slice(-7)}`;
      await adminUpdate(strict, u.username, { phone_number: old, phone_number_verified: 'true' });
      const token = await accessToken(srv, strict.clientId, u);
      const r = await srv.client.send(
        new UpdateUserAttributesCommand({ AccessToken: token, UserAttributes: [{ Name: 'phone_number', Value: next }] }),
      );
      expect(r.CodeDeliveryDetailsList?.map((d) => [d.AttributeName, d.DeliveryMedium])).toEqual([['phone_number', 'SMS']]);
      const pending = await adminAttrs(strict, u.username);
      expect({ phone: attr(pending, 'phone_number'), verified: attr(pending, 'phone_number_verified') }).toEqual({
        phone: old,
        verified: 'true',
      });
      expect(
        (await srv.admin.send(new ListUsersCommand({ UserPoolId: strict.userPoolId, Filter: `phone_number = "${next}"` }))).Users,
      ).toEqual([]);
      await verify(token, 'phone_number', await outboxCode(srv, strict.userPoolId, next));
      const after = await adminAttrs(strict, u.username);
      expect({ phone: attr(after, 'phone_number'), verified: attr(after, 'phone_number_verified') }).toEqual({
        phone: next,
        verified: 'true',
      });
    });

    it('a code for an earlier pending value cannot verify a later one; GetUserAttributeVerificationCode resends to it', async () => {
      const u = await user(strict);
      const token = await accessToken(srv, strict.clientId, u);
      const first = `first-${u.email}`;
      const second = `second-${u.email}`;
      await srv.client.send(new UpdateUserAttributesCommand({ AccessToken: token, UserAttributes: [{ Name: 'email', Value: first }] }));
      const firstCode = await outboxCode(srv, strict.userPoolId, first);
      await srv.client.send(new UpdateUserAttributesCommand({ AccessToken: token, UserAttributes: [{ Name: 'email', Value: second }] }));
      await expectServiceError(verify(token, 'email', firstCode), 'CodeMismatchException');
      await srv.client.send(new GetUserAttributeVerificationCodeCommand({ AccessToken: token, AttributeName: 'email' }));
      const code = await outboxCode(srv, strict.userPoolId, second);
      await verify(token, 'email', code);
      expect(attr(await adminAttrs(strict, u.username), 'email')).toBe(second);
    });

    it('an admin change waits too (with a code); AdminUpdateUserAttributes email_verified=true verifies it', async () => {
      const u = await user(strict);
      const next = `admin-${u.email}`;
      await adminUpdate(strict, u.username, { email: next });
      expect(attr(await adminAttrs(strict, u.username), 'email')).toBe(u.email);
      expect(await outboxTo(strict, next)).toHaveLength(1);
      expect(await signsIn(strict, next)).toBe(false);
      await adminUpdate(strict, u.username, { email_verified: 'true' });
      expect(attr(await adminAttrs(strict, u.username), 'email')).toBe(next);
      expect(await signsIn(strict, next)).toBe(true);
    });

    it('email with email_verified=true in one admin call applies at once, without a code', async () => {
      const u = await user(strict);
      const next = `now-${u.email}`;
      await adminUpdate(strict, u.username, { email: next, email_verified: 'true' });
      expect(await outboxTo(strict, next)).toEqual([]);
      expect(await signsIn(strict, next)).toBe(true);
    });

    it('a pending email another account verified first is refused (AliasExistsException); the old email stays', async () => {
      const [a, b] = [await user(strict), await user(strict)];
      const shared = `${uniq('shared')}@example.com`;
      const [ta, tb] = [await accessToken(srv, strict.clientId, a), await accessToken(srv, strict.clientId, b)];
      await srv.client.send(new UpdateUserAttributesCommand({ AccessToken: ta, UserAttributes: [{ Name: 'email', Value: shared }] }));
      const codeA = await outboxCode(srv, strict.userPoolId, shared);
      await srv.client.send(new UpdateUserAttributesCommand({ AccessToken: tb, UserAttributes: [{ Name: 'email', Value: shared }] }));
      const codeB = await outboxCode(srv, strict.userPoolId, shared);
      await verify(ta, 'email', codeA);
      await expectServiceError(verify(tb, 'email', codeB), 'AliasExistsException');
      expect(attr(await adminAttrs(strict, b.username), 'email')).toBe(b.email);
      expect(await signsIn(strict, b.email)).toBe(true);
    });

    it('50 users verifying the same pending email at once: exactly one holds the alias', async () => {
      const shared = `${uniq('race')}@example.com`;
      const users = await Promise.all(Array.from({ length: 50 }, () => user(strict)));
      const tokens = await Promise.all(users.map((u) => accessToken(srv, strict.clientId, u)));
      const codes: string[] = [];
      for (const token of tokens) {
        await srv.client.send(new UpdateUserAttributesCommand({ AccessToken: token, UserAttributes: [{ Name: 'email', Value: shared }] }));
        codes.push(await outboxCode(srv, strict.userPoolId, shared));
      }
      const results = await Promise.allSettled(tokens.map((t, i) => verify(t, 'email', codes[i]!)));
      const won = results.filter((r) => r.status === 'fulfilled');
      const lost = results.flatMap((r) => (r.status === 'rejected' ? [(r.reason as Error).name] : []));
      expect(won).toHaveLength(1);
      expect(new Set(lost)).toEqual(new Set(['AliasExistsException']));
      const holders = await srv.admin.send(new ListUsersCommand({ UserPoolId: strict.userPoolId, Filter: `email = "${shared}"` }));
      expect(holders.Users).toHaveLength(1);
    });

    it('CreateUserPool refuses AttributesRequireVerificationBeforeUpdate for an attribute that is not auto-verified', async () => {
      await expectServiceError(
        srv.admin.send(
          new CreateUserPoolCommand({
            PoolName: uniq('bad'),
            AutoVerifiedAttributes: ['email'],
            UserAttributeUpdateSettings: { AttributesRequireVerificationBeforeUpdate: ['phone_number'] },
          }),
        ),
        'InvalidParameterException',
      );
    });
  });
});

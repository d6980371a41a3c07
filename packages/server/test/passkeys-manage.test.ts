/**
 * The Latchkey passkey-management extensions over the wire, on SQLite and PostgreSQL (docs/wire-contract.md,
 * "Latchkey extensions"): LatchkeyUpdateWebAuthnCredential (rename: trimming, limits, control characters, only
 * the caller's own), and the SigV4 admin operations LatchkeyAdminListWebAuthnCredentials (the user's items and
 * pages) and LatchkeyAdminDeleteWebAuthnCredential (the lost-device path: GlobalSignOut in the same
 * transaction), every refusal included. Public calls go through the AWS SDK where it has the operation and raw
 * JSON otherwise; admin calls are SigV4-signed with the SDK's signer (helpers/latchkeyAdmin.ts).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import {
  GetUserCommand,
  GetTokensFromRefreshTokenCommand,
  ListWebAuthnCredentialsCommand,
  InitiateAuthCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { VirtualAuthenticator } from '@latchkey/virtual-authenticator';

import { DIALECTS, useServerWithPool, type TestServer } from './helpers/harness.js';
import { createTestPool, type TestPool } from './helpers/pool.js';
import { expectRawError, expectServiceError } from './helpers/errors.js';
import {
  accessToken,
  createUser,
  passwordTokens,
  randomId,
  registerPasskey,
  signedCall,
  updatePoolSettings,
  type TestUser,
} from './helpers/latchkeyAdmin.js';

describe.each(DIALECTS)('passkey management extensions on %s', (dialect) => {
  let srv: TestServer;
  let pool: TestPool;
  let other: TestPool;
  useServerWithPool(
    dialect,
    {
      setup: async (s, p) => {
        await updatePoolSettings(s, p.userPoolId, { maxPasskeysPerUser: 25 });
        other = await createTestPool(s.admin);
      },
    },
    (s, p) => ([srv, pool] = [s, p]),
  );

  async function newUser(p = pool, prefix = 'manage'): Promise<{ user: TestUser; token: string }> {
    const user = await createUser(srv, p, prefix);
    return { user, token: await accessToken(srv, p.clientId, user) };
  }
  const rename = (token: string, id: unknown, name: unknown) =>
    srv.call('LatchkeyUpdateWebAuthnCredential', { AccessToken: token, CredentialId: id, FriendlyCredentialName: name });
  const names = async (token: string) =>
    Object.fromEntries(
      ((await srv.client.send(new ListWebAuthnCredentialsCommand({ AccessToken: token }))).Credentials ?? []).map((c) => [
        c.CredentialId,
        c.FriendlyCredentialName,
      ]),
    );
  const adminList = (body: Record<string, unknown>) => signedCall(srv, 'LatchkeyAdminListWebAuthnCredentials', body);
  const adminDelete = (body: Record<string, unknown>) => signedCall(srv, 'LatchkeyAdminDeleteWebAuthnCredential', body);

  // ----------------------------------------------------------------------------------------------
  // LatchkeyUpdateWebAuthnCredential
  // ----------------------------------------------------------------------------------------------

  describe('LatchkeyUpdateWebAuthnCredential', () => {
    let token: string;
    let id: string;
    beforeAll(async () => {
      ({ token } = await newUser());
      id = (await registerPasskey(srv, token, new VirtualAuthenticator())).id;
    });

    it('renames: the answer is {} and ListWebAuthnCredentials (SDK) returns the trimmed name', async () => {
      const r = await rename(token, id, '  Work laptop \t');
      expect(r).toMatchObject({ status: 200, json: {} });
      expect(Object.keys(r.json)).toEqual([]);
      expect(await names(token)).toEqual({ [id]: 'Work laptop' });
    });

    it('accepts exactly 256 characters after trimming, counted as characters (emoji are one each), and non-Latin scripts', async () => {
      const long = 'a'.repeat(256);
      expect((await rename(token, id, `   ${long}   `)).status).toBe(200);
      expect((await names(token))[id]).toBe(long);
      const emoji = '🔑'.repeat(256);
      expect((await rename(token, id, emoji)).status).toBe(200);
      expect((await names(token))[id]).toBe(emoji);
      expect((await rename(token, id, 'Ключ · 鍵 · مفتاح')).status).toBe(200);
      expect((await names(token))[id]).toBe('Ключ · 鍵 · مفتاح');
    });

    it.each([
      ['empty', ''],
      ['only spaces', '    '],
      ['only tabs and newlines', '\t\n\r '],
      ['257 characters', 'b'.repeat(257)],
      ['257 emoji', '🔑'.repeat(257)],
      ['a NUL', 'ab\u0000cd'],
      ['a newline inside', 'two\nlines'],
      ['DEL', 'x\u007f'],
      ['a C1 control (NEL)', 'x\u0085y'],
      ['an escape sequence', 'x\u001b[31my'],
      ['a line separator', 'x\u2028y'],
    ])('%s → InvalidParameterException, the name unchanged', async (_what, name) => {
      expect((await rename(token, id, 'Before')).status).toBe(200);
      expectRawError(await rename(token, id, name), 'InvalidParameterException');
      expect((await names(token))[id]).toBe('Before');
    });

    it.each([
      ['a number', 42],
      ['null', null],
      ['an object', { n: 'x' }],
    ])('FriendlyCredentialName as %s → HTTP 400 (SerializationException or InvalidParameterException)', async (_what, name) => {
      const r = await rename(token, id, name);
      expect(r.status).toBe(400);
      expect(['SerializationException', 'InvalidParameterException']).toContain(r.json.__type);
    });

    it('missing members → InvalidParameterException', async () => {
      expectRawError(
        await srv.call('LatchkeyUpdateWebAuthnCredential', { AccessToken: token, CredentialId: id }),
        'InvalidParameterException',
      );
      expectRawError(
        await srv.call('LatchkeyUpdateWebAuthnCredential', { AccessToken: token, FriendlyCredentialName: 'x' }),
        'InvalidParameterException',
      );
      expectRawError(
        await srv.call('LatchkeyUpdateWebAuthnCredential', { CredentialId: id, FriendlyCredentialName: 'x' }),
        'InvalidParameterException',
      );
      expectRawError(await rename(token, 'short', 'x'), 'InvalidParameterException');
    });

    it("another user's passkey → ResourceNotFoundException, and their name is untouched", async () => {
      const { token: theirs } = await newUser();
      const theirId = (await registerPasskey(srv, theirs, new VirtualAuthenticator())).id;
      const before = await names(theirs);
      const r = await rename(token, theirId, 'Mine now');
      expectRawError(r, 'ResourceNotFoundException');
      expect(r.json.message).toBe('Credential not found.');
      expect(await names(theirs)).toEqual(before);
    });

    it('an unknown credential id answers exactly as another user’s (ResourceNotFoundException, same message)', async () => {
      const r = await rename(token, randomId(), 'x');
      expectRawError(r, 'ResourceNotFoundException');
      expect(r.json.message).toBe('Credential not found.');
    });

    it('a passkey of a user in another pool → ResourceNotFoundException', async () => {
      const { token: foreign } = await newUser(other);
      const foreignId = (await registerPasskey(srv, foreign, new VirtualAuthenticator())).id;
      expectRawError(await rename(token, foreignId, 'x'), 'ResourceNotFoundException');
    });

    it('a forged, garbled or signed-out access token → NotAuthorizedException', async () => {
      expectRawError(await rename(`${token.slice(0, -4)}AAAA`, id, 'x'), 'NotAuthorizedException');
      expectRawError(await rename('not-a-jwt', id, 'x'), 'NotAuthorizedException');
      const { user, token: t } = await newUser();
      const own = (await registerPasskey(srv, t, new VirtualAuthenticator())).id;
      expect((await signedCall(srv, 'AdminUserGlobalSignOut', { UserPoolId: pool.userPoolId, Username: user.username })).status).toBe(200);
      expectRawError(await rename(t, own, 'x'), 'NotAuthorizedException');
    });

    it('is not an admin operation: a SigV4 signature does not stand in for the access token', async () => {
      const r = await signedCall(srv, 'LatchkeyUpdateWebAuthnCredential', { CredentialId: id, FriendlyCredentialName: 'x' });
      expectRawError(r, 'InvalidParameterException');
    });
  });

  // ----------------------------------------------------------------------------------------------
  // LatchkeyAdminListWebAuthnCredentials
  // ----------------------------------------------------------------------------------------------

  describe('LatchkeyAdminListWebAuthnCredentials', () => {
    let user: TestUser;
    let token: string;
    let ids: string[];
    beforeAll(async () => {
      ({ user, token } = await newUser());
      ids = [];
      for (let i = 0; i < 5; i++) {
        if (i) srv.clock.advance(1000);
        ids.push((await registerPasskey(srv, token, new VirtualAuthenticator({ backupEligible: i % 2 === 0 }))).id);
      }
      srv.clock.offset = 0;
    });

    it("returns exactly the user's own listing: the same items, member for member", async () => {
      const admin = await adminList({ UserPoolId: pool.userPoolId, Username: user.username });
      const own = await srv.call('ListWebAuthnCredentials', { AccessToken: token });
      expect(admin.status).toBe(200);
      expect(admin.json).toEqual(own.json);
      expect(admin.json.Credentials.map((c: { CredentialId: string }) => c.CredentialId)).toEqual(ids);
      expect(admin.json.NextToken).toBeUndefined();
    });

    it.each([1, 2, 4, 5])('pages of %s: each passkey once, in created-at order; only the last page lacks NextToken', async (size) => {
      const seen: string[] = [];
      let next: string | undefined;
      let pages = 0;
      do {
        const r = await adminList({
          UserPoolId: pool.userPoolId,
          Username: user.username,
          MaxResults: size,
          ...(next ? { NextToken: next } : {}),
        });
        expect(r.status).toBe(200);
        seen.push(...r.json.Credentials.map((c: { CredentialId: string }) => c.CredentialId));
        next = r.json.NextToken;
        pages++;
      } while (next && pages < 10);
      expect(seen).toEqual(ids);
      expect(pages).toBe(Math.ceil(5 / size));
    });

    it("the user's NextToken works for the admin and the admin's for the user (both bound to the user, nobody else)", async () => {
      const ownFirst = await srv.call('ListWebAuthnCredentials', { AccessToken: token, MaxResults: 2 });
      const adminNext = await adminList({
        UserPoolId: pool.userPoolId,
        Username: user.username,
        MaxResults: 2,
        NextToken: ownFirst.json.NextToken,
      });
      expect(adminNext.json.Credentials.map((c: { CredentialId: string }) => c.CredentialId)).toEqual(ids.slice(2, 4));
      const ownNext = await srv.call('ListWebAuthnCredentials', { AccessToken: token, MaxResults: 2, NextToken: adminNext.json.NextToken });
      expect(ownNext.json.Credentials.map((c: { CredentialId: string }) => c.CredentialId)).toEqual(ids.slice(4));
    });

    it("another user's NextToken → InvalidParameterException", async () => {
      const { user: u2, token: t2 } = await newUser();
      await registerPasskey(srv, t2, new VirtualAuthenticator());
      await registerPasskey(srv, t2, new VirtualAuthenticator());
      const theirs = (await adminList({ UserPoolId: pool.userPoolId, Username: u2.username, MaxResults: 1 })).json.NextToken;
      expect(theirs).toBeTruthy();
      expectRawError(
        await adminList({ UserPoolId: pool.userPoolId, Username: user.username, NextToken: theirs }),
        'InvalidParameterException',
      );
      expectRawError(
        await adminList({ UserPoolId: pool.userPoolId, Username: user.username, NextToken: 'garbage' }),
        'InvalidParameterException',
      );
    });

    it.each([0, 21, -1])('MaxResults %s → InvalidParameterException', async (n) => {
      expectRawError(await adminList({ UserPoolId: pool.userPoolId, Username: user.username, MaxResults: n }), 'InvalidParameterException');
    });

    it('a user without passkeys: an empty list, no NextToken', async () => {
      const { user: u } = await newUser();
      const r = await adminList({ UserPoolId: pool.userPoolId, Username: u.username });
      expect(r).toMatchObject({ status: 200, json: { Credentials: [] } });
      expect(r.json.NextToken).toBeUndefined();
    });

    it('unknown pool → ResourceNotFoundException; unknown user or a user of another pool → UserNotFoundException', async () => {
      expectRawError(await adminList({ UserPoolId: 'us-east-1_Nope0000', Username: user.username }), 'ResourceNotFoundException');
      expectRawError(await adminList({ UserPoolId: pool.userPoolId, Username: 'nobody-here' }), 'UserNotFoundException');
      expectRawError(await adminList({ UserPoolId: other.userPoolId, Username: user.username }), 'UserNotFoundException');
    });

    it('unsigned → MissingAuthenticationTokenException; a wrong secret → InvalidSignatureException; a token → refused', async () => {
      expectRawError(
        await srv.call('LatchkeyAdminListWebAuthnCredentials', { UserPoolId: pool.userPoolId, Username: user.username }),
        'MissingAuthenticationTokenException',
      );
      const { signedFetch } = await import('./helpers/latchkeyAdmin.js');
      const forged = await signedFetch(
        srv.endpoint,
        { accessKeyId: srv.adminCredentials.accessKeyId, secretAccessKey: 'wrong' },
        'LatchkeyAdminListWebAuthnCredentials',
        {
          UserPoolId: pool.userPoolId,
          Username: user.username,
        },
      );
      expectRawError(forged, 'InvalidSignatureException');
      const withToken = await srv.call('LatchkeyAdminListWebAuthnCredentials', {
        UserPoolId: pool.userPoolId,
        Username: user.username,
        AccessToken: token,
      });
      expect(withToken.status).toBe(400);
    });
  });

  // ----------------------------------------------------------------------------------------------
  // LatchkeyAdminDeleteWebAuthnCredential
  // ----------------------------------------------------------------------------------------------

  describe('LatchkeyAdminDeleteWebAuthnCredential', () => {
    const getUser = (t: string) => srv.client.send(new GetUserCommand({ AccessToken: t }));
    const refresh = (refreshToken: string, clientId = pool.clientId) =>
      srv.client.send(new GetTokensFromRefreshTokenCommand({ ClientId: clientId, RefreshToken: refreshToken }));

    it('deletes the passkey (gone from both listings, passkey count back down), tokens untouched without GlobalSignOut', async () => {
      const { user, token } = await newUser();
      const [a, b] = [
        await registerPasskey(srv, token, new VirtualAuthenticator()),
        await registerPasskey(srv, token, new VirtualAuthenticator()),
      ];
      const r = await adminDelete({ UserPoolId: pool.userPoolId, Username: user.username, CredentialId: a.id });
      expect(r).toMatchObject({ status: 200, json: {} });
      expect(Object.keys(await names(token))).toEqual([b.id]);
      const stored = await srv.services.store.getUser(
        pool.userPoolId,
        (await srv.services.store.getPasskey(pool.userPoolId, b.id))!.userId,
      );
      expect(stored!.passkeyCount).toBe(1);
      expect((await getUser(token)).Username).toBe(user.username);
      // And the same id again: it is gone.
      expectRawError(
        await adminDelete({ UserPoolId: pool.userPoolId, Username: user.username, CredentialId: a.id }),
        'ResourceNotFoundException',
      );
    });

    it('GlobalSignOut: true → the passkey is gone and every token of the user is revoked (access and refresh, every sign-in)', async () => {
      const { user, token } = await newUser();
      const second = await passwordTokens(srv, pool.clientId, user);
      const id = (await registerPasskey(srv, token, new VirtualAuthenticator())).id;
      const r = await adminDelete({ UserPoolId: pool.userPoolId, Username: user.username, CredentialId: id, GlobalSignOut: true });
      expect(r).toMatchObject({ status: 200, json: {} });
      expect(await srv.services.store.getPasskey(pool.userPoolId, id)).toBeUndefined();
      await expectServiceError(getUser(token), 'NotAuthorizedException');
      await expectServiceError(getUser(second.AccessToken!), 'NotAuthorizedException');
      await expectServiceError(refresh(second.RefreshToken!), 'NotAuthorizedException');
      // A new sign-in works (this is a sign-out, not a lock).
      srv.clock.advance(1000);
      expect((await getUser(await accessToken(srv, pool.clientId, user))).Username).toBe(user.username);
    });

    it('GlobalSignOut: true with a credential that is not theirs → ResourceNotFoundException and nothing is revoked', async () => {
      const { user, token } = await newUser();
      const tokens = await passwordTokens(srv, pool.clientId, user);
      const { token: t2 } = await newUser();
      const theirs = (await registerPasskey(srv, t2, new VirtualAuthenticator())).id;
      const r = await adminDelete({ UserPoolId: pool.userPoolId, Username: user.username, CredentialId: theirs, GlobalSignOut: true });
      expectRawError(r, 'ResourceNotFoundException');
      expect((await getUser(token)).Username).toBe(user.username);
      expect((await refresh(tokens.RefreshToken!)).AuthenticationResult?.AccessToken).toBeTruthy();
      expect(Object.keys(await names(t2))).toEqual([theirs]);
    });

    it('GlobalSignOut: false is the default behaviour; a non-boolean → HTTP 400', async () => {
      const { user, token } = await newUser();
      const id = (await registerPasskey(srv, token, new VirtualAuthenticator())).id;
      const bad = await adminDelete({ UserPoolId: pool.userPoolId, Username: user.username, CredentialId: id, GlobalSignOut: 'yes' });
      expect(bad.status).toBe(400);
      expect(['SerializationException', 'InvalidParameterException']).toContain(bad.json.__type);
      expect(Object.keys(await names(token))).toEqual([id]);
      expect(
        (await adminDelete({ UserPoolId: pool.userPoolId, Username: user.username, CredentialId: id, GlobalSignOut: false })).status,
      ).toBe(200);
      expect((await getUser(token)).Username).toBe(user.username);
    });

    it("across pools: a passkey of pool B's user, addressed through pool A (either user) → refused, and it stays", async () => {
      const { user: a } = await newUser(pool, 'pool-a');
      const { user: b, token: tb } = await newUser(other, 'pool-b');
      const id = (await registerPasskey(srv, tb, new VirtualAuthenticator())).id;
      expectRawError(
        await adminDelete({ UserPoolId: pool.userPoolId, Username: a.username, CredentialId: id, GlobalSignOut: true }),
        'ResourceNotFoundException',
      );
      expectRawError(await adminDelete({ UserPoolId: pool.userPoolId, Username: b.username, CredentialId: id }), 'UserNotFoundException');
      expectRawError(await adminDelete({ UserPoolId: other.userPoolId, Username: a.username, CredentialId: id }), 'UserNotFoundException');
      expect(Object.keys(await names(tb))).toEqual([id]);
      expect((await getUser(tb)).Username).toBe(b.username);
      // Through its own pool it goes.
      expect((await adminDelete({ UserPoolId: other.userPoolId, Username: b.username, CredentialId: id })).status).toBe(200);
    });

    it('refusals of the call itself: unknown pool, unknown user, missing or short CredentialId, unsigned', async () => {
      const { user, token } = await newUser();
      const id = (await registerPasskey(srv, token, new VirtualAuthenticator())).id;
      expectRawError(
        await adminDelete({ UserPoolId: 'us-east-1_Nope0000', Username: user.username, CredentialId: id }),
        'ResourceNotFoundException',
      );
      expectRawError(
        await adminDelete({ UserPoolId: pool.userPoolId, Username: 'nobody-here', CredentialId: id }),
        'UserNotFoundException',
      );
      expectRawError(await adminDelete({ UserPoolId: pool.userPoolId, Username: user.username }), 'InvalidParameterException');
      expectRawError(
        await adminDelete({ UserPoolId: pool.userPoolId, Username: user.username, CredentialId: 'short' }),
        'InvalidParameterException',
      );
      expectRawError(
        await srv.call('LatchkeyAdminDeleteWebAuthnCredential', { UserPoolId: pool.userPoolId, Username: user.username, CredentialId: id }),
        'MissingAuthenticationTokenException',
      );
      expectRawError(
        await srv.call('LatchkeyAdminDeleteWebAuthnCredential', { AccessToken: token, CredentialId: id }),
        'MissingAuthenticationTokenException',
      );
      expect(Object.keys(await names(token))).toEqual([id]);
    });

    it('a deleted passkey no longer signs in (username flow: it is not offered; InitiateAuth offers no WEB_AUTHN)', async () => {
      const { user, token } = await newUser();
      const id = (await registerPasskey(srv, token, new VirtualAuthenticator())).id;
      expect((await adminDelete({ UserPoolId: pool.userPoolId, Username: user.username, CredentialId: id })).status).toBe(200);
      const init = await srv.client.send(
        new InitiateAuthCommand({ ClientId: pool.clientId, AuthFlow: 'USER_AUTH', AuthParameters: { USERNAME: user.username } }),
      );
      expect(init.ChallengeName).toBe('SELECT_CHALLENGE');
      expect(init.AvailableChallenges).toContain('PASSWORD');
      expect(init.AvailableChallenges).not.toContain('WEB_AUTHN');
    });
  });
});

/**
 * ListWebAuthnCredentials / DeleteWebAuthnCredential / GetUserAuthFactors over the wire (AWS SDK v3 +
 * the virtual authenticator), on SQLite and PostgreSQL: MaxResults and NextToken validation, keyset
 * paging (each passkey exactly once, in created-at order, also when passkeys are deleted between
 * pages), the response shape (docs/wire-contract.md §2.2), deletion rules (§2.3) and the cascade on user deletion.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import {
  AdminDeleteUserCommand,
  AdminGetUserAuthFactorsCommand,
  DeleteUserCommand,
  DeleteWebAuthnCredentialCommand,
  GetUserAuthFactorsCommand,
  ListWebAuthnCredentialsCommand,
  type WebAuthnCredentialDescription,
} from '@aws-sdk/client-cognito-identity-provider';
import { VirtualAuthenticator, type RegistrationResponseJSON } from '@latchkey/virtual-authenticator';

import { DIALECTS, useServerWithPool, type TestServer } from './helpers/harness.js';
import { createTestPool, type TestPool } from './helpers/pool.js';
import { expectRawError, expectServiceError } from './helpers/errors.js';
import { accessToken, createUser, randomId, registerPasskey, updatePoolSettings, type TestUser } from './helpers/latchkeyAdmin.js';

describe.each(DIALECTS)('passkey list and delete on %s', (dialect) => {
  let srv: TestServer;
  let pool: TestPool;
  useServerWithPool(
    dialect,
    { setup: (s, p) => updatePoolSettings(s, p.userPoolId, { maxPasskeysPerUser: 25 }) },
    (s, p) => ([srv, pool] = [s, p]),
  );

  async function newUser(prefix = 'list'): Promise<{ user: TestUser; token: string }> {
    const user = await createUser(srv, pool, prefix);
    return { user, token: await accessToken(srv, pool.clientId, user) };
  }

  /** Registers n passkeys one second apart (server clock), so created-at order is unambiguous. */
  async function registerMany(token: string, n: number): Promise<RegistrationResponseJSON[]> {
    const out: RegistrationResponseJSON[] = [];
    for (let i = 0; i < n; i++) {
      if (i > 0) srv.clock.advance(1000);
      const a = i % 3 === 1 ? new VirtualAuthenticator({ attachment: 'cross-platform' }) : new VirtualAuthenticator();
      out.push(await registerPasskey(srv, token, a));
    }
    return out;
  }

  const list = (token: string, MaxResults?: number, NextToken?: string) =>
    srv.client.send(
      new ListWebAuthnCredentialsCommand({
        AccessToken: token,
        ...(MaxResults !== undefined ? { MaxResults } : {}),
        ...(NextToken !== undefined ? { NextToken } : {}),
      }),
    );

  /** Every page at the given size: the ids seen, page by page, and whether each page had a NextToken. */
  async function pages(token: string, size: number) {
    const seen: string[][] = [];
    const tokens: (string | undefined)[] = [];
    let next: string | undefined;
    do {
      const r = await list(token, size, next);
      seen.push((r.Credentials ?? []).map((c) => c.CredentialId!));
      tokens.push(r.NextToken);
      next = r.NextToken;
      if (seen.length > 50) throw new Error('paging does not end');
    } while (next);
    return { seen, tokens };
  }

  // ----------------------------------------------------------------------------------------------
  // MaxResults
  // ----------------------------------------------------------------------------------------------

  describe('MaxResults', () => {
    let token: string;
    beforeAll(async () => {
      ({ token } = await newUser());
      await registerMany(token, 2);
    });

    it.each([0, 21, -1, 100, 2 ** 31])('MaxResults %s → InvalidParameterException', async (n) => {
      await expectServiceError(list(token, n), 'InvalidParameterException');
    });

    it('MaxResults 1.5 (raw JSON) → InvalidParameterException', async () => {
      expectRawError(await srv.call('ListWebAuthnCredentials', { AccessToken: token, MaxResults: 1.5 }), 'InvalidParameterException');
    });

    // A value of the wrong JSON type fails deserialization, as in AWS JSON 1.1 services (SerializationException,
    // "STRING_VALUE can not be converted to an Integer"); the brief's InvalidParameterException is accepted too.
    it.each(['x', '5', true, [3], { n: 1 }])('MaxResults %j (raw JSON, wrong type) → SerializationException, HTTP 400', async (v) => {
      const r = await srv.call('ListWebAuthnCredentials', { AccessToken: token, MaxResults: v });
      expect(r.status).toBe(400);
      expect(['SerializationException', 'InvalidParameterException']).toContain(r.json.__type);
    });

    it('MaxResults null (raw JSON) is "absent" or InvalidParameterException, never a 500', async () => {
      const r = await srv.call('ListWebAuthnCredentials', { AccessToken: token, MaxResults: null });
      expect([200, 400]).toContain(r.status);
      if (r.status === 400) expect(r.json.__type).toBe('InvalidParameterException');
    });

    it.each([1, 2, 20])('MaxResults %s is accepted', async (n) => {
      const r = await list(token, n);
      expect(r.Credentials).toHaveLength(Math.min(n, 2));
      expect(r.NextToken === undefined).toBe(n >= 2);
    });

    it('absent → pages of 20', async () => {
      const { token: t } = await newUser();
      const regs = await registerMany(t, 21);
      const first = await list(t);
      expect(first.Credentials).toHaveLength(20);
      expect(first.NextToken).toBeTruthy();
      const second = await list(t, undefined, first.NextToken);
      expect(second.Credentials).toHaveLength(1);
      expect(second.NextToken).toBeUndefined();
      expect([...first.Credentials!, ...second.Credentials!].map((c) => c.CredentialId)).toEqual(regs.map((r) => r.id));
      const twenty = await list(t, 20);
      expect(twenty.Credentials!.map((c) => c.CredentialId)).toEqual(first.Credentials!.map((c) => c.CredentialId));
    });
  });

  // ----------------------------------------------------------------------------------------------
  // NextToken
  // ----------------------------------------------------------------------------------------------

  describe('NextToken', () => {
    let token: string;
    let other: string;
    let valid: string;
    beforeAll(async () => {
      ({ token } = await newUser());
      ({ token: other } = await newUser());
      await registerMany(token, 3);
      await registerMany(other, 3);
      valid = (await list(token, 1)).NextToken!;
      expect(valid).toBeTruthy();
    });

    const flip = (s: string, i: number) => s.slice(0, i) + (s[i] === 'A' ? 'B' : 'A') + s.slice(i + 1);

    it.each([
      ['garbage', () => 'garbage'],
      ['two dots', () => 'a.b.c'],
      ['empty parts', () => '.'],
      ['base64 of a cursor without a MAC', () => Buffer.from(JSON.stringify({ t: 0, i: 'x' })).toString('base64url')],
      ['first character of the body changed', () => flip(valid, 0)],
      ['last character of the MAC changed', () => flip(valid, valid.length - 1)],
      [
        'body swapped for another cursor',
        () => `${Buffer.from(JSON.stringify({ t: 0, i: 'AAAA' })).toString('base64url')}.${valid.split('.')[1]}`,
      ],
      ['suffix appended', () => `${valid}x`],
      ['very long', () => 'A'.repeat(100_000)],
    ])('%s → InvalidParameterException', async (_what, make) => {
      await expectServiceError(list(token, 1, make()), 'InvalidParameterException');
    });

    it("another user's NextToken → InvalidParameterException", async () => {
      const theirs = (await list(other, 1)).NextToken!;
      expect(theirs).toBeTruthy();
      await expectServiceError(list(token, 1, theirs), 'InvalidParameterException');
      // And theirs still works for them.
      expect((await list(other, 1, theirs)).Credentials).toHaveLength(1);
    });

    it(
      'NextToken with whitespace or empty (raw JSON) → ' + 'InvalidParameterException; of the wrong type → SerializationException',
      async () => {
        expectRawError(await srv.call('ListWebAuthnCredentials', { AccessToken: token, NextToken: 'a b' }), 'InvalidParameterException');
        expectRawError(await srv.call('ListWebAuthnCredentials', { AccessToken: token, NextToken: '' }), 'InvalidParameterException');
        const r = await srv.call('ListWebAuthnCredentials', { AccessToken: token, NextToken: 42 });
        expect(r.status).toBe(400);
        expect(['SerializationException', 'InvalidParameterException']).toContain(r.json.__type);
      },
    );

    it('a NextToken stays valid across calls (stateless) and with another page size', async () => {
      const a = await list(token, 1, valid);
      const b = await list(token, 2, valid);
      expect(b.Credentials!.map((c) => c.CredentialId)).toEqual([a.Credentials![0]!.CredentialId, expect.any(String)]);
      expect(b.NextToken).toBeUndefined();
    });
  });

  // ----------------------------------------------------------------------------------------------
  // Paging and shape
  // ----------------------------------------------------------------------------------------------

  describe('paging', () => {
    let token: string;
    let regs: RegistrationResponseJSON[];
    let t0: number;
    let t1: number;
    beforeAll(async () => {
      ({ token } = await newUser());
      t0 = srv.clock.now();
      regs = await registerMany(token, 7);
      t1 = srv.clock.now();
    });

    it.each([1, 2, 3, 7])(
      'page size %s returns each of 7 passkeys exactly once, in created-at order; only the last page lacks NextToken',
      async (size) => {
        const { seen, tokens } = await pages(token, size);
        expect(seen.flat()).toEqual(regs.map((r) => r.id));
        expect(seen.length).toBe(Math.ceil(7 / size));
        for (const [i, page] of seen.entries()) expect(page.length).toBe(i < seen.length - 1 ? size : 7 - size * (seen.length - 1));
        expect(tokens.slice(0, -1).every((t) => typeof t === 'string' && t.length > 0)).toBe(true);
        expect(tokens.at(-1)).toBeUndefined();
      },
    );

    it('page size 6 leaves one for a last page without NextToken; page size 8 is a single page', async () => {
      expect((await pages(token, 6)).seen.map((p) => p.length)).toEqual([6, 1]);
      expect((await pages(token, 8)).seen.map((p) => p.length)).toEqual([7]);
    });

    it('the wire shape: CreatedAt epoch seconds (a JSON number), names, RP ID, attachment, transports', async () => {
      const raw = await srv.call('ListWebAuthnCredentials', { AccessToken: token, MaxResults: 7 });
      expect(raw.status).toBe(200);
      expect(Object.keys(raw.json)).toEqual(['Credentials']);
      const creds = raw.json.Credentials as Record<string, unknown>[];
      expect(creds).toHaveLength(7);
      let previous = 0;
      for (const [i, c] of creds.entries()) {
        expect(c.CredentialId).toBe(regs[i]!.id);
        expect(typeof c.CreatedAt).toBe('number');
        const at = c.CreatedAt as number;
        expect(at).toBeGreaterThanOrEqual(Math.floor(t0 / 1000) - 1);
        expect(at).toBeLessThanOrEqual(Math.ceil(t1 / 1000) + 1);
        expect(at).toBeGreaterThan(previous);
        previous = at;
        expect(typeof c.FriendlyCredentialName).toBe('string');
        expect((c.FriendlyCredentialName as string).trim().length).toBeGreaterThan(0);
        expect(c.RelyingPartyId).toBe('localhost');
        expect(Array.isArray(c.AuthenticatorTransports)).toBe(true);
        expect(c.AuthenticatorTransports).toEqual(i % 3 === 1 ? ['usb'] : ['internal', 'hybrid']);
        expect(c.AuthenticatorAttachment).toBe(i % 3 === 1 ? 'cross-platform' : 'platform');
        const stored = await srv.services.store.getPasskey(pool.userPoolId, regs[i]!.id);
        expect(at).toBe(stored!.createdAt / 1000);
      }
      // Through the SDK, CreatedAt is a Date.
      const sdk = await list(token, 1);
      const c = sdk.Credentials![0] as WebAuthnCredentialDescription;
      expect(c.CreatedAt).toBeInstanceOf(Date);
      expect(Math.abs(c.CreatedAt!.getTime() - t0)).toBeLessThan(60_000);
    });

    it('a user without passkeys gets an empty list and no NextToken', async () => {
      const { token: t } = await newUser();
      const raw = await srv.call('ListWebAuthnCredentials', { AccessToken: t });
      expect(raw).toMatchObject({ status: 200, json: { Credentials: [] } });
      expect(raw.json.NextToken).toBeUndefined();
    });
  });

  describe('deleting between pages', () => {
    const del = (token: string, id: string) =>
      srv.client.send(new DeleteWebAuthnCredentialCommand({ AccessToken: token, CredentialId: id }));

    it('deleting the cursor passkey, an already seen one and the next one: the survivors come once, none twice', async () => {
      const { token } = await newUser();
      const regs = await registerMany(token, 7);
      const ids = regs.map((r) => r.id);
      const p1 = await list(token, 3);
      expect(p1.Credentials!.map((c) => c.CredentialId)).toEqual(ids.slice(0, 3));
      await del(token, ids[2]!); // the cursor
      await del(token, ids[0]!); // already seen
      await del(token, ids[3]!); // would have been next
      const p2 = await list(token, 3, p1.NextToken);
      expect(p2.Credentials!.map((c) => c.CredentialId)).toEqual(ids.slice(4, 7));
      expect(p2.NextToken).toBeUndefined();
    });

    it('deleting a passkey of a later page: it is skipped, nothing else is', async () => {
      const { token } = await newUser();
      const ids = (await registerMany(token, 7)).map((r) => r.id);
      const seen: string[] = [];
      let next: string | undefined;
      let first = true;
      do {
        const r = await list(token, 2, next);
        seen.push(...r.Credentials!.map((c) => c.CredentialId!));
        if (first) {
          await del(token, ids[5]!);
          first = false;
        }
        next = r.NextToken;
      } while (next);
      expect(seen).toEqual(ids.filter((_, i) => i !== 5));
    });

    it('a passkey added between pages appears on a later page (created after the cursor)', async () => {
      const { token } = await newUser();
      const ids = (await registerMany(token, 4)).map((r) => r.id);
      const p1 = await list(token, 2);
      srv.clock.advance(1000);
      const added = await registerPasskey(srv, token, new VirtualAuthenticator());
      const { seen } = await (async () => {
        const out: string[] = [];
        let next = p1.NextToken;
        while (next) {
          const r = await list(token, 2, next);
          out.push(...r.Credentials!.map((c) => c.CredentialId!));
          next = r.NextToken;
        }
        return { seen: out };
      })();
      expect([...p1.Credentials!.map((c) => c.CredentialId!), ...seen]).toEqual([...ids, added.id]);
    });
  });

  // ----------------------------------------------------------------------------------------------
  // DeleteWebAuthnCredential
  // ----------------------------------------------------------------------------------------------

  describe('DeleteWebAuthnCredential', () => {
    const del = (token: string, id: string) =>
      srv.client.send(new DeleteWebAuthnCredentialCommand({ AccessToken: token, CredentialId: id }));

    it("deletes the caller's own passkey: {} then gone from the list and the store", async () => {
      const { user, token } = await newUser();
      const [a, b] = await registerMany(token, 2);
      const raw = await srv.call('DeleteWebAuthnCredential', { AccessToken: token, CredentialId: a!.id });
      expect(raw).toMatchObject({ status: 200, json: {} });
      expect(Object.keys(raw.json)).toEqual([]);
      expect((await list(token)).Credentials!.map((c) => c.CredentialId)).toEqual([b!.id]);
      expect(await srv.services.store.getPasskey(pool.userPoolId, a!.id)).toBeUndefined();
      expect((await srv.services.store.findUserByLogin(pool.userPoolId, user.username, null))?.passkeyCount).toBe(1);
      // Twice → not found.
      await expectServiceError(del(token, a!.id), 'ResourceNotFoundException');
    });

    it("someone else's passkey → ResourceNotFoundException, and it still exists", async () => {
      const a = await newUser();
      const b = await newUser();
      const [theirs] = await registerMany(a.token, 1);
      await registerMany(b.token, 1);
      await expectServiceError(del(b.token, theirs!.id), 'ResourceNotFoundException');
      expect(await srv.services.store.getPasskey(pool.userPoolId, theirs!.id)).toMatchObject({ userId: a.user.sub });
      expect((await list(a.token)).Credentials!.map((c) => c.CredentialId)).toEqual([theirs!.id]);
      expect((await srv.services.store.findUserByLogin(pool.userPoolId, a.user.username, null))?.passkeyCount).toBe(1);
      expect((await srv.services.store.findUserByLogin(pool.userPoolId, b.user.username, null))?.passkeyCount).toBe(1);
    });

    it('a passkey of the same user in another pool is not reachable', async () => {
      const other = await createTestPool(srv.admin);
      const u = await createUser(srv, other, 'otherpool');
      const t = await accessToken(srv, other.clientId, u);
      const [theirs] = await (async () => [await registerPasskey(srv, t, new VirtualAuthenticator())])();
      const { token } = await newUser();
      await expectServiceError(del(token, theirs!.id), 'ResourceNotFoundException');
      expect(await srv.services.store.getPasskey(other.userPoolId, theirs!.id)).toBeDefined();
    });

    it.each([
      ['random 32-byte id', () => randomId(32)],
      ['random 16-byte id', () => randomId(16)],
      ['not base64url at all', () => 'this is not a credential id!'],
    ])('unknown id (%s) → ResourceNotFoundException', async (_what, make) => {
      const { token } = await newUser();
      await registerMany(token, 1);
      await expectServiceError(del(token, make()), 'ResourceNotFoundException');
      expect((await list(token)).Credentials).toHaveLength(1);
    });

    it('invalid access token on List and Delete → NotAuthorizedException', async () => {
      for (const bad of ['abc.def.ghi', 'x']) {
        await expectServiceError(list(bad), 'NotAuthorizedException');
        await expectServiceError(del(bad, randomId()), 'NotAuthorizedException');
      }
    });
  });

  // ----------------------------------------------------------------------------------------------
  // User deletion and auth factors
  // ----------------------------------------------------------------------------------------------

  describe('user deletion removes passkeys', () => {
    it('DeleteUser', async () => {
      const { user, token } = await newUser();
      const regs = await registerMany(token, 3);
      await srv.client.send(new DeleteUserCommand({ AccessToken: token }));
      for (const r of regs) expect(await srv.services.store.getPasskey(pool.userPoolId, r.id)).toBeUndefined();
      expect(await srv.services.store.listPasskeys(pool.userPoolId, user.sub, 100)).toEqual([]);
      await expectServiceError(list(token), 'NotAuthorizedException');
    });

    it('AdminDeleteUser; the credential id can then be registered by another user', async () => {
      const { user, token } = await newUser();
      const authenticator = new VirtualAuthenticator();
      const [first] = [await registerPasskey(srv, token, authenticator)];
      const more = await registerMany(token, 2);
      await srv.admin.send(new AdminDeleteUserCommand({ UserPoolId: pool.userPoolId, Username: user.username }));
      for (const r of [first!, ...more]) expect(await srv.services.store.getPasskey(pool.userPoolId, r.id)).toBeUndefined();
      expect(await srv.services.store.listPasskeys(pool.userPoolId, user.sub, 100)).toEqual([]);

      const next = await newUser();
      const reused = await registerPasskey(srv, next.token, new VirtualAuthenticator(), { credentialId: first!.id });
      expect(reused.id).toBe(first!.id);
      expect(await srv.services.store.getPasskey(pool.userPoolId, first!.id)).toMatchObject({ userId: next.user.sub });
    });
  });

  describe('GetUserAuthFactors / AdminGetUserAuthFactors', () => {
    it('report WEB_AUTHN only while the user has a passkey', async () => {
      const { user, token } = await newUser();
      const factors = async () => {
        const mine = await srv.client.send(new GetUserAuthFactorsCommand({ AccessToken: token }));
        const admin = await srv.admin.send(new AdminGetUserAuthFactorsCommand({ UserPoolId: pool.userPoolId, Username: user.username }));
        expect(mine.Username).toBe(user.username);
        expect(admin.Username).toBe(user.username);
        expect(mine.ConfiguredUserAuthFactors).toEqual(admin.ConfiguredUserAuthFactors);
        return mine.ConfiguredUserAuthFactors;
      };
      expect(await factors()).toEqual(['PASSWORD']);
      const [a, b] = await registerMany(token, 2);
      expect(await factors()).toEqual(['PASSWORD', 'WEB_AUTHN']);
      await srv.client.send(new DeleteWebAuthnCredentialCommand({ AccessToken: token, CredentialId: a!.id }));
      expect(await factors()).toEqual(['PASSWORD', 'WEB_AUTHN']);
      await srv.client.send(new DeleteWebAuthnCredentialCommand({ AccessToken: token, CredentialId: b!.id }));
      expect(await factors()).toEqual(['PASSWORD']);
    });
  });
});

/**
 * The Latchkey passkey extensions beyond management, over the wire on SQLite and PostgreSQL
 * (docs/wire-contract.md, "Latchkey extensions"):
 *  - the richer ListWebAuthnCredentials items (BackupEligible, BackupState, UserVerified, Aaguid, ProviderIconUrl)
 *    and the icons Latchkey serves for them;
 *  - conditional create: a registration without user presence is accepted only when its Start asked for it
 *    with LatchkeyConditionalCreate, once;
 *  - `LatchkeyReason: "UnknownCredential"` on the refusal of a username-less sign-in with a credential the
 *    pool does not have — and never where it would tell a user's existence;
 *  - the Related Origin Requests and passkey-endpoints documents, and the log line of an origin refusal.
 */
import { request as httpRequest } from 'node:http';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  InitiateAuthCommand,
  ListWebAuthnCredentialsCommand,
  RespondToAuthChallengeCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { VirtualAuthenticator, type AuthenticationResponseJSON } from '@latchkey/virtual-authenticator';

import { DIALECTS, useServerWithPool, type TestServer } from './helpers/harness.js';
import { createTestPool, type TestPool } from './helpers/pool.js';
import { expectRawError, expectServiceError } from './helpers/errors.js';
import {
  accessToken,
  completeRegistration,
  createExtraClient,
  createUser,
  parseRequestOptions,
  randomId,
  registerPasskey,
  signedCall,
  startRegistration,
  updateClientOrigins,
  UUID,
  type TestUser,
} from './helpers/latchkeyAdmin.js';

const GOOGLE = 'ea9b8d66-4d01-1d21-3ce4-b6b48cb575d4';

describe.each(DIALECTS)('passkey extensions on %s', (dialect) => {
  let srv: TestServer;
  let pool: TestPool;
  useServerWithPool(dialect, {}, (s, p) => ([srv, pool] = [s, p]));

  async function newUser(p = pool): Promise<{ user: TestUser; token: string }> {
    const user = await createUser(srv, p, 'ext');
    return { user, token: await accessToken(srv, p.clientId, user) };
  }
  const listRaw = async (token: string) => {
    const r = await srv.call('ListWebAuthnCredentials', { AccessToken: token });
    expect(r.status).toBe(200);
    return r.json.Credentials as Record<string, unknown>[];
  };

  // ----------------------------------------------------------------------------------------------
  // Richer listing and icons
  // ----------------------------------------------------------------------------------------------

  describe('listing items', () => {
    it('carry the registration flags, the AAGUID (lowercase, dashed) and, for a known AAGUID, an icon URL Latchkey serves', async () => {
      const { token } = await newUser();
      const synced = await registerPasskey(
        srv,
        token,
        new VirtualAuthenticator({ aaguid: GOOGLE.toUpperCase(), backupEligible: true, backupState: true, attestation: 'packed' }),
      );
      const local = await registerPasskey(srv, token, new VirtualAuthenticator({ userVerification: false, attachment: 'cross-platform' }));
      const [a, b] = await listRaw(token);
      expect(a).toMatchObject({
        CredentialId: synced.id,
        FriendlyCredentialName: 'Google Password Manager',
        BackupEligible: true,
        BackupState: true,
        UserVerified: true,
        Aaguid: GOOGLE,
        ProviderName: 'Google Password Manager',
        ProviderIconUrl: `${srv.endpoint}/passkey-icons/${GOOGLE}.svg`,
      });
      expect(b).toMatchObject({ CredentialId: local.id, BackupEligible: false, BackupState: false, UserVerified: false });
      expect(b!.Aaguid).toMatch(UUID);
      expect(b!.Aaguid).toBe('00000000-0000-0000-0000-000000000000');
      expect(b).not.toHaveProperty('ProviderIconUrl');
      expect(b).not.toHaveProperty('ProviderName');

      const icon = await fetch(a!.ProviderIconUrl as string);
      expect(icon.status).toBe(200);
      expect(icon.headers.get('content-type')).toMatch(/^image\/svg\+xml/);
      const svg = await icon.text();
      expect(svg).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
      expect(svg).toContain('<title>Google Password Manager</title>');
      expect(svg).toContain('>GP</text>');
      expect(svg).not.toMatch(/<script|href=|url\(/i);
    });

    it('the SDK (as Amplify) still reads the items; the extra members do not disturb it', async () => {
      const { token } = await newUser();
      const reg = await registerPasskey(srv, token, new VirtualAuthenticator({ aaguid: GOOGLE }));
      const r = await srv.client.send(new ListWebAuthnCredentialsCommand({ AccessToken: token }));
      expect(r.Credentials?.[0]?.CredentialId).toBe(reg.id);
      expect(r.Credentials?.[0]?.CreatedAt).toBeInstanceOf(Date);
    });

    it('BackupState follows the last sign-in; LastUsedAt appears after it', async () => {
      const { user, token } = await newUser();
      const auth = new VirtualAuthenticator({ backupEligible: true, backupState: false });
      await registerPasskey(srv, token, auth);
      expect((await listRaw(token))[0]).toMatchObject({ BackupEligible: true, BackupState: false });
      expect((await listRaw(token))[0]).not.toHaveProperty('LastUsedAt');
      const init = await srv.client.send(
        new InitiateAuthCommand({
          ClientId: pool.clientId,
          AuthFlow: 'USER_AUTH',
          AuthParameters: { USERNAME: user.username, PREFERRED_CHALLENGE: 'WEB_AUTHN' },
        }),
      );
      const assertion = await auth.getAssertion(parseRequestOptions(init.ChallengeParameters?.CREDENTIAL_REQUEST_OPTIONS), {
        backupState: true,
      });
      await srv.client.send(
        new RespondToAuthChallengeCommand({
          ClientId: pool.clientId,
          ChallengeName: 'WEB_AUTHN',
          Session: init.Session,
          ChallengeResponses: { USERNAME: user.username, CREDENTIAL: JSON.stringify(assertion) },
        }),
      );
      const item = (await listRaw(token))[0]!;
      expect(item).toMatchObject({ BackupEligible: true, BackupState: true });
      expect(typeof item.LastUsedAt).toBe('number');
    });

    it('icons: unknown or malformed AAGUIDs → 404 in the Cognito envelope; upper case is not an alias', async () => {
      for (const path of [
        '/passkey-icons/00000000-0000-0000-0000-000000000000.svg',
        `/passkey-icons/${GOOGLE.toUpperCase()}.svg`,
        `/passkey-icons/${GOOGLE}.png`,
        `/passkey-icons/${GOOGLE}`,
        '/passkey-icons/..%2F..%2Fetc%2Fpasswd',
        '/passkey-icons/12345678-1234-1234-1234-123456789abc.svg',
      ]) {
        const r = await fetch(`${srv.endpoint}${path}`);
        expect({ path, status: r.status }).toEqual({ path, status: 404 });
        expect((await r.json()).__type).toBe('ResourceNotFoundException');
      }
    });
  });

  // ----------------------------------------------------------------------------------------------
  // Conditional create
  // ----------------------------------------------------------------------------------------------

  describe('conditional create (LatchkeyConditionalCreate)', () => {
    const start = async (token: string, conditional?: unknown) => {
      const r = await srv.call('StartWebAuthnRegistration', {
        AccessToken: token,
        ...(conditional === undefined ? {} : { LatchkeyConditionalCreate: conditional }),
      });
      expect(r.status).toBe(200);
      return r.json.CredentialCreationOptions;
    };

    it('refused: a registration without UP whose Start did not ask for conditional create (the challenge is spent)', async () => {
      const { token } = await newUser();
      for (const asked of [undefined, false]) {
        const options = await start(token, asked);
        const cred = await new VirtualAuthenticator().createCredential(options, { userPresence: false });
        await expectServiceError(completeRegistration(srv, token, cred), 'WebAuthnCredentialNotSupportedException');
        // The failed attempt spent the challenge: the same options with UP now find no challenge.
        const retry = await new VirtualAuthenticator().createCredential(options);
        await expectServiceError(completeRegistration(srv, token, retry), 'WebAuthnChallengeNotFoundException');
      }
      expect(await listRaw(token)).toEqual([]);
    });

    it('accepted: without user presence when its Start asked for it; with user presence too', async () => {
      const { token } = await newUser();
      const silent = await new VirtualAuthenticator().createCredential(await start(token, true), { userPresence: false });
      expect((await completeRegistration(srv, token, silent)).$metadata.httpStatusCode).toBe(200);
      const present = await new VirtualAuthenticator().createCredential(await start(token, true));
      expect((await completeRegistration(srv, token, present)).$metadata.httpStatusCode).toBe(200);
      expect((await listRaw(token)).map((c) => c.CredentialId)).toEqual([silent.id, present.id]);
    });

    it('single-use: a second silent registration on one conditional challenge is refused; a later plain Start needs UP', async () => {
      const { token } = await newUser();
      const options = await start(token, true);
      const first = await new VirtualAuthenticator().createCredential(options, { userPresence: false });
      expect((await completeRegistration(srv, token, first)).$metadata.httpStatusCode).toBe(200);
      const second = await new VirtualAuthenticator().createCredential(options, { userPresence: false });
      await expectServiceError(completeRegistration(srv, token, second), 'WebAuthnChallengeNotFoundException');
      // A conditional Start, then a plain one: the plain one's registration still needs UP.
      await start(token, true);
      const plain = await new VirtualAuthenticator().createCredential(await start(token), { userPresence: false });
      await expectServiceError(completeRegistration(srv, token, plain), 'WebAuthnCredentialNotSupportedException');
      expect((await listRaw(token)).map((c) => c.CredentialId)).toEqual([first.id]);
    });

    it("one user's conditional challenge does not admit another user's silent registration", async () => {
      const { token: a } = await newUser();
      const { token: b } = await newUser();
      const options = await start(a, true);
      const cred = await new VirtualAuthenticator().createCredential(options, { userPresence: false });
      await expectServiceError(completeRegistration(srv, b, cred), 'WebAuthnChallengeNotFoundException');
    });

    it('LatchkeyConditionalCreate of the wrong type → HTTP 400', async () => {
      const { token } = await newUser();
      for (const v of ['true', 1, {}]) {
        const r = await srv.call('StartWebAuthnRegistration', { AccessToken: token, LatchkeyConditionalCreate: v });
        expect(r.status).toBe(400);
        expect(['SerializationException', 'InvalidParameterException']).toContain(r.json.__type);
      }
    });
  });

  // ----------------------------------------------------------------------------------------------
  // LatchkeyReason: UnknownCredential
  // ----------------------------------------------------------------------------------------------

  describe('LatchkeyReason on refused passkey sign-ins', () => {
    const discoverable = async () => {
      const r = await srv.call('InitiateAuth', {
        ClientId: pool.clientId,
        AuthFlow: 'USER_AUTH',
        AuthParameters: { PREFERRED_CHALLENGE: 'WEB_AUTHN' },
      });
      expect(r.json.ChallengeName).toBe('WEB_AUTHN');
      return { session: r.json.Session as string, options: parseRequestOptions(r.json.ChallengeParameters.CREDENTIAL_REQUEST_OPTIONS) };
    };
    const respond = (session: string, credential: unknown, username?: string) =>
      srv.call('RespondToAuthChallenge', {
        ClientId: pool.clientId,
        ChallengeName: 'WEB_AUTHN',
        Session: session,
        ChallengeResponses: { ...(username ? { USERNAME: username } : {}), CREDENTIAL: JSON.stringify(credential) },
      });
    const withId = (a: AuthenticationResponseJSON, id: string) => ({ ...a, id, rawId: id });

    let user: TestUser;
    let kept: VirtualAuthenticator;
    let stale: VirtualAuthenticator;
    let staleId: string;
    beforeAll(async () => {
      let token: string;
      ({ user, token } = await newUser());
      kept = new VirtualAuthenticator();
      stale = new VirtualAuthenticator();
      await registerPasskey(srv, token, kept);
      staleId = (await registerPasskey(srv, token, stale)).id;
      const del = await signedCall(srv, 'LatchkeyAdminDeleteWebAuthnCredential', {
        UserPoolId: pool.userPoolId,
        Username: user.username,
        CredentialId: staleId,
      });
      expect(del.status).toBe(200);
    });

    it('username-less sign-in with a passkey the server deleted → NotAuthorizedException + LatchkeyReason UnknownCredential', async () => {
      const { session, options } = await discoverable();
      const r = await respond(session, await stale.getAssertion(options));
      expectRawError(r, 'NotAuthorizedException');
      expect(r.json).toEqual({
        __type: 'NotAuthorizedException',
        message: 'Incorrect username or passkey.',
        LatchkeyReason: 'UnknownCredential',
      });
      // The SDK (as Amplify) sees the Cognito error it knows.
      const again = await discoverable();
      await expectServiceError(
        srv.client.send(
          new RespondToAuthChallengeCommand({
            ClientId: pool.clientId,
            ChallengeName: 'WEB_AUTHN',
            Session: again.session,
            ChallengeResponses: { CREDENTIAL: JSON.stringify(await stale.getAssertion(again.options)) },
          }),
        ),
        'NotAuthorizedException',
        'Incorrect username or passkey.',
      );
    });

    it('no reason when the credential is known but the assertion fails (bad signature), nor for success', async () => {
      const { session, options } = await discoverable();
      const r = await respond(session, await kept.getAssertion(options, { corruptSignature: true }));
      expect(r.json).toEqual({ __type: 'NotAuthorizedException', message: 'Incorrect username or passkey.' });
      const ok = await discoverable();
      expect((await respond(ok.session, await kept.getAssertion(ok.options))).status).toBe(200);
    });

    it('no reason in a sign-in for a typed name, known or not (the name is involved there)', async () => {
      const init = await srv.call('InitiateAuth', {
        ClientId: pool.clientId,
        AuthFlow: 'USER_AUTH',
        AuthParameters: { USERNAME: user.username, PREFERRED_CHALLENGE: 'WEB_AUTHN' },
      });
      const assertion = await stale.getAssertion({
        ...parseRequestOptions(init.json.ChallengeParameters.CREDENTIAL_REQUEST_OPTIONS),
        allowCredentials: [],
      });
      const r = await respond(init.json.Session, assertion, user.username);
      expect(r.json).toEqual({ __type: 'NotAuthorizedException', message: 'Incorrect username or passkey.' });
    });

    it("user existence: a stand-in's credential id presented username-less is refused as a real user's id, not as unknown", async () => {
      // A name nobody holds whose stand-in lists passkeys (about half of them do).
      let standInIds: string[] = [];
      let realIds: string[] = [];
      for (let i = 0; i < 40 && standInIds.length === 0; i++) {
        const r = await srv.call('InitiateAuth', {
          ClientId: pool.clientId,
          AuthFlow: 'USER_AUTH',
          AuthParameters: { USERNAME: `nobody-${i}-${randomId(4)}`, PREFERRED_CHALLENGE: 'WEB_AUTHN' },
        });
        if (r.json.ChallengeName === 'WEB_AUTHN')
          standInIds = parseRequestOptions(r.json.ChallengeParameters.CREDENTIAL_REQUEST_OPTIONS).allowCredentials!.map((c) => c.id);
      }
      expect(standInIds.length).toBeGreaterThan(0);
      const real = await srv.call('InitiateAuth', {
        ClientId: pool.clientId,
        AuthFlow: 'USER_AUTH',
        AuthParameters: { USERNAME: user.username, PREFERRED_CHALLENGE: 'WEB_AUTHN' },
      });
      realIds = parseRequestOptions(real.json.ChallengeParameters.CREDENTIAL_REQUEST_OPTIONS).allowCredentials!.map((c) => c.id);
      const answers: Record<string, unknown>[] = [];
      for (const id of [...standInIds, ...realIds]) {
        const { session, options } = await discoverable();
        answers.push((await respond(session, withId(await stale.getAssertion(options), id))).json);
      }
      for (const a of answers) expect(a).toEqual({ __type: 'NotAuthorizedException', message: 'Incorrect username or passkey.' });
      // A random id nobody was ever offered is unknown, whoever asks.
      const { session, options } = await discoverable();
      expect((await respond(session, withId(await stale.getAssertion(options), randomId(16)))).json.LatchkeyReason).toBe(
        'UnknownCredential',
      );
    });
  });

  // ----------------------------------------------------------------------------------------------
  // Related origins, passkey endpoints, origin refusals
  // ----------------------------------------------------------------------------------------------

  describe('well-known documents and origins', () => {
    let p: TestPool;
    beforeAll(async () => {
      p = await createTestPool(srv.admin, { rpId: 'example.com' });
    });

    it('/<pool>/.well-known/webauthn: the web origins of every app client, deduplicated and sorted, app origins left out', async () => {
      const empty = await fetch(`${srv.endpoint}/${p.userPoolId}/.well-known/webauthn`);
      expect(empty.status).toBe(200);
      expect(await empty.json()).toEqual({ origins: [] });
      await updateClientOrigins(srv, p.userPoolId, p.clientId, ['https://shop.example.org', 'android:apk-key-hash:abc123']);
      const second = await createExtraClient(srv, p);
      await updateClientOrigins(srv, p.userPoolId, second, ['https://example.co.uk', 'https://shop.example.org']);
      const r = await fetch(`${srv.endpoint}/${p.userPoolId}/.well-known/webauthn`);
      expect(r.headers.get('content-type')).toMatch(/^application\/json/);
      expect(await r.json()).toEqual({ origins: ['https://example.co.uk', 'https://shop.example.org'] });
    });

    it('/.well-known/webauthn and /.well-known/passkey-endpoints without a pool id: the pools whose RP ID is the Host', async () => {
      const onHost = (host: string, path: string) =>
        new Promise<{ status: number; json: any }>((resolve, reject) => {
          const u = new URL(srv.endpoint);
          const req = httpRequest({ host: u.hostname, port: u.port, path, headers: { host } }, (res) => {
            let body = '';
            res.on('data', (c: Buffer) => (body += c.toString()));
            res.on('end', () => resolve({ status: res.statusCode!, json: body ? JSON.parse(body) : undefined }));
          });
          req.on('error', reject);
          req.end();
        });
      const perPool = await (await fetch(`${srv.endpoint}/${p.userPoolId}/.well-known/webauthn`)).json();
      expect(await onHost('example.com', '/.well-known/webauthn')).toEqual({ status: 200, json: perPool });
      expect(await onHost('EXAMPLE.com:8443', '/.well-known/webauthn')).toEqual({ status: 200, json: perPool });
      const endpoints = await onHost('example.com', '/.well-known/passkey-endpoints');
      expect(endpoints).toEqual({
        status: 200,
        json: { enroll: `${srv.endpoint}/account?pool=${p.userPoolId}`, manage: `${srv.endpoint}/account?pool=${p.userPoolId}` },
      });
      expect((await onHost('nobody.example', '/.well-known/webauthn')).status).toBe(404);
      // Two pools on RP ID localhost: there is no single account page to point at (once the 30 s cache has turned over).
      await createTestPool(srv.admin);
      srv.clock.offset += 31_000;
      expect((await onHost('localhost', '/.well-known/passkey-endpoints')).status).toBe(404);
      expect((await onHost('localhost', '/.well-known/webauthn')).status).toBe(200);
    });

    it('host-addressed documents come from a 30 s per-process cache: any number of Hosts cost one pool scan', async () => {
      const onHost = (host: string) =>
        new Promise<{ status: number; json: any }>((resolve, reject) => {
          const u = new URL(srv.endpoint);
          const req = httpRequest({ host: u.hostname, port: u.port, path: '/.well-known/webauthn', headers: { host } }, (res) => {
            let body = '';
            res.on('data', (c: Buffer) => (body += c.toString()));
            res.on('end', () => resolve({ status: res.statusCode!, json: body ? JSON.parse(body) : undefined }));
          });
          req.on('error', reject);
          req.end();
        });
      srv.clock.offset += 200_000; // a fresh window (the clock is put back after each test; SigV4 allows 5 min of skew)
      const store = srv.services.store;
      const listPools = store.listPools.bind(store);
      const listClients = store.listClients.bind(store);
      let poolScans = 0;
      let clientScans = 0;
      store.listPools = (...a) => (poolScans++, listPools(...a));
      store.listClients = (...a) => (clientScans++, listClients(...a));
      try {
        const before = await onHost('example.com');
        expect(before.status).toBe(200);
        const scans = poolScans;
        expect(scans).toBeGreaterThan(0);
        const misses = await Promise.all(Array.from({ length: 50 }, (_, i) => onHost(`h${i}-${Date.now()}.example`)));
        expect(misses.map((m) => m.status)).toEqual(Array(50).fill(404));
        const clientsBefore = clientScans;
        for (let i = 0; i < 20; i++) expect(await onHost('example.com')).toEqual(before);
        expect({ poolScans, clientScans }).toEqual({ poolScans: scans, clientScans: clientsBefore });
        // A client's new origin shows once the window has passed, not before.
        await updateClientOrigins(srv, p.userPoolId, p.clientId, ['https://later.example.net']);
        expect(await onHost('example.com')).toEqual(before);
        srv.clock.offset += 31_000;
        expect((await onHost('example.com')).json.origins).toContain('https://later.example.net');
        expect(poolScans).toBe(2 * scans);
      } finally {
        store.listPools = listPools;
        store.listClients = listClients;
      }
    });

    it('/<pool>/.well-known/webauthn: unknown pool, malformed id, or a pool without an RP ID → 404', async () => {
      const noRp = await createTestPool(srv.admin, { rpId: null });
      for (const id of ['us-east-1_Nope0000', 'not a pool', noRp.userPoolId]) {
        const r = await fetch(`${srv.endpoint}/${encodeURIComponent(id)}/.well-known/webauthn`);
        expect({ id, status: r.status }).toEqual({ id, status: 404 });
      }
    });

    it('/<pool>/.well-known/passkey-endpoints points enroll and manage at the account page, which answers', async () => {
      const r = await fetch(`${srv.endpoint}/${pool.userPoolId}/.well-known/passkey-endpoints?client=${pool.clientId}`);
      expect(r.status).toBe(200);
      const doc = (await r.json()) as { enroll: string; manage: string };
      const expected = `${srv.endpoint}/account?pool=${pool.userPoolId}&client=${pool.clientId}`;
      expect(doc).toEqual({ enroll: expected, manage: expected });
      expect((await fetch(doc.enroll)).status).toBe(200);
      // A client of another pool is not put in the link.
      const foreign = await createTestPool(srv.admin);
      const d2 = await (await fetch(`${srv.endpoint}/${pool.userPoolId}/.well-known/passkey-endpoints?client=${foreign.clientId}`)).json();
      expect(d2.enroll).toBe(`${srv.endpoint}/account?pool=${pool.userPoolId}`);
      expect((await fetch(`${srv.endpoint}/us-east-1_Nope0000/.well-known/passkey-endpoints`)).status).toBe(404);
    });

    it('an origin refusal logs the presented origin and the allowed ones; the client gets only the fixed message', async () => {
      const { token } = await newUser();
      await updateClientOrigins(srv, pool.userPoolId, pool.clientId, ['https://app.example.net']);
      const options = await startRegistration(srv, token);
      const cred = await new VirtualAuthenticator().createCredential(options, { origin: 'https://evil.example' });
      const before = srv.log.lines.length;
      const err = await expectServiceError(completeRegistration(srv, token, cred), 'WebAuthnOriginNotAllowedException');
      expect(err.message).not.toContain('evil');
      expect(err.message).not.toContain('app.example.net');
      const logged = JSON.stringify(srv.log.lines.slice(before));
      expect(logged).toContain('https://evil.example');
      expect(logged).toContain('allowed: https://localhost and its subdomains, http://localhost[:port], https://app.example.net');
      await updateClientOrigins(srv, pool.userPoolId, pool.clientId, []);
    });
  });
});

/**
 * USER_AUTH sign-in with passkeys over the wire (AWS SDK v3 + the virtual authenticator at JSON level),
 * on SQLite and PostgreSQL: the WEB_AUTHN challenge (docs/wire-contract.md §3.4, §5.4), SELECT_CHALLENGE with
 * every answer, and every way an assertion must be refused — always NotAuthorizedException with a
 * generic message, HTTP 400, never a 500 — plus the sign-counter policies.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AdminDisableUserCommand,
  DeleteWebAuthnCredentialCommand,
  GetUserCommand,
  InitiateAuthCommand,
  RespondToAuthChallengeCommand,
  type InitiateAuthCommandOutput,
  type RespondToAuthChallengeCommandOutput,
} from '@aws-sdk/client-cognito-identity-provider';
import {
  VirtualAuthenticator,
  type AuthenticationResponseJSON,
  type CeremonyOverrides,
  type PublicKeyCredentialRequestOptionsJSON,
} from '@latchkey/virtual-authenticator';

import { DIALECTS, useServerWithPool, type TestServer } from './helpers/harness.js';
import { createTestPool, type TestPool } from './helpers/pool.js';
import { expectServiceError, type SdkError } from './helpers/errors.js';
import {
  accessToken,
  answerPasswordVerifier,
  b64url,
  createExtraClient,
  createUser,
  parseRequestOptions,
  randomId,
  registerPasskey,
  updatePoolSettings,
  type TestUser,
} from './helpers/latchkeyAdmin.js';
import { createSrpClientSession } from '../../client/src/internal/srp.js';

const SESSION_EXPIRED = 'Invalid session for the user, session is expired.';
/** Words a generic refusal must not contain (they would tell an attacker which check failed). */
const LEAKY = /signature|origin|challenge|counter|count|rp ?id|relying|handle|verif|presence|deleted|another|clone|flag|hash/i;

interface Holder {
  user: TestUser;
  token: string;
  authenticators: VirtualAuthenticator[];
}

describe.each(DIALECTS)('passkey sign-in on %s', (dialect) => {
  let srv: TestServer;
  let pool: TestPool;
  useServerWithPool(dialect, { pool: { userVerification: 'preferred' } }, (s, p) => ([srv, pool] = [s, p]));

  /** A user with `n` passkeys (one authenticator each). */
  async function holder(p: TestPool = pool, n = 1, make: () => VirtualAuthenticator = () => new VirtualAuthenticator()): Promise<Holder> {
    const user = await createUser(srv, p, 'pk');
    const token = await accessToken(srv, p.clientId, user);
    const authenticators: VirtualAuthenticator[] = [];
    for (let i = 0; i < n; i++) {
      const a = make();
      await registerPasskey(srv, token, a);
      authenticators.push(a);
    }
    return { user, token, authenticators };
  }

  const initiate = (p: TestPool, params: Record<string, string>, clientId = p.clientId) =>
    srv.client.send(new InitiateAuthCommand({ ClientId: clientId, AuthFlow: 'USER_AUTH', AuthParameters: params }));

  /** InitiateAuth USER_AUTH + PREFERRED_CHALLENGE WEB_AUTHN → session and parsed request options. */
  async function webAuthnChallenge(
    p: TestPool,
    username: string,
  ): Promise<{ session: string; options: PublicKeyCredentialRequestOptionsJSON; out: InitiateAuthCommandOutput }> {
    const out = await initiate(p, { USERNAME: username, PREFERRED_CHALLENGE: 'WEB_AUTHN' });
    expect(out.ChallengeName).toBe('WEB_AUTHN');
    expect(out.Session).toBeTruthy();
    return { session: out.Session!, options: parseRequestOptions(out.ChallengeParameters?.CREDENTIAL_REQUEST_OPTIONS), out };
  }

  const respond = (p: TestPool, session: string | undefined, username: string, credential: AuthenticationResponseJSON | string) =>
    srv.client.send(
      new RespondToAuthChallengeCommand({
        ClientId: p.clientId,
        ChallengeName: 'WEB_AUTHN',
        ...(session ? { Session: session } : {}),
        ChallengeResponses: { USERNAME: username, CREDENTIAL: typeof credential === 'string' ? credential : JSON.stringify(credential) },
      }),
    );

  /** Full passkey sign-in with the holder's first authenticator. */
  async function signIn(
    p: TestPool,
    h: Holder,
    overrides: CeremonyOverrides = {},
    a = h.authenticators[0]!,
  ): Promise<RespondToAuthChallengeCommandOutput> {
    const { session, options } = await webAuthnChallenge(p, h.user.username);
    return respond(p, session, h.user.username, await a.getAssertion(options, overrides));
  }

  async function expectTokensFor(out: RespondToAuthChallengeCommandOutput | InitiateAuthCommandOutput, user: TestUser) {
    expect(out.ChallengeName).toBeUndefined();
    const r = out.AuthenticationResult!;
    expect(r).toMatchObject({ TokenType: 'Bearer', ExpiresIn: expect.any(Number) });
    expect(r.AccessToken && r.IdToken && r.RefreshToken).toBeTruthy();
    const me = await srv.client.send(new GetUserCommand({ AccessToken: r.AccessToken! }));
    expect(me.Username).toBe(user.username);
  }

  // ----------------------------------------------------------------------------------------------
  // Happy paths
  // ----------------------------------------------------------------------------------------------

  describe('WEB_AUTHN', () => {
    it('PREFERRED_CHALLENGE WEB_AUTHN → CREDENTIAL_REQUEST_OPTIONS as a JSON string → tokens; counter and last use recorded', async () => {
      const h = await holder(pool, 2, () => new VirtualAuthenticator());
      // Make the second one a roaming key with other transports.
      const roaming = new VirtualAuthenticator({ attachment: 'cross-platform', transports: ['usb', 'nfc'] });
      await registerPasskey(srv, h.token, roaming);
      const ids = [...h.authenticators, roaming].map((a) => a.credentials[0]!.id);

      const raw = await srv.call('InitiateAuth', {
        ClientId: pool.clientId,
        AuthFlow: 'USER_AUTH',
        AuthParameters: { USERNAME: h.user.username, PREFERRED_CHALLENGE: 'WEB_AUTHN' },
      });
      expect(raw.status).toBe(200);
      expect(raw.json.ChallengeName).toBe('WEB_AUTHN');
      expect(typeof raw.json.Session).toBe('string');
      expect(raw.json.ChallengeParameters.USERNAME).toBe(h.user.username);
      expect(typeof raw.json.ChallengeParameters.CREDENTIAL_REQUEST_OPTIONS).toBe('string');
      const o = JSON.parse(raw.json.ChallengeParameters.CREDENTIAL_REQUEST_OPTIONS);
      expect(o.challenge).toMatch(/^[A-Za-z0-9_-]{22}$/);
      expect(Buffer.from(o.challenge, 'base64url')).toHaveLength(16);
      expect(o.rpId).toBe('localhost');
      expect(o.timeout).toBeTypeOf('number');
      expect(o.timeout).toBeGreaterThanOrEqual(60_000);
      expect(o.userVerification).toBe('preferred');
      expect(o.allowCredentials).toEqual([
        { type: 'public-key', id: ids[0], transports: ['internal', 'hybrid'] },
        { type: 'public-key', id: ids[1], transports: ['internal', 'hybrid'] },
        { type: 'public-key', id: ids[2], transports: ['usb', 'nfc'] },
      ]);

      const before = Date.now();
      const assertion = await roaming.getAssertion(o);
      const out = await respond(pool, raw.json.Session, h.user.username, assertion);
      await expectTokensFor(out, h.user);

      const stored = await srv.services.store.getPasskey(pool.userPoolId, ids[2]!);
      expect(stored!.signCount).toBe(1);
      expect(stored!.lastUsedAt).toBeGreaterThanOrEqual(before - 1000);
      expect(stored!.lastUsedAt).toBeLessThanOrEqual(Date.now() + 1000);
      // The others were not touched.
      expect(await srv.services.store.getPasskey(pool.userPoolId, ids[0]!)).toMatchObject({ signCount: 0, lastUsedAt: null });

      await expectTokensFor(await signIn(pool, h, {}, roaming), h.user);
      expect((await srv.services.store.getPasskey(pool.userPoolId, ids[2]!))!.signCount).toBe(2);
    });

    it("the pool's UserVerification 'required' is sent in the request options", async () => {
      const strict = await createTestPool(srv.admin, { userVerification: 'required' });
      const h = await holder(strict);
      const { options } = await webAuthnChallenge(strict, h.user.username);
      expect(options.userVerification).toBe('required');
    });

    it('the username may be typed in another case / as the email alias where the pool allows it', async () => {
      const aliasPool = await createTestPool(srv.admin, { aliasAttributes: ['email'] });
      const h = await holder(aliasPool);
      const email = `${h.user.username}@example.com`;
      const { session, options } = await webAuthnChallenge(aliasPool, email);
      await expectTokensFor(await respond(aliasPool, session, email, await h.authenticators[0]!.getAssertion(options)), h.user);
    });
  });

  describe('SELECT_CHALLENGE', () => {
    let h: Holder;
    beforeAll(async () => {
      h = await holder(pool);
    });

    async function select() {
      const raw = await srv.call('InitiateAuth', {
        ClientId: pool.clientId,
        AuthFlow: 'USER_AUTH',
        AuthParameters: { USERNAME: h.user.username },
      });
      expect(raw.status).toBe(200);
      expect(raw.json).toMatchObject({
        ChallengeName: 'SELECT_CHALLENGE',
        ChallengeParameters: {},
        AvailableChallenges: ['PASSWORD', 'PASSWORD_SRP', 'WEB_AUTHN'],
      });
      expect(typeof raw.json.Session).toBe('string');
      expect(raw.json.ChallengeParameters.AvailableChallenges).toBeUndefined();
      return raw.json.Session as string;
    }
    const answer = (session: string, responses: Record<string, string>) =>
      srv.client.send(
        new RespondToAuthChallengeCommand({
          ClientId: pool.clientId,
          ChallengeName: 'SELECT_CHALLENGE',
          Session: session,
          ChallengeResponses: { USERNAME: h.user.username, ...responses },
        }),
      );

    it('no preference → SELECT_CHALLENGE with top-level AvailableChallenges (SDK view too)', async () => {
      const out = await initiate(pool, { USERNAME: h.user.username });
      expect(out.ChallengeName).toBe('SELECT_CHALLENGE');
      expect(out.AvailableChallenges).toEqual(['PASSWORD', 'PASSWORD_SRP', 'WEB_AUTHN']);
      expect(out.Session).toBeTruthy();
    });

    it('ANSWER WEB_AUTHN → WEB_AUTHN challenge → tokens', async () => {
      const w = await answer(await select(), { ANSWER: 'WEB_AUTHN' });
      expect(w.ChallengeName).toBe('WEB_AUTHN');
      expect(w.ChallengeParameters?.USERNAME).toBe(h.user.username);
      const options = parseRequestOptions(w.ChallengeParameters?.CREDENTIAL_REQUEST_OPTIONS);
      expect(options.allowCredentials!.map((c) => c.id)).toEqual([h.authenticators[0]!.credentials[0]!.id]);
      await expectTokensFor(await respond(pool, w.Session, h.user.username, await h.authenticators[0]!.getAssertion(options)), h.user);
    });

    it('ANSWER PASSWORD with PASSWORD → tokens; a wrong one → NotAuthorizedException', async () => {
      await expectTokensFor(await answer(await select(), { ANSWER: 'PASSWORD', PASSWORD: h.user.password }), h.user);
      await expectServiceError(
        answer(await select(), { ANSWER: 'PASSWORD', PASSWORD: 'Wr0ngPassword' }),
        'NotAuthorizedException',
        'Incorrect username or password.',
      );
    });

    it('ANSWER PASSWORD_SRP with SRP_A → PASSWORD_VERIFIER → tokens', async () => {
      const srp = createSrpClientSession();
      const v = await answer(await select(), { ANSWER: 'PASSWORD_SRP', SRP_A: srp.srpA });
      expect(v.ChallengeName).toBe('PASSWORD_VERIFIER');
      expect(v.Session).toBeTruthy();
      await expectTokensFor(await answerPasswordVerifier(srv, pool, pool.clientId, v, srp, h.user.password), h.user);
    });

    it('the SELECT_CHALLENGE session is single-use', async () => {
      const session = await select();
      await answer(session, { ANSWER: 'PASSWORD', PASSWORD: h.user.password });
      await expectServiceError(
        answer(session, { ANSWER: 'PASSWORD', PASSWORD: h.user.password }),
        'NotAuthorizedException',
        SESSION_EXPIRED,
      );
      await expectServiceError(answer(session, { ANSWER: 'WEB_AUTHN' }), 'NotAuthorizedException', SESSION_EXPIRED);
    });

    it('an ANSWER that was not offered → InvalidParameterException', async () => {
      const plain = await createUser(srv, pool, 'nopk');
      const out = await initiate(pool, { USERNAME: plain.username });
      expect(out.AvailableChallenges).toEqual(['PASSWORD', 'PASSWORD_SRP']);
      await expectServiceError(
        srv.client.send(
          new RespondToAuthChallengeCommand({
            ClientId: pool.clientId,
            ChallengeName: 'SELECT_CHALLENGE',
            Session: out.Session,
            ChallengeResponses: { USERNAME: plain.username, ANSWER: 'WEB_AUTHN' },
          }),
        ),
        'InvalidParameterException',
      );
    });
  });

  describe('falls back to SELECT_CHALLENGE (chosen behaviour, docs/wire-contract.md §9 open point)', () => {
    it('WEB_AUTHN preferred by a user without a passkey → SELECT_CHALLENGE [PASSWORD, PASSWORD_SRP]', async () => {
      const u = await createUser(srv, pool, 'nopk');
      const out = await initiate(pool, { USERNAME: u.username, PREFERRED_CHALLENGE: 'WEB_AUTHN' });
      expect(out.ChallengeName).toBe('SELECT_CHALLENGE');
      expect(out.AvailableChallenges).toEqual(['PASSWORD', 'PASSWORD_SRP']);
      expect(out.Session).toBeTruthy();
    });

    it(
      'WEB_AUTHN preferred in a pool whose AllowedFirstAuthFactors ' + 'lacks WEB_AUTHN → SELECT_CHALLENGE [PASSWORD, PASSWORD_SRP]',
      async () => {
        const pwOnly = await createTestPool(srv.admin, { factors: ['PASSWORD'] });
        const u = await createUser(srv, pwOnly, 'pwonly');
        const out = await initiate(pwOnly, { USERNAME: u.username, PREFERRED_CHALLENGE: 'WEB_AUTHN' });
        expect(out.ChallengeName).toBe('SELECT_CHALLENGE');
        expect(out.AvailableChallenges).toEqual(['PASSWORD', 'PASSWORD_SRP']);
      },
    );

    it('an app client without ALLOW_USER_AUTH → InvalidParameterException', async () => {
      const h = await holder(pool);
      const noUserAuth = await createExtraClient(srv, pool, {
        flows: ['ALLOW_USER_SRP_AUTH', 'ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
      });
      await expectServiceError(
        initiate(pool, { USERNAME: h.user.username, PREFERRED_CHALLENGE: 'WEB_AUTHN' }, noUserAuth),
        'InvalidParameterException',
      );
      await expectServiceError(initiate(pool, { USERNAME: h.user.username }, noUserAuth), 'InvalidParameterException');
    });
  });

  // ----------------------------------------------------------------------------------------------
  // Refusals
  // ----------------------------------------------------------------------------------------------

  describe('refused assertions (NotAuthorizedException, generic message)', () => {
    let strict: TestPool;
    let a: Holder;
    let b: Holder;
    let aStrict: Holder;
    const messages: string[] = [];

    beforeAll(async () => {
      strict = await createTestPool(srv.admin, { userVerification: 'required' });
      a = await holder(pool, 2);
      b = await holder(pool, 1);
      aStrict = await holder(strict, 1);
    });
    afterAll(() => {
      // Every refusal of an assertion reads the same, and none says why (skipped when filtered with -t).
      if (messages.length === 0) return;
      expect(new Set(messages).size).toBe(1);
      expect(messages[0]).not.toMatch(LEAKY);
    });

    /** A refused sign-in: NotAuthorizedException, 400; the counter and last use of every passkey unchanged. */
    async function refused(p: TestPool, h: Holder, attempt: () => Promise<unknown>, message?: string) {
      const before = await Promise.all(h.authenticators.map((x) => srv.services.store.getPasskey(p.userPoolId, x.credentials[0]!.id)));
      const err = await expectServiceError(attempt(), 'NotAuthorizedException', message);
      if (message === undefined) messages.push(err.message);
      const after = await Promise.all(h.authenticators.map((x) => srv.services.store.getPasskey(p.userPoolId, x.credentials[0]!.id)));
      expect(after).toEqual(before);
      return err;
    }

    const cases: [string, CeremonyOverrides][] = [
      ['signed by another key', { signWith: 'other-key' }],
      ['corrupt signature', { corruptSignature: true }],
      ['wrong origin', { origin: 'https://evil.example.com' }],
      ['origin on a look-alike host', { origin: 'http://localhost.evil.com:3000' }],
      ['cross-origin iframe', { crossOrigin: true, topOrigin: 'https://evil.example.com' }],
      ['wrong RP ID', { rpId: 'example.com' }],
      ['wrong challenge', { challenge: randomId(16) }],
      ['clientDataJSON.type webauthn.create', { type: 'webauthn.create' }],
      ['user presence missing', { userPresence: false }],
      ['userHandle not canonical base64url', { userHandle: 'AB' }],
    ];

    it.each(cases)('%s', async (_what, overrides) => {
      await refused(pool, a, () => signIn(pool, a, overrides));
    });

    it('userHandle of another user', async () => {
      await refused(pool, a, () => signIn(pool, a, { userHandle: b64url(b.user.sub) }));
    });

    it('UV missing when the pool requires it', async () => {
      await refused(strict, aStrict, () => signIn(strict, aStrict, { userVerification: false }));
      // With UV it works.
      await expectTokensFor(await signIn(strict, aStrict), aStrict.user);
    });

    it('UV missing is accepted when the pool prefers it', async () => {
      await expectTokensFor(await signIn(pool, a, { userVerification: false }), a.user);
    });

    it("another user's credential (both users have passkeys)", async () => {
      await refused(pool, a, async () => {
        const { session, options } = await webAuthnChallenge(pool, a.user.username);
        const bCred = b.authenticators[0]!.credentials[0]!.id;
        return respond(pool, session, a.user.username, await b.authenticators[0]!.getAssertion(options, { credentialId: bCred }));
      });
      // …also when the USERNAME sent with the answer is the credential owner's.
      await refused(pool, b, async () => {
        const { session, options } = await webAuthnChallenge(pool, a.user.username);
        return respond(
          pool,
          session,
          b.user.username,
          await b.authenticators[0]!.getAssertion(options, { credentialId: b.authenticators[0]!.credentials[0]!.id }),
        );
      });
    });

    it('a credential deleted before the challenge, and one deleted after it', async () => {
      const h = await holder(pool, 3);
      const [x, y, z] = h.authenticators.map((q) => q.credentials[0]!.id);
      await srv.client.send(new DeleteWebAuthnCredentialCommand({ AccessToken: h.token, CredentialId: x! }));
      const { session, options } = await webAuthnChallenge(pool, h.user.username);
      expect(options.allowCredentials!.map((c) => c.id)).toEqual([y, z]);
      await refused(pool, { ...h, authenticators: h.authenticators.slice(1) }, async () =>
        respond(pool, session, h.user.username, await h.authenticators[0]!.getAssertion(options, { credentialId: x! })),
      );

      const second = await webAuthnChallenge(pool, h.user.username);
      await srv.client.send(new DeleteWebAuthnCredentialCommand({ AccessToken: h.token, CredentialId: y! }));
      await refused(pool, { ...h, authenticators: h.authenticators.slice(2) }, async () =>
        respond(pool, second.session, h.user.username, await h.authenticators[1]!.getAssertion(second.options, { credentialId: y! })),
      );
    });

    it('a replayed assertion (same CREDENTIAL with a new session)', async () => {
      const { session, options } = await webAuthnChallenge(pool, a.user.username);
      const assertion = await a.authenticators[0]!.getAssertion(options);
      await expectTokensFor(await respond(pool, session, a.user.username, assertion), a.user);
      const again = await webAuthnChallenge(pool, a.user.username);
      await refused(pool, a, () => respond(pool, again.session, a.user.username, assertion));
    });

    it('a reused Session', async () => {
      const { session, options } = await webAuthnChallenge(pool, a.user.username);
      await expectTokensFor(await respond(pool, session, a.user.username, await a.authenticators[0]!.getAssertion(options)), a.user);
      await refused(
        pool,
        a,
        async () => respond(pool, session, a.user.username, await a.authenticators[0]!.getAssertion(options)),
        SESSION_EXPIRED,
      );
    });

    it('a Session used by a failed attempt cannot be retried', async () => {
      const { session, options } = await webAuthnChallenge(pool, a.user.username);
      await refused(pool, a, async () =>
        respond(pool, session, a.user.username, await a.authenticators[0]!.getAssertion(options, { corruptSignature: true })),
      );
      await refused(
        pool,
        a,
        async () => respond(pool, session, a.user.username, await a.authenticators[0]!.getAssertion(options)),
        SESSION_EXPIRED,
      );
    });

    it('an expired Session (clock + 3 minutes)', async () => {
      const { session, options } = await webAuthnChallenge(pool, a.user.username);
      const assertion = await a.authenticators[0]!.getAssertion(options);
      srv.clock.advance(3 * 60_000 + 1000);
      await refused(pool, a, () => respond(pool, session, a.user.username, assertion), SESSION_EXPIRED);
    });

    it('a missing or invented Session', async () => {
      const { options } = await webAuthnChallenge(pool, a.user.username);
      const assertion = await a.authenticators[0]!.getAssertion(options);
      await refused(pool, a, () => respond(pool, undefined, a.user.username, assertion), SESSION_EXPIRED);
      await refused(pool, a, () => respond(pool, randomId(48), a.user.username, assertion), SESSION_EXPIRED);
    });

    it('a Session of another step with a malformed or well-formed CREDENTIAL: the expired-session answer; it is spent', async () => {
      for (const credential of ['not json', null] as const) {
        // SELECT_CHALLENGE's Session (USER_AUTH without a preference) answered as if it were WEB_AUTHN's.
        const select = await initiate(pool, { USERNAME: a.user.username });
        expect(select.ChallengeName).toBe('SELECT_CHALLENGE');
        const { options } = await webAuthnChallenge(pool, a.user.username);
        const answer = credential ?? (await a.authenticators[0]!.getAssertion(options));
        await refused(pool, a, () => respond(pool, select.Session, a.user.username, answer), SESSION_EXPIRED);
        // One attempt per Session, right or wrong: its own step no longer takes it.
        await expectServiceError(
          srv.client.send(
            new RespondToAuthChallengeCommand({
              ClientId: pool.clientId,
              ChallengeName: 'SELECT_CHALLENGE',
              Session: select.Session,
              ChallengeResponses: { USERNAME: a.user.username, ANSWER: 'WEB_AUTHN' },
            }),
          ),
          'NotAuthorizedException',
          SESSION_EXPIRED,
        );
      }
    });

    it('a Session of another app client', async () => {
      const other = await createExtraClient(srv, pool);
      const out = await initiate(pool, { USERNAME: a.user.username, PREFERRED_CHALLENGE: 'WEB_AUTHN' }, other);
      const assertion = await a.authenticators[0]!.getAssertion(parseRequestOptions(out.ChallengeParameters?.CREDENTIAL_REQUEST_OPTIONS));
      await refused(pool, a, () => respond(pool, out.Session, a.user.username, assertion), SESSION_EXPIRED);
    });

    it('a user disabled between the challenge and the answer', async () => {
      const h = await holder(pool);
      const { session, options } = await webAuthnChallenge(pool, h.user.username);
      await srv.admin.send(new AdminDisableUserCommand({ UserPoolId: pool.userPoolId, Username: h.user.username }));
      await expectServiceError(
        respond(pool, session, h.user.username, await h.authenticators[0]!.getAssertion(options)),
        'NotAuthorizedException',
      );
      // A new attempt gets a challenge like anyone's (a disabled user is told so by no step before a
      // verified factor), and its verified assertion is refused all the same.
      const again = await webAuthnChallenge(pool, h.user.username);
      await expectServiceError(
        respond(pool, again.session, h.user.username, await h.authenticators[0]!.getAssertion(again.options)),
        'NotAuthorizedException',
        'Incorrect username or passkey.',
      );
    });

    it('10 concurrent answers with one Session and one CREDENTIAL: exactly one gets tokens', async () => {
      const h = await holder(pool);
      const { session, options } = await webAuthnChallenge(pool, h.user.username);
      const assertion = await h.authenticators[0]!.getAssertion(options);
      const results = await Promise.allSettled(Array.from({ length: 10 }, () => respond(pool, session, h.user.username, assertion)));
      const ok = results.filter((r) => r.status === 'fulfilled');
      const failed = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as SdkError] : []));
      expect(ok).toHaveLength(1);
      expect(failed.map((e) => [e.name, e.$metadata?.httpStatusCode, e.message])).toEqual(
        Array(9).fill(['NotAuthorizedException', 400, SESSION_EXPIRED]),
      );
      expect((await srv.services.store.getPasskey(pool.userPoolId, h.authenticators[0]!.credentials[0]!.id))!.signCount).toBe(1);
    });

    it('malformed CREDENTIAL values are refused with HTTP 400 (never 500)', async () => {
      const { options } = await webAuthnChallenge(pool, a.user.username);
      const good = await a.authenticators[0]!.getAssertion(options);
      const variants: string[] = [
        'not json',
        '""',
        'null',
        '42',
        '[]',
        '{}',
        JSON.stringify({ ...good, response: { ...good.response, authenticatorData: 'AAAA' } }),
        JSON.stringify({ ...good, response: { ...good.response, signature: '***' } }),
        JSON.stringify({ ...good, id: 'AA', rawId: 'AA' }),
        JSON.stringify({ ...good, response: undefined }),
      ];
      for (const v of variants) {
        const { session } = await webAuthnChallenge(pool, a.user.username);
        const err = (await respond(pool, session, a.user.username, v).then(
          () => undefined,
          (e: unknown) => e,
        )) as SdkError | undefined;
        expect(err, v).toBeDefined();
        expect(err!.$metadata?.httpStatusCode, v).toBe(400);
        expect(['NotAuthorizedException', 'InvalidParameterException'], v).toContain(err!.name);
      }
      const { session } = await webAuthnChallenge(pool, a.user.username);
      const err = await srv.client
        .send(
          new RespondToAuthChallengeCommand({
            ClientId: pool.clientId,
            ChallengeName: 'WEB_AUTHN',
            Session: session,
            ChallengeResponses: { USERNAME: a.user.username },
          }),
        )
        .then(
          () => undefined,
          (e: unknown) => e as SdkError,
        );
      expect(err?.$metadata?.httpStatusCode).toBe(400);
    });
  });

  // ----------------------------------------------------------------------------------------------
  // Sign counter policies
  // ----------------------------------------------------------------------------------------------

  describe('sign counter', () => {
    let lenient: TestPool;
    let strictCount: TestPool;
    beforeAll(async () => {
      lenient = await createTestPool(srv.admin);
      await updatePoolSettings(srv, lenient.userPoolId, { signCountPolicy: 'lenient-synced' });
      strictCount = await createTestPool(srv.admin);
      await updatePoolSettings(srv, strictCount.userPoolId, { signCountPolicy: 'strict' });
    });

    const stored = (p: TestPool, h: Holder) => srv.services.store.getPasskey(p.userPoolId, h.authenticators[0]!.credentials[0]!.id);

    for (const policy of ['lenient-synced', 'strict'] as const) {
      it(`${policy}: a device-bound credential (BE=0) whose counter goes down or repeats is refused`, async () => {
        const p = policy === 'strict' ? strictCount : lenient;
        const h = await holder(p, 1, () => new VirtualAuthenticator({ backupEligible: false }));
        await expectTokensFor(await signIn(p, h), h.user);
        await expectTokensFor(await signIn(p, h), h.user);
        expect((await stored(p, h))!.signCount).toBe(2);
        for (const signCount of [1, 2, 0]) {
          await expectServiceError(signIn(p, h, { signCount }), 'NotAuthorizedException');
        }
        expect(await stored(p, h)).toMatchObject({ signCount: 2, cloneWarnings: 0 });
        // A higher counter is fine again.
        await expectTokensFor(await signIn(p, h, { signCount: 10 }), h.user);
        expect((await stored(p, h))!.signCount).toBe(10);
      });
    }

    it('lenient-synced: a synced credential (BE=1) whose counter goes down is accepted and flagged (cloneWarnings)', async () => {
      const h = await holder(lenient, 1, () => new VirtualAuthenticator({ backupEligible: true, backupState: true }));
      await expectTokensFor(await signIn(lenient, h), h.user);
      await expectTokensFor(await signIn(lenient, h), h.user);
      expect(await stored(lenient, h)).toMatchObject({ signCount: 2, cloneWarnings: 0 });
      await expectTokensFor(await signIn(lenient, h, { signCount: 1 }), h.user);
      const after = await stored(lenient, h);
      expect(after).toMatchObject({ signCount: 2, cloneWarnings: 1, backupEligible: true });
      expect(srv.log.text()).toMatch(/sign count did not increase/);
    });

    it('strict: a synced credential (BE=1) whose counter goes down is refused', async () => {
      const h = await holder(strictCount, 1, () => new VirtualAuthenticator({ backupEligible: true, backupState: true }));
      await expectTokensFor(await signIn(strictCount, h), h.user);
      await expectTokensFor(await signIn(strictCount, h), h.user);
      await expectServiceError(signIn(strictCount, h, { signCount: 1 }), 'NotAuthorizedException');
      expect(await stored(strictCount, h)).toMatchObject({ signCount: 2, cloneWarnings: 0 });
    });

    it(
      'lenient-synced judges by the BE flag stored at registration: a ' +
        'device-bound credential claiming BE=1 in an assertion gets no leniency',
      async () => {
        const h = await holder(lenient, 1, () => new VirtualAuthenticator({ backupEligible: false }));
        await expectTokensFor(await signIn(lenient, h), h.user);
        await expectTokensFor(await signIn(lenient, h), h.user);
        await expectServiceError(signIn(lenient, h, { signCount: 1, backupEligible: true, backupState: true }), 'NotAuthorizedException');
        expect(await stored(lenient, h)).toMatchObject({ signCount: 2, cloneWarnings: 0, backupEligible: false });
      },
    );

    it('both policies: an authenticator without a counter (always 0) keeps working', async () => {
      for (const p of [lenient, strictCount]) {
        const h = await holder(p, 1, () => new VirtualAuthenticator({ signCount: 'zero' }));
        await expectTokensFor(await signIn(p, h), h.user);
        await expectTokensFor(await signIn(p, h), h.user);
        expect(await stored(p, h)).toMatchObject({ signCount: 0, cloneWarnings: 0 });
        expect((await stored(p, h))!.lastUsedAt).not.toBeNull();
      }
    });
  });
});

/**
 * StartWebAuthnRegistration / CompleteWebAuthnRegistration over the wire (AWS SDK v3 + the virtual
 * authenticator at JSON level), on SQLite and PostgreSQL: the creation options (docs/wire-contract.md §2.1.1,
 * §5.3), every algorithm × attestation format, and each failure mapped to its Cognito error (§2.4),
 * always HTTP 400, never a 500.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import {
  CompleteWebAuthnRegistrationCommand,
  DeleteWebAuthnCredentialCommand,
  GlobalSignOutCommand,
  InitiateAuthCommand,
  ListWebAuthnCredentialsCommand,
  RespondToAuthChallengeCommand,
  StartWebAuthnRegistrationCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import {
  DEFAULT_PACKED_AAGUID,
  VirtualAuthenticator,
  decodeCBOR,
  encodeCBOR,
  fromBase64url,
  toBase64url,
  type Algorithm,
  type AttestationFormat,
  type CBORValue,
  type RegistrationResponseJSON,
} from '@latchkey/virtual-authenticator';

import { DIALECTS, useServerWithPool, type TestServer } from './helpers/harness.js';
import { createTestPool, type TestPool } from './helpers/pool.js';
import { expectRawError, expectServiceError } from './helpers/errors.js';
import {
  ORIGIN,
  accessToken,
  b64url,
  completeRegistration,
  createExtraClient,
  createUser,
  parseRequestOptions,
  passwordTokens,
  randomId,
  registerPasskey,
  signedCall,
  startRegistration,
  updateClientOrigins,
  updatePoolSettings,
  type TestUser,
} from './helpers/latchkeyAdmin.js';

const COSE: Record<Algorithm, number> = { ES256: -7, EdDSA: -8, RS256: -257 };

/** Rebuilds a registration response with its attestation object's authData replaced. */
function withAuthData(cred: RegistrationResponseJSON, f: (authData: Uint8Array) => Uint8Array): RegistrationResponseJSON {
  const att = decodeCBOR(fromBase64url(cred.response.attestationObject)) as Map<string, CBORValue>;
  const authData = att.get('authData') as Uint8Array;
  const copy = new Map<string, CBORValue>(att);
  copy.set('authData', f(authData));
  return { ...cred, response: { ...cred.response, attestationObject: toBase64url(encodeCBOR(copy)) } };
}

function withResponse(cred: RegistrationResponseJSON, patch: Record<string, unknown>): unknown {
  return { ...cred, response: { ...cred.response, ...patch } };
}

describe.each(DIALECTS)('passkey registration on %s', (dialect) => {
  let srv: TestServer;
  let pool: TestPool;
  useServerWithPool(dialect, { pool: { userVerification: 'preferred' } }, (s, p) => ([srv, pool] = [s, p]));

  async function newUser(p: TestPool = pool, prefix = 'reg'): Promise<{ user: TestUser; token: string }> {
    const user = await createUser(srv, p, prefix);
    return { user, token: await accessToken(srv, p.clientId, user) };
  }
  const passkeysOf = async (token: string) =>
    (await srv.client.send(new ListWebAuthnCredentialsCommand({ AccessToken: token }))).Credentials ?? [];

  // ----------------------------------------------------------------------------------------------
  // StartWebAuthnRegistration
  // ----------------------------------------------------------------------------------------------

  describe('StartWebAuthnRegistration', () => {
    it('returns CredentialCreationOptions as a JSON object with every field of §5.3', async () => {
      const { user, token } = await newUser();
      const first = await registerPasskey(srv, token, new VirtualAuthenticator());

      // On the wire the options are an object (a Smithy document), not a string.
      const raw = await srv.call('StartWebAuthnRegistration', { AccessToken: token });
      expect(raw.status).toBe(200);
      expect(typeof raw.json.CredentialCreationOptions).toBe('object');

      const o = raw.json.CredentialCreationOptions;
      expect(o.rp).toEqual({ id: 'localhost', name: expect.any(String) });
      expect(o.rp.name.length).toBeGreaterThan(0);
      expect(o.user.id).toBe(b64url(user.sub));
      expect(Buffer.from(o.user.id, 'base64url').toString('utf8')).toBe(user.sub);
      expect(o.user.name).toBe(user.username);
      expect(typeof o.user.displayName).toBe('string');
      expect(o.challenge).toMatch(/^[A-Za-z0-9_-]{22}$/);
      expect(Buffer.from(o.challenge, 'base64url')).toHaveLength(16);
      expect(o.pubKeyCredParams).toEqual([
        { type: 'public-key', alg: -7 },
        { type: 'public-key', alg: -8 },
        { type: 'public-key', alg: -257 },
      ]);
      expect(o.timeout).toBeTypeOf('number');
      expect(o.timeout).toBeGreaterThanOrEqual(60_000);
      expect(o.excludeCredentials).toEqual([{ type: 'public-key', id: first.id, transports: ['internal', 'hybrid'] }]);
      expect(o.authenticatorSelection).toEqual({ residentKey: 'required', requireResidentKey: true, userVerification: 'preferred' });
      expect(o.attestation).toBe('none');
      expect(o.extensions).toEqual({ credProps: true });

      // Each Start issues a fresh challenge.
      const again = await startRegistration(srv, token);
      expect(again.challenge).not.toBe(o.challenge);
    });

    it('lists every existing passkey (with its transports) in excludeCredentials', async () => {
      const { token } = await newUser();
      const a = await registerPasskey(srv, token, new VirtualAuthenticator());
      const b = await registerPasskey(srv, token, new VirtualAuthenticator({ attachment: 'cross-platform', transports: ['usb', 'nfc'] }));
      const o = await startRegistration(srv, token);
      expect(o.excludeCredentials).toEqual([
        { type: 'public-key', id: a.id, transports: ['internal', 'hybrid'] },
        { type: 'public-key', id: b.id, transports: ['usb', 'nfc'] },
      ]);
      // The authenticator that holds one of them refuses to register again (InvalidStateError).
      const holder = new VirtualAuthenticator();
      const reg = await registerPasskey(srv, token, holder);
      const o2 = await startRegistration(srv, token);
      expect(o2.excludeCredentials!.map((c) => c.id)).toContain(reg.id);
      await expect(holder.createCredential(o2)).rejects.toMatchObject({ name: 'InvalidStateError' });
    });

    it("mirrors the pool's UserVerification and Latchkey attestation setting", async () => {
      const strict = await createTestPool(srv.admin, { userVerification: 'required' });
      const { token } = await newUser(strict);
      const o = await startRegistration(srv, token);
      expect(o.authenticatorSelection).toEqual({ residentKey: 'required', requireResidentKey: true, userVerification: 'required' });
      expect(o.attestation).toBe('none');
      await updatePoolSettings(srv, strict.userPoolId, { attestation: 'direct' });
      expect((await startRegistration(srv, token)).attestation).toBe('direct');
    });

    it('WebAuthnNotEnabledException when WEB_AUTHN is not an allowed first factor (Start and Complete)', async () => {
      const off = await createTestPool(srv.admin, { factors: ['PASSWORD'] });
      const { token } = await newUser(off);
      await expectServiceError(
        srv.client.send(new StartWebAuthnRegistrationCommand({ AccessToken: token })),
        'WebAuthnNotEnabledException',
      );
      // Complete with a well-formed (if unsolicited) credential is refused the same way.
      const cred = await new VirtualAuthenticator().createCredential({
        rp: { id: 'localhost', name: 'x' },
        user: { id: b64url('x'), name: 'x', displayName: '' },
        challenge: randomId(16),
        pubKeyCredParams: [{ type: 'public-key', alg: -7 }],
      });
      await expectServiceError(completeRegistration(srv, token, cred), 'WebAuthnNotEnabledException');
    });

    it('WebAuthnConfigurationMissingException on Start when the pool has no relying party id', async () => {
      const noRp = await createTestPool(srv.admin, { rpId: null });
      const { token } = await newUser(noRp);
      await expectServiceError(
        srv.client.send(new StartWebAuthnRegistrationCommand({ AccessToken: token })),
        'WebAuthnConfigurationMissingException',
      );
    });
  });

  // ----------------------------------------------------------------------------------------------
  // Happy paths: algorithm × attestation format × pool attestation mode
  // ----------------------------------------------------------------------------------------------

  describe('every algorithm and attestation format', () => {
    let direct: TestPool;
    beforeAll(async () => {
      direct = await createTestPool(srv.admin, { userVerification: 'preferred' });
      await updatePoolSettings(srv, direct.userPoolId, { attestation: 'direct' });
    });

    const combos: [Algorithm, AttestationFormat, 'none' | 'direct'][] = [];
    for (const mode of ['none', 'direct'] as const) {
      for (const alg of ['ES256', 'EdDSA', 'RS256'] as const) {
        for (const fmt of ['none', 'packed', 'fido-u2f'] as const) {
          if (fmt === 'fido-u2f' && alg !== 'ES256') continue;
          combos.push([alg, fmt, mode]);
        }
      }
    }

    it.each(combos)('%s with %s attestation, pool attestation %s: stored, listed and usable for sign-in', async (alg, fmt, mode) => {
      const p = mode === 'direct' ? direct : pool;
      const { user, token } = await newUser(p);
      const authenticator = new VirtualAuthenticator({ algorithms: [alg], attestation: fmt });
      const options = await startRegistration(srv, token);
      expect(options.attestation).toBe(mode);
      const cred = await authenticator.createCredential(options);
      expect(cred.response.publicKeyAlgorithm).toBe(COSE[alg]);
      const done = await completeRegistration(srv, token, cred);
      expect(done.$metadata.httpStatusCode).toBe(200);

      const stored = await srv.services.store.getPasskey(p.userPoolId, cred.id);
      expect(stored).toMatchObject({
        userId: user.sub,
        credentialId: cred.id,
        algorithm: COSE[alg],
        fmt,
        signCount: 0,
        relyingPartyId: 'localhost',
        transports: ['internal', 'hybrid'],
        attachment: 'platform',
        backupEligible: false,
        backupState: false,
        userVerified: true,
        lastUsedAt: null,
        cloneWarnings: 0,
        aaguid: fmt === 'packed' ? DEFAULT_PACKED_AAGUID : '00000000-0000-0000-0000-000000000000',
      });
      expect(Buffer.from(stored!.publicKey)).toEqual(Buffer.from(authenticator.credentials[0]!.publicKey));
      expect(stored!.friendlyName.length).toBeGreaterThan(0);
      expect((await passkeysOf(token)).map((c) => c.CredentialId)).toEqual([cred.id]);

      // The stored key verifies an assertion.
      const init = await srv.client.send(
        new InitiateAuthCommand({
          ClientId: p.clientId,
          AuthFlow: 'USER_AUTH',
          AuthParameters: { USERNAME: user.username, PREFERRED_CHALLENGE: 'WEB_AUTHN' },
        }),
      );
      expect(init.ChallengeName).toBe('WEB_AUTHN');
      const assertion = await authenticator.getAssertion(parseRequestOptions(init.ChallengeParameters?.CREDENTIAL_REQUEST_OPTIONS));
      const out = await srv.client.send(
        new RespondToAuthChallengeCommand({
          ClientId: p.clientId,
          ChallengeName: 'WEB_AUTHN',
          Session: init.Session,
          ChallengeResponses: { USERNAME: user.username, CREDENTIAL: JSON.stringify(assertion) },
        }),
      );
      expect(out.AuthenticationResult?.AccessToken).toBeTruthy();
    });

    it("'direct': a packed statement with a bad signature is WebAuthnCredentialNotSupportedException", async () => {
      const { token } = await newUser(direct);
      for (const overrides of [{ corruptSignature: true }, { signWith: 'other-key' as const }]) {
        const cred = await new VirtualAuthenticator({ attestation: 'packed' }).createCredential(
          await startRegistration(srv, token),
          overrides,
        );
        await expectServiceError(completeRegistration(srv, token, cred), 'WebAuthnCredentialNotSupportedException');
      }
      expect(await passkeysOf(token)).toEqual([]);
    });

    it("'direct': a fido-u2f statement signed by another key is WebAuthnCredentialNotSupportedException", async () => {
      const { token } = await newUser(direct);
      const cred = await new VirtualAuthenticator({ attestation: 'fido-u2f' }).createCredential(await startRegistration(srv, token), {
        signWith: 'other-key',
      });
      await expectServiceError(completeRegistration(srv, token, cred), 'WebAuthnCredentialNotSupportedException');
      expect(await passkeysOf(token)).toEqual([]);
    });

    it("'none' (default): the attestation statement is not relied upon, so a bad packed signature is accepted (documented)", async () => {
      const { token } = await newUser(pool);
      const cred = await new VirtualAuthenticator({ attestation: 'packed' }).createCredential(await startRegistration(srv, token), {
        corruptSignature: true,
      });
      await completeRegistration(srv, token, cred);
      expect((await srv.services.store.getPasskey(pool.userPoolId, cred.id))?.fmt).toBe('packed');
    });
  });

  // ----------------------------------------------------------------------------------------------
  // Origin and relying party
  // ----------------------------------------------------------------------------------------------

  describe('origin and RP ID', () => {
    // One user for the refusals: each fails, so the user never gets a passkey.
    let token: string;
    beforeAll(async () => {
      ({ token } = await newUser());
    });

    it.each([
      'https://evil.example.com',
      'http://localhost.evil.com:3000',
      'https://localhost.evil.com',
      'http://127.0.0.1:3000',
      'http://localhost:3000/',
      'null',
    ])('origin %s → WebAuthnOriginNotAllowedException', async (origin) => {
      const cred = await new VirtualAuthenticator().createCredential(await startRegistration(srv, token), { origin });
      await expectServiceError(completeRegistration(srv, token, cred), 'WebAuthnOriginNotAllowedException');
      expect(await passkeysOf(token)).toEqual([]);
    });

    it('a cross-origin ceremony (crossOrigin: true) → WebAuthnOriginNotAllowedException', async () => {
      const cred = await new VirtualAuthenticator().createCredential(await startRegistration(srv, token), {
        crossOrigin: true,
        topOrigin: 'https://evil.example.com',
      });
      await expectServiceError(completeRegistration(srv, token, cred), 'WebAuthnOriginNotAllowedException');
    });

    it('http://<sub>.localhost:<port> is allowed for RP ID localhost', async () => {
      const { token } = await newUser();
      const cred = await new VirtualAuthenticator().createCredential(await startRegistration(srv, token), {
        origin: 'http://app.localhost:5173',
      });
      await completeRegistration(srv, token, cred);
      expect(await passkeysOf(token)).toHaveLength(1);
    });

    it(
      'an extra origin from LatchkeyUpdateUserPoolClientSettings is ' +
        'allowed for that client only; rpIdHash must still be the pool RP ID',
      async () => {
        const p = await createTestPool(srv.admin);
        const other = await createExtraClient(srv, p);
        const extra = 'https://app.example.org';
        const { user, token } = await newUser(p);

        // Before the setting: refused.
        let cred = await new VirtualAuthenticator().createCredential(await startRegistration(srv, token), { origin: extra });
        await expectServiceError(completeRegistration(srv, token, cred), 'WebAuthnOriginNotAllowedException');

        await updateClientOrigins(srv, p.userPoolId, p.clientId, [extra]);

        // The listed origin works (the RP ID stays the pool's: localhost).
        cred = await new VirtualAuthenticator().createCredential(await startRegistration(srv, token), { origin: extra });
        await completeRegistration(srv, token, cred);
        // The RP ID's own origin still works too (the rule is listed OR matching the RP ID).
        const own = await registerPasskey(srv, token, new VirtualAuthenticator(), { origin: ORIGIN });
        expect((await passkeysOf(token)).map((c) => c.CredentialId)).toEqual([cred.id, own.id]);

        // An authenticator scoped to the extra origin's own domain is a relying party mismatch.
        const foreign = await new VirtualAuthenticator().createCredential(await startRegistration(srv, token), {
          origin: extra,
          rpId: 'app.example.org',
        });
        await expectServiceError(completeRegistration(srv, token, foreign), 'WebAuthnRelyingPartyMismatchException');

        // Another app client of the same pool does not inherit the setting.
        const otherToken = await accessToken(srv, other, user);
        const viaOther = await new VirtualAuthenticator().createCredential(await startRegistration(srv, otherToken), { origin: extra });
        await expectServiceError(completeRegistration(srv, otherToken, viaOther), 'WebAuthnOriginNotAllowedException');
        expect(await passkeysOf(token)).toHaveLength(2);
      },
    );

    it.each([
      ['upper-case host', 'https://App.Example.org', 'https://app.example.org'],
      ['explicit default port', 'https://app.example.org:443', 'https://app.example.org'],
    ])(
      'an AllowedOrigins entry with %s is refused or normalised, never stored as a value that cannot match',
      async (_what, configured, browserOrigin) => {
        const p = await createTestPool(srv.admin);
        const r = await signedCall(srv, 'LatchkeyUpdateUserPoolClientSettings', {
          UserPoolId: p.userPoolId,
          ClientId: p.clientId,
          AllowedOrigins: [configured],
        });
        if (r.status === 400) {
          expect(r.json.__type).toBe('InvalidParameterException');
          return;
        }
        expect(r.status).toBe(200);
        // Accepted: then the origin a browser reports for it (always canonical) must be allowed.
        const { token: t } = await newUser(p);
        const cred = await new VirtualAuthenticator().createCredential(await startRegistration(srv, t), { origin: browserOrigin });
        const done = await completeRegistration(srv, t, cred).then(
          () => 'registered',
          (e: { name: string }) => e.name,
        );
        expect(done, `AllowedOrigins [${configured}] was accepted (200) but a ceremony from ${browserOrigin} is refused`).toBe(
          'registered',
        );
      },
    );

    it.each(['example.com', 'localhost.', 'evil.localhost', 'LOCALHOST'])(
      'rpIdHash of %s → WebAuthnRelyingPartyMismatchException',
      async (rpId) => {
        const cred = await new VirtualAuthenticator().createCredential(await startRegistration(srv, token), { rpId });
        await expectServiceError(completeRegistration(srv, token, cred), 'WebAuthnRelyingPartyMismatchException');
        expect(await passkeysOf(token)).toEqual([]);
      },
    );
  });

  // ----------------------------------------------------------------------------------------------
  // Challenges
  // ----------------------------------------------------------------------------------------------

  describe('challenge', () => {
    it('a challenge that was never issued → WebAuthnChallengeNotFoundException; the pending one stays usable', async () => {
      const { token } = await newUser();
      const options = await startRegistration(srv, token);
      const authenticator = new VirtualAuthenticator();
      const bad = await authenticator.createCredential(options, { challenge: randomId(16) });
      await expectServiceError(completeRegistration(srv, token, bad), 'WebAuthnChallengeNotFoundException');
      const good = await new VirtualAuthenticator().createCredential(options);
      await completeRegistration(srv, token, good);
      expect((await passkeysOf(token)).map((c) => c.CredentialId)).toEqual([good.id]);
    });

    it('clientDataJSON.type webauthn.get → WebAuthnChallengeNotFoundException', async () => {
      const { token } = await newUser();
      const cred = await new VirtualAuthenticator().createCredential(await startRegistration(srv, token), { type: 'webauthn.get' });
      await expectServiceError(completeRegistration(srv, token, cred), 'WebAuthnChallengeNotFoundException');
    });

    // docs/security.md: the challenge is consumed after verification, and a failed verification consumes it too.
    it('a response that fails verification spends its challenge: a good credential for it afterwards is refused', async () => {
      const { token } = await newUser();
      const options = await startRegistration(srv, token);
      const wrongOrigin = await new VirtualAuthenticator().createCredential(options, { origin: 'https://evil.example' });
      await expectServiceError(completeRegistration(srv, token, wrongOrigin), 'WebAuthnOriginNotAllowedException');
      const good = await new VirtualAuthenticator().createCredential(options);
      await expectServiceError(completeRegistration(srv, token, good), 'WebAuthnChallengeNotFoundException');
      expect(await passkeysOf(token)).toEqual([]);
    });

    it('a consumed challenge cannot be used again with a new credential', async () => {
      const { token } = await newUser();
      const options = await startRegistration(srv, token);
      const first = await new VirtualAuthenticator().createCredential(options);
      await completeRegistration(srv, token, first);
      const second = await new VirtualAuthenticator().createCredential(options);
      await expectServiceError(completeRegistration(srv, token, second), 'WebAuthnChallengeNotFoundException');
      expect((await passkeysOf(token)).map((c) => c.CredentialId)).toEqual([first.id]);
      expect(await srv.services.store.getPasskey(pool.userPoolId, second.id)).toBeUndefined();
    });

    it('an expired challenge (clock + 6 minutes) → WebAuthnChallengeNotFoundException', async () => {
      const { token } = await newUser();
      const options = await startRegistration(srv, token);
      expect(options.timeout).toBeLessThanOrEqual(6 * 60_000 - 1000);
      const cred = await new VirtualAuthenticator().createCredential(options);
      srv.clock.advance(6 * 60_000);
      await expectServiceError(completeRegistration(srv, token, cred), 'WebAuthnChallengeNotFoundException');
      expect(await passkeysOf(token)).toEqual([]);
    });

    it("another user's challenge → WebAuthnChallengeNotFoundException", async () => {
      const a = await newUser();
      const b = await newUser();
      const options = await startRegistration(srv, a.token);
      const cred = await new VirtualAuthenticator().createCredential(options);
      await expectServiceError(completeRegistration(srv, b.token, cred), 'WebAuthnChallengeNotFoundException');
      expect(await passkeysOf(b.token)).toEqual([]);
    });

    it('started with a token of app client A, completed with a token of app client B → WebAuthnClientMismatchException', async () => {
      const clientB = await createExtraClient(srv, pool);
      const { user, token } = await newUser();
      const tokenB = await accessToken(srv, clientB, user);
      const cred = await new VirtualAuthenticator().createCredential(await startRegistration(srv, token));
      await expectServiceError(completeRegistration(srv, tokenB, cred), 'WebAuthnClientMismatchException');
      expect(await passkeysOf(token)).toEqual([]);
    });
  });

  // ----------------------------------------------------------------------------------------------
  // Flags
  // ----------------------------------------------------------------------------------------------

  describe('user verification and presence', () => {
    it('UV missing when the pool requires it → WebAuthnCredentialNotSupportedException', async () => {
      const strict = await createTestPool(srv.admin, { userVerification: 'required' });
      const { token } = await newUser(strict);
      const cred = await new VirtualAuthenticator().createCredential(await startRegistration(srv, token), { userVerification: false });
      await expectServiceError(completeRegistration(srv, token, cred), 'WebAuthnCredentialNotSupportedException');
      expect(await passkeysOf(token)).toEqual([]);
    });

    it("UV missing is accepted when the pool says 'preferred'", async () => {
      const { token } = await newUser();
      const cred = await new VirtualAuthenticator({ userVerification: false }).createCredential(await startRegistration(srv, token));
      await completeRegistration(srv, token, cred);
      expect(await srv.services.store.getPasskey(pool.userPoolId, cred.id)).toMatchObject({ userVerified: false });
    });

    it('UP missing → WebAuthnCredentialNotSupportedException', async () => {
      const { token } = await newUser();
      const cred = await new VirtualAuthenticator().createCredential(await startRegistration(srv, token), { userPresence: false });
      await expectServiceError(completeRegistration(srv, token, cred), 'WebAuthnCredentialNotSupportedException');
    });

    it('backup eligible / backed up flags are stored', async () => {
      const { token } = await newUser();
      const cred = await registerPasskey(srv, token, new VirtualAuthenticator({ backupEligible: true, backupState: true }));
      expect(await srv.services.store.getPasskey(pool.userPoolId, cred.id)).toMatchObject({ backupEligible: true, backupState: true });
    });
  });

  // ----------------------------------------------------------------------------------------------
  // Malformed credentials
  // ----------------------------------------------------------------------------------------------

  describe('malformed Credential → InvalidParameterException', () => {
    // One user for all cases: every case fails, so the user never gets a passkey.
    let token: string;
    beforeAll(async () => {
      ({ token } = await newUser());
    });
    type Mangle = (cred: RegistrationResponseJSON) => unknown;
    const cases: [string, Mangle][] = [
      ['authData truncated to 20 bytes', (c) => withAuthData(c, (d) => d.slice(0, 20))],
      ['authData cut inside the attested credential data', (c) => withAuthData(c, (d) => d.slice(0, 37 + 10))],
      ['authData cut inside the COSE key', (c) => withAuthData(c, (d) => d.slice(0, d.length - 5))],
      ['authData with trailing garbage', (c) => withAuthData(c, (d) => Buffer.concat([d, Buffer.from([1, 2, 3])]))],
      [
        'authData claiming 1000 bytes of credential id',
        (c) =>
          withAuthData(c, (d) => {
            const x = Buffer.from(d);
            x.writeUInt16BE(1000, 53);
            return x;
          }),
      ],
      [
        'attestationObject is CBOR garbage',
        (c) =>
          withResponse(c, {
            attestationObject: toBase64url(crypto.getRandomValues(new Uint8Array(200)).map((b, i) => (i === 0 ? 0xff : b))),
          }),
      ],
      [
        'attestationObject truncated',
        (c) => withResponse(c, { attestationObject: toBase64url(fromBase64url(c.response.attestationObject).slice(0, 50)) }),
      ],
      ['attestationObject is a CBOR text string', (c) => withResponse(c, { attestationObject: toBase64url(encodeCBOR('hello')) })],
      ['attestationObject bad base64url', (c) => withResponse(c, { attestationObject: '!!not*base64url!!' })],
      [
        'attestationObject standard base64 alphabet',
        (c) => withResponse(c, { attestationObject: Buffer.from(fromBase64url(c.response.attestationObject)).toString('base64') + '+/' }),
      ],
      ['attestationObject missing', (c) => withResponse(c, { attestationObject: undefined })],
      ['clientDataJSON bad base64url', (c) => withResponse(c, { clientDataJSON: '%%%' })],
      ['clientDataJSON not JSON', (c) => withResponse(c, { clientDataJSON: b64url('{"type":') })],
      [
        'clientDataJSON without challenge',
        (c) => withResponse(c, { clientDataJSON: b64url(JSON.stringify({ type: 'webauthn.create', origin: ORIGIN })) }),
      ],
      ['response missing', (c) => ({ ...c, response: undefined })],
      ['id differs from rawId', (c) => ({ ...c, rawId: randomId() })],
      [
        'id does not match the authenticator data',
        (c) => {
          const id = randomId();
          return { ...c, id, rawId: id };
        },
      ],
      ['id bad base64url', (c) => ({ ...c, id: 'a+b/c==', rawId: 'a+b/c==' })],
      ['type is not public-key', (c) => ({ ...c, type: 'password' })],
      ['transports not an array', (c) => withResponse(c, { transports: 'usb' })],
      ['Credential is a JSON string', (c) => JSON.stringify(c)],
      ['Credential is an array', (c) => [c]],
      ['Credential is a number', () => 42],
      ['Credential is an empty object', () => ({})],
    ];

    it.each(cases)('%s', async (_what, mangle) => {
      const cred = await new VirtualAuthenticator().createCredential(await startRegistration(srv, token));
      await expectServiceError(completeRegistration(srv, token, mangle(cred)), 'InvalidParameterException');
      expect(await passkeysOf(token)).toEqual([]);
    });

    it('Credential missing or null (raw JSON) → InvalidParameterException', async () => {
      await startRegistration(srv, token);
      expectRawError(await srv.call('CompleteWebAuthnRegistration', { AccessToken: token }), 'InvalidParameterException');
      expectRawError(await srv.call('CompleteWebAuthnRegistration', { AccessToken: token, Credential: null }), 'InvalidParameterException');
      expectRawError(await srv.call('CompleteWebAuthnRegistration', { AccessToken: token, Credential: 'x' }), 'InvalidParameterException');
    });
  });

  // ----------------------------------------------------------------------------------------------
  // Credential ids, retries, limits, concurrency
  // ----------------------------------------------------------------------------------------------

  describe('credential ids and retries', () => {
    it("another user's credential id is refused (WebAuthnCredentialNotSupportedException) and stays theirs", async () => {
      const a = await newUser();
      const b = await newUser();
      const owned = await registerPasskey(srv, a.token, new VirtualAuthenticator());
      const options = await startRegistration(srv, b.token);
      const clash = await new VirtualAuthenticator().createCredential(options, { credentialId: owned.id });
      expect(clash.id).toBe(owned.id);
      await expectServiceError(completeRegistration(srv, b.token, clash), 'WebAuthnCredentialNotSupportedException');
      expect(await srv.services.store.getPasskey(pool.userPoolId, owned.id)).toMatchObject({ userId: a.user.sub });
      expect(await passkeysOf(b.token)).toEqual([]);
      expect((await passkeysOf(a.token)).map((c) => c.CredentialId)).toEqual([owned.id]);
    });

    it('a retried Complete of an already registered credential answers {} and stores no duplicate', async () => {
      const { token } = await newUser();
      const options = await startRegistration(srv, token);
      const cred = await new VirtualAuthenticator().createCredential(options);
      const first = await completeRegistration(srv, token, cred);
      const before = await srv.services.store.getPasskey(pool.userPoolId, cred.id);
      const raw = await srv.call('CompleteWebAuthnRegistration', { AccessToken: token, Credential: cred });
      expect(raw).toMatchObject({ status: 200, json: {} });
      expect(Object.keys(raw.json)).toEqual([]);
      const again = await completeRegistration(srv, token, cred);
      expect([first.$metadata.httpStatusCode, again.$metadata.httpStatusCode]).toEqual([200, 200]);
      expect((await passkeysOf(token)).map((c) => c.CredentialId)).toEqual([cred.id]);
      expect(await srv.services.store.getPasskey(pool.userPoolId, cred.id)).toEqual(before);
    });
  });

  describe('per-user limit', () => {
    let limited: TestPool;
    beforeAll(async () => {
      limited = await createTestPool(srv.admin);
      await updatePoolSettings(srv, limited.userPoolId, { maxPasskeysPerUser: 3 });
    });

    it('maxPasskeysPerUser 3: the 4th Start is LimitExceededException; deleting one makes room', async () => {
      const { user, token } = await newUser(limited);
      for (let i = 0; i < 3; i++) await registerPasskey(srv, token, new VirtualAuthenticator());
      await expectServiceError(srv.client.send(new StartWebAuthnRegistrationCommand({ AccessToken: token })), 'LimitExceededException');
      const list = await passkeysOf(token);
      expect(list).toHaveLength(3);
      await srv.client.send(new DeleteWebAuthnCredentialCommand({ AccessToken: token, CredentialId: list[0]!.CredentialId! }));
      await registerPasskey(srv, token, new VirtualAuthenticator());
      expect(await passkeysOf(token)).toHaveLength(3);
      const rec = await srv.services.store.findUserByLogin(limited.userPoolId, user.username, null);
      expect(rec?.passkeyCount).toBe(3);
    });

    it('two challenges started at 2 passkeys: the second Complete is LimitExceededException', async () => {
      const { token } = await newUser(limited);
      for (let i = 0; i < 2; i++) await registerPasskey(srv, token, new VirtualAuthenticator());
      const o1 = await startRegistration(srv, token);
      const o2 = await startRegistration(srv, token);
      await completeRegistration(srv, token, await new VirtualAuthenticator().createCredential(o1));
      await expectServiceError(
        completeRegistration(srv, token, await new VirtualAuthenticator().createCredential(o2)),
        'LimitExceededException',
      );
      expect(await passkeysOf(token)).toHaveLength(3);
    });

    it('concurrent Completes of 8 different challenges never exceed the limit', async () => {
      const { user, token } = await newUser(limited);
      const creds: RegistrationResponseJSON[] = [];
      for (let i = 0; i < 8; i++) creds.push(await new VirtualAuthenticator().createCredential(await startRegistration(srv, token)));
      const results = await Promise.allSettled(creds.map((c) => completeRegistration(srv, token, c)));
      const ok = results.filter((r) => r.status === 'fulfilled');
      const failed = results.flatMap((r) =>
        r.status === 'rejected' ? [r.reason as { name: string; $metadata?: { httpStatusCode?: number } }] : [],
      );
      expect(failed.map((e) => [e.name, e.$metadata?.httpStatusCode])).toEqual(Array(failed.length).fill(['LimitExceededException', 400]));
      expect(ok).toHaveLength(3);
      const stored = await passkeysOf(token);
      expect(stored).toHaveLength(3);
      const rec = await srv.services.store.findUserByLogin(limited.userPoolId, user.username, null);
      expect(rec?.passkeyCount).toBe(3);
    });
  });

  describe('concurrency', () => {
    it('20 concurrent Completes of one challenge: exactly one succeeds, the rest WebAuthnChallengeNotFoundException', async () => {
      const { token } = await newUser();
      const options = await startRegistration(srv, token);
      const creds = await Promise.all(Array.from({ length: 20 }, () => new VirtualAuthenticator().createCredential(options)));
      const results = await Promise.allSettled(creds.map((c) => completeRegistration(srv, token, c)));
      const winners = results.flatMap((r, i) => (r.status === 'fulfilled' ? [creds[i]!.id] : []));
      const failed = results.flatMap((r) =>
        r.status === 'rejected' ? [r.reason as { name: string; $metadata?: { httpStatusCode?: number } }] : [],
      );
      expect(winners).toHaveLength(1);
      expect(failed.map((e) => [e.name, e.$metadata?.httpStatusCode])).toEqual(Array(19).fill(['WebAuthnChallengeNotFoundException', 400]));
      expect((await passkeysOf(token)).map((c) => c.CredentialId)).toEqual(winners);
    });
  });

  describe('concurrency on one credential id', () => {
    it(
      'two users completing the same credential id at once: one owns ' + 'it, the other gets WebAuthnCredentialNotSupportedException',
      async () => {
        for (let round = 0; round < 5; round++) {
          const a = await newUser();
          const b = await newUser();
          const id = randomId();
          const [ca, cb] = await Promise.all([
            startRegistration(srv, a.token).then((o) => new VirtualAuthenticator().createCredential(o, { credentialId: id })),
            startRegistration(srv, b.token).then((o) => new VirtualAuthenticator().createCredential(o, { credentialId: id })),
          ]);
          const results = await Promise.allSettled([completeRegistration(srv, a.token, ca), completeRegistration(srv, b.token, cb)]);
          const ok = results.filter((r) => r.status === 'fulfilled');
          const failed = results.flatMap((r) =>
            r.status === 'rejected' ? [r.reason as { name: string; $metadata?: { httpStatusCode?: number } }] : [],
          );
          expect(ok).toHaveLength(1);
          expect(failed.map((e) => [e.name, e.$metadata?.httpStatusCode])).toEqual([['WebAuthnCredentialNotSupportedException', 400]]);
          const owner = results[0]!.status === 'fulfilled' ? a : b;
          const loser = owner === a ? b : a;
          expect(await srv.services.store.getPasskey(pool.userPoolId, id)).toMatchObject({ userId: owner.user.sub });
          expect(await passkeysOf(loser.token)).toEqual([]);
          expect((await srv.services.store.findUserByLogin(pool.userPoolId, loser.user.username, null))?.passkeyCount).toBe(0);
          expect((await srv.services.store.findUserByLogin(pool.userPoolId, owner.user.username, null))?.passkeyCount).toBe(1);
        }
      },
    );

    it('one user completing the same credential with two challenges at once: both answer {} and it is stored once', async () => {
      for (let round = 0; round < 5; round++) {
        const { user, token } = await newUser();
        const id = randomId();
        const creds = await Promise.all(
          [0, 1].map(async () => new VirtualAuthenticator().createCredential(await startRegistration(srv, token), { credentialId: id })),
        );
        const results = await Promise.allSettled(creds.map((c) => completeRegistration(srv, token, c)));
        expect(results.map((r) => (r.status === 'fulfilled' ? 200 : `${(r.reason as Error).name}`))).toEqual([200, 200]);
        expect((await passkeysOf(token)).map((c) => c.CredentialId)).toEqual([id]);
        expect((await srv.services.store.findUserByLogin(pool.userPoolId, user.username, null))?.passkeyCount).toBe(1);
      }
    });
  });

  // ----------------------------------------------------------------------------------------------
  // Access token
  // ----------------------------------------------------------------------------------------------

  describe('access token', () => {
    it('garbage, tampered, ID-token and revoked tokens → NotAuthorizedException on Start and Complete', async () => {
      const { user, token } = await newUser();
      const tokens = await passwordTokens(srv, pool.clientId, user);
      const cred = await new VirtualAuthenticator().createCredential(await startRegistration(srv, token));
      const [h, p, s] = token.split('.');
      const tampered = `${h}.${p}.${s!.slice(0, -4)}${s!.slice(-4) === 'AAAA' ? 'BBBB' : 'AAAA'}`;
      const otherClaims = { ...JSON.parse(Buffer.from(p!, 'base64url').toString()), sub: randomId() };
      const otherPayload = `${h}.${Buffer.from(JSON.stringify(otherClaims)).toString('base64url')}.${s}`;
      for (const bad of ['abc.def.ghi', 'not-a-jwt', tampered, otherPayload, tokens.IdToken!]) {
        await expectServiceError(srv.client.send(new StartWebAuthnRegistrationCommand({ AccessToken: bad })), 'NotAuthorizedException');
        await expectServiceError(
          srv.client.send(new CompleteWebAuthnRegistrationCommand({ AccessToken: bad, Credential: cred as never })),
          'NotAuthorizedException',
        );
      }
      await srv.client.send(new GlobalSignOutCommand({ AccessToken: tokens.AccessToken! }));
      await expectServiceError(
        srv.client.send(new StartWebAuthnRegistrationCommand({ AccessToken: tokens.AccessToken! })),
        'NotAuthorizedException',
      );
      await expectServiceError(completeRegistration(srv, tokens.AccessToken!, cred), 'NotAuthorizedException');
    });

    it('AccessToken missing (raw JSON) → InvalidParameterException or NotAuthorizedException, HTTP 400', async () => {
      for (const op of ['StartWebAuthnRegistration', 'CompleteWebAuthnRegistration']) {
        const r = await srv.call(op, {});
        expect(r.status).toBe(400);
        expect(['InvalidParameterException', 'NotAuthorizedException']).toContain(r.json.__type);
      }
    });
  });
});

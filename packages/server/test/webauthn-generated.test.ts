/**
 * Generated ceremonies (software authenticator from @latchkey/virtual-authenticator) through
 * verifyRegistration / verifyAuthentication: happy paths for every algorithm × attestation format,
 * and one well-formed-but-wrong response per check, each asserting its error code and, through the
 * server's mapping table, the exact Cognito error name.
 */
import { describe, expect, it } from 'vitest';
import {
  VirtualAuthenticator,
  decodeCBOR,
  encodeCBOR,
  type Algorithm,
  type AttestationFormat,
  type AuthenticationResponseJSON,
  type CBORValue,
  type CeremonyOverrides,
  type RegistrationResponseJSON,
} from '@latchkey/virtual-authenticator';
import { ServiceError } from '../src/protocol/errors.js';
import { webAuthnRejection } from './helpers/errors.js';
import { webAuthnServiceError, type WebAuthnCeremony } from '../src/auth/securityErrors.js';
import {
  randomChallenge,
  verifyAuthentication,
  verifyRegistration,
  type UserVerificationSetting,
  type VerifiedRegistration,
  type VerifyAuthenticationInput,
  type VerifyRegistrationInput,
  type WebAuthnErrorCode,
} from '../src/security/webauthn/index.js';

const ORIGIN = 'https://app.example.com';
const RP_ID = 'example.com';
const USER_ID = Buffer.from('3c46320b-c60e-4a21-9d64-5829bfede1c4').toString('base64url');

function creationOptions(challenge: string, userVerification: 'required' | 'preferred' = 'required', extensions?: Record<string, unknown>) {
  return {
    rp: { id: RP_ID, name: RP_ID },
    user: { id: USER_ID, name: 'alice', displayName: '' },
    challenge,
    pubKeyCredParams: [-7, -8, -257].map((alg) => ({ type: 'public-key', alg })),
    timeout: 60000,
    authenticatorSelection: { residentKey: 'required', requireResidentKey: true, userVerification },
    ...(extensions ? { extensions } : {}),
  };
}

function requestOptions(challenge: string, credentialId?: string, userVerification: 'required' | 'preferred' = 'required') {
  return {
    challenge,
    rpId: RP_ID,
    timeout: 180000,
    allowCredentials: credentialId ? [{ id: credentialId, type: 'public-key' }] : [],
    userVerification,
  };
}

function authenticator(options: ConstructorParameters<typeof VirtualAuthenticator>[0] = {}) {
  return new VirtualAuthenticator({ origin: ORIGIN, ...options });
}

/**
 * The verifier rejects with `code`; through the server's table (auth/securityErrors.ts) that code is
 * the wire error `name` it always was, with the same client-safe message and the reason in `detail`.
 */
async function expectError(
  ceremony: WebAuthnCeremony,
  p: Promise<unknown>,
  code: WebAuthnErrorCode,
  name: string,
  detail?: RegExp,
): Promise<ServiceError> {
  const coded = await webAuthnRejection(p);
  expect(coded.code).toBe(code);
  const err = webAuthnServiceError(coded, ceremony);
  expect(err).toBeInstanceOf(ServiceError);
  expect(err.name).toBe(name);
  expect(err.type).toBe(name);
  if (detail) expect(err.detail).toMatch(detail);
  // Library/internal wording never reaches the client-facing message: every class but
  // InvalidParameterException (which names the offending field) keeps its fixed public message.
  expect(err.message).not.toMatch(/simplewebauthn|unexpected|expected "|expected one of|verifier|rpIdHash|sign count/i);
  if (name !== 'InvalidParameterException') {
    expect(err.message).toBe(new (err.constructor as new () => ServiceError)().message);
  }
  return err;
}
const expectRegistrationError = (p: Promise<unknown>, code: WebAuthnErrorCode, name: string, detail?: RegExp) =>
  expectError('registration', p, code, name, detail);
const expectAuthenticationError = (p: Promise<unknown>, code: WebAuthnErrorCode, name: string, detail?: RegExp) =>
  expectError('authentication', p, code, name, detail);

interface Ceremony {
  challenge: string;
  response: RegistrationResponseJSON;
  input: VerifyRegistrationInput;
}

async function createCredential(
  auth: VirtualAuthenticator,
  overrides: CeremonyOverrides = {},
  opts: { userVerification?: UserVerificationSetting; attestation?: 'none' | 'direct'; extensions?: Record<string, unknown> } = {},
): Promise<Ceremony> {
  const challenge = randomChallenge();
  const uv = opts.userVerification ?? 'required';
  const response = await auth.createCredential(creationOptions(challenge, uv, opts.extensions), overrides);
  return {
    challenge,
    response,
    input: {
      credential: response,
      expectedChallenge: challenge,
      expectedOrigins: [],
      rpId: RP_ID,
      userVerification: uv,
      attestation: opts.attestation ?? 'direct',
    },
  };
}

async function registered(auth: VirtualAuthenticator, opts: Parameters<typeof createCredential>[2] = {}) {
  const ceremony = await createCredential(auth, {}, opts);
  return verifyRegistration(ceremony.input);
}

async function assertion(
  auth: VirtualAuthenticator,
  reg: VerifiedRegistration,
  overrides: CeremonyOverrides = {},
  uv: UserVerificationSetting = 'required',
): Promise<{ response: AuthenticationResponseJSON; input: VerifyAuthenticationInput }> {
  const challenge = randomChallenge();
  const response = await auth.getAssertion(requestOptions(challenge, reg.credentialId, uv), overrides);
  return {
    response,
    input: {
      credential: response,
      expectedChallenge: challenge,
      expectedOrigins: [],
      rpId: RP_ID,
      userVerification: uv,
      storedCredential: { credentialId: reg.credentialId, publicKey: reg.publicKey, signCount: reg.signCount, transports: reg.transports },
    },
  };
}

const COSE: Record<Algorithm, number> = { ES256: -7, EdDSA: -8, RS256: -257 };

// ---------------------------------------------------------------------------------------------

describe('happy paths: every algorithm × attestation format', () => {
  const matrix: [Algorithm, AttestationFormat][] = [
    ['ES256', 'none'],
    ['ES256', 'packed'],
    ['ES256', 'fido-u2f'],
    ['EdDSA', 'none'],
    ['EdDSA', 'packed'],
    ['RS256', 'none'],
    ['RS256', 'packed'],
  ];
  it.each(matrix)('%s with %s attestation registers (direct) and authenticates', async (alg, fmt) => {
    const auth = authenticator({ algorithms: [alg], attestation: fmt });
    const reg = await registered(auth);
    expect(reg.fmt).toBe(fmt);
    expect(reg.algorithm).toBe(COSE[alg]);
    expect(reg.userVerified).toBe(true);
    expect(reg.signCount).toBe(0);
    expect(reg.credentialId).toBe(auth.credentials[0].id);
    expect(Buffer.from(reg.publicKey)).toEqual(Buffer.from(auth.credentials[0].publicKey));
    expect(reg.authenticatorAttachment).toBe('platform');
    expect(reg.transports).toEqual(['internal', 'hybrid']);
    if (fmt === 'fido-u2f' || fmt === 'none') expect(reg.aaguid).toBe('00000000-0000-0000-0000-000000000000');

    for (let i = 1; i <= 2; i++) {
      const { input } = await assertion(auth, { ...reg, signCount: i - 1 });
      const result = await verifyAuthentication(input);
      expect(result).toEqual({
        newSignCount: i,
        userVerified: true,
        backupState: false,
        backupEligible: false,
        counterRegressed: false,
        credentialId: reg.credentialId,
        userHandle: USER_ID,
      });
    }
  });

  it.each(['EdDSA', 'RS256'] as const)('fido-u2f cannot carry %s (the format is P-256 only)', (alg) => {
    expect(() => authenticator({ algorithms: [alg], attestation: 'fido-u2f' })).toThrow(TypeError);
  });

  it('attestation "none" mode accepts every format too', async () => {
    for (const fmt of ['none', 'packed', 'fido-u2f'] as const) {
      const reg = await registered(authenticator({ algorithms: ['ES256'], attestation: fmt }), { attestation: 'none' });
      expect(reg.fmt).toBe(fmt);
    }
  });

  it('reports backup flags, attachment, transports and credProps', async () => {
    const auth = authenticator({
      backupEligible: true,
      backupState: true,
      attachment: 'cross-platform',
      transports: ['usb', 'nfc', 'usb', 'carrier-pigeon'],
    });
    const reg = await registered(auth, { extensions: { credProps: true } });
    expect(reg).toMatchObject({
      backupEligible: true,
      backupState: true,
      authenticatorAttachment: 'cross-platform',
      transports: ['usb', 'nfc'],
    });
    expect(reg.credProps).toEqual({ rk: true });
    const result = await verifyAuthentication((await assertion(auth, reg)).input);
    expect(result).toMatchObject({ backupEligible: true, backupState: true });
  });

  it('accepts the credential as JSON text (the CREDENTIAL challenge response is a string)', async () => {
    const auth = authenticator();
    const c = await createCredential(auth);
    const reg = await verifyRegistration({ ...c.input, credential: JSON.stringify(c.response) });
    const { response, input } = await assertion(auth, reg);
    expect((await verifyAuthentication({ ...input, credential: JSON.stringify(response) })).newSignCount).toBe(1);
  });

  it('accepts extra expected origins, e.g. an Android app origin', async () => {
    const auth = authenticator();
    const appOrigin = 'android:apk-key-hash:gx7sq_pxhxhrIQdLyfG0pxKwiJ7hOk2DJQ4xvKd438Q';
    const c = await createCredential(auth, { origin: appOrigin });
    await expectRegistrationError(verifyRegistration(c.input), 'ERR_WEBAUTHN_ORIGIN_NOT_ALLOWED', 'WebAuthnOriginNotAllowedException');
    expect((await verifyRegistration({ ...c.input, expectedOrigins: [appOrigin] })).fmt).toBe('none');
  });
});

// ---------------------------------------------------------------------------------------------

describe('registration failures', () => {
  const auth = authenticator({ attestation: 'packed' });

  it('wrong origin → WebAuthnOriginNotAllowedException', async () => {
    for (const origin of [
      'https://evil.example',
      'https://example.com.evil.io',
      'http://app.example.com',
      'https://app.example.com:8443/',
    ]) {
      const c = await createCredential(auth, { origin });
      await expectRegistrationError(
        verifyRegistration(c.input),
        'ERR_WEBAUTHN_ORIGIN_NOT_ALLOWED',
        'WebAuthnOriginNotAllowedException',
        /origin/,
      );
    }
  });

  it('a subdomain origin with a port is allowed by the RP ID rule', async () => {
    const c = await createCredential(auth, { origin: 'https://login.app.example.com:8443' });
    expect((await verifyRegistration(c.input)).fmt).toBe('packed');
  });

  it('cross-origin (iframe) ceremonies and topOrigin → WebAuthnOriginNotAllowedException', async () => {
    await expectRegistrationError(
      verifyRegistration((await createCredential(auth, { crossOrigin: true })).input),
      'ERR_WEBAUTHN_CROSS_ORIGIN',
      'WebAuthnOriginNotAllowedException',
      /cross-origin/,
    );
    await expectRegistrationError(
      verifyRegistration((await createCredential(auth, { topOrigin: 'https://top.example' })).input),
      'ERR_WEBAUTHN_CROSS_ORIGIN',
      'WebAuthnOriginNotAllowedException',
      /topOrigin/,
    );
  });

  it('wrong RP ID hash → WebAuthnRelyingPartyMismatchException', async () => {
    const c = await createCredential(auth, { rpId: 'other.example' });
    await expectRegistrationError(
      verifyRegistration(c.input),
      'ERR_WEBAUTHN_RP_ID_MISMATCH',
      'WebAuthnRelyingPartyMismatchException',
      /rpIdHash/,
    );
  });

  it('wrong challenge → WebAuthnChallengeNotFoundException', async () => {
    const c = await createCredential(auth, { challenge: randomChallenge() });
    await expectRegistrationError(
      verifyRegistration(c.input),
      'ERR_WEBAUTHN_CHALLENGE_MISMATCH',
      'WebAuthnChallengeNotFoundException',
      /challenge/,
    );
  });

  it('wrong clientDataJSON.type → WebAuthnChallengeNotFoundException', async () => {
    const c = await createCredential(auth, { type: 'webauthn.get' });
    await expectRegistrationError(verifyRegistration(c.input), 'ERR_WEBAUTHN_TYPE_MISMATCH', 'WebAuthnChallengeNotFoundException', /type/);
  });

  it('UV missing when required → WebAuthnCredentialNotSupportedException; accepted when preferred', async () => {
    const c = await createCredential(auth, { userVerification: false });
    await expectRegistrationError(
      verifyRegistration(c.input),
      'ERR_WEBAUTHN_USER_VERIFICATION_MISSING',
      'WebAuthnCredentialNotSupportedException',
      /UV/,
    );
    const reg = await verifyRegistration({ ...c.input, userVerification: 'preferred' });
    expect(reg.userVerified).toBe(false);
  });

  it('UP missing → WebAuthnCredentialNotSupportedException (even when UV is only preferred)', async () => {
    const c = await createCredential(auth, { userPresence: false });
    await expectRegistrationError(
      verifyRegistration({ ...c.input, userVerification: 'preferred' }),
      'ERR_WEBAUTHN_USER_PRESENCE_MISSING',
      'WebAuthnCredentialNotSupportedException',
      /UP/,
    );
  });

  it('UP missing is accepted only with requireUserPresence: false (a conditional create); true and absent refuse it', async () => {
    for (const fmt of ['none', 'packed'] as const) {
      const a = authenticator({ algorithms: ['ES256'], attestation: fmt });
      const c = await createCredential(a, { userPresence: false });
      for (const requireUserPresence of [undefined, true]) {
        await expectRegistrationError(
          verifyRegistration({ ...c.input, ...(requireUserPresence === undefined ? {} : { requireUserPresence }) }),
          'ERR_WEBAUTHN_USER_PRESENCE_MISSING',
          'WebAuthnCredentialNotSupportedException',
          /UP/,
        );
      }
      // The attestation statement is verified as well (fmt packed, direct mode): it passes without UP too.
      const reg = await verifyRegistration({ ...c.input, requireUserPresence: false });
      expect(reg.fmt).toBe(fmt);
      expect(reg.credentialId).toBe(c.response.id);
    }
  });

  it('bad attestation signature → WebAuthnCredentialNotSupportedException in direct mode, ignored in none mode', async () => {
    for (const fmt of ['packed', 'fido-u2f'] as const) {
      const a = authenticator({ algorithms: ['ES256'], attestation: fmt });
      for (const overrides of [{ corruptSignature: true }, { signWith: 'other-key' as const }]) {
        const c = await createCredential(a, overrides);
        await expectRegistrationError(
          verifyRegistration(c.input),
          'ERR_WEBAUTHN_ATTESTATION_INVALID',
          'WebAuthnCredentialNotSupportedException',
          /attestation/,
        );
        expect((await verifyRegistration({ ...c.input, attestation: 'none' })).fmt).toBe(fmt);
      }
    }
  });

  it('unsupported algorithm → WebAuthnCredentialNotSupportedException', async () => {
    // A real RS256 credential whose COSE key is relabelled PS256 (-37): fmt none, so nothing else breaks.
    const c = await createCredential(authenticator({ algorithms: ['RS256'] }));
    const attObj = decodeCBOR(Buffer.from(c.response.response.attestationObject, 'base64url')) as Map<CBORValue, CBORValue>;
    const authData = Buffer.from(attObj.get('authData') as Uint8Array);
    const at = authData.indexOf(Buffer.from([0x03, 0x39, 0x01, 0x00]), 55); // COSE label 3 (alg) = -257
    expect(at).toBeGreaterThan(0);
    const patched = Buffer.concat([authData.subarray(0, at), Buffer.from([0x03, 0x38, 0x24]), authData.subarray(at + 4)]);
    attObj.set('authData', new Uint8Array(patched));
    const response = {
      ...c.response,
      response: { ...c.response.response, attestationObject: Buffer.from(encodeCBOR(attObj)).toString('base64url') },
    };
    for (const attestation of ['none', 'direct'] as const) {
      await expectRegistrationError(
        verifyRegistration({ ...c.input, credential: response, attestation }),
        'ERR_WEBAUTHN_ALGORITHM_NOT_SUPPORTED',
        'WebAuthnCredentialNotSupportedException',
        /-37/,
      );
    }
  });

  it('unknown attestation format: rejected in direct mode, accepted in none mode', async () => {
    const c = await createCredential(authenticator());
    const attObj = decodeCBOR(Buffer.from(c.response.response.attestationObject, 'base64url')) as Map<CBORValue, CBORValue>;
    attObj.set('fmt', 'fizzbuzz');
    const response = {
      ...c.response,
      response: { ...c.response.response, attestationObject: Buffer.from(encodeCBOR(attObj)).toString('base64url') },
    };
    await expectRegistrationError(
      verifyRegistration({ ...c.input, credential: response }),
      'ERR_WEBAUTHN_ATTESTATION_FORMAT_NOT_SUPPORTED',
      'WebAuthnCredentialNotSupportedException',
      /fizzbuzz/,
    );
    expect((await verifyRegistration({ ...c.input, credential: response, attestation: 'none' })).fmt).toBe('fizzbuzz');
  });

  describe('malformed input → InvalidParameterException', () => {
    const mutate = async (f: (r: RegistrationResponseJSON) => unknown) => {
      const c = await createCredential(auth);
      return verifyRegistration({ ...c.input, credential: f(structuredClone(c.response)) });
    };
    const cases: [string, (r: RegistrationResponseJSON) => unknown, WebAuthnErrorCode][] = [
      ['not an object', () => 42, 'ERR_WEBAUTHN_MALFORMED_CREDENTIAL'],
      ['null', () => null, 'ERR_WEBAUTHN_MALFORMED_CREDENTIAL'],
      ['invalid JSON text', () => '{"id":', 'ERR_WEBAUTHN_MALFORMED_CREDENTIAL'],
      ['missing response', (r) => ({ ...r, response: undefined }), 'ERR_WEBAUTHN_MALFORMED_CREDENTIAL'],
      [
        'missing clientDataJSON',
        (r) => ({ ...r, response: { ...r.response, clientDataJSON: undefined } }),
        'ERR_WEBAUTHN_INVALID_BASE64URL',
      ],
      [
        'missing attestationObject',
        (r) => ({ ...r, response: { ...r.response, attestationObject: undefined } }),
        'ERR_WEBAUTHN_INVALID_BASE64URL',
      ],
      ['wrong credential type', (r) => ({ ...r, type: 'password' }), 'ERR_WEBAUTHN_MALFORMED_CREDENTIAL'],
      ['id ≠ rawId', (r) => ({ ...r, rawId: Buffer.alloc(32, 1).toString('base64url') }), 'ERR_WEBAUTHN_MALFORMED_CREDENTIAL'],
      [
        'id does not match authData',
        (r) => ({ ...r, id: Buffer.alloc(32, 1).toString('base64url'), rawId: Buffer.alloc(32, 1).toString('base64url') }),
        'ERR_WEBAUTHN_MALFORMED_CREDENTIAL',
      ],
      [
        'standard base64 in clientDataJSON',
        (r) => ({
          ...r,
          response: { ...r.response, clientDataJSON: Buffer.from(r.response.clientDataJSON, 'base64url').toString('base64') + '+/' },
        }),
        'ERR_WEBAUTHN_INVALID_BASE64URL',
      ],
      [
        'whitespace in attestationObject',
        (r) => ({
          ...r,
          response: {
            ...r.response,
            attestationObject: `${r.response.attestationObject.slice(0, 10)} ${r.response.attestationObject.slice(10)}`,
          },
        }),
        'ERR_WEBAUTHN_INVALID_BASE64URL',
      ],
      [
        'impossible base64url length',
        (r) => ({
          ...r,
          response: {
            ...r.response,
            clientDataJSON: `${r.response.clientDataJSON}A`.slice(0, Math.floor(r.response.clientDataJSON.length / 4) * 4 + 1),
          },
        }),
        'ERR_WEBAUTHN_INVALID_BASE64URL',
      ],
      [
        'clientDataJSON is not JSON',
        (r) => ({ ...r, response: { ...r.response, clientDataJSON: Buffer.from('{"type":"webauthn.create",').toString('base64url') } }),
        'ERR_WEBAUTHN_MALFORMED_CLIENT_DATA',
      ],
      [
        'clientDataJSON is a JSON array',
        (r) => ({ ...r, response: { ...r.response, clientDataJSON: Buffer.from('[1,2]').toString('base64url') } }),
        'ERR_WEBAUTHN_MALFORMED_CLIENT_DATA',
      ],
      [
        'clientDataJSON without challenge',
        (r) => ({
          ...r,
          response: {
            ...r.response,
            clientDataJSON: Buffer.from(JSON.stringify({ type: 'webauthn.create', origin: ORIGIN })).toString('base64url'),
          },
        }),
        'ERR_WEBAUTHN_MALFORMED_CLIENT_DATA',
      ],
      [
        'CBOR garbage',
        (r) => ({
          ...r,
          response: { ...r.response, attestationObject: Buffer.from('this is not CBOR at all, really').toString('base64url') },
        }),
        'ERR_WEBAUTHN_MALFORMED_ATTESTATION_OBJECT',
      ],
      [
        'attestationObject is a CBOR array',
        (r) => ({ ...r, response: { ...r.response, attestationObject: Buffer.from([0x82, 0x01, 0x02]).toString('base64url') } }),
        'ERR_WEBAUTHN_MALFORMED_ATTESTATION_OBJECT',
      ],
      [
        'trailing bytes after the attestationObject',
        (r) => ({
          ...r,
          response: {
            ...r.response,
            attestationObject: Buffer.concat([Buffer.from(r.response.attestationObject, 'base64url'), Buffer.from([0])]).toString(
              'base64url',
            ),
          },
        }),
        'ERR_WEBAUTHN_MALFORMED_ATTESTATION_OBJECT',
      ],
      ['transports not an array', (r) => ({ ...r, response: { ...r.response, transports: 'usb' } }), 'ERR_WEBAUTHN_MALFORMED_CREDENTIAL'],
    ];
    it.each(cases)('%s', async (_name, f, code) => {
      await expectRegistrationError(mutate(f), code, 'InvalidParameterException');
    });

    it('truncated authenticator data (inside the credential public key)', async () => {
      const c = await createCredential(auth);
      const attObj = decodeCBOR(Buffer.from(c.response.response.attestationObject, 'base64url')) as Map<CBORValue, CBORValue>;
      const authData = attObj.get('authData') as Uint8Array;
      for (const length of [20, 36, 40, authData.length - 5]) {
        attObj.set('authData', authData.slice(0, length));
        const response = {
          ...c.response,
          response: { ...c.response.response, attestationObject: Buffer.from(encodeCBOR(attObj)).toString('base64url') },
        };
        await expectRegistrationError(
          verifyRegistration({ ...c.input, credential: response }),
          'ERR_WEBAUTHN_MALFORMED_AUTHENTICATOR_DATA',
          'InvalidParameterException',
          /authData/,
        );
      }
    });

    it('garbage after the credential public key', async () => {
      const c = await createCredential(auth);
      const attObj = decodeCBOR(Buffer.from(c.response.response.attestationObject, 'base64url')) as Map<CBORValue, CBORValue>;
      attObj.set('authData', Buffer.concat([attObj.get('authData') as Uint8Array, Buffer.from([0xff, 0xff])]));
      const response = {
        ...c.response,
        response: { ...c.response.response, attestationObject: Buffer.from(encodeCBOR(attObj)).toString('base64url') },
      };
      await expectRegistrationError(
        verifyRegistration({ ...c.input, credential: response, attestation: 'none' }),
        'ERR_WEBAUTHN_MALFORMED_AUTHENTICATOR_DATA',
        'InvalidParameterException',
        /trailing/,
      );
    });
  });

  it('invalid server-side options → InternalErrorException', async () => {
    const c = await createCredential(auth);
    await expectRegistrationError(
      verifyRegistration({ ...c.input, rpId: 'https://example.com' }),
      'ERR_WEBAUTHN_INVALID_OPTIONS',
      'InternalErrorException',
    );
    await expectRegistrationError(
      verifyRegistration({ ...c.input, expectedChallenge: '' }),
      'ERR_WEBAUTHN_INVALID_OPTIONS',
      'InternalErrorException',
    );
    await expectRegistrationError(
      verifyRegistration({ ...c.input, userVerification: 'discouraged' as never }),
      'ERR_WEBAUTHN_INVALID_OPTIONS',
      'InternalErrorException',
    );
  });
});

// ---------------------------------------------------------------------------------------------

describe('authentication failures', () => {
  const setup = async (options: ConstructorParameters<typeof VirtualAuthenticator>[0] = {}) => {
    const auth = authenticator(options);
    const reg = await registered(auth);
    return { auth, reg };
  };

  it('wrong origin → WebAuthnOriginNotAllowedException', async () => {
    const { auth, reg } = await setup();
    const { input } = await assertion(auth, reg, { origin: 'https://evil.example' });
    await expectAuthenticationError(verifyAuthentication(input), 'ERR_WEBAUTHN_ORIGIN_NOT_ALLOWED', 'WebAuthnOriginNotAllowedException');
  });

  it('wrong RP ID → WebAuthnRelyingPartyMismatchException', async () => {
    const { auth, reg } = await setup();
    const { input } = await assertion(auth, reg, { rpId: 'example.org' });
    await expectAuthenticationError(verifyAuthentication(input), 'ERR_WEBAUTHN_RP_ID_MISMATCH', 'WebAuthnRelyingPartyMismatchException');
  });

  it('wrong challenge → NotAuthorizedException', async () => {
    const { auth, reg } = await setup();
    const { input } = await assertion(auth, reg, { challenge: randomChallenge() });
    await expectAuthenticationError(verifyAuthentication(input), 'ERR_WEBAUTHN_CHALLENGE_MISMATCH', 'NotAuthorizedException', /challenge/);
  });

  it('wrong type → NotAuthorizedException', async () => {
    const { auth, reg } = await setup();
    const { input } = await assertion(auth, reg, { type: 'webauthn.create' });
    await expectAuthenticationError(verifyAuthentication(input), 'ERR_WEBAUTHN_TYPE_MISMATCH', 'NotAuthorizedException', /type/);
  });

  it('UV missing when required → NotAuthorizedException; accepted when preferred', async () => {
    const { auth, reg } = await setup();
    const { input } = await assertion(auth, reg, { userVerification: false });
    await expectAuthenticationError(verifyAuthentication(input), 'ERR_WEBAUTHN_USER_VERIFICATION_MISSING', 'NotAuthorizedException', /UV/);
    const result = await verifyAuthentication({ ...input, userVerification: 'preferred' });
    expect(result.userVerified).toBe(false);
  });

  it('UP missing → NotAuthorizedException', async () => {
    const { auth, reg } = await setup();
    const { input } = await assertion(auth, reg, { userPresence: false });
    await expectAuthenticationError(
      verifyAuthentication({ ...input, userVerification: 'preferred' }),
      'ERR_WEBAUTHN_USER_PRESENCE_MISSING',
      'NotAuthorizedException',
      /UP/,
    );
  });

  it.each(['ES256', 'EdDSA', 'RS256'] as const)('bad signature and other key (%s) → NotAuthorizedException', async (alg) => {
    const { auth, reg } = await setup({ algorithms: [alg] });
    for (const overrides of [{ corruptSignature: true }, { signWith: 'other-key' as const }]) {
      const { input } = await assertion(auth, reg, overrides);
      await expectAuthenticationError(verifyAuthentication(input), 'ERR_WEBAUTHN_SIGNATURE_INVALID', 'NotAuthorizedException', /signature/);
    }
  });

  it('an assertion by another credential of the same user → NotAuthorizedException', async () => {
    const { auth, reg } = await setup();
    const other = await registered(auth);
    const { input } = await assertion(auth, other);
    await expectAuthenticationError(
      verifyAuthentication({ ...input, storedCredential: { ...input.storedCredential, credentialId: reg.credentialId } }),
      'ERR_WEBAUTHN_CREDENTIAL_MISMATCH',
      'NotAuthorizedException',
      /credential/,
    );
    // Without the id check, the stored key of `reg` does not verify `other`'s signature either.
    await expectAuthenticationError(
      verifyAuthentication({ ...input, storedCredential: { publicKey: reg.publicKey, signCount: 0 } }),
      'ERR_WEBAUTHN_SIGNATURE_INVALID',
      'NotAuthorizedException',
      /signature/,
    );
  });

  describe('sign counter', () => {
    it('regression is rejected; accepted and flagged with allowCounterRegression', async () => {
      const { auth, reg } = await setup();
      const { input } = await assertion(auth, reg, { signCount: 5 });
      const stored = { ...input.storedCredential, signCount: 9 };
      await expectAuthenticationError(
        verifyAuthentication({ ...input, storedCredential: stored }),
        'ERR_WEBAUTHN_SIGN_COUNT_REGRESSED',
        'NotAuthorizedException',
        /sign count 5/,
      );
      const result = await verifyAuthentication({ ...input, storedCredential: stored, allowCounterRegression: true });
      expect(result).toMatchObject({ newSignCount: 5, counterRegressed: true });
    });

    it('a replayed (equal) counter is a regression', async () => {
      const { auth, reg } = await setup();
      const { input } = await assertion(auth, reg, { signCount: 7 });
      await expectAuthenticationError(
        verifyAuthentication({ ...input, storedCredential: { ...input.storedCredential, signCount: 7 } }),
        'ERR_WEBAUTHN_SIGN_COUNT_REGRESSED',
        'NotAuthorizedException',
      );
    });

    it('a counter that drops to 0 after being used is a regression', async () => {
      const { auth, reg } = await setup();
      const { input } = await assertion(auth, reg, { signCount: 0 });
      await expectAuthenticationError(
        verifyAuthentication({ ...input, storedCredential: { ...input.storedCredential, signCount: 3 } }),
        'ERR_WEBAUTHN_SIGN_COUNT_REGRESSED',
        'NotAuthorizedException',
      );
      expect(
        (
          await verifyAuthentication({
            ...input,
            storedCredential: { ...input.storedCredential, signCount: 3 },
            allowCounterRegression: true,
          })
        ).counterRegressed,
      ).toBe(true);
    });

    it('authenticators that always report 0 (synced passkeys) are fine', async () => {
      const { auth, reg } = await setup({ signCount: 'zero', backupEligible: true, backupState: true });
      for (let i = 0; i < 2; i++) {
        const result = await verifyAuthentication((await assertion(auth, reg)).input);
        expect(result).toMatchObject({ newSignCount: 0, counterRegressed: false, backupEligible: true, backupState: true });
      }
    });
  });

  it('cross-origin → WebAuthnOriginNotAllowedException', async () => {
    const { auth, reg } = await setup();
    const { input } = await assertion(auth, reg, { crossOrigin: true });
    await expectAuthenticationError(verifyAuthentication(input), 'ERR_WEBAUTHN_CROSS_ORIGIN', 'WebAuthnOriginNotAllowedException');
  });

  it('returns the user handle for the caller to compare, and omits it when absent', async () => {
    const { auth, reg } = await setup();
    expect((await verifyAuthentication((await assertion(auth, reg)).input)).userHandle).toBe(USER_ID);
    const other = Buffer.from('someone-else').toString('base64url');
    expect((await verifyAuthentication((await assertion(auth, reg, { userHandle: other })).input)).userHandle).toBe(other);
    expect((await verifyAuthentication((await assertion(auth, reg, { userHandle: null })).input)).userHandle).toBeUndefined();
  });

  describe('malformed input → InvalidParameterException', () => {
    const cases: [string, (r: AuthenticationResponseJSON) => unknown, WebAuthnErrorCode][] = [
      ['not an object', () => [], 'ERR_WEBAUTHN_MALFORMED_CREDENTIAL'],
      ['id ≠ rawId', (r) => ({ ...r, rawId: r.rawId.slice(1) }), 'ERR_WEBAUTHN_MALFORMED_CREDENTIAL'],
      ['bad base64url id', (r) => ({ ...r, id: `${r.id}!`, rawId: `${r.id}!` }), 'ERR_WEBAUTHN_INVALID_BASE64URL'],
      [
        'bad base64url signature',
        (r) => ({ ...r, response: { ...r.response, signature: `+${r.response.signature.slice(1)}` } }),
        'ERR_WEBAUTHN_INVALID_BASE64URL',
      ],
      [
        'misplaced padding in the signature',
        (r) => ({ ...r, response: { ...r.response, signature: `${r.response.signature.slice(0, 8)}=${r.response.signature.slice(8)}` } }),
        'ERR_WEBAUTHN_INVALID_BASE64URL',
      ],
      ['empty signature', (r) => ({ ...r, response: { ...r.response, signature: '' } }), 'ERR_WEBAUTHN_INVALID_BASE64URL'],
      ['bad base64url userHandle', (r) => ({ ...r, response: { ...r.response, userHandle: 'a/b+' } }), 'ERR_WEBAUTHN_INVALID_BASE64URL'],
      [
        'missing authenticatorData',
        (r) => ({ ...r, response: { ...r.response, authenticatorData: undefined } }),
        'ERR_WEBAUTHN_INVALID_BASE64URL',
      ],
      [
        'truncated authenticator data',
        (r) => ({
          ...r,
          response: {
            ...r.response,
            authenticatorData: Buffer.from(r.response.authenticatorData, 'base64url').subarray(0, 36).toString('base64url'),
          },
        }),
        'ERR_WEBAUTHN_MALFORMED_AUTHENTICATOR_DATA',
      ],
      [
        'extra bytes after authenticator data',
        (r) => ({
          ...r,
          response: {
            ...r.response,
            authenticatorData: Buffer.concat([Buffer.from(r.response.authenticatorData, 'base64url'), Buffer.from([1, 2, 3])]).toString(
              'base64url',
            ),
          },
        }),
        'ERR_WEBAUTHN_MALFORMED_AUTHENTICATOR_DATA',
      ],
      [
        'CBOR garbage in the extension data (ED flag)',
        (r) => {
          const ad = Buffer.from(r.response.authenticatorData, 'base64url');
          ad[32] |= 0x80;
          return {
            ...r,
            response: { ...r.response, authenticatorData: Buffer.concat([ad, Buffer.from([0xbf, 0x61])]).toString('base64url') },
          };
        },
        'ERR_WEBAUTHN_MALFORMED_AUTHENTICATOR_DATA',
      ],
      [
        'backup state without backup eligibility',
        (r) => {
          const ad = Buffer.from(r.response.authenticatorData, 'base64url');
          ad[32] = (ad[32] | 0x10) & ~0x08;
          return { ...r, response: { ...r.response, authenticatorData: ad.toString('base64url') } };
        },
        'ERR_WEBAUTHN_MALFORMED_AUTHENTICATOR_DATA',
      ],
      [
        'clientDataJSON is not UTF-8',
        (r) => ({ ...r, response: { ...r.response, clientDataJSON: Buffer.from([0xff, 0xfe, 0x7b]).toString('base64url') } }),
        'ERR_WEBAUTHN_MALFORMED_CLIENT_DATA',
      ],
    ];
    it.each(cases)('%s', async (_name, f, code) => {
      const auth = authenticator();
      const reg = await registered(auth);
      const { response, input } = await assertion(auth, reg);
      await expectAuthenticationError(
        verifyAuthentication({ ...input, credential: f(structuredClone(response)) }),
        code,
        'InvalidParameterException',
      );
    });
  });

  it('an unusable stored public key → InternalErrorException', async () => {
    const { auth, reg } = await setup();
    const { input } = await assertion(auth, reg);
    await expectAuthenticationError(
      verifyAuthentication({ ...input, storedCredential: { ...input.storedCredential, publicKey: new Uint8Array([1, 2, 3]) } }),
      'ERR_WEBAUTHN_STORED_KEY_INVALID',
      'InternalErrorException',
    );
    await expectAuthenticationError(
      verifyAuthentication({ ...input, storedCredential: { ...input.storedCredential, signCount: -1 } }),
      'ERR_WEBAUTHN_INVALID_OPTIONS',
      'InternalErrorException',
    );
  });
});

import { describe, expect, it } from 'vitest';
import { createPublicKey, verify as nodeVerify, X509Certificate } from 'node:crypto';
import { verifyRegistrationResponse } from '@simplewebauthn/server';
import { isoCBOR, parseAuthenticatorData, decodeAttestationObject } from '@simplewebauthn/server/helpers';
import { VirtualAuthenticator, publicKeyFromCOSE, type Algorithm, type AttestationFormat } from '@latchkey/virtual-authenticator';
import {
  ORIGIN,
  RP_ID,
  authenticationOptions,
  decodeClientData,
  registerVerified,
  registrationOptions,
  verifyAssertion,
} from './helpers.js';

const COSE: Record<Algorithm, number> = { ES256: -7, EdDSA: -8, RS256: -257 };

const matrix: [Algorithm, AttestationFormat][] = [
  ['ES256', 'none'],
  ['ES256', 'packed'],
  ['ES256', 'fido-u2f'],
  ['EdDSA', 'none'],
  ['EdDSA', 'packed'],
  ['RS256', 'none'],
  ['RS256', 'packed'],
];

describe.each(matrix)('%s with %s attestation', (algorithm, attestation) => {
  it('registers, and the registration verifies with SimpleWebAuthn', async () => {
    const auth = new VirtualAuthenticator({ algorithms: [algorithm], attestation });
    const { response, verification } = await registerVerified(auth);

    expect(verification.registrationInfo.fmt).toBe(attestation);
    expect(verification.registrationInfo.userVerified).toBe(true);
    expect(response.response.publicKeyAlgorithm).toBe(COSE[algorithm]);
    expect(response.id).toBe(response.rawId);
    expect(Buffer.from(response.rawId, 'base64url')).toHaveLength(32);
    expect(verification.registrationInfo.credential.id).toBe(response.id);
    expect(verification.registrationInfo.aaguid).toBe(attestation === 'packed' ? auth.aaguid : '00000000-0000-0000-0000-000000000000');

    // The SPKI public key in the response is the same key as the COSE key in authData.
    const spki = createPublicKey({ key: Buffer.from(response.response.publicKey!, 'base64url'), format: 'der', type: 'spki' });
    const fromCose = publicKeyFromCOSE(verification.registrationInfo.credential.publicKey);
    expect(spki.export({ format: 'jwk' })).toEqual(fromCose.export({ format: 'jwk' }));

    const stored = auth.credentials;
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({ id: response.id, rpId: RP_ID, algorithm, signCount: 0, discoverable: true });
  });

  it('authenticates, and the assertion verifies with SimpleWebAuthn', async () => {
    const auth = new VirtualAuthenticator({ algorithms: [algorithm], attestation });
    const { credential, options: regOptions } = await registerVerified(auth);

    const options = await authenticationOptions({ allowCredentials: [{ id: credential.id }] });
    const assertion = await auth.getAssertion(options);
    const result = await verifyAssertion(assertion, options.challenge, credential);
    expect(result.verified).toBe(true);
    expect(result.authenticationInfo.newCounter).toBe(1);
    expect(assertion.response.userHandle).toBe(regOptions.user.id);
  });
});

describe('registration', () => {
  it('picks the first preferred algorithm the RP also accepts', async () => {
    const auth = new VirtualAuthenticator({ algorithms: ['RS256', 'EdDSA', 'ES256'] });
    const options = await registrationOptions({ supportedAlgorithmIDs: [-7, -8] });
    const response = await auth.createCredential(options);
    expect(response.response.publicKeyAlgorithm).toBe(-8);
    expect(auth.credentials[0].algorithm).toBe('EdDSA');
  });

  it('throws NotAllowedError when no algorithm is in common', async () => {
    const auth = new VirtualAuthenticator({ algorithms: ['EdDSA'] });
    const options = await registrationOptions({ supportedAlgorithmIDs: [-7, -257] });
    await expect(auth.createCredential(options)).rejects.toMatchObject({ name: 'NotAllowedError' });
    expect(auth.credentials).toHaveLength(0);
  });

  it('fido-u2f only uses ES256 and requires it at construction', async () => {
    expect(() => new VirtualAuthenticator({ attestation: 'fido-u2f', algorithms: ['EdDSA'] })).toThrow(TypeError);
    const auth = new VirtualAuthenticator({ attestation: 'fido-u2f', algorithms: ['EdDSA', 'ES256'] });
    const options = await registrationOptions({ supportedAlgorithmIDs: [-8] });
    await expect(auth.createCredential(options)).rejects.toMatchObject({ name: 'NotAllowedError' });
  });

  it('fido-u2f sends a parseable self-signed P-256 attestation certificate', async () => {
    const auth = new VirtualAuthenticator({ attestation: 'fido-u2f' });
    const { response } = await registerVerified(auth);
    const attObj = decodeAttestationObject(Buffer.from(response.response.attestationObject, 'base64url'));
    const x5c = attObj.get('attStmt').get('x5c')!;
    expect(x5c).toHaveLength(1);
    const cert = new X509Certificate(Buffer.from(x5c[0]));
    expect(cert.verify(cert.publicKey)).toBe(true);
    expect(cert.publicKey.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
    expect(cert.subject).toContain('OU=Authenticator Attestation');
    expect(new Date(cert.validTo).getTime()).toBeGreaterThan(Date.now());
    expect(new Date(cert.validFrom).getTime()).toBeLessThan(Date.now());
  });

  it('packed self attestation is signed by the credential key over authData || SHA-256(clientDataJSON)', async () => {
    const auth = new VirtualAuthenticator({ attestation: 'packed', algorithms: ['ES256'] });
    const { response, verification } = await registerVerified(auth);
    const attObj = decodeAttestationObject(Buffer.from(response.response.attestationObject, 'base64url'));
    const attStmt = attObj.get('attStmt');
    expect(attStmt.get('x5c')).toBeUndefined();
    expect(attStmt.get('alg')).toBe(-7);
    const clientDataHash = (await import('node:crypto'))
      .createHash('sha256')
      .update(Buffer.from(response.response.clientDataJSON, 'base64url'))
      .digest();
    const key = publicKeyFromCOSE(verification.registrationInfo.credential.publicKey);
    expect(nodeVerify('sha256', Buffer.concat([attObj.get('authData'), clientDataHash]), key, attStmt.get('sig')!)).toBe(true);
  });

  it('writes the documented authenticator data layout and clientDataJSON', async () => {
    const auth = new VirtualAuthenticator({ backupEligible: true, backupState: true, attachment: 'cross-platform' });
    const options = await registrationOptions();
    const response = await auth.createCredential(options);
    const authData = Buffer.from(response.response.authenticatorData, 'base64url');
    const parsed = parseAuthenticatorData(authData);
    expect(parsed.flags).toMatchObject({ up: true, uv: true, be: true, bs: true, at: true, ed: false });
    expect(authData[32]).toBe(0x01 | 0x04 | 0x08 | 0x10 | 0x40);
    expect(parsed.counter).toBe(0);
    expect(Buffer.from(parsed.credentialID!).toString('base64url')).toBe(response.id);
    const cose = isoCBOR.decodeFirst<Map<number, unknown>>(parsed.credentialPublicKey!);
    expect([...cose.keys()]).toEqual([1, 3, -1, -2, -3]);
    expect(cose.get(1)).toBe(2);
    expect(cose.get(-1)).toBe(1);
    expect(decodeClientData(response)).toEqual({
      type: 'webauthn.create',
      challenge: options.challenge,
      origin: ORIGIN,
      crossOrigin: false,
    });
    expect(response.authenticatorAttachment).toBe('cross-platform');
    expect(response.response.transports).toEqual(['usb']);
    expect(response.clientExtensionResults).toEqual({ credProps: { rk: true } });
  });

  it('OKP and RSA COSE keys have the documented labels', async () => {
    const ed = new VirtualAuthenticator({ algorithms: ['EdDSA'] });
    const rs = new VirtualAuthenticator({ algorithms: ['RS256'] });
    for (const [auth, expected] of [
      [ed, { 1: 1, 3: -8, [-1]: 6 }],
      [rs, { 1: 3, 3: -257 }],
    ] as const) {
      const r = await auth.createCredential(await registrationOptions());
      const parsed = parseAuthenticatorData(Buffer.from(r.response.authenticatorData, 'base64url'));
      const cose = isoCBOR.decodeFirst<Map<number, unknown>>(parsed.credentialPublicKey!);
      for (const [k, v] of Object.entries(expected)) expect(cose.get(Number(k))).toBe(v);
      if (auth === rs) {
        expect((cose.get(-1) as Uint8Array).length).toBe(256);
        expect([...(cose.get(-2) as Uint8Array)]).toEqual([1, 0, 1]);
      } else {
        expect((cose.get(-2) as Uint8Array).length).toBe(32);
      }
    }
  });

  it('omits credProps when the RP did not ask for it, and defaults platform transports', async () => {
    const auth = new VirtualAuthenticator();
    const options = await registrationOptions();
    delete options.extensions;
    const response = await auth.createCredential(options);
    expect(response.clientExtensionResults).toEqual({});
    expect(response.authenticatorAttachment).toBe('platform');
    expect(response.response.transports).toEqual(['internal', 'hybrid']);
  });

  it('throws InvalidStateError when excludeCredentials lists a held credential', async () => {
    const auth = new VirtualAuthenticator();
    const { credential } = await registerVerified(auth);
    const options = await registrationOptions({ excludeCredentials: [{ id: credential.id }] });
    await expect(auth.createCredential(options)).rejects.toSatisfy(
      (e: unknown) => e instanceof DOMException && e.name === 'InvalidStateError',
    );
    expect(auth.credentials).toHaveLength(1);
    // an unknown id in excludeCredentials is fine
    const other = await registrationOptions({ excludeCredentials: [{ id: Buffer.alloc(32, 7).toString('base64url') }] });
    await expect(auth.createCredential(other)).resolves.toBeTruthy();
  });

  it('throws SecurityError when rp.id is not a registrable suffix of the origin host', async () => {
    const auth = new VirtualAuthenticator({ origin: 'https://login.example.com' });
    const opts = await registrationOptions();
    await expect(auth.createCredential({ ...opts, rp: { ...opts.rp, id: 'evil.com' } })).rejects.toMatchObject({ name: 'SecurityError' });
    await expect(auth.createCredential({ ...opts, rp: { ...opts.rp, id: 'com' } })).rejects.toMatchObject({ name: 'SecurityError' });
    await expect(auth.createCredential({ ...opts, rp: { ...opts.rp, id: 'ample.com' } })).rejects.toMatchObject({ name: 'SecurityError' });
    await expect(auth.createCredential({ ...opts, rp: { ...opts.rp, id: 'example.com' } })).resolves.toBeTruthy();
    await expect(auth.createCredential({ ...opts, rp: { ...opts.rp, id: 'login.example.com' } })).resolves.toBeTruthy();
    // rp.id absent: defaults to the origin's host
    const r = await auth.createCredential({ ...opts, rp: { name: 'x' } });
    expect(auth.credentials.find((c) => c.id === r.id)?.rpId).toBe('login.example.com');

    const local = new VirtualAuthenticator({ origin: 'http://127.0.0.1:8080' });
    await expect(local.createCredential({ ...opts, rp: { ...opts.rp, id: '127.0.0.1' } })).resolves.toBeTruthy();
    await expect(local.createCredential(opts)).rejects.toMatchObject({ name: 'SecurityError' });
  });

  it('throws NotAllowedError when the user refuses or UV is required but unavailable', async () => {
    const refusing = new VirtualAuthenticator({ userPresence: false });
    await expect(refusing.createCredential(await registrationOptions())).rejects.toMatchObject({ name: 'NotAllowedError' });

    const noUv = new VirtualAuthenticator({ userVerification: false });
    await expect(noUv.createCredential(await registrationOptions())).rejects.toMatchObject({ name: 'NotAllowedError' });
    // with UV preferred it registers without the UV flag, which an RP requiring UV rejects
    const options = await registrationOptions({ authenticatorSelection: { residentKey: 'required', userVerification: 'preferred' } });
    const response = await noUv.createCredential(options);
    await expect(
      verifyRegistrationResponse({
        response,
        expectedChallenge: options.challenge,
        expectedOrigin: ORIGIN,
        expectedRPID: RP_ID,
      }),
    ).rejects.toThrow(/verification/i);
    const lenient = await verifyRegistrationResponse({
      response,
      expectedChallenge: options.challenge,
      expectedOrigin: ORIGIN,
      expectedRPID: RP_ID,
      requireUserVerification: false,
    });
    expect(lenient.verified).toBe(true);
  });

  it('rejects malformed options with TypeError', async () => {
    const auth = new VirtualAuthenticator();
    const options = await registrationOptions();
    await expect(auth.createCredential({ ...options, challenge: 'not base64url!' })).rejects.toBeInstanceOf(TypeError);
    await expect(auth.createCredential({ ...options, user: { ...options.user, id: '' } })).rejects.toBeInstanceOf(TypeError);
  });
});

describe('authentication', () => {
  it('increments the sign counter per assertion, and a replayed counter is rejected', async () => {
    const auth = new VirtualAuthenticator();
    const { credential } = await registerVerified(auth);
    let counter = credential.counter;
    for (let i = 1; i <= 3; i++) {
      const options = await authenticationOptions({ allowCredentials: [{ id: credential.id }] });
      const assertion = await auth.getAssertion(options);
      const result = await verifyAssertion(assertion, options.challenge, { ...credential, counter });
      expect(result.authenticationInfo.newCounter).toBe(i);
      counter = result.authenticationInfo.newCounter;
      expect(auth.credentials[0].signCount).toBe(i);
    }
    // The authenticator's counter is rolled back (a clone): the RP must notice.
    auth.setSignCount(credential.id, 1);
    const options = await authenticationOptions({ allowCredentials: [{ id: credential.id }] });
    const assertion = await auth.getAssertion(options);
    await expect(verifyAssertion(assertion, options.challenge, { ...credential, counter })).rejects.toThrow(/counter/i);
  });

  it("signCount: 'zero' always reports 0 (accepted by RPs as 'no counter')", async () => {
    const auth = new VirtualAuthenticator({ signCount: 'zero' });
    const { credential } = await registerVerified(auth);
    for (let i = 0; i < 2; i++) {
      const options = await authenticationOptions();
      const assertion = await auth.getAssertion(options);
      const result = await verifyAssertion(assertion, options.challenge, credential);
      expect(result.authenticationInfo.newCounter).toBe(0);
    }
    expect(auth.credentials[0].signCount).toBe(0);
  });

  it('discoverable: without allowCredentials uses the most recent credential for the rp.id and returns its userHandle', async () => {
    const auth = new VirtualAuthenticator();
    const first = await registerVerified(auth, { userName: 'first' });
    const second = await registerVerified(auth, { userName: 'second' });
    const options = await authenticationOptions();
    expect(options.allowCredentials ?? []).toEqual([]);
    const assertion = await auth.getAssertion(options);
    expect(assertion.id).toBe(second.credential.id);
    expect(assertion.response.userHandle).toBe(second.options.user.id);
    expect((await verifyAssertion(assertion, options.challenge, second.credential)).verified).toBe(true);

    const chosen = await auth.getAssertion(options, { credentialId: first.credential.id });
    expect(chosen.id).toBe(first.credential.id);
    expect(chosen.response.userHandle).toBe(first.options.user.id);
    expect((await verifyAssertion(chosen, options.challenge, first.credential)).verified).toBe(true);
  });

  it('honours allowCredentials order and rp.id', async () => {
    const auth = new VirtualAuthenticator();
    const a = await registerVerified(auth);
    const b = await registerVerified(auth);
    const options = await authenticationOptions({
      allowCredentials: [{ id: Buffer.alloc(32, 1).toString('base64url') }, { id: a.credential.id }, { id: b.credential.id }],
    });
    expect((await auth.getAssertion(options)).id).toBe(a.credential.id);
  });

  it('throws NotAllowedError when none of allowCredentials is held', async () => {
    const auth = new VirtualAuthenticator();
    await registerVerified(auth);
    const options = await authenticationOptions({ allowCredentials: [{ id: Buffer.alloc(32, 9).toString('base64url') }] });
    await expect(auth.getAssertion(options)).rejects.toSatisfy((e: unknown) => e instanceof DOMException && e.name === 'NotAllowedError');
  });

  it('throws NotAllowedError when there is no credential for the rp.id, or after removal', async () => {
    const auth = new VirtualAuthenticator({ origin: 'https://app.example.com' });
    await expect(auth.getAssertion(await authenticationOptions({ rpID: 'example.com' }))).rejects.toMatchObject({
      name: 'NotAllowedError',
    });
    const opts = await registrationOptions({ rpID: 'example.com' });
    const r = await auth.createCredential(opts);
    // registered for example.com, not app.example.com
    await expect(auth.getAssertion(await authenticationOptions({ rpID: 'app.example.com' }))).rejects.toMatchObject({
      name: 'NotAllowedError',
    });
    await expect(auth.getAssertion(await authenticationOptions({ rpID: 'example.com' }))).resolves.toMatchObject({ id: r.id });
    auth.removeCredential(r.id);
    expect(auth.credentials).toHaveLength(0);
    await expect(auth.getAssertion(await authenticationOptions({ rpID: 'example.com' }))).rejects.toMatchObject({
      name: 'NotAllowedError',
    });
  });

  it('throws SecurityError for an rpId foreign to the origin', async () => {
    const auth = new VirtualAuthenticator();
    await registerVerified(auth);
    await expect(auth.getAssertion(await authenticationOptions({ rpID: 'example.com' }))).rejects.toMatchObject({ name: 'SecurityError' });
  });

  it('setSignCount rejects unknown ids with NotFoundError', () => {
    const auth = new VirtualAuthenticator();
    expect(() => auth.setSignCount('AAAA', 3)).toThrow(expect.objectContaining({ name: 'NotFoundError' }));
  });

  it('credentials is a snapshot that callers cannot use to mutate state', async () => {
    const auth = new VirtualAuthenticator();
    await registerVerified(auth);
    const snap = auth.credentials;
    expect(Object.isFrozen(snap[0])).toBe(true);
    expect(() => (snap as unknown as unknown[]).push(1)).toThrow();
    expect(auth.credentials).toHaveLength(1);
  });
});

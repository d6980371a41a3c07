import { describe, expect, it } from 'vitest';
import { verifyRegistrationResponse } from '@simplewebauthn/server';
import { parseAuthenticatorData } from '@simplewebauthn/server/helpers';
import { VirtualAuthenticator, type Algorithm, type AttestationFormat, type CeremonyOverrides } from '@latchkey/virtual-authenticator';
import {
  ORIGIN,
  RP_ID,
  authenticationOptions,
  decodeClientData,
  registerVerified,
  registrationOptions,
  verifyAssertion,
} from './helpers.js';

/** Overrides that make a well-formed response a correct RP must reject, with the reason it should give. */
const forged: [string, CeremonyOverrides, RegExp][] = [
  ['wrong origin', { origin: 'https://evil.example' }, /origin/i],
  ['wrong challenge', { challenge: Buffer.alloc(32, 1).toString('base64url') }, /challenge/i],
  ['wrong clientData type', { type: 'webauthn.create' }, /type/i],
  ['wrong rpId hash', { rpId: 'evil.example' }, /RP ID/i],
  ['UP flag cleared', { userPresence: false }, /present/i],
  ['UV flag cleared while required', { userVerification: false }, /verif/i],
  ['corrupted signature', { corruptSignature: true }, /^not verified$/],
  ['signed with another key', { signWith: 'other-key' }, /^not verified$/],
  ['backup state without backup eligibility', { backupEligible: false, backupState: true }, /back/i],
];

describe('assertion overrides produce responses SimpleWebAuthn rejects', () => {
  for (const algorithm of ['ES256', 'EdDSA', 'RS256'] as Algorithm[]) {
    describe(algorithm, () => {
      it.each(forged)('%s', async (_name, overrides, reason) => {
        const auth = new VirtualAuthenticator({ algorithms: [algorithm] });
        const { credential } = await registerVerified(auth);
        const options = await authenticationOptions({ allowCredentials: [{ id: credential.id }] });

        // Control: the same ceremony without the override verifies.
        const good = await auth.getAssertion(options);
        expect((await verifyAssertion(good, options.challenge, credential)).verified).toBe(true);

        const bad = await auth.getAssertion(options, overrides);
        // SimpleWebAuthn throws for most checks, and returns verified:false for a bad signature.
        const message = await verifyAssertion(bad, options.challenge, { ...credential, counter: 0 }).then(
          (r) => (r.verified ? 'verified' : 'not verified'),
          (e: Error) => e.message,
        );
        expect(message).not.toBe('verified');
        expect(message).toMatch(reason);
      });
    });
  }

  it('a lower explicit signCount is rejected as a counter regression and is not persisted', async () => {
    const auth = new VirtualAuthenticator();
    const { credential } = await registerVerified(auth);
    const options = await authenticationOptions();
    const first = await auth.getAssertion(options);
    const { authenticationInfo } = await verifyAssertion(first, options.challenge, credential);
    expect(authenticationInfo.newCounter).toBe(1);
    const replay = await auth.getAssertion(options, { signCount: 1 });
    await expect(verifyAssertion(replay, options.challenge, { ...credential, counter: 1 })).rejects.toThrow(/counter/i);
    expect(auth.credentials[0].signCount).toBe(1);
    const big = await auth.getAssertion(options, { signCount: 1000 });
    expect(parseAuthenticatorData(Buffer.from(big.response.authenticatorData, 'base64url')).counter).toBe(1000);
  });

  it('userHandle override: replace or omit', async () => {
    const auth = new VirtualAuthenticator();
    await registerVerified(auth);
    const options = await authenticationOptions();
    const omitted = await auth.getAssertion(options, { userHandle: null });
    expect('userHandle' in omitted.response).toBe(false);
    const replaced = await auth.getAssertion(options, { userHandle: 'dXNlcg' });
    expect(replaced.response.userHandle).toBe('dXNlcg');
  });

  it('crossOrigin and topOrigin land in clientDataJSON; a topOrigin the RP does not expect is rejected', async () => {
    const auth = new VirtualAuthenticator();
    const { credential } = await registerVerified(auth);
    const options = await authenticationOptions();
    const response = await auth.getAssertion(options, { crossOrigin: true, topOrigin: 'https://top.example' });
    expect(decodeClientData(response)).toMatchObject({ crossOrigin: true, topOrigin: 'https://top.example' });
    await expect(verifyAssertion(response, options.challenge, credential)).rejects.toThrow(/top origin/i);
    const ok = await verifyAssertion(response, options.challenge, credential, { expectedTopOrigin: 'https://top.example' });
    expect(ok.verified).toBe(true);
  });

  it('credentialId override selects a held credential; an unknown one is NotAllowedError', async () => {
    const auth = new VirtualAuthenticator();
    const a = await registerVerified(auth);
    await registerVerified(auth);
    const options = await authenticationOptions();
    expect((await auth.getAssertion(options, { credentialId: a.credential.id })).id).toBe(a.credential.id);
    await expect(auth.getAssertion(options, { credentialId: Buffer.alloc(32).toString('base64url') })).rejects.toMatchObject({
      name: 'NotAllowedError',
    });
  });
});

describe('registration overrides produce responses SimpleWebAuthn rejects', () => {
  const cases: [string, AttestationFormat, CeremonyOverrides, RegExp][] = [
    ['wrong origin', 'none', { origin: 'https://evil.example' }, /origin/i],
    ['wrong challenge', 'none', { challenge: Buffer.alloc(32, 2).toString('base64url') }, /challenge/i],
    ['wrong type', 'none', { type: 'webauthn.get' }, /type/i],
    ['wrong rpId hash', 'none', { rpId: 'evil.example' }, /RP ID/i],
    ['UP cleared', 'none', { userPresence: false }, /present/i],
    ['UV cleared', 'none', { userVerification: false }, /verif/i],
    ['packed: corrupted signature', 'packed', { corruptSignature: true }, /^not verified$/],
    ['packed: other key', 'packed', { signWith: 'other-key' }, /^not verified$/],
    ['fido-u2f: corrupted signature', 'fido-u2f', { corruptSignature: true }, /^not verified$/],
    ['fido-u2f: other key', 'fido-u2f', { signWith: 'other-key' }, /^not verified$/],
  ];
  it.each(cases)('%s', async (_name, attestation, overrides, reason) => {
    const auth = new VirtualAuthenticator({ attestation, algorithms: ['ES256'] });
    const options = await registrationOptions();
    const verifyWith = (response: Awaited<ReturnType<typeof auth.createCredential>>) =>
      verifyRegistrationResponse({
        response,
        expectedChallenge: options.challenge,
        expectedOrigin: ORIGIN,
        expectedRPID: RP_ID,
      });
    expect((await verifyWith(await auth.createCredential(options))).verified).toBe(true);
    const message = await verifyWith(await auth.createCredential(options, overrides)).then(
      (r) => (r.verified ? 'verified' : 'not verified'),
      (e: Error) => e.message,
    );
    expect(message).not.toBe('verified');
    expect(message).toMatch(reason);
  });

  it('credentialId and signCount overrides set the new credential', async () => {
    const auth = new VirtualAuthenticator();
    const id = Buffer.alloc(16, 5).toString('base64url');
    const response = await auth.createCredential(await registrationOptions(), { credentialId: id, signCount: 41 });
    expect(response.id).toBe(id);
    expect(auth.credentials[0]).toMatchObject({ id, signCount: 41 });
    const options = await authenticationOptions({ allowCredentials: [{ id }] });
    const assertion = await auth.getAssertion(options);
    expect(parseAuthenticatorData(Buffer.from(assertion.response.authenticatorData, 'base64url')).counter).toBe(42);
  });
});

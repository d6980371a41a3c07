/**
 * Recorded responses from real authenticators (and FIDO conformance tools), published in the test
 * suites of SimpleWebAuthn and py_webauthn, verified through Latchkey's own verifyRegistration /
 * verifyAuthentication. See test/fixtures/webauthn/*.json for provenance of every vector.
 */
import { readFileSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { webAuthnRejection } from './helpers/errors.js';
import { webAuthnServiceError, type WebAuthnCeremony } from '../src/auth/securityErrors.js';
import type { ServiceError } from '../src/protocol/errors.js';
import {
  verifyAuthentication,
  verifyRegistration,
  type UserVerificationSetting,
  type VerifiedRegistration,
  type WebAuthnErrorCode,
} from '../src/security/webauthn/index.js';
import { friendlyName } from '../src/domain/aaguids.js';

interface RegistrationVector {
  name: string;
  note?: string;
  rpId: string;
  origin: string;
  extraOrigins?: string[];
  challenge: string;
  userVerification: UserVerificationSetting;
  placeholderId?: string;
  validAt?: string;
  expectError?: string;
  expected?: {
    fmt: string;
    algorithm: number;
    signCount?: number;
    aaguid?: string;
    publicKey?: string;
    credentialId: string;
    userVerified?: boolean;
  };
  credential: Record<string, unknown> & { id: string; rawId: string };
}

interface AuthenticationVector {
  name: string;
  rpId: string;
  origin: string;
  extraOrigins?: string[];
  challenge: string;
  userVerification: UserVerificationSetting;
  stored: { publicKey?: string; signCount: number };
  storedFromRegistration?: string;
  userHandleNonCanonical?: boolean;
  expectError?: string;
  expected?: { newSignCount: number; userVerified: boolean; backupEligible?: boolean; backupState?: boolean; userHandle?: string };
  credential: { id: string; rawId: string; response: Record<string, unknown> };
}

const fixture = <T>(file: string): T[] =>
  (JSON.parse(readFileSync(new URL(`./fixtures/webauthn/${file}`, import.meta.url), 'utf8')) as { vectors: T[] }).vectors;

const registrations = fixture<RegistrationVector>('simplewebauthn-registration.json');
const authentications = fixture<AuthenticationVector>('recorded-authentication.json');
const byName = (name: string) => {
  const v = registrations.find((r) => r.name.startsWith(name));
  if (!v) throw new Error(`no vector ${name}`);
  return v;
};

const b64u = (s: string) => Buffer.from(s, 'base64url');

/** The verifier rejects with `code`; returns the wire error the server's table makes of it. */
async function refusal(ceremony: WebAuthnCeremony, p: Promise<unknown>, code: WebAuthnErrorCode): Promise<ServiceError> {
  const coded = await webAuthnRejection(p);
  expect(coded.code).toBe(code);
  return webAuthnServiceError(coded, ceremony);
}

function register(v: RegistrationVector, attestation: 'none' | 'direct', credential: unknown = v.credential) {
  return verifyRegistration({
    credential,
    expectedChallenge: v.challenge,
    expectedOrigins: v.extraOrigins ?? [],
    rpId: v.rpId,
    userVerification: v.userVerification,
    attestation,
  });
}

function checkExpected(v: RegistrationVector, r: VerifiedRegistration) {
  const e = v.expected!;
  expect(r.fmt).toBe(e.fmt);
  expect(r.algorithm).toBe(e.algorithm);
  expect(r.credentialId).toBe(e.credentialId);
  if (e.signCount !== undefined) expect(r.signCount).toBe(e.signCount);
  if (e.aaguid !== undefined) expect(r.aaguid).toBe(e.aaguid);
  if (e.publicKey !== undefined) expect(Buffer.from(r.publicKey).toString('base64url')).toBe(e.publicKey);
  if (e.userVerified !== undefined) expect(r.userVerified).toBe(e.userVerified);
}

// Certificate revocation checks would fetch CRLs; tests must not touch the network.
beforeAll(() => {
  vi.stubGlobal('fetch', async () => {
    throw new Error('network access is disabled in tests');
  });
});
afterAll(() => {
  vi.unstubAllGlobals();
});
afterEach(() => {
  vi.useRealTimers();
});

/** Vectors whose certificates verify today with SimpleWebAuthn's shipped roots. */
const CURRENT = [
  'fido-u2f (YubiKey',
  'packed self attestation (ES256)',
  'packed full attestation with x5c',
  'none (Firefox',
  'none (RS256',
  'packed self attestation on localhost',
  'none with authenticator extension output',
  'fido-u2f with SHA-1',
  'packed full attestation from Chrome 89',
];

/** Vectors whose leaf certificates have expired: verified with the clock set inside their validity. */
const TIME_BOUND = ['apple (iPhone', 'tpm (FIDO conformance TPM', 'android-safetynet'];

describe('recorded registration responses (attestation: direct)', () => {
  it.each(CURRENT)('%s verifies', async (name) => {
    const v = byName(name);
    checkExpected(v, await register(v, 'direct'));
  });

  it.each(TIME_BOUND)('%s verifies with the clock at capture time', async (name) => {
    const v = byName(name);
    vi.useFakeTimers({ toFake: ['Date'], now: new Date(v.validAt!) });
    checkExpected(v, await register(v, 'direct'));
  });

  it.each(TIME_BOUND)('%s is rejected today (expired certificate / stale SafetyNet response)', async (name) => {
    const v = byName(name);
    const err = await refusal('registration', register(v, 'direct'), 'ERR_WEBAUTHN_ATTESTATION_INVALID');
    expect(err.name).toBe('WebAuthnCredentialNotSupportedException');
    expect(err.detail).toMatch(/out of validity period|not good after|has expired/);
  });

  it('android-key with a FIDO conformance ("FAKE") chain does not chain to the Google roots', async () => {
    const v = byName('android-key');
    const err = await refusal('registration', register(v, 'direct'), 'ERR_WEBAUTHN_ATTESTATION_INVALID');
    expect(err.name).toBe('WebAuthnCredentialNotSupportedException');
    expect(err.detail).toMatch(/not a known root certificate/);
  });

  it('packed RSA-PSS (alg -37) is not an allowed algorithm', async () => {
    const v = byName('packed self attestation with RSA-PSS');
    for (const mode of ['direct', 'none'] as const) {
      const err = await refusal('registration', register(v, mode), 'ERR_WEBAUTHN_ALGORITHM_NOT_SUPPORTED');
      expect(err.name).toBe('WebAuthnCredentialNotSupportedException');
      expect(err.detail).toMatch(/-37/);
    }
  });
});

describe('recorded registration responses (attestation: none)', () => {
  it.each([...CURRENT, ...TIME_BOUND, 'android-key'])('%s is accepted without relying on the statement', async (name) => {
    const v = byName(name);
    const r = await register(v, 'none');
    checkExpected(v, r);
  });

  it('reports the extra registration facts', async () => {
    const x5c = await register(byName('packed full attestation with x5c'), 'none');
    expect(x5c.aaguid).toBe('6d44ba9b-f6ec-2e49-b930-0c8fe920cb73');
    expect(friendlyName(x5c.aaguid)).toBe('Security Key by Yubico with NFC');
    expect(x5c).toMatchObject({ backupEligible: false, backupState: false, userVerified: false, transports: [] });

    const internal = await register(byName('packed self attestation on localhost'), 'none');
    expect(internal.transports).toEqual(['internal']);
    expect(internal.userVerified).toBe(true);

    const chrome = await register(byName('packed full attestation from Chrome 89'), 'none');
    expect(chrome.authenticatorAttachment).toBeUndefined(); // '' upstream is not a valid attachment
    expect(chrome.signCount).toBe(1);

    const safetynet = await register(byName('android-safetynet'), 'none');
    expect(friendlyName(safetynet.aaguid, 'platform')).toBe('Android Authenticator with SafetyNet Attestation');
  });

  it('rejects the upstream placeholder ids ("bbb", "aaa"), which do not match authData', async () => {
    for (const name of ['packed self attestation (ES256)', 'packed full attestation with x5c']) {
      const v = byName(name);
      const credential = { ...v.credential, id: v.placeholderId, rawId: v.placeholderId };
      // Refused before the authData comparison: three letters are not even canonical base64url.
      const err = await refusal('registration', register(v, 'none', credential), 'ERR_WEBAUTHN_INVALID_BASE64URL');
      expect(err.name).toBe('InvalidParameterException');
    }
  });

  it('rejects each recorded response when the RP ID, origin or challenge is different', async () => {
    const v = byName('none (Firefox');
    const base = { credential: v.credential, expectedOrigins: [] as string[], userVerification: v.userVerification };
    const challenge = verifyRegistration({ ...base, expectedChallenge: 'c2hvdWxkaGF2ZWJlZW50aGlz', rpId: v.rpId });
    expect((await refusal('registration', challenge, 'ERR_WEBAUTHN_CHALLENGE_MISMATCH')).name).toBe('WebAuthnChallengeNotFoundException');
    // Same origin allowed explicitly, but the authenticator signed for another RP ID.
    const rp = verifyRegistration({ ...base, expectedChallenge: v.challenge, rpId: 'simplewebauthn.dev', expectedOrigins: [v.origin] });
    expect((await refusal('registration', rp, 'ERR_WEBAUTHN_RP_ID_MISMATCH')).name).toBe('WebAuthnRelyingPartyMismatchException');
    const origin = verifyRegistration({ ...base, expectedChallenge: v.challenge, rpId: 'different.address' });
    expect((await refusal('registration', origin, 'ERR_WEBAUTHN_ORIGIN_NOT_ALLOWED')).name).toBe('WebAuthnOriginNotAllowedException');
  });
});

describe('recorded authentication responses', () => {
  const stored = async (v: AuthenticationVector): Promise<Uint8Array> => {
    if (v.storedFromRegistration) return (await register(byName(v.storedFromRegistration), 'none')).publicKey;
    return new Uint8Array(b64u(v.stored.publicKey!));
  };
  const verify = async (
    v: AuthenticationVector,
    overrides: Partial<{ credential: unknown; userVerification: UserVerificationSetting; signCount: number }> = {},
  ) =>
    verifyAuthentication({
      credential: overrides.credential ?? v.credential,
      expectedChallenge: v.challenge,
      expectedOrigins: v.extraOrigins ?? [],
      rpId: v.rpId,
      userVerification: overrides.userVerification ?? v.userVerification,
      storedCredential: { credentialId: v.credential.id, publicKey: await stored(v), signCount: overrides.signCount ?? v.stored.signCount },
    });

  const passing = authentications.filter((v) => v.expected && !v.userHandleNonCanonical);
  it.each(passing.map((v) => [v.name, v] as const))('%s verifies', async (_name, v) => {
    const r = await verify(v);
    expect(r.newSignCount).toBe(v.expected!.newSignCount);
    expect(r.userVerified).toBe(v.expected!.userVerified);
    expect(r.counterRegressed).toBe(false);
    expect(r.credentialId).toBe(v.credential.id);
    if (v.expected!.backupEligible !== undefined) expect(r.backupEligible).toBe(v.expected!.backupEligible);
    if (v.expected!.backupState !== undefined) expect(r.backupState).toBe(v.expected!.backupState);
    expect(r.userHandle).toBe(v.expected!.userHandle);
  });

  it('a non-canonical base64url userHandle is rejected; the assertion itself verifies without it', async () => {
    const v = authentications.find((a) => a.userHandleNonCanonical)!;
    expect((await refusal('authentication', verify(v), 'ERR_WEBAUTHN_INVALID_BASE64URL')).name).toBe('InvalidParameterException');
    const { userHandle: _dropped, ...response } = v.credential.response;
    const r = await verify(v, { credential: { ...v.credential, response } });
    expect(r.newSignCount).toBe(v.expected!.newSignCount);
    expect(r.userHandle).toBeUndefined();
  });

  it.each(authentications.filter((a) => a.expectError).map((v) => [v.name, v] as const))(
    '%s: NotAuthorizedException at the signature step',
    async (_name, v) => {
      const err = await refusal('authentication', verify(v), 'ERR_WEBAUTHN_SIGNATURE_INVALID');
      expect(err.name).toBe(v.expectError);
      // Everything before the signature (structure, extensions, origin, RP ID, flags, counter) passed.
      expect(err.detail).toMatch(/signature is not valid/);
    },
  );

  it('an assertion without UV is rejected when UV is required', async () => {
    const v = authentications.find((a) => a.name.startsWith('ES256 assertion without UV'))!;
    const err = await refusal('authentication', verify(v, { userVerification: 'required' }), 'ERR_WEBAUTHN_USER_VERIFICATION_MISSING');
    expect(err.name).toBe('NotAuthorizedException');
    expect(err.detail).toMatch(/UV/);
  });

  it('a replayed counter (stored 144, received 144) is rejected', async () => {
    const v = authentications[0];
    const err = await refusal('authentication', verify(v, { signCount: 144 }), 'ERR_WEBAUTHN_SIGN_COUNT_REGRESSED');
    expect(err.name).toBe('NotAuthorizedException');
    expect(err.detail).toMatch(/sign count/);
  });
});

/** Unit tests of the WebAuthn helpers: origin rule, strict base64url, CBOR, peekAssertion, AAGUIDs. */
import { describe, expect, it } from 'vitest';
import { VirtualAuthenticator } from '@latchkey/virtual-authenticator';
import { ServiceError } from '../src/protocol/errors.js';
import { webAuthnServiceError } from '../src/auth/securityErrors.js';
import {
  decodeBase64Url,
  decodeCborAll,
  decodeCborFirst,
  isOriginAllowed,
  parseAuthenticatorData,
  parseCredentialId,
  peekAssertion,
  randomChallenge,
  WebAuthnVerificationError,
  type WebAuthnErrorCode,
} from '../src/security/webauthn/index.js';
import { AAGUID_TABLE_SIZE, friendlyName, lookupAaguid, normalizeAaguid } from '../src/domain/aaguids.js';

/**
 * The code `f` throws; and, through the server's table, the wire error of that code in either
 * ceremony: InvalidParameterException, whose message (naming the field) is the verifier's own.
 */
const errorCode = (f: () => unknown): WebAuthnErrorCode => {
  let thrown: unknown;
  try {
    f();
  } catch (err) {
    thrown = err;
  }
  if (thrown === undefined) throw new Error('did not throw');
  expect(thrown).toBeInstanceOf(WebAuthnVerificationError);
  const err = thrown as WebAuthnVerificationError;
  for (const ceremony of ['registration', 'authentication'] as const) {
    const wire = webAuthnServiceError(err, ceremony);
    expect(wire).toBeInstanceOf(ServiceError);
    expect(wire.name).toBe('InvalidParameterException');
    expect(wire.message).toBe(err.message);
  }
  return err.code;
};

describe('isOriginAllowed', () => {
  const allowed: [string, string, string[]?][] = [
    ['https://example.com', 'example.com'],
    ['https://app.example.com', 'example.com'],
    ['https://a.b.example.com:8443', 'example.com'],
    ['https://localhost', 'localhost'],
    ['https://localhost:3000', 'localhost'],
    ['http://localhost', 'localhost'],
    ['http://localhost:3000', 'localhost'],
    ['http://app.localhost:5173', 'localhost'],
    ['https://xn--bcher-kva.example', 'xn--bcher-kva.example'],
    [
      'android:apk-key-hash:gx7sq_pxhxhrIQdLyfG0pxKwiJ7hOk2DJQ4xvKd438Q',
      'example.com',
      ['android:apk-key-hash:gx7sq_pxhxhrIQdLyfG0pxKwiJ7hOk2DJQ4xvKd438Q'],
    ],
    ['https://partner.example.org', 'example.com', ['https://partner.example.org']],
    ['http://10.0.0.5:8080', 'example.com', ['http://10.0.0.5:8080']],
  ];
  it.each(allowed)('allows %s for RP ID %s', (origin, rpId, extra) => {
    expect(isOriginAllowed(origin, rpId, extra ?? [])).toBe(true);
  });

  const rejected: [string, string, string[]?][] = [
    ['https://evilexample.com', 'example.com'],
    ['https://example.com.evil.io', 'example.com'],
    ['http://example.com', 'example.com'],
    ['http://app.example.com', 'example.com'],
    ['https://example.com/', 'example.com'],
    ['https://example.com/path', 'example.com'],
    ['https://EXAMPLE.com', 'example.com'],
    ['https://example.com:443', 'example.com'],
    ['https://user@example.com', 'example.com'],
    ['https://example.com.', 'example.com'],
    ['https://com', 'example.com'],
    ['http://localhost:3000', 'example.com'],
    ['http://localhost.evil.io', 'localhost'],
    ['http://notlocalhost', 'localhost'],
    ['ftp://example.com', 'example.com'],
    ['android:apk-key-hash:abc', 'example.com'],
    ['null', 'example.com'],
    ['', 'example.com'],
    ['https://example.com', ''],
    ['https://example.com', 'https://example.com'],
    ['https://partner.example.org', 'example.com', ['https://partner.example.org/']],
  ];
  it.each(rejected)('rejects %s for RP ID %s', (origin, rpId, extra) => {
    expect(isOriginAllowed(origin, rpId, extra ?? [])).toBe(false);
  });

  it('is case-insensitive in the configured RP ID only', () => {
    expect(isOriginAllowed('https://app.example.com', 'Example.COM', [])).toBe(true);
  });
});

describe('strict base64url', () => {
  it('decodes canonical base64url with or without padding', () => {
    expect(Buffer.from(decodeBase64Url('aGVsbG8', 'x')).toString()).toBe('hello');
    expect(Buffer.from(decodeBase64Url('aGVsbG8=', 'x')).toString()).toBe('hello');
    expect(Buffer.from(decodeBase64Url('_-8', 'x'))).toEqual(Buffer.from([0xff, 0xef]));
  });
  it.each([
    ['standard alphabet', 'a+b/'],
    ['whitespace', 'aGVs bG8'],
    ['newline', 'aGVs\nbG8'],
    ['impossible length', 'aGVsb'],
    ['bad padding', 'aGVsbG8=='],
    ['padding not at a block boundary', 'aGV=sbG8'],
    ['non-canonical trailing bits', 'aGVsbG9'],
    ['empty', ''],
    ['not a string', 12],
    ['too long', 'A'.repeat(200_000)],
  ])('rejects %s', (_name, value) => {
    expect(errorCode(() => decodeBase64Url(value, 'field'))).toBe('ERR_WEBAUTHN_INVALID_BASE64URL');
  });
  it('parseCredentialId canonicalises', () => {
    expect(parseCredentialId('aGVsbG8=')).toBe('aGVsbG8');
  });
});

describe('randomChallenge', () => {
  it('is 16 random bytes in unpadded base64url by default', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 100; i++) {
      const c = randomChallenge();
      expect(c).toMatch(/^[A-Za-z0-9_-]{22}$/);
      seen.add(c);
    }
    expect(seen.size).toBe(100);
    expect(randomChallenge(32)).toHaveLength(43);
  });
  it('refuses weak or silly sizes', () => {
    expect(() => randomChallenge(8)).toThrow(RangeError);
    expect(() => randomChallenge(1.5)).toThrow(RangeError);
  });
});

describe('CBOR decoder', () => {
  const hex = (h: string) => new Uint8Array(Buffer.from(h.replace(/\s/g, ''), 'hex'));
  it('decodes the WebAuthn subset', () => {
    // {1: 2, 3: -7, -1: 1, -2: h'0102', "fmt": "none", "a": [true, false, null]}
    const v = decodeCborAll(hex('a6 01 02 03 26 20 01 21 42 0102 63 666d74 64 6e6f6e65 61 61 83 f5 f4 f6')) as Map<unknown, unknown>;
    expect(v.get(1)).toBe(2);
    expect(v.get(3)).toBe(-7);
    expect(v.get(-1)).toBe(1);
    expect(v.get(-2)).toEqual(new Uint8Array([1, 2]));
    expect(v.get('fmt')).toBe('none');
    expect(v.get('a')).toEqual([true, false, null]);
    expect(decodeCborAll(hex('39 0100'))).toBe(-257);
    expect(decodeCborAll(hex('1b 0000000100000000'))).toBe(2 ** 32);
    expect(decodeCborFirst(hex('01 02'))).toEqual({ value: 1, length: 1 });
  });
  it.each([
    ['indefinite-length map', 'bf 01 02 ff'],
    ['tag', 'c2 41 00'],
    ['duplicate map key', 'a2 01 02 01 03'],
    ['truncated byte string', '44 0102'],
    ['trailing bytes', '01 02'],
    ['array key', 'a1 80 01'],
    ['huge declared length', '5b ffffffffffffffff'],
    ['invalid UTF-8', '62 c328'],
    ['reserved additional info', '1c'],
  ])('rejects %s', (_name, h) => {
    expect(() => decodeCborAll(hex(h))).toThrow();
  });
  it('limits nesting depth', () => {
    expect(() => decodeCborAll(new Uint8Array([...Array(40).fill(0x81), 0x01]))).toThrow(/deep/);
  });
});

describe('parseAuthenticatorData', () => {
  it('rejects truncated data and a missing COSE key', () => {
    expect(errorCode(() => parseAuthenticatorData(new Uint8Array(36)))).toBe('ERR_WEBAUTHN_MALFORMED_AUTHENTICATOR_DATA');
    const withAt = new Uint8Array(37 + 18 + 4);
    withAt[32] = 0x41; // UP | AT
    withAt[37 + 17] = 4; // credential id length 4, then nothing
    expect(errorCode(() => parseAuthenticatorData(withAt))).toBe('ERR_WEBAUTHN_MALFORMED_AUTHENTICATOR_DATA');
  });
  it('parses the flags and counter', () => {
    const data = new Uint8Array(37);
    data[32] = 0x1d; // UP | UV | BE | BS
    data[36] = 9;
    expect(parseAuthenticatorData(data)).toMatchObject({
      signCount: 9,
      flags: { up: true, uv: true, be: true, bs: true, at: false, ed: false },
    });
  });
});

describe('peekAssertion', () => {
  it('returns the credential id and user handle of an untrusted assertion', async () => {
    const auth = new VirtualAuthenticator({ origin: 'https://example.com' });
    const userId = Buffer.from('3c46320b-c60e-4a21-9d64-5829bfede1c4').toString('base64url');
    const reg = await auth.createCredential({
      rp: { id: 'example.com', name: 'x' },
      user: { id: userId, name: 'alice', displayName: '' },
      challenge: randomChallenge(),
      pubKeyCredParams: [{ type: 'public-key', alg: -7 }],
    });
    const assertion = await auth.getAssertion({ challenge: randomChallenge(), rpId: 'example.com' });
    expect(peekAssertion(assertion)).toEqual({ credentialId: reg.id, userHandle: userId });
    expect(peekAssertion(JSON.stringify(assertion))).toEqual({ credentialId: reg.id, userHandle: userId });
    const { userHandle: _omit, ...response } = assertion.response;
    expect(peekAssertion({ ...assertion, response })).toEqual({ credentialId: reg.id });
  });
  it.each([
    ['not JSON', '{', 'ERR_WEBAUTHN_MALFORMED_CREDENTIAL'],
    ['not an object', [1], 'ERR_WEBAUTHN_MALFORMED_CREDENTIAL'],
    ['no id', { rawId: 'AAAA', type: 'public-key', response: {} }, 'ERR_WEBAUTHN_MALFORMED_CREDENTIAL'],
    ['id ≠ rawId', { id: 'AAAA', rawId: 'AAAB', type: 'public-key', response: {} }, 'ERR_WEBAUTHN_MALFORMED_CREDENTIAL'],
    ['bad base64url id', { id: 'A+A/', rawId: 'A+A/', type: 'public-key', response: {} }, 'ERR_WEBAUTHN_INVALID_BASE64URL'],
    ['wrong type', { id: 'AAAA', rawId: 'AAAA', type: 'password', response: {} }, 'ERR_WEBAUTHN_MALFORMED_CREDENTIAL'],
    ['no response', { id: 'AAAA', rawId: 'AAAA', type: 'public-key' }, 'ERR_WEBAUTHN_MALFORMED_CREDENTIAL'],
    ['bad userHandle', { id: 'AAAA', rawId: 'AAAA', type: 'public-key', response: { userHandle: 7 } }, 'ERR_WEBAUTHN_INVALID_BASE64URL'],
  ] as const)('rejects %s with InvalidParameterException', (_name, value, code) => {
    expect(errorCode(() => peekAssertion(value))).toBe(code);
  });
});

describe('AAGUID friendly names', () => {
  it.each([
    ['ea9b8d66-4d01-1d21-3ce4-b6b48cb575d4', 'Google Password Manager'],
    ['fbfc3007-154e-4ecc-8c0b-6e020557d7bd', 'Apple Passwords'],
    ['dd4ec289-e01d-41c9-bb89-70fa845d4bf2', 'iCloud Keychain (Managed)'],
    ['08987058-cadc-4b81-b6e1-30de50dcbe96', 'Windows Hello'],
    ['9ddd1817-af5a-4672-a2b9-3e3dd95000a9', 'Windows Hello'],
    ['6028b017-b1d4-4c02-b4b3-afcdafc96bb2', 'Windows Hello'],
    ['adce0002-35bc-c60a-648b-0b25f1f05503', 'Chrome on Mac'],
    ['771b48fd-d3d4-4f74-9232-fc157ab0507a', 'Edge on Mac'],
    ['bada5566-a7aa-401f-bd96-45619a55120d', '1Password'],
    ['d548826e-79b4-db40-a3d8-11116f7e8349', 'Bitwarden'],
    ['531126d6-e717-415c-9320-3d9aa6981239', 'Dashlane'],
    ['53414d53-554e-4700-0000-000000000000', 'Samsung Pass'],
    ['fdb141b2-5d84-443e-8a35-4698c205a502', 'KeePassXC'],
    ['50726f74-6f6e-5061-7373-50726f746f6e', 'Proton Pass'],
    ['b84e4048-15dc-4dd0-8640-f4f60813c8af', 'NordPass'],
    ['f3809540-7f14-49c1-a8b3-8f813b225541', 'Enpass'],
    ['66a0ccb3-bd6a-191f-ee06-e375c50b9846', 'Thales Bio iOS SDK'],
    ['cb69481e-8ff7-4039-93ec-0a2729a154a8', 'YubiKey 5 Series'],
    ['2fc0579f-8113-47ea-b116-bb5a8db9202a', 'YubiKey 5 Series with NFC'],
    ['42b4fb4a-2866-43b2-9bf7-6c6669c2e5d3', 'Google Titan Security Key v2'],
  ])('%s → %s', (aaguid, name) => {
    expect(friendlyName(aaguid)).toBe(name);
    expect(friendlyName(aaguid.toUpperCase(), 'platform')).toBe(name);
    expect(friendlyName(aaguid.replace(/-/g, ''))).toBe(name);
  });
  it('falls back on the attachment for unknown or zero AAGUIDs', () => {
    expect(friendlyName('00000000-0000-0000-0000-000000000000', 'platform')).toBe('Platform passkey');
    expect(friendlyName('00000000-0000-0000-0000-000000000000', 'cross-platform')).toBe('Roaming passkey');
    expect(friendlyName('12345678-1234-1234-1234-123456789abc')).toBe('Roaming passkey');
    expect(friendlyName('not an aaguid', 'platform')).toBe('Platform passkey');
  });
  it('normalises and looks up', () => {
    expect(normalizeAaguid('EA9B8D664D011D213CE4B6B48CB575D4')).toBe('ea9b8d66-4d01-1d21-3ce4-b6b48cb575d4');
    expect(normalizeAaguid('xyz')).toBeUndefined();
    expect(lookupAaguid('00000000-0000-0000-0000-000000000000')).toBeUndefined();
    expect(AAGUID_TABLE_SIZE).toBeGreaterThan(250);
  });
});

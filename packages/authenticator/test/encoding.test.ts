import { describe, expect, it } from 'vitest';
import { generateKeyPairSync, X509Certificate } from 'node:crypto';
import { isoCBOR } from '@simplewebauthn/server/helpers';
import {
  createSelfSignedCertificate,
  decodeCBOR,
  encodeCBOR,
  encodeCOSEPublicKey,
  fromBase64url,
  publicKeyFromCOSE,
  toBase64url,
  type CBORValue,
} from '@latchkey/virtual-authenticator';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

describe('CBOR', () => {
  // RFC 8949 Appendix A vectors
  const vectors: [CBORValue, string][] = [
    [0, '00'],
    [1, '01'],
    [10, '0a'],
    [23, '17'],
    [24, '1818'],
    [25, '1819'],
    [100, '1864'],
    [1000, '1903e8'],
    [1000000, '1a000f4240'],
    [1000000000000, '1b000000e8d4a51000'],
    [18446744073709551615n, '1bffffffffffffffff'],
    [-1, '20'],
    [-10, '29'],
    [-100, '3863'],
    [-1000, '3903e7'],
    [-18446744073709551616n, '3bffffffffffffffff'],
    [false, 'f4'],
    [true, 'f5'],
    [null, 'f6'],
    [undefined, 'f7'],
    ['', '60'],
    ['a', '6161'],
    ['IETF', '6449455446'],
    ['\u00fc', '62c3bc'],
    ['\u6c34', '63e6b0b4'],
    [new Uint8Array([]), '40'],
    [new Uint8Array([1, 2, 3, 4]), '4401020304'],
    [[], '80'],
    [[1, 2, 3], '83010203'],
    [[1, [2, 3], [4, 5]], '8301820203820405'],
    [new Map(), 'a0'],
    [
      new Map([
        [1, 2],
        [3, 4],
      ]),
      'a201020304',
    ],
    [{ a: 1, b: [2, 3] }, 'a26161016162820203'],
    [1.1, 'fb3ff199999999999a'],
    [100000.0, '1a000186a0'],
  ];

  it.each(vectors)('encodes %o as RFC 8949 bytes', (value, expected) => {
    expect(hex(encodeCBOR(value))).toBe(expected);
  });

  it('round-trips through SimpleWebAuthn isoCBOR in both directions', () => {
    const value = new Map<CBORValue, CBORValue>([
      [1, 2],
      [3, -7],
      [-1, 1],
      [-2, new Uint8Array(32).fill(0xab)],
      ['fmt', 'packed'],
      [
        'attStmt',
        new Map<CBORValue, CBORValue>([
          ['alg', -257],
          ['sig', new Uint8Array(300).fill(7)],
          ['x5c', [new Uint8Array(70000).fill(1)]],
        ]),
      ],
      ['nested', [1, 'two', [true, false, null], new Map([['k', 'v']])]],
      ['big', 4294967296],
      ['neg', -4294967297],
    ]);
    const mine = encodeCBOR(value);
    const decoded = isoCBOR.decodeFirst<Map<CBORValue, CBORValue>>(mine);
    expect(decoded).toEqual(decodeCBOR(mine));
    expect((decoded.get('attStmt') as Map<string, unknown>).get('x5c')).toEqual([new Uint8Array(70000).fill(1)]);
    expect(decoded.get(-2)).toEqual(new Uint8Array(32).fill(0xab));
    expect(decoded.get('neg')).toBe(-4294967297);

    // isoCBOR.encode keeps insertion order; given canonically ordered input the bytes must be identical.
    const canonical = new Map<CBORValue, CBORValue>([
      [1, 2],
      [3, -7],
      [-1, 1],
      [-2, new Uint8Array([9, 9])],
      ['fmt', 'none'],
      ['attStmt', new Map()],
    ]);
    expect(hex(isoCBOR.encode(canonical as never))).toBe(hex(encodeCBOR(canonical)));
    expect(decodeCBOR(isoCBOR.encode(canonical as never))).toEqual(canonical);
  });

  it('sorts map keys canonically (length first, then bytes) and rejects duplicates', () => {
    const unsorted = new Map<CBORValue, CBORValue>([
      ['authData', 1],
      ['fmt', 2],
      ['attStmt', 3],
      [-3, 0],
      [1, 0],
      [-1, 0],
    ]);
    const decoded = isoCBOR.decodeFirst<Map<CBORValue, CBORValue>>(encodeCBOR(unsorted));
    expect([...decoded.keys()]).toEqual([1, -1, -3, 'fmt', 'attStmt', 'authData']);
    expect(() =>
      encodeCBOR(
        new Map<CBORValue, CBORValue>([
          [1, 1],
          [1n, 2],
        ]),
      ),
    ).toThrow(TypeError);
  });

  it('decoder rejects truncated input and trailing bytes; refuses unsupported values', () => {
    expect(() => decodeCBOR(Uint8Array.from([0x44, 1, 2]))).toThrow();
    expect(() => decodeCBOR(Uint8Array.from([0x01, 0x02]))).toThrow(/Trailing/);
    expect(() => encodeCBOR(new Date() as unknown as CBORValue)).toThrow(TypeError);
    for (const f of [1.5, -0.25, 3.4028234663852886e38, 1e300]) expect(decodeCBOR(encodeCBOR(f))).toBe(f);
  });
});

describe('COSE keys', () => {
  it.each([
    ['ES256', () => generateKeyPairSync('ec', { namedCurve: 'P-256' })],
    ['EdDSA', () => generateKeyPairSync('ed25519')],
    ['RS256', () => generateKeyPairSync('rsa', { modulusLength: 2048 })],
  ] as const)('%s key survives COSE encode/decode', (alg, gen) => {
    const { publicKey } = gen();
    const cose = encodeCOSEPublicKey(publicKey, alg);
    expect(publicKeyFromCOSE(cose).export({ format: 'jwk' })).toEqual(publicKey.export({ format: 'jwk' }));
  });
});

describe('base64url', () => {
  it('encodes without padding and decodes padded/standard alphabets; rejects garbage', () => {
    expect(toBase64url(Uint8Array.from([0xfb, 0xff]))).toBe('-_8');
    expect([...fromBase64url('-_8')]).toEqual([0xfb, 0xff]);
    expect([...fromBase64url('+/8=')]).toEqual([0xfb, 0xff]);
    expect(() => fromBase64url('a$b')).toThrow(TypeError);
    expect(() => fromBase64url('abcde')).toThrow(TypeError);
  });
});

describe('X.509', () => {
  it.each([
    ['P-256', () => generateKeyPairSync('ec', { namedCurve: 'P-256' })],
    ['Ed25519', () => generateKeyPairSync('ed25519')],
    ['RSA', () => generateKeyPairSync('rsa', { modulusLength: 2048 })],
  ] as const)('self-signed %s certificate parses and verifies with node:crypto', (_n, gen) => {
    const { publicKey, privateKey } = gen();
    const notAfter = new Date(Date.UTC(2061, 0, 2, 3, 4, 5)); // GeneralizedTime range
    const der = createSelfSignedCertificate({
      subject: { C: 'NZ', O: 'Tëst Org', OU: 'Authenticator Attestation', CN: 'Unit' },
      publicKey,
      privateKey,
      notAfter,
    });
    const cert = new X509Certificate(Buffer.from(der));
    expect(cert.verify(publicKey)).toBe(true);
    expect(cert.subject.split('\n')).toEqual(['C=NZ', 'O=Tëst Org', 'OU=Authenticator Attestation', 'CN=Unit']);
    expect(cert.issuer).toBe(cert.subject);
    expect(new Date(cert.validTo).toISOString()).toBe(notAfter.toISOString());
    expect(cert.ca).toBe(false);
    expect(cert.publicKey.export({ format: 'jwk' })).toEqual(publicKey.export({ format: 'jwk' }));
    const other = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    expect(cert.verify(other.publicKey)).toBe(false);
  });
});

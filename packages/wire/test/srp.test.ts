/** The SRP group and encoding rules against Amplify's own code and node's RFC 3526 group. */
import { createHash, getDiffieHellman, randomBytes } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { SRP_G, SRP_HKDF_INFO, SRP_K_INPUT_HEX, SRP_N, SRP_N_BYTES, SRP_N_HEX, pad, srpHkdfInfo } from '@latchkey/wire';

// Amplify's SRP helpers are not in its exports map; they are loaded by file, as packages/server/test/srp.test.ts does.
const AMPLIFY_SRP = new URL('../../../node_modules/@aws-amplify/auth/dist/esm/providers/cognito/utils/srp/', import.meta.url);
interface AmplifyBigInteger {
  toString(radix: number): string;
}
let amplify: {
  INIT_N: string;
  BigInteger: new (hex: string, radix: number) => AmplifyBigInteger;
  getPaddedHex: (x: AmplifyBigInteger) => string;
  getAuthenticationHelper: (poolName: string) => Promise<{ k: AmplifyBigInteger }>;
};

beforeAll(async () => {
  const load = (p: string) => import(new URL(p, AMPLIFY_SRP).href);
  amplify = {
    INIT_N: (await load('constants.mjs')).INIT_N,
    BigInteger: (await load('BigInteger/BigInteger.mjs')).default,
    getPaddedHex: (await load('getPaddedHex.mjs')).getPaddedHex,
    getAuthenticationHelper: (await load('getAuthenticationHelper.mjs')).getAuthenticationHelper,
  };
});

describe('the SRP group', () => {
  it("N is RFC 3526's 3072-bit prime: node's modp15 and Amplify's INIT_N", () => {
    expect(SRP_N_HEX).toBe(amplify.INIT_N);
    expect(SRP_N_HEX.toLowerCase()).toBe(getDiffieHellman('modp15').getPrime('hex'));
    expect(SRP_N_HEX).toMatch(/^[0-9A-F]{768}$/);
    expect(SRP_N).toBe(BigInt(`0x${SRP_N_HEX}`));
    expect(SRP_N_BYTES).toBe(384);
  });

  it("g is 2, node's modp15 generator", () => {
    expect(SRP_G).toBe(2n);
    expect(getDiffieHellman('modp15').getGenerator('hex')).toBe('02');
  });

  it("k = H(pad(N) ‖ pad(g)) from the shared input equals Amplify's multiplier", async () => {
    const helper = await amplify.getAuthenticationHelper('PoolName');
    const k = createHash('sha256').update(Buffer.from(SRP_K_INPUT_HEX, 'hex')).digest('hex');
    expect(BigInt(`0x${k}`)).toBe(BigInt(`0x${helper.k.toString(16)}`));
    expect(SRP_K_INPUT_HEX).toBe(`00${SRP_N_HEX.toLowerCase()}02`);
  });
});

describe('pad', () => {
  it.each([
    [0n, '00'],
    [0x14n, '14'],
    [0x7fn, '7f'],
    [0x80n, '0080'],
    [0xecn, '00ec'],
    [0x123n, '0123'],
    [0x8123n, '008123'],
  ])('pad(%s) = %s', (x, hex) => {
    expect(pad(x)).toBe(hex);
  });

  it("agrees with Amplify's getPaddedHex, including on N and on random integers with a high first bit", () => {
    const { BigInteger, getPaddedHex } = amplify;
    const values = ['1', 'f', '80', '0a1b', 'ff00', SRP_N_HEX.toLowerCase()];
    for (let i = 0; i < 50; i++) values.push(randomBytes(1 + (i % 40)).toString('hex'));
    for (const hex of values) expect(pad(BigInt(`0x${hex}`)), hex).toBe(getPaddedHex(new BigInteger(hex, 16)));
  });
});

describe('the HKDF info', () => {
  it("is 'Caldera Derived Key' followed by the counter byte 1, as Amplify's AuthenticationHelper builds it", () => {
    expect(SRP_HKDF_INFO).toBe('Caldera Derived Key');
    expect(Buffer.from(srpHkdfInfo())).toEqual(Buffer.concat([Buffer.from('Caldera Derived Key', 'utf8'), Buffer.from([1])]));
  });

  it('is a fresh array each time, so one caller cannot change it for another', () => {
    const first = srpHkdfInfo();
    first.fill(0);
    expect(srpHkdfInfo()[0]).toBe('C'.charCodeAt(0));
  });
});

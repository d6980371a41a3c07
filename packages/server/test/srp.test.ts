import { createHash, randomBytes } from 'node:crypto';
import * as nodeCrypto from 'node:crypto';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';

// Wrap the real timingSafeEqual in a spy so the tests can show the constant-time compare is used.
vi.mock('node:crypto', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:crypto')>();
  return { ...real, default: real, timingSafeEqual: vi.fn(real.timingSafeEqual) };
});

import { SRP_N_HEX, formatSrpTimestamp, pad, parseSrpTimestamp } from '@latchkey/wire';
import { checkPassword, createVerifier, isValidSrpA, srpInternals, startSrpSession, verifyPasswordClaim } from '../src/security/srp.js';
import { computePasswordClaim, createSrpClientSession } from '../../client/src/internal/srp.js';

const { N } = srpInternals;

// ------------------------------------------------------------------------------------------------
// Contract §3.2 deterministic known-answer vector
// ------------------------------------------------------------------------------------------------
const sha512Hex = (s: string) => createHash('sha512').update(s).digest('hex');
const KAT = {
  poolName: 'AbCdEf123',
  userIdForSrp: 'alice',
  password: 'Passw0rd!',
  salt: '0a1b2c3d4e5f60718293a4b5c6d7e8f9',
  a: sha512Hex('client-a').repeat(2),
  b: sha512Hex('server-b').repeat(2),
  secretBlock: 'b3BhcXVlLXNlcnZlci1zdGF0ZS0wMTIzNDU2Nzg5',
  timestamp: 'Tue Mar 4 09:05:07 UTC 2025',
  date: new Date(Date.UTC(2025, 2, 4, 9, 5, 7)),
  k: '538282c4354742d7cbbde2359fcf67f9f5b3a6b08791e5011b43b8a5b66d9ee6',
  x: '7159083a09e6bbd70965fffa8b77f99194507275dcabe8ae1d3fbbf1ddb613cd',
  u: '913fce8086a8e1a7ef2da9fa2ce2b2179ca55aba5daba3d860bc55ac549eff35',
  okm: 'ec983a2125a90012745a6d25250e2f99',
  signature: 'eIjNqeJvIOq57F/p7bt4UL2zS8fTdhavky330wL5364=',
};

/** The vector's values computed with the server module. */
function serverKat() {
  const salt = BigInt(`0x${KAT.salt}`);
  const a = BigInt(`0x${KAT.a}`);
  const b = BigInt(`0x${KAT.b}`);
  const x = srpInternals.computeX(KAT.poolName, KAT.userIdForSrp, KAT.password, salt);
  const v = srpInternals.computeVerifier(x);
  const A = srpInternals.modPowG(a);
  const B = srpInternals.computeB(v, b);
  const u = srpInternals.computeU(A, B);
  const S = srpInternals.computeServerS(A, v, u, b);
  const okm = srpInternals.deriveKey(S, u);
  return { x, v, A, B, u, S, okm, srpA: A.toString(16), BHex: B.toString(16) };
}

// ------------------------------------------------------------------------------------------------
// The real Amplify implementation, imported by file path (ESM .mjs, not in the package exports map)
// ------------------------------------------------------------------------------------------------
const AMPLIFY_SRP = new URL('../../../node_modules/@aws-amplify/auth/dist/esm/providers/cognito/utils/srp/', import.meta.url);
/** The parts of Amplify's (untyped here) internals the tests use. */
interface AmplifyBigInteger {
  toString(radix: number): string;
}
interface AmplifyHelper {
  A: AmplifyBigInteger;
  k: AmplifyBigInteger;
  getPasswordAuthenticationKey(input: {
    username: string;
    password: string;
    serverBValue: AmplifyBigInteger;
    salt: AmplifyBigInteger;
  }): Promise<Uint8Array>;
}
interface AmplifySrp {
  AuthenticationHelper: new (input: {
    userPoolName: string;
    a: AmplifyBigInteger;
    g: AmplifyBigInteger;
    A: AmplifyBigInteger;
    N: AmplifyBigInteger;
  }) => AmplifyHelper;
  BigInteger: new (hex: string, radix: number) => AmplifyBigInteger;
  INIT_N: string;
  getAuthenticationHelper: (poolName: string) => Promise<AmplifyHelper>;
  getSignatureString: (input: {
    userPoolName: string;
    username: string;
    challengeParameters: Record<string, string>;
    dateNow: string;
    hkdf: Uint8Array;
  }) => string;
  getNowString: () => string;
  getPaddedHex: (x: AmplifyBigInteger) => string;
}
let amplify: AmplifySrp;
async function loadAmplify(): Promise<AmplifySrp> {
  const load = (p: string) => import(new URL(p, AMPLIFY_SRP).href);
  return {
    AuthenticationHelper: (await load('AuthenticationHelper/AuthenticationHelper.mjs')).default,
    BigInteger: (await load('BigInteger/BigInteger.mjs')).default,
    INIT_N: (await load('constants.mjs')).INIT_N,
    getAuthenticationHelper: (await load('getAuthenticationHelper.mjs')).getAuthenticationHelper,
    getSignatureString: (await load('getSignatureString.mjs')).getSignatureString,
    getNowString: (await load('getNowString.mjs')).getNowString,
    getPaddedHex: (await load('getPaddedHex.mjs')).getPaddedHex,
  };
}

/** Exactly what handlePasswordVerifierChallenge.mjs does with the challenge parameters. */
async function amplifyPasswordClaim(
  helper: AmplifyHelper,
  challenge: { SRP_B: string; SALT: string; SECRET_BLOCK: string; USER_ID_FOR_SRP: string },
  password: string,
  userPoolName: string,
  dateNow: string,
): Promise<{ hkdf: Uint8Array; signature: string }> {
  const { BigInteger, getSignatureString } = amplify;
  const hkdf = await helper.getPasswordAuthenticationKey({
    username: challenge.USER_ID_FOR_SRP,
    password,
    serverBValue: new BigInteger(challenge.SRP_B, 16),
    salt: new BigInteger(challenge.SALT, 16),
  });
  const signature = getSignatureString({
    username: challenge.USER_ID_FOR_SRP,
    userPoolName,
    challengeParameters: challenge,
    dateNow,
    hkdf,
  });
  return { hkdf, signature };
}

beforeAll(async () => {
  expect(existsSync(fileURLToPath(AMPLIFY_SRP)), 'aws-amplify must be installed at the repo root').toBe(true);
  amplify = await loadAmplify();
});

// ------------------------------------------------------------------------------------------------
// Helpers for round trips
// ------------------------------------------------------------------------------------------------
interface RoundTrip {
  poolName: string;
  userIdForSrp: string;
  password: string;
  saltHex?: string;
}
async function clientServerRoundTrip(rt: RoundTrip, clientPassword = rt.password) {
  const { saltHex, verifierHex } = createVerifier(rt.poolName, rt.userIdForSrp, rt.password, rt.saltHex);
  const session = createSrpClientSession();
  expect(isValidSrpA(session.srpA)).toBe(true);
  const { bHex, BHex } = startSrpSession(verifierHex);
  const secretBlock = randomBytes(48).toString('base64');
  const claim = await computePasswordClaim({
    session,
    poolName: rt.poolName,
    userIdForSrp: rt.userIdForSrp,
    password: clientPassword,
    srpB: BHex,
    salt: saltHex,
    secretBlock,
  });
  const verifyInput = {
    poolName: rt.poolName,
    userIdForSrp: rt.userIdForSrp,
    verifierHex,
    bHex,
    BHex,
    srpAHex: session.srpA,
    secretBlockB64: claim.PASSWORD_CLAIM_SECRET_BLOCK,
    timestamp: claim.TIMESTAMP,
    signatureB64: claim.PASSWORD_CLAIM_SIGNATURE,
  };
  return { verifyInput, claim, saltHex, verifierHex };
}

// ================================================================================================

describe('SRP constants', () => {
  it('N is the RFC 3526 3072-bit prime, the same as Amplify and node:crypto modp15', () => {
    expect(SRP_N_HEX).toBe(amplify.INIT_N);
    expect(SRP_N_HEX.length).toBe(768);
    expect(SRP_N_HEX.toLowerCase()).toBe(nodeCrypto.getDiffieHellman('modp15').getPrime('hex'));
  });

  it('pad() follows getPaddedHex (Java toByteArray style)', () => {
    expect(pad(0n)).toBe('00');
    expect(pad(0x14n)).toBe('14');
    expect(pad(0xecn)).toBe('00ec');
    expect(pad(0x123n)).toBe('0123');
    expect(pad(0x8123n)).toBe('008123');
    const { BigInteger, getPaddedHex } = amplify;
    for (const hex of ['0', '1', 'f', '7f', '80', '0a1b', 'ff00', randomBytes(33).toString('hex'), N.toString(16)]) {
      expect(pad(BigInt(`0x${hex}`)), hex).toBe(getPaddedHex(new BigInteger(hex, 16)));
    }
  });
});

describe('known-answer vector (docs/wire-contract.md §3.2)', () => {
  it('server side reproduces k, x, SRP_A, SRP_B, u, OKM and the signature', () => {
    const r = serverKat();
    expect(srpInternals.k.toString(16)).toBe(KAT.k);
    expect(srpInternals.computeK().toString(16)).toBe(KAT.k);
    expect(r.x.toString(16)).toBe(KAT.x);
    expect(r.srpA).toHaveLength(768);
    expect(r.srpA.startsWith('bcf31ca00980f3ea87b2a3f16e9bc9e5')).toBe(true);
    expect(r.srpA.endsWith('e876cffcf6b0')).toBe(true);
    expect(r.BHex).toHaveLength(768);
    expect(r.BHex.startsWith('eefc14663816042576e41a7bb8e757d2')).toBe(true);
    expect(r.BHex.endsWith('dd35848a376e')).toBe(true);
    expect(r.u.toString(16)).toBe(KAT.u);
    expect(r.okm.toString('hex')).toBe(KAT.okm);
    const sig = srpInternals.computeSignature(r.okm, KAT.poolName, KAT.userIdForSrp, Buffer.from(KAT.secretBlock, 'base64'), KAT.timestamp);
    expect(sig.toString('base64')).toBe(KAT.signature);
  });

  it('OpenSSL exponentiations equal the BigInt reference on the vector', () => {
    const r = serverKat();
    const { modPowBigInt } = srpInternals;
    const b = BigInt(`0x${KAT.b}`);
    expect(r.v).toBe(modPowBigInt(2n, r.x));
    expect(r.A).toBe(modPowBigInt(2n, BigInt(`0x${KAT.a}`)));
    expect(r.S).toBe(modPowBigInt((r.A * modPowBigInt(r.v, r.u)) % N, b));
    // Client formula gives the same premaster secret.
    const a = BigInt(`0x${KAT.a}`);
    expect(r.S).toBe(modPowBigInt(r.B - srpInternals.k * r.v, a + r.u * r.x));
  });

  it('createVerifier + verifyPasswordClaim accept the vector signature', () => {
    const r = serverKat();
    const { saltHex, verifierHex } = createVerifier(KAT.poolName, KAT.userIdForSrp, KAT.password, KAT.salt);
    expect(saltHex).toBe(KAT.salt);
    expect(BigInt(`0x${verifierHex}`)).toBe(r.v);
    expect(verifierHex).toHaveLength(768);
    const input = {
      poolName: KAT.poolName,
      userIdForSrp: KAT.userIdForSrp,
      verifierHex,
      bHex: KAT.b,
      BHex: r.BHex,
      srpAHex: r.srpA,
      secretBlockB64: KAT.secretBlock,
      timestamp: KAT.timestamp,
      signatureB64: KAT.signature,
    };
    expect(verifyPasswordClaim(input)).toBe(true);
    // Unpadded standard base64 is accepted …
    expect(verifyPasswordClaim({ ...input, signatureB64: KAT.signature.slice(0, -1) })).toBe(true);
    // … a non-canonical encoding of the same bytes ('5' differs from '4' only in discarded bits) is not.
    expect(Buffer.from('eIjNqeJvIOq57F/p7bt4UL2zS8fTdhavky330wL5365=', 'base64').toString('base64')).toBe(KAT.signature);
    expect(verifyPasswordClaim({ ...input, signatureB64: 'eIjNqeJvIOq57F/p7bt4UL2zS8fTdhavky330wL5365=' })).toBe(false);
    expect(verifyPasswordClaim({ ...input, signatureB64: 'fIjNqeJvIOq57F/p7bt4UL2zS8fTdhavky330wL5364=' })).toBe(false);
    expect(verifyPasswordClaim({ ...input, timestamp: 'Tue Mar 4 09:05:08 UTC 2025' })).toBe(false);
  });

  it('client module reproduces SRP_A and the signature (fixed a and date)', async () => {
    const r = serverKat();
    const session = createSrpClientSession(KAT.a);
    expect(session.a).toBe(BigInt(`0x${KAT.a}`));
    expect(session.srpA).toBe(r.srpA);
    expect(session.A).toBe(r.A);
    const claim = await computePasswordClaim({
      session,
      poolName: KAT.poolName,
      userIdForSrp: KAT.userIdForSrp,
      password: KAT.password,
      srpB: r.BHex,
      salt: KAT.salt,
      secretBlock: KAT.secretBlock,
      date: KAT.date,
    });
    expect(claim).toEqual({
      PASSWORD_CLAIM_SIGNATURE: KAT.signature,
      PASSWORD_CLAIM_SECRET_BLOCK: KAT.secretBlock,
      TIMESTAMP: KAT.timestamp,
    });
  });

  it("Amplify's own AuthenticationHelper + getSignatureString reproduce OKM and the signature", async () => {
    const r = serverKat();
    const { AuthenticationHelper, BigInteger, INIT_N } = amplify;
    const helper = new AuthenticationHelper({
      userPoolName: KAT.poolName,
      a: new BigInteger(KAT.a, 16),
      g: new BigInteger('2', 16),
      A: new BigInteger(r.srpA, 16),
      N: new BigInteger(INIT_N, 16),
    });
    expect(helper.k.toString(16)).toBe(KAT.k);
    const { hkdf, signature } = await amplifyPasswordClaim(
      helper,
      { SRP_B: r.BHex, SALT: KAT.salt, SECRET_BLOCK: KAT.secretBlock, USER_ID_FOR_SRP: KAT.userIdForSrp },
      KAT.password,
      KAT.poolName,
      KAT.timestamp,
    );
    expect(Buffer.from(hkdf).toString('hex')).toBe(KAT.okm);
    expect(signature).toBe(KAT.signature);
  });
});

describe('OpenSSL-backed modular exponentiation', () => {
  const { modPowG, modPowN, modPowBigInt } = srpInternals;

  it('setPrivateKey + generateKeys really computes g^e (Node ' + process.versions.node + ')', () => {
    for (const bytes of [1, 2, 31, 32, 64, 127, 128, 200]) {
      const e = BigInt(`0x${randomBytes(bytes).toString('hex')}`);
      expect(modPowG(e)).toBe(modPowBigInt(2n, e));
    }
    for (const e of [0n, 1n, 2n, 255n, 256n, N - 1n, N, N + 1n]) expect(modPowG(e)).toBe(modPowBigInt(2n, e));
  });

  it('computeSecret computes base^e, including leading-zero results and degenerate bases', () => {
    for (let i = 0; i < 6; i++) {
      const base = BigInt(`0x${randomBytes(384).toString('hex')}`) % N;
      const e = BigInt(`0x${randomBytes(1 + i * 25).toString('hex')}`);
      expect(modPowN(base, e)).toBe(modPowBigInt(base, e));
    }
    // A result with leading zero bytes: base = 2^8 (small), e = 1 → 0x0100, must not be mangled.
    expect(modPowN(256n, 1n)).toBe(256n);
    expect(modPowN(2n, 10n)).toBe(1024n);
    // OpenSSL refuses these as "public keys"; the BigInt fallback must answer.
    for (const base of [0n, 1n, N - 1n, N, N + 1n, 2n * N - 1n, -1n]) {
      for (const e of [0n, 1n, 2n, 3n, BigInt(`0x${randomBytes(128).toString('hex')}`)]) {
        expect(modPowN(base, e)).toBe(modPowBigInt(base, e));
      }
    }
  });
});

describe('startSrpSession', () => {
  it('returns a 32-byte secret and B = (k·v + g^b) mod N as unpadded lower-case hex', () => {
    const { verifierHex } = createVerifier('Pool', 'bob', 'secret');
    const v = BigInt(`0x${verifierHex}`);
    const seen = new Set<string>();
    for (let i = 0; i < 3; i++) {
      const { bHex, BHex } = startSrpSession(verifierHex);
      expect(bHex).toMatch(/^[0-9a-f]{64}$/);
      expect(BHex).toMatch(/^[1-9a-f][0-9a-f]*$/);
      const B = BigInt(`0x${BHex}`);
      expect(B > 0n && B < N).toBe(true);
      expect(B).toBe((srpInternals.k * v + srpInternals.modPowBigInt(2n, BigInt(`0x${bHex}`))) % N);
      seen.add(bHex);
    }
    expect(seen.size).toBe(3);
  });

  it('throws TypeError for a malformed verifier', () => {
    expect(() => startSrpSession('')).toThrow(TypeError);
    expect(() => startSrpSession('xyz')).toThrow(TypeError);
  });
});

describe('client ↔ server round trips', () => {
  const cases: Array<[string, RoundTrip]> = [
    ['random salt', { poolName: 'AbCdEf123', userIdForSrp: 'alice', password: 'Passw0rd!' }],
    [
      'salt with a leading 0x00 byte',
      { poolName: 'P1', userIdForSrp: 'bob', password: 'x', saltHex: '00' + randomBytes(15).toString('hex') },
    ],
    [
      'salt with two leading zero bytes',
      { poolName: 'P1', userIdForSrp: 'bob', password: 'x', saltHex: '0000ff' + randomBytes(13).toString('hex') },
    ],
    [
      'salt with the high bit set',
      { poolName: 'P1', userIdForSrp: 'carol', password: 'pw', saltHex: 'ff' + randomBytes(15).toString('hex') },
    ],
    [
      'salt with a leading zero nibble (odd-length integer)',
      { poolName: 'P1', userIdForSrp: 'dave', password: 'pw', saltHex: '0f' + randomBytes(15).toString('hex') },
    ],
    ['upper-case salt hex', { poolName: 'P1', userIdForSrp: 'erin', password: 'pw', saltHex: 'A0B1C2D3E4F5060708090A0B0C0D0E0F' }],
    ['non-ASCII user id and password', { poolName: 'eu_Pool', userIdForSrp: 'jürgen-用户-🔑', password: 'pässwörd ✓ 密码' }],
    [
      'UUID user id (email-as-username pool)',
      { poolName: 'AbCdEf123', userIdForSrp: '8f1e2c3a-1b2c-4d5e-8f90-123456789abc', password: 'correct horse battery staple' },
    ],
    ['empty password', { poolName: 'P', userIdForSrp: 'u', password: '' }],
  ];

  it.each(cases)('%s: the right password is accepted, tampering is rejected', async (_name, rt) => {
    const { verifyInput, claim, saltHex } = await clientServerRoundTrip(rt);
    if (rt.saltHex) expect(saltHex).toBe(rt.saltHex);
    expect(verifyPasswordClaim(verifyInput)).toBe(true);
    expect(parseSrpTimestamp(claim.TIMESTAMP)).toBeInstanceOf(Date);
    expect(Math.abs(parseSrpTimestamp(claim.TIMESTAMP)!.getTime() - Date.now())).toBeLessThan(5 * 60_000);

    const otherBlock = Buffer.from(verifyInput.secretBlockB64, 'base64');
    otherBlock[0] ^= 1;
    expect(verifyPasswordClaim({ ...verifyInput, secretBlockB64: otherBlock.toString('base64') })).toBe(false);
    expect(verifyPasswordClaim({ ...verifyInput, timestamp: verifyInput.timestamp + ' ' })).toBe(false);
    const sig = Buffer.from(verifyInput.signatureB64, 'base64');
    sig[31] ^= 0x80;
    expect(verifyPasswordClaim({ ...verifyInput, signatureB64: sig.toString('base64') })).toBe(false);
    expect(verifyPasswordClaim({ ...verifyInput, poolName: verifyInput.poolName + 'x' })).toBe(false);
    expect(verifyPasswordClaim({ ...verifyInput, userIdForSrp: verifyInput.userIdForSrp + 'x' })).toBe(false);
    // A different (but valid) A with the same signature must fail.
    expect(verifyPasswordClaim({ ...verifyInput, srpAHex: createSrpClientSession().srpA })).toBe(false);
  });

  it('the signature also verifies when SRP_B / SALT were sent with leading zeros or upper case', async () => {
    const rt = { poolName: 'P', userIdForSrp: 'zed', password: 'pw', saltHex: '00ab' + randomBytes(14).toString('hex') };
    const { saltHex, verifierHex } = createVerifier(rt.poolName, rt.userIdForSrp, rt.password, rt.saltHex);
    const session = createSrpClientSession();
    const { bHex, BHex } = startSrpSession(verifierHex);
    const claim = await computePasswordClaim({
      session,
      ...rt,
      srpB: '0000' + BHex.toUpperCase(),
      salt: saltHex.replace(/^0+/, ''),
      secretBlock: 'AAAA',
    });
    expect(
      verifyPasswordClaim({
        poolName: rt.poolName,
        userIdForSrp: rt.userIdForSrp,
        verifierHex,
        bHex,
        BHex,
        srpAHex: session.srpA.toUpperCase(),
        secretBlockB64: claim.PASSWORD_CLAIM_SECRET_BLOCK,
        timestamp: claim.TIMESTAMP,
        signatureB64: claim.PASSWORD_CLAIM_SIGNATURE,
      }),
    ).toBe(true);
  });

  it('a wrong password is rejected', async () => {
    const rt = { poolName: 'AbCdEf123', userIdForSrp: 'alice', password: 'Passw0rd!' };
    const { verifyInput } = await clientServerRoundTrip(rt, 'Passw0rd?');
    expect(verifyPasswordClaim(verifyInput)).toBe(false);
  });

  it('a URL-safe / unpadded secret block is decoded like Amplify does', async () => {
    const rt = { poolName: 'P', userIdForSrp: 'u', password: 'pw' };
    const { verifierHex, saltHex } = createVerifier(rt.poolName, rt.userIdForSrp, rt.password);
    // bytes chosen so the standard encoding contains '+' and '/' and needs padding
    const block = Buffer.from([0xfb, 0xef, 0xff, 0xfe, 0x01]);
    const urlSafe = block.toString('base64url');
    expect(urlSafe).toMatch(/[-_]/);
    const session = createSrpClientSession();
    const { bHex, BHex } = startSrpSession(verifierHex);
    const claim = await computePasswordClaim({ session, ...rt, srpB: BHex, salt: saltHex, secretBlock: urlSafe });
    const input = {
      poolName: rt.poolName,
      userIdForSrp: rt.userIdForSrp,
      verifierHex,
      bHex,
      BHex,
      srpAHex: session.srpA,
      secretBlockB64: urlSafe,
      timestamp: claim.TIMESTAMP,
      signatureB64: claim.PASSWORD_CLAIM_SIGNATURE,
    };
    expect(verifyPasswordClaim(input)).toBe(true);
    expect(verifyPasswordClaim({ ...input, secretBlockB64: block.toString('base64') })).toBe(true);
    // Junk no client decoder takes (Buffer would have skipped it) is a wrong claim, not a throw.
    expect(verifyPasswordClaim({ ...input, secretBlockB64: `${urlSafe.slice(0, 2)}!${urlSafe.slice(2)}` })).toBe(false);
    expect(verifyPasswordClaim({ ...input, secretBlockB64: `${urlSafe}AA` })).toBe(false);
  });

  it('client module and Amplify produce the same signature for the same a, B and time', async () => {
    const rt = { poolName: 'Zz9', userIdForSrp: 'ünïcode', password: 'p@ss' };
    const { saltHex, verifierHex } = createVerifier(rt.poolName, rt.userIdForSrp, rt.password, '00' + randomBytes(15).toString('hex'));
    const session = createSrpClientSession();
    const { BHex } = startSrpSession(verifierHex);
    const { AuthenticationHelper, BigInteger, INIT_N } = amplify;
    const helper = new AuthenticationHelper({
      userPoolName: rt.poolName,
      a: new BigInteger(session.a.toString(16), 16),
      g: new BigInteger('2', 16),
      A: new BigInteger(session.srpA, 16),
      N: new BigInteger(INIT_N, 16),
    });
    const secretBlock = randomBytes(40).toString('base64');
    const date = new Date(Date.UTC(2026, 0, 9, 3, 4, 5));
    const ours = await computePasswordClaim({ session, ...rt, srpB: BHex, salt: saltHex, secretBlock, date });
    expect(ours.TIMESTAMP).toBe('Fri Jan 9 03:04:05 UTC 2026');
    const theirs = await amplifyPasswordClaim(
      helper,
      { SRP_B: BHex, SALT: saltHex, SECRET_BLOCK: secretBlock, USER_ID_FOR_SRP: rt.userIdForSrp },
      rt.password,
      rt.poolName,
      ours.TIMESTAMP,
    );
    expect(ours.PASSWORD_CLAIM_SIGNATURE).toBe(theirs.signature);
  });
});

describe('real Amplify client → Latchkey server', () => {
  it.each([
    ['ASCII user, random salt', 'AbCdEf123', 'alice', 'Passw0rd!', undefined],
    ['non-ASCII user, salt with leading 0x00', 'Pool_X', 'ĳsbrand-ßüñ-🙂', 'wörd', '00' + randomBytes(15).toString('hex')],
    ['salt with the high bit set', 'AbCdEf123', 'hb', 'pw', '80' + randomBytes(15).toString('hex')],
  ])('%s: a signature from AuthenticationHelper/getSignatureString is accepted', async (_n, poolName, user, password, salt) => {
    const { saltHex, verifierHex } = createVerifier(poolName, user, password, salt);
    // Amplify: handlePasswordSRP → getAuthenticationHelper(userPoolName) → SRP_A = A.toString(16)
    const helper = await amplify.getAuthenticationHelper(poolName);
    const srpA: string = helper.A.toString(16);
    expect(isValidSrpA(srpA)).toBe(true);
    const { bHex, BHex } = startSrpSession(verifierHex);
    const challenge = {
      SRP_B: BHex,
      SALT: saltHex,
      SECRET_BLOCK: randomBytes(64).toString('base64'),
      USER_ID_FOR_SRP: user,
    };
    const dateNow = amplify.getNowString();
    expect(parseSrpTimestamp(dateNow)).toBeInstanceOf(Date);
    const { signature } = await amplifyPasswordClaim(helper, challenge, password, poolName, dateNow);
    const input = {
      poolName,
      userIdForSrp: user,
      verifierHex,
      bHex,
      BHex,
      srpAHex: srpA,
      secretBlockB64: challenge.SECRET_BLOCK,
      timestamp: dateNow,
      signatureB64: signature,
    };
    expect(verifyPasswordClaim(input)).toBe(true);

    // Same flow with the wrong password on the Amplify side.
    const wrong = await amplifyPasswordClaim(helper, challenge, password + '!', poolName, dateNow);
    expect(verifyPasswordClaim({ ...input, signatureB64: wrong.signature })).toBe(false);
  });
});

describe('isValidSrpA', () => {
  const nHex = N.toString(16);
  it('accepts real client values (either case, leading zeros)', () => {
    const { srpA } = createSrpClientSession();
    expect(isValidSrpA(srpA)).toBe(true);
    expect(isValidSrpA(srpA.toUpperCase())).toBe(true);
    expect(isValidSrpA('000' + srpA)).toBe(true);
    expect(isValidSrpA('1')).toBe(true);
  });
  it('rejects A ≡ 0 mod N, non-hex, empty and over-long values', () => {
    for (const bad of [
      '0',
      '00',
      '0'.repeat(1024),
      nHex,
      nHex.toUpperCase(),
      (2n * N).toString(16),
      (7n * N).toString(16),
      '',
      'xyz',
      '0x1234',
      ' 12',
      '12 ',
      '-1',
      'g',
      '1'.repeat(1025),
    ]) {
      expect(isValidSrpA(bad), bad.slice(0, 16)).toBe(false);
    }
    expect(isValidSrpA('1'.repeat(1024))).toBe(true);
    expect(isValidSrpA(undefined as unknown as string)).toBe(false);
    expect(isValidSrpA(12 as unknown as string)).toBe(false);
  });
  it('verifyPasswordClaim returns false (does not throw) for invalid or degenerate A', () => {
    const { verifierHex } = createVerifier('P', 'u', 'pw');
    const { bHex, BHex } = startSrpSession(verifierHex);
    const base = {
      poolName: 'P',
      userIdForSrp: 'u',
      verifierHex,
      bHex,
      BHex,
      secretBlockB64: 'AAAA',
      timestamp: formatSrpTimestamp(new Date()),
      signatureB64: Buffer.alloc(32).toString('base64'),
    };
    for (const srpAHex of ['0', nHex, (2n * N).toString(16), 'zz', '', '1', (N - 1n).toString(16), (N + 1n).toString(16)]) {
      expect(verifyPasswordClaim({ ...base, srpAHex })).toBe(false);
    }
  });
});

describe('degenerate and malformed B', () => {
  it('the client refuses B ≡ 0 mod N and non-hex B (as Amplify: "B cannot be zero.")', async () => {
    const session = createSrpClientSession();
    const common = { session, poolName: 'P', userIdForSrp: 'u', password: 'pw', salt: 'ab', secretBlock: 'AAAA' };
    for (const srpB of ['0', '000', N.toString(16), (2n * N).toString(16)]) {
      await expect(computePasswordClaim({ ...common, srpB })).rejects.toThrow('B cannot be zero.');
    }
    await expect(computePasswordClaim({ ...common, srpB: 'not hex' })).rejects.toThrow(Error);
    await expect(computePasswordClaim({ ...common, srpB: '1', salt: '' })).rejects.toThrow(Error);
    await expect(computePasswordClaim({ ...common, srpB: '1', secretBlock: '***' })).rejects.toThrow(Error);
    // B = 1 and B = N-1 are not zero: the client computes something without crashing.
    for (const srpB of ['1', (N - 1n).toString(16)]) {
      const c = await computePasswordClaim({ ...common, srpB });
      expect(c.PASSWORD_CLAIM_SIGNATURE).toMatch(/^[A-Za-z0-9+/]{43}=$/);
    }
  });

  it('the server answers false for B ≡ 0 mod N and throws TypeError for malformed stored state', () => {
    const { verifierHex } = createVerifier('P', 'u', 'pw');
    const { bHex, BHex } = startSrpSession(verifierHex);
    const base = {
      poolName: 'P',
      userIdForSrp: 'u',
      verifierHex,
      bHex,
      BHex,
      srpAHex: createSrpClientSession().srpA,
      secretBlockB64: 'AAAA',
      timestamp: formatSrpTimestamp(new Date()),
      signatureB64: Buffer.alloc(32).toString('base64'),
    };
    expect(verifyPasswordClaim(base)).toBe(false);
    for (const BHexBad of ['0', N.toString(16)]) expect(verifyPasswordClaim({ ...base, BHex: BHexBad })).toBe(false);
    expect(() => verifyPasswordClaim({ ...base, BHex: '' })).toThrow(TypeError);
    expect(() => verifyPasswordClaim({ ...base, bHex: 'nothex' })).toThrow(TypeError);
    expect(() => verifyPasswordClaim({ ...base, verifierHex: '' })).toThrow(TypeError);
  });

  it('malformed signatures are rejected without throwing', () => {
    const { verifierHex } = createVerifier('P', 'u', 'pw');
    const { bHex, BHex } = startSrpSession(verifierHex);
    const base = {
      poolName: 'P',
      userIdForSrp: 'u',
      verifierHex,
      bHex,
      BHex,
      srpAHex: createSrpClientSession().srpA,
      secretBlockB64: 'AAAA',
      timestamp: formatSrpTimestamp(new Date()),
    };
    for (const signatureB64 of ['', 'AAAA', Buffer.alloc(31).toString('base64'), Buffer.alloc(33).toString('base64'), '!'.repeat(44)]) {
      expect(verifyPasswordClaim({ ...base, signatureB64 })).toBe(false);
    }
  });
});

describe('createVerifier / checkPassword', () => {
  const timingSafeEqual = vi.mocked(nodeCrypto.timingSafeEqual);
  beforeEach(() => {
    timingSafeEqual.mockClear();
  });

  it('creates a random 16-byte salt and a fixed-width verifier', () => {
    const r1 = createVerifier('P', 'u', 'pw');
    const r2 = createVerifier('P', 'u', 'pw');
    expect(r1.saltHex).toMatch(/^[0-9a-f]{32}$/);
    expect(r1.verifierHex).toMatch(/^[0-9a-f]{768}$/);
    expect(r1.saltHex).not.toBe(r2.saltHex);
    expect(r1.verifierHex).not.toBe(r2.verifierHex);
    expect(createVerifier('P', 'u', 'pw', r1.saltHex)).toEqual(r1);
    expect(() => createVerifier('P', 'u', 'pw', '')).toThrow(TypeError);
    expect(() => createVerifier('P', 'u', 'pw', 'xyz')).toThrow(TypeError);
  });

  it('the verifier of a salt with a leading zero byte equals that of the same integer without it', () => {
    const salt = '00' + randomBytes(15).toString('hex');
    expect(createVerifier('P', 'u', 'pw', salt).verifierHex).toBe(createVerifier('P', 'u', 'pw', salt.slice(2)).verifierHex);
  });

  it('accepts the right password and rejects wrong ones, via timingSafeEqual on 384-byte buffers', () => {
    const { saltHex, verifierHex } = createVerifier('AbCdEf123', 'jürgen', 'Pässwort');
    expect(checkPassword('AbCdEf123', 'jürgen', 'Pässwort', saltHex, verifierHex)).toBe(true);
    expect(timingSafeEqual).toHaveBeenCalledTimes(1);
    const [x, y] = timingSafeEqual.mock.calls[0] as [Buffer, Buffer];
    expect(x.length).toBe(384);
    expect(y.length).toBe(384);

    expect(checkPassword('AbCdEf123', 'jürgen', 'Passwort', saltHex, verifierHex)).toBe(false);
    expect(checkPassword('AbCdEf123', 'jürgen', 'Pässwort ', saltHex, verifierHex)).toBe(false);
    expect(checkPassword('AbCdEf123', 'jurgen', 'Pässwort', saltHex, verifierHex)).toBe(false);
    expect(checkPassword('Other', 'jürgen', 'Pässwort', saltHex, verifierHex)).toBe(false);
    expect(checkPassword('AbCdEf123', 'jürgen', 'Pässwort', 'ff' + saltHex, verifierHex)).toBe(false);
    expect(timingSafeEqual).toHaveBeenCalledTimes(6);
    // The stored hex may lose leading zeros (e.g. a DB that stored the integer) and still match.
    expect(checkPassword('AbCdEf123', 'jürgen', 'Pässwort', saltHex, verifierHex.replace(/^0+/, ''))).toBe(true);
  });

  it('the vector password checks out; out-of-range and malformed stored values', () => {
    const { verifierHex } = createVerifier(KAT.poolName, KAT.userIdForSrp, KAT.password, KAT.salt);
    expect(checkPassword(KAT.poolName, KAT.userIdForSrp, KAT.password, KAT.salt, verifierHex)).toBe(true);
    expect(checkPassword(KAT.poolName, KAT.userIdForSrp, KAT.password, KAT.salt, (BigInt(`0x${verifierHex}`) + N).toString(16))).toBe(
      false,
    );
    expect(() => checkPassword('P', 'u', 'pw', '', verifierHex)).toThrow(TypeError);
    expect(() => checkPassword('P', 'u', 'pw', KAT.salt, 'not-hex')).toThrow(TypeError);
  });

  it('verifyPasswordClaim compares signatures with timingSafeEqual', async () => {
    const { verifyInput } = await clientServerRoundTrip({ poolName: 'P', userIdForSrp: 'u', password: 'pw' });
    timingSafeEqual.mockClear();
    expect(verifyPasswordClaim(verifyInput)).toBe(true);
    expect(timingSafeEqual).toHaveBeenCalledTimes(1);
  });
});

describe('SRP timestamps', () => {
  it('formats like Amplify getNowString (day not padded, h/m/s padded, UTC)', () => {
    expect(formatSrpTimestamp(new Date(Date.UTC(2025, 2, 4, 9, 5, 7)))).toBe('Tue Mar 4 09:05:07 UTC 2025');
    expect(formatSrpTimestamp(new Date(Date.UTC(2026, 10, 28, 13, 19, 42)))).toBe('Sat Nov 28 13:19:42 UTC 2026');
    expect(formatSrpTimestamp(new Date(Date.UTC(2024, 1, 29, 0, 0, 0)))).toBe('Thu Feb 29 00:00:00 UTC 2024');
    expect(formatSrpTimestamp(new Date(Date.UTC(2030, 11, 31, 23, 59, 59, 999)))).toBe('Tue Dec 31 23:59:59 UTC 2030');
  });

  it('matches Amplify getNowString for the current time', () => {
    vi.useFakeTimers();
    try {
      for (const t of [Date.UTC(2025, 0, 1, 0, 0, 0), Date.UTC(2027, 6, 15, 7, 8, 9), Date.now()]) {
        vi.setSystemTime(t);
        expect(formatSrpTimestamp(new Date())).toBe(amplify.getNowString());
      }
    } finally {
      vi.useRealTimers();
    }
  });

  it('parses what it formats and rejects malformed / impossible values', () => {
    const d = new Date(Date.UTC(2025, 2, 4, 9, 5, 7));
    expect(parseSrpTimestamp('Tue Mar 4 09:05:07 UTC 2025')?.getTime()).toBe(d.getTime());
    expect(parseSrpTimestamp('Tue Mar 04 09:05:07 UTC 2025')?.getTime()).toBe(d.getTime());
    const now = new Date(Math.floor(Date.now() / 1000) * 1000);
    expect(parseSrpTimestamp(formatSrpTimestamp(now))?.getTime()).toBe(now.getTime());
    for (const bad of [
      '',
      'Tue Mar 4 09:05:07 GMT 2025',
      'Tue Mar 4 09:05:07 2025',
      'tue mar 4 09:05:07 UTC 2025',
      'Tue Foo 4 09:05:07 UTC 2025',
      'Tue Feb 30 09:05:07 UTC 2025',
      'Tue Mar 0 09:05:07 UTC 2025',
      'Tue Mar 4 24:00:00 UTC 2025',
      'Tue Mar 4 09:60:07 UTC 2025',
      'Tue Mar 4 09:05:60 UTC 2025',
      'Tue Mar 4 09:05:07 UTC 25',
      ' Tue Mar 4 09:05:07 UTC 2025',
      '2025-03-04T09:05:07Z',
    ]) {
      expect(parseSrpTimestamp(bad), bad).toBeUndefined();
    }
    expect(parseSrpTimestamp(undefined as unknown as string)).toBeUndefined();
  });
});

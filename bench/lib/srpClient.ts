/**
 * The client half of Cognito SRP for the load generator, with the 3072-bit exponentiations in
 * OpenSSL (node:crypto DiffieHellman) instead of JavaScript BigInt, the same technique the server
 * uses (packages/server/src/security/srp.ts). Output is byte-for-byte what Amplify / @latchkey/auth
 * computes; the bench checks it against the real @latchkey/auth client once per setup.
 *
 * What is precomputed outside the measured path:
 *  - per user: x and the verifier g^x (they depend only on salt, user id and password);
 *  - a pool of client ephemerals (a, A = g^a), reused round-robin. Reusing an ephemeral is not what a
 *    real client may do, but the server neither knows nor cares (it draws a fresh b each time), so its
 *    work is unchanged. `a` is 32 bytes (the server's own b size) rather than Amplify's 128: this only
 *    shortens the client's exponent and does not change anything the server computes.
 * What remains per sign-in (client side): u = H(A‖B), S = (B − k·v)^(a + u·x) mod N (one OpenSSL
 * modexp with a ~512-bit exponent), HKDF, HMAC.
 */
import { createDiffieHellman, createHash, createHmac, randomBytes } from 'node:crypto';
import {
  SRP_G as G,
  SRP_K_INPUT_HEX,
  SRP_N as N,
  SRP_N_BYTES as N_BYTES,
  SRP_N_HEX,
  formatSrpTimestamp,
  pad,
  srpHkdfInfo,
} from '@latchkey/wire';

const INFO = srpHkdfInfo();
const hashHex = (hex: string) => createHash('sha256').update(Buffer.from(hex, 'hex')).digest('hex');
const toBytes = (x: bigint) => {
  let h = x.toString(16);
  if (h.length % 2) h = `0${h}`;
  return Buffer.from(h, 'hex');
};
const fromBytes = (b: Buffer) => BigInt(`0x${b.toString('hex') || '0'}`);
const hmac = (key: Uint8Array, data: Uint8Array) => createHmac('sha256', key).update(data).digest();

const K = BigInt(`0x${hashHex(SRP_K_INPUT_HEX)}`);
const dh = createDiffieHellman(Buffer.from(SRP_N_HEX, 'hex'), Buffer.from([Number(G)]));

function powG(e: bigint): bigint {
  dh.setPrivateKey(toBytes(e));
  return fromBytes(dh.generateKeys());
}
function pow(base: bigint, e: bigint): bigint {
  dh.setPrivateKey(toBytes(e));
  return fromBytes(dh.computeSecret(Buffer.from(base.toString(16).padStart(N_BYTES * 2, '0'), 'hex')));
}

export interface Ephemeral {
  a: bigint;
  A: bigint;
  srpA: string;
}

export function makeEphemeral(bytes = 32): Ephemeral {
  const a = fromBytes(randomBytes(bytes));
  const A = powG(a);
  return { a, A, srpA: A.toString(16) };
}

/** Per-user precomputation: x and v = g^x (known once the salt has been seen). */
export interface SrpUserKey {
  userIdForSrp: string;
  saltHex: string;
  x: bigint;
  v: bigint;
}

export function userKey(poolName: string, userIdForSrp: string, password: string, saltHex: string): SrpUserKey {
  const inner = createHash('sha256').update(`${poolName}${userIdForSrp}:${password}`, 'utf8').digest('hex');
  const x = BigInt(`0x${hashHex(pad(BigInt(`0x${saltHex}`)) + inner)}`);
  return { userIdForSrp, saltHex, x, v: powG(x) };
}

/** PASSWORD_VERIFIER answer fields (besides USERNAME). */
export function passwordClaim(poolName: string, key: SrpUserKey, eph: Ephemeral, srpB: string, secretBlock: string, date = new Date()) {
  const B = BigInt(`0x${srpB}`);
  const u = BigInt(`0x${hashHex(pad(eph.A) + pad(B))}`);
  const base = (((B - K * key.v) % N) + N) % N;
  const S = pow(base, eph.a + u * key.x);
  const prk = hmac(Buffer.from(pad(u), 'hex'), Buffer.from(pad(S), 'hex'));
  const k16 = hmac(prk, INFO).subarray(0, 16);
  const TIMESTAMP = formatSrpTimestamp(date);
  const sig = hmac(
    k16,
    Buffer.concat([
      Buffer.from(poolName, 'utf8'),
      Buffer.from(key.userIdForSrp, 'utf8'),
      Buffer.from(secretBlock, 'base64'),
      Buffer.from(TIMESTAMP, 'utf8'),
    ]),
  );
  return { PASSWORD_CLAIM_SIGNATURE: sig.toString('base64'), PASSWORD_CLAIM_SECRET_BLOCK: secretBlock, TIMESTAMP };
}

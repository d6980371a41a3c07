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

const N_HEX =
  'FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD1' +
  '29024E088A67CC74020BBEA63B139B22514A08798E3404DD' +
  'EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245' +
  'E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED' +
  'EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3D' +
  'C2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F' +
  '83655D23DCA3AD961C62F356208552BB9ED529077096966D' +
  '670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B' +
  'E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9' +
  'DE2BCBF6955817183995497CEA956AE515D2261898FA0510' +
  '15728E5A8AAAC42DAD33170D04507A33A85521ABDF1CBA64' +
  'ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7' +
  'ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6B' +
  'F12FFA06D98A0864D87602733EC86A64521F2B18177B200C' +
  'BBE117577A615D6C770988C0BAD946E208E24FA074E5AB31' +
  '43DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF';
const N = BigInt(`0x${N_HEX}`);
const N_BYTES = N_HEX.length / 2;
const G = 2n;
const WEEK = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTH = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const INFO = Buffer.concat([Buffer.from('Caldera Derived Key', 'utf8'), Buffer.from([1])]);

function pad(x: bigint): string {
  let h = x.toString(16);
  if (h.length % 2 !== 0) h = `0${h}`;
  return /^[89a-f]/.test(h) ? `00${h}` : h;
}
const hashHex = (hex: string) => createHash('sha256').update(Buffer.from(hex, 'hex')).digest('hex');
const toBytes = (x: bigint) => {
  let h = x.toString(16);
  if (h.length % 2) h = `0${h}`;
  return Buffer.from(h, 'hex');
};
const fromBytes = (b: Buffer) => BigInt(`0x${b.toString('hex') || '0'}`);
const hmac = (key: Uint8Array, data: Uint8Array) => createHmac('sha256', key).update(data).digest();

const K = BigInt(`0x${hashHex(pad(N) + pad(G))}`);
const dh = createDiffieHellman(Buffer.from(N_HEX, 'hex'), Buffer.from([2]));

function powG(e: bigint): bigint {
  dh.setPrivateKey(toBytes(e));
  return fromBytes(dh.generateKeys());
}
function pow(base: bigint, e: bigint): bigint {
  dh.setPrivateKey(toBytes(e));
  return fromBytes(dh.computeSecret(Buffer.from(base.toString(16).padStart(N_BYTES * 2, '0'), 'hex')));
}

export function formatTimestamp(d: Date): string {
  const two = (n: number) => String(n).padStart(2, '0');
  return `${WEEK[d.getUTCDay()]} ${MONTH[d.getUTCMonth()]} ${d.getUTCDate()} ${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())} UTC ${d.getUTCFullYear()}`;
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
  const TIMESTAMP = formatTimestamp(date);
  const sig = hmac(k16, Buffer.concat([
    Buffer.from(poolName, 'utf8'), Buffer.from(key.userIdForSrp, 'utf8'), Buffer.from(secretBlock, 'base64'), Buffer.from(TIMESTAMP, 'utf8'),
  ]));
  return { PASSWORD_CLAIM_SIGNATURE: sig.toString('base64'), PASSWORD_CLAIM_SECRET_BLOCK: secretBlock, TIMESTAMP };
}

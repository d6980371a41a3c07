/**
 * Cognito-compatible SRP-6a, client side (USER_SRP_AUTH and USER_AUTH `PASSWORD_SRP`), docs/wire-contract.md §3.2.
 * Byte-for-byte what Amplify's `AuthenticationHelper` + `getSignatureString` produce.
 *
 * Browser-compatible: BigInt arithmetic, WebCrypto (`globalThis.crypto.subtle`) for SHA-256/HMAC and
 * `crypto.getRandomValues` for the secret `a`; no `node:` imports, no Buffer.
 *
 * INTERNAL module of `@latchkey/auth` — not re-exported from the package entry point.
 */

import { base64UrlToArrayBuffer } from './base64url.js';

/** RFC 3526 3072-bit MODP prime (Amplify `INIT_N`). */
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
const G = 2n;
/** Size of the client secret `a`, as Amplify (`getRandomBytes(128)`). */
const A_SECRET_BYTES = 128;
const HEX_RE = /^[0-9a-fA-F]+$/;
const WEEK_NAMES = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTH_NAMES = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** Client ephemeral for one SRP sign-in. */
export interface SrpClientSession {
  /** Secret exponent (never sent). */
  a: bigint;
  /** `g^a mod N`. */
  A: bigint;
  /** `A.toString(16)` — lower-case, unpadded (may be odd length), exactly as Amplify sends `SRP_A`. */
  srpA: string;
}

// ---------------------------------------------------------------------------------------------
// helpers
// ---------------------------------------------------------------------------------------------

/** `getPaddedHex` for non-negative integers: even length, `00` prefix when the top bit is set. */
function pad(x: bigint): string {
  let h = x.toString(16);
  if (h.length % 2 !== 0) h = `0${h}`;
  return /^[89a-f]/.test(h) ? `00${h}` : h;
}

function parseHex(hex: string, what: string): bigint {
  if (typeof hex !== 'string' || !HEX_RE.test(hex)) throw new Error(`SRP: ${what} is not a hex string`);
  return BigInt(`0x${hex}`);
}

function hexToBytes(hex: string): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return out;
}

function bytesToHex(bytes: Uint8Array): string {
  let s = '';
  for (const byte of bytes) s += byte.toString(16).padStart(2, '0');
  return s;
}

function utf8(s: string): Uint8Array<ArrayBuffer> {
  return new TextEncoder().encode(s);
}

function concatBytes(...parts: Uint8Array[]): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

/** Like Amplify's `urlB64ToUint8Array`: URL-safe alphabet and missing padding tolerated. */
function base64ToBytes(b64: string): Uint8Array<ArrayBuffer> {
  try {
    return new Uint8Array(base64UrlToArrayBuffer(b64));
  } catch {
    throw new Error('SRP: SECRET_BLOCK is not valid base64');
  }
}

function bytesToBase64(bytes: Uint8Array): string {
  let bin = '';
  for (const byte of bytes) bin += String.fromCharCode(byte);
  return btoa(bin);
}

function subtle(): SubtleCrypto {
  const s = globalThis.crypto?.subtle;
  if (!s) throw new Error('SRP: WebCrypto (crypto.subtle) is not available in this environment');
  return s;
}

async function sha256(data: Uint8Array<ArrayBuffer>): Promise<Uint8Array<ArrayBuffer>> {
  return new Uint8Array(await subtle().digest('SHA-256', data));
}

/** SHA-256 of the bytes a hex string encodes, as 64 hex chars. */
async function hashHex(hex: string): Promise<string> {
  return bytesToHex(await sha256(hexToBytes(hex)));
}

async function hmacSha256(key: Uint8Array<ArrayBuffer>, data: Uint8Array<ArrayBuffer>): Promise<Uint8Array<ArrayBuffer>> {
  const k = await subtle().importKey('raw', key, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  return new Uint8Array(await subtle().sign('HMAC', k, data));
}

/**
 * `base^exp mod m` on BigInt. Base 2 (the SRP generator) uses shifts, i.e. essentially only squarings;
 * other bases use a left-to-right sliding window (width 5 → 16 precomputed odd powers).
 */
function modPow(base: bigint, exp: bigint, m: bigint = N): bigint {
  if (exp < 0n) throw new RangeError('SRP: negative exponent');
  const b = ((base % m) + m) % m;
  if (exp === 0n) return 1n % m;
  if (b === 0n || b === 1n) return b;
  const bits = exp.toString(2);
  if (b === 2n) {
    // Process 6 bits at a time: r = r^(2^w) · 2^window.
    const W = 6;
    let r = 1n;
    let i = 0;
    const first = bits.length % W || W;
    r = (r << BigInt(parseInt(bits.slice(0, first), 2))) % m;
    i = first;
    for (; i < bits.length; i += W) {
      for (let j = 0; j < W; j++) r = (r * r) % m;
      r = (r << BigInt(parseInt(bits.slice(i, i + W), 2))) % m;
    }
    return r;
  }
  const W = 5;
  // odd[i] = b^(2i+1)
  const b2 = (b * b) % m;
  const odd: bigint[] = [b];
  for (let i = 1; i < 1 << (W - 1); i++) odd.push((odd[i - 1] * b2) % m);
  let r = 1n;
  let i = 0;
  while (i < bits.length) {
    if (bits[i] === '0') {
      r = (r * r) % m;
      i++;
      continue;
    }
    // Longest window of ≤ W bits starting at i that ends in a 1.
    let j = Math.min(i + W, bits.length);
    while (bits[j - 1] === '0') j--;
    const val = parseInt(bits.slice(i, j), 2);
    for (let s = i; s < j; s++) r = (r * r) % m;
    r = (r * odd[(val - 1) >> 1]) % m;
    i = j;
  }
  return r;
}

let kPromise: Promise<bigint> | undefined;
/** `k = H(pad(N) ‖ pad(g))`, computed once. */
function multiplierK(): Promise<bigint> {
  kPromise ??= hashHex(pad(N) + pad(G)).then((h) => BigInt(`0x${h}`));
  return kPromise;
}

/** Amplify `getNowString` format: `"Tue Mar 4 09:05:07 UTC 2025"`. */
function formatTimestamp(d: Date): string {
  const two = (n: number) => String(n).padStart(2, '0');
  return (
    `${WEEK_NAMES[d.getUTCDay()]} ${MONTH_NAMES[d.getUTCMonth()]} ${d.getUTCDate()} ` +
    `${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())} UTC ${d.getUTCFullYear()}`
  );
}

// ---------------------------------------------------------------------------------------------
// API
// ---------------------------------------------------------------------------------------------

/**
 * Creates the client ephemeral: `a` = 128 random bytes (`crypto.getRandomValues`), `A = g^a mod N`.
 *
 * @param aHex fixed secret, for known-answer tests only.
 * @throws Error if `aHex` is not a hex string, if `crypto.getRandomValues` is unavailable, or if
 *   `A mod N = 0` (impossible for a non-degenerate `a`).
 */
export function createSrpClientSession(aHex?: string): SrpClientSession {
  let a: bigint;
  if (aHex !== undefined) {
    a = parseHex(aHex, 'a');
  } else {
    if (typeof globalThis.crypto?.getRandomValues !== 'function') {
      throw new Error('SRP: crypto.getRandomValues is not available in this environment');
    }
    a = BigInt(`0x${bytesToHex(globalThis.crypto.getRandomValues(new Uint8Array(A_SECRET_BYTES)))}`);
  }
  const A = modPow(G, a);
  if (A % N === 0n) throw new Error('Illegal parameter. A mod N cannot be 0.');
  return { a, A, srpA: A.toString(16) };
}

/**
 * Answers the `PASSWORD_VERIFIER` challenge: computes `S = (B − k·g^x)^(a + u·x) mod N`, the HKDF key
 * and the signature over `poolName ‖ userIdForSrp ‖ base64decode(secretBlock) ‖ TIMESTAMP`.
 *
 * @param input.poolName the part of the `userPoolId` after `_`.
 * @param input.userIdForSrp `ChallengeParameters.USER_ID_FOR_SRP` (not what the user typed).
 * @param input.srpB / input.salt `SRP_B` / `SALT` hex, parsed as integers (leading zeros irrelevant).
 * @param input.secretBlock `SECRET_BLOCK`, echoed verbatim as `PASSWORD_CLAIM_SECRET_BLOCK`.
 * @param input.date clock for `TIMESTAMP` (default now).
 * @returns the three `ChallengeResponses` fields besides `USERNAME` (which must be `userIdForSrp`).
 * @throws Error if `srpB`/`salt` are not hex, `secretBlock` is not base64, `B mod N = 0` or `u = 0`
 *   (messages as Amplify: `B cannot be zero.`, `U cannot be zero.`).
 */
export async function computePasswordClaim(input: {
  session: SrpClientSession;
  poolName: string;
  userIdForSrp: string;
  password: string;
  srpB: string;
  salt: string;
  secretBlock: string;
  date?: Date;
}): Promise<{ PASSWORD_CLAIM_SIGNATURE: string; PASSWORD_CLAIM_SECRET_BLOCK: string; TIMESTAMP: string }> {
  const { session, poolName, userIdForSrp, password, secretBlock } = input;
  const B = parseHex(input.srpB, 'SRP_B');
  const salt = parseHex(input.salt, 'SALT');
  if (B % N === 0n) throw new Error('B cannot be zero.');
  const secretBytes = base64ToBytes(secretBlock);

  const u = BigInt(`0x${await hashHex(pad(session.A) + pad(B))}`);
  if (u === 0n) throw new Error('U cannot be zero.');
  const inner = bytesToHex(await sha256(utf8(`${poolName}${userIdForSrp}:${password}`)));
  const x = BigInt(`0x${await hashHex(pad(salt) + inner)}`);
  const k = await multiplierK();

  const base = (((B - k * modPow(G, x)) % N) + N) % N;
  const S = modPow(base, session.a + u * x);

  const prk = await hmacSha256(hexToBytes(pad(u)), hexToBytes(pad(S)));
  const key = (await hmacSha256(prk, concatBytes(utf8('Caldera Derived Key'), new Uint8Array([1])))).slice(0, 16);

  const TIMESTAMP = formatTimestamp(input.date ?? new Date());
  const signature = await hmacSha256(key, concatBytes(utf8(poolName), utf8(userIdForSrp), secretBytes, utf8(TIMESTAMP)));
  return {
    PASSWORD_CLAIM_SIGNATURE: bytesToBase64(signature),
    PASSWORD_CLAIM_SECRET_BLOCK: secretBlock,
    TIMESTAMP,
  };
}

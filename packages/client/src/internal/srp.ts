/**
 * Cognito-compatible SRP-6a, client side (USER_SRP_AUTH and USER_AUTH `PASSWORD_SRP`), docs/wire-contract.md §3.2.
 * Byte-for-byte what Amplify's `AuthenticationHelper` + `getSignatureString` produce.
 *
 * Browser-compatible: BigInt arithmetic, WebCrypto (`globalThis.crypto.subtle`) for SHA-256/HMAC and
 * `crypto.getRandomValues` for the secret `a`; no `node:` imports, no Buffer. The group, `pad`, the HKDF info
 * and the timestamp format are @latchkey/wire's, the same definitions the server checks against.
 *
 * INTERNAL module of `@latchkey/auth` — not re-exported from the package entry point.
 */

import { SRP_G as G, SRP_K_INPUT_HEX, SRP_N as N, decodeBase64urlLenient, formatSrpTimestamp, pad, srpHkdfInfo } from '@latchkey/wire';

/** Size of the client secret `a`, as Amplify (`getRandomBytes(128)`). */
const A_SECRET_BYTES = 128;
const HEX_RE = /^[0-9a-fA-F]+$/;

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
    return decodeBase64urlLenient(b64);
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
  kPromise ??= hashHex(SRP_K_INPUT_HEX).then((h) => BigInt(`0x${h}`));
  return kPromise;
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
  const key = (await hmacSha256(prk, srpHkdfInfo())).slice(0, 16);

  const TIMESTAMP = formatSrpTimestamp(input.date ?? new Date());
  const signature = await hmacSha256(key, concatBytes(utf8(poolName), utf8(userIdForSrp), secretBytes, utf8(TIMESTAMP)));
  return {
    PASSWORD_CLAIM_SIGNATURE: bytesToBase64(signature),
    PASSWORD_CLAIM_SECRET_BLOCK: secretBlock,
    TIMESTAMP,
  };
}

/**
 * A new device's secret, as aws-amplify's `generateHashDevice` + `getNewDeviceMetadata` make it for
 * ConfirmDevice: a random device password (40 random bytes, base64), a 16-byte random salt, and
 * `v = g^x` with `x = H(pad(salt) ‖ hexH(utf8(deviceGroupKey ‖ deviceKey ‖ ":" ‖ password)))`; `Salt` and
 * `PasswordVerifier` are the padded big-endian bytes in standard base64. The device's later
 * DEVICE_PASSWORD_VERIFIER claim is {@link computePasswordClaim} with `poolName = deviceGroupKey`,
 * `userIdForSrp = deviceKey` and this password.
 * @throws Error if `crypto.getRandomValues` is unavailable.
 */
export async function createDeviceSecret(
  deviceGroupKey: string,
  deviceKey: string,
): Promise<{ randomPassword: string; PasswordVerifier: string; Salt: string }> {
  if (typeof globalThis.crypto?.getRandomValues !== 'function') {
    throw new Error('SRP: crypto.getRandomValues is not available in this environment');
  }
  const randomPassword = bytesToBase64(globalThis.crypto.getRandomValues(new Uint8Array(40)));
  const saltHex = pad(BigInt(`0x${bytesToHex(globalThis.crypto.getRandomValues(new Uint8Array(16)))}`));
  const inner = bytesToHex(await sha256(utf8(`${deviceGroupKey}${deviceKey}:${randomPassword}`)));
  const x = BigInt(`0x${await hashHex(saltHex + inner)}`);
  const verifierHex = pad(modPow(G, x));
  return { randomPassword, PasswordVerifier: bytesToBase64(hexToBytes(verifierHex)), Salt: bytesToBase64(hexToBytes(saltHex)) };
}

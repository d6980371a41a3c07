/**
 * Cognito-compatible SRP-6a (the `USER_SRP_AUTH` / `PASSWORD_SRP` → `PASSWORD_VERIFIER` exchange),
 * server side. docs/wire-contract.md §3.2 / §3.4.
 *
 * Parameters exactly as Amplify's client computes them:
 * - `N` = RFC 3526 3072-bit MODP prime, `g` = 2, `H` = SHA-256.
 * - `pad(x)` = Java `BigInteger.toByteArray()`-style hex: even length, `00` prepended when the first
 *   nibble is ≥ 8. Every integer that is hashed goes through `pad()` of the *integer* (so a salt whose
 *   first byte is `0x00` hashes the same on both sides even though the client parses `SALT` as a number).
 * - `k = H(pad(N) ‖ pad(g))`, `x = H(pad(salt) ‖ hexH(utf8(poolName ‖ userIdForSrp ‖ ":" ‖ password)))`,
 *   `v = g^x`, `B = (k·v + g^b) mod N`, `u = H(pad(A) ‖ pad(B))`, `S = (A·v^u)^b mod N`.
 * - HKDF-SHA256 with salt `pad(u)`, IKM `pad(S)`, info `srpHkdfInfo()` ("Caldera Derived Key" ‖ 0x01), 16 bytes.
 * - Signature = `base64(HMAC-SHA256(K, poolName ‖ userIdForSrp ‖ base64decode(SECRET_BLOCK) ‖ TIMESTAMP))`.
 *
 * N, g, `pad`, the HKDF info and the timestamp format are @latchkey/wire's, shared with the client and bench.
 *
 * Performance: every 3072-bit modular exponentiation runs in OpenSSL through a `DiffieHellman` object
 * (`setPrivateKey(e)` + `generateKeys()` = `g^e mod N`, `setPrivateKey(e)` + `computeSecret(x)` =
 * `x^e mod N`). OpenSSL refuses "public keys" ≤ 1 and ≥ N−1 in `computeSecret`; those degenerate bases
 * (and the exponent 0) are handled with BigInt arithmetic, which is trivial for them. BigInt is used only
 * for the cheap multiplications/additions mod N. All of this is synchronous, so sharing one
 * `DiffieHellman` object per process (per worker thread) is safe.
 */
import { createDiffieHellman, createHmac, randomBytes, timingSafeEqual, type DiffieHellman } from 'node:crypto';
import { SRP_G, SRP_K_INPUT_HEX, SRP_N, SRP_N_BYTES, SRP_N_HEX, decodeBase64urlLenient, pad, srpHkdfInfo } from '@latchkey/wire';
import { sha256Hex } from './secrets.js';

const N = SRP_N;
const G = SRP_G;
const N_BYTES = SRP_N_BYTES;

// 256-bit ephemeral exponent: the 128-bit security level of the 3072-bit group needs no more, and
// g^b with a 32-byte b costs a quarter of a 128-byte one (1.2 ms vs 4.0 ms measured).
const B_SECRET_BYTES = 32;
/** Size of a freshly generated salt. */
const SALT_BYTES = 16;
/** Upper bound on the length of SRP_A accepted from a client (A < N is 768 hex chars). */
const MAX_SRP_A_HEX_CHARS = 1024;
const HKDF_INFO = srpHkdfInfo();
const HEX_RE = /^[0-9a-fA-F]+$/;
const SIGNATURE_RE = /^[A-Za-z0-9+/]{43}=?$/;

// ---------------------------------------------------------------------------------------------
// Integer / encoding helpers
// ---------------------------------------------------------------------------------------------

/** Parses a hex string (no `0x`, non-empty) or returns undefined. */
function parseHex(hex: string): bigint | undefined {
  if (typeof hex !== 'string' || !HEX_RE.test(hex)) return undefined;
  return BigInt(`0x${hex}`);
}

/** Parses server-side (trusted, stored) hex; throws TypeError naming the field when malformed. */
function parseStoredHex(hex: string, what: string): bigint {
  const v = parseHex(hex);
  if (v === undefined) throw new TypeError(`SRP: ${what} is not a non-empty hex string`);
  return v;
}

/** Minimal big-endian bytes of a non-negative integer (at least one byte). */
function toBytes(x: bigint): Buffer {
  let h = x.toString(16);
  if (h.length % 2 !== 0) h = `0${h}`;
  return Buffer.from(h, 'hex');
}

/** Big-endian bytes left-padded to the length of N; x must be in [0, N). */
function toFixedBytes(x: bigint): Buffer {
  return Buffer.from(x.toString(16).padStart(N_BYTES * 2, '0'), 'hex');
}

function fromBytes(buf: Uint8Array): bigint {
  return buf.length === 0 ? 0n : BigInt(`0x${Buffer.from(buf).toString('hex')}`);
}

/**
 * A verifier no password matches, for stand-ins of unknown users: random mod N, so it costs no
 * exponentiation (a real user's InitiateAuth computes none either, keeping the two indistinguishable).
 */
export function randomVerifierHex(): string {
  return toFixedBytes(fromBytes(randomBytes(N_BYTES)) % N).toString('hex');
}

/** SHA-256 of the bytes a hex string encodes, as 64 lower-case hex chars. */
function hashHex(hex: string): string {
  return sha256Hex(Buffer.from(hex, 'hex'));
}

function hmacSha256(key: Uint8Array, data: Uint8Array): Buffer {
  return createHmac('sha256', key).update(data).digest();
}

/** Decoded as the client decodes it before signing; undefined when no client would have signed it. */
function decodeSecretBlock(b64: string): Uint8Array | undefined {
  try {
    return decodeBase64urlLenient(b64);
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------------------------------------
// Modular exponentiation: OpenSSL via DiffieHellman, BigInt only for degenerate cases
// ---------------------------------------------------------------------------------------------

let dhInstance: DiffieHellman | undefined;

function dh(): DiffieHellman {
  dhInstance ??= createDiffieHellman(Buffer.from(SRP_N_HEX, 'hex'), Buffer.from([Number(G)]));
  return dhInstance;
}

/** Reference square-and-multiply (slow for 3072 bits; used for degenerate inputs and in tests). */
function modPowBigInt(base: bigint, exp: bigint, mod: bigint = N): bigint {
  let b = ((base % mod) + mod) % mod;
  let e = exp;
  let r = 1n % mod;
  while (e > 0n) {
    if (e & 1n) r = (r * b) % mod;
    b = (b * b) % mod;
    e >>= 1n;
  }
  return r;
}

/** `g^e mod N` in OpenSSL. */
function modPowG(exp: bigint): bigint {
  if (exp < 0n) throw new RangeError('SRP: negative exponent');
  if (exp === 0n) return 1n;
  const d = dh();
  d.setPrivateKey(toBytes(exp));
  return fromBytes(d.generateKeys());
}

/** `base^e mod N` in OpenSSL; OpenSSL rejects bases ≤ 1 and ≥ N−1, which are done in BigInt. */
function modPowN(base: bigint, exp: bigint): bigint {
  if (exp < 0n) throw new RangeError('SRP: negative exponent');
  const b = ((base % N) + N) % N;
  if (exp === 0n || b <= 1n || b >= N - 1n) return modPowBigInt(b, exp);
  const d = dh();
  d.setPrivateKey(toBytes(exp));
  return fromBytes(d.computeSecret(toFixedBytes(b)));
}

// ---------------------------------------------------------------------------------------------
// SRP building blocks
// ---------------------------------------------------------------------------------------------

/** `k = H(pad(N) ‖ pad(g))`. */
function computeK(): bigint {
  return BigInt(`0x${hashHex(SRP_K_INPUT_HEX)}`);
}

const K_MULTIPLIER = computeK();

/** `x = H(pad(salt) ‖ hexH(utf8(poolName ‖ userIdForSrp ‖ ":" ‖ password)))`. */
function computeX(poolName: string, userIdForSrp: string, password: string, salt: bigint): bigint {
  const inner = sha256Hex(Buffer.from(`${poolName}${userIdForSrp}:${password}`, 'utf8'));
  return BigInt(`0x${hashHex(pad(salt) + inner)}`);
}

/** `v = g^x mod N`. */
function computeVerifier(x: bigint): bigint {
  return modPowG(x);
}

/** `B = (k·v + g^b) mod N`. */
function computeB(v: bigint, b: bigint): bigint {
  return (K_MULTIPLIER * v + modPowG(b)) % N;
}

/** `u = H(pad(A) ‖ pad(B))` with A and B as the integers the peers exchanged (not reduced). */
function computeU(A: bigint, B: bigint): bigint {
  return BigInt(`0x${hashHex(pad(A) + pad(B))}`);
}

/** Server premaster secret `S = (A·v^u)^b mod N`. */
function computeServerS(A: bigint, v: bigint, u: bigint, b: bigint): bigint {
  const base = ((A % N) * modPowN(v, u)) % N;
  return modPowN(base, b);
}

/** HKDF-SHA256(salt = pad(u), ikm = pad(S), info = srpHkdfInfo()) → 16 bytes. */
function deriveKey(S: bigint, u: bigint): Buffer {
  const prk = hmacSha256(Buffer.from(pad(u), 'hex'), Buffer.from(pad(S), 'hex'));
  return hmacSha256(prk, HKDF_INFO).subarray(0, 16);
}

/** Raw 32-byte `HMAC-SHA256(K, poolName ‖ userIdForSrp ‖ secretBlock ‖ timestamp)`. */
function computeSignature(key: Uint8Array, poolName: string, userIdForSrp: string, secretBlock: Uint8Array, timestamp: string): Buffer {
  return hmacSha256(
    key,
    Buffer.concat([Buffer.from(poolName, 'utf8'), Buffer.from(userIdForSrp, 'utf8'), secretBlock, Buffer.from(timestamp, 'utf8')]),
  );
}

/**
 * INTERNAL — exported only so tests and benchmarks can pin intermediate values of the known-answer
 * vector and compare the OpenSSL path with plain BigInt. Not part of the server's API; do not use
 * from operation code.
 */
export const srpInternals = {
  N,
  g: G,
  k: K_MULTIPLIER,
  bSecretBytes: B_SECRET_BYTES,
  computeK,
  computeX,
  computeVerifier,
  computeB,
  computeU,
  computeServerS,
  deriveKey,
  computeSignature,
  modPowG,
  modPowN,
  modPowBigInt,
} as const;

// ---------------------------------------------------------------------------------------------
// Public API
// ---------------------------------------------------------------------------------------------

/**
 * Registration / password change: the verifier is what Latchkey stores instead of a password.
 *
 * `poolName` is the part of the user-pool id after `_` (what the client derives from its configured
 * `userPoolId`); `userIdForSrp` is the value sent as `USER_ID_FOR_SRP` (never an alias). When `saltHex`
 * is absent a random 16-byte salt is generated. The returned `saltHex` is the salt exactly as given /
 * generated (leading zero bytes kept — harmless, since both sides hash `pad()` of the integer) and is
 * what goes into `ChallengeParameters.SALT`. `verifierHex` is `v` as 768 lower-case hex chars (fixed
 * width, zero-padded).
 *
 * @throws TypeError if `saltHex` is given but is not a non-empty hex string.
 */
export function createVerifier(
  poolName: string,
  userIdForSrp: string,
  password: string,
  saltHex?: string,
): { saltHex: string; verifierHex: string } {
  const salt = saltHex ?? randomBytes(SALT_BYTES).toString('hex');
  const x = computeX(poolName, userIdForSrp, password, parseStoredHex(salt, 'saltHex'));
  return { saltHex: salt, verifierHex: toFixedBytes(computeVerifier(x)).toString('hex') };
}

/**
 * USER_PASSWORD_AUTH (and `PASSWORD` in USER_AUTH): recomputes `v` from the password and compares it
 * with the stored verifier in constant time (`crypto.timingSafeEqual` on two 384-byte buffers).
 *
 * @returns true iff `password` produces `verifierHex` for this pool / user / salt.
 * @throws TypeError if the stored `saltHex` or `verifierHex` is not a non-empty hex string
 *   (corrupt storage, not a wrong password).
 */
export function checkPassword(poolName: string, userIdForSrp: string, password: string, saltHex: string, verifierHex: string): boolean {
  const salt = parseStoredHex(saltHex, 'saltHex');
  const stored = parseStoredHex(verifierHex, 'verifierHex');
  const computed = computeVerifier(computeX(poolName, userIdForSrp, password, salt));
  // Out-of-range stored value can never match; still compare equal-length buffers.
  const storedBuf = stored < N ? toFixedBytes(stored) : Buffer.alloc(N_BYTES, 0xff);
  return timingSafeEqual(toFixedBytes(computed), storedBuf) && stored < N;
}

/**
 * Validates a client's `SRP_A`: hex digits only (either case, leading zeros allowed), non-empty,
 * at most 1024 hex chars, and `A mod N ≠ 0` (rejects A = 0, N, 2N, …). Never throws.
 */
export function isValidSrpA(srpAHex: string): boolean {
  if (typeof srpAHex !== 'string' || srpAHex.length === 0 || srpAHex.length > MAX_SRP_A_HEX_CHARS) return false;
  const A = parseHex(srpAHex);
  return A !== undefined && A % N !== 0n;
}

/**
 * InitiateAuth (USER_SRP_AUTH / PASSWORD_SRP): creates the server ephemeral. `b` is 128 random bytes
 * (1024 bits, as in the contract's reference code), `B = (k·v + g^b) mod N`, re-drawn in the
 * (astronomically unlikely) case `B mod N = 0`.
 *
 * @returns `bHex` — the secret, 256 hex chars, to keep in the session state (never send it);
 *   `BHex` — `B.toString(16)`, lower-case, unpadded: the value for `ChallengeParameters.SRP_B`.
 * @throws TypeError if `verifierHex` is not a non-empty hex string.
 */
export function startSrpSession(verifierHex: string): { bHex: string; BHex: string } {
  const v = parseStoredHex(verifierHex, 'verifierHex') % N;
  for (;;) {
    const bBytes = randomBytes(B_SECRET_BYTES);
    const b = fromBytes(bBytes);
    if (b === 0n) continue;
    const B = computeB(v, b);
    if (B === 0n) continue;
    return { bHex: bBytes.toString('hex'), BHex: B.toString(16) };
  }
}

/** The server's state of one SRP exchange and the client's answer to it: what a password claim is checked against. */
export interface SrpProof {
  verifierHex: string;
  bHex: string;
  BHex: string;
  srpAHex: string;
  secretBlockB64: string;
  timestamp: string;
  signatureB64: string;
}

/** The SrpProof of a stored SRP state (`v`, `b`, `B`, `A`, as both sign-in flows keep it) and the client's answer. */
export function srpProof(
  st: { v: string; b: string; B: string; A: string },
  secretBlockB64: string,
  timestamp: string,
  signatureB64: string,
): SrpProof {
  return { verifierHex: st.v, bHex: st.b, BHex: st.B, srpAHex: st.A, secretBlockB64, timestamp, signatureB64 };
}

/**
 * RespondToAuthChallenge `PASSWORD_VERIFIER`: recomputes `S`, the HKDF key and the expected
 * `PASSWORD_CLAIM_SIGNATURE`, and compares it with the client's in constant time.
 *
 * Does NOT check the timestamp window — the caller does that with `parseSrpTimestamp` (@latchkey/wire); the
 * timestamp string is only signed here, byte for byte as the client sent it. `secretBlockB64` must be
 * the `PASSWORD_CLAIM_SECRET_BLOCK` the client echoed, decoded as the client does (`decodeBase64urlLenient`:
 * either alphabet, padding optional).
 *
 * @returns true iff the signature is right. Returns false (never throws) for anything the client
 *   controls being bad: invalid `srpAHex` (see {@link isValidSrpA}), a signature that is not the
 *   canonical standard base64 of 32 bytes (trailing `=` optional), a secret block the client could not have
 *   decoded, a wrong secret block / timestamp /
 *   user / pool / password; also false when `B mod N = 0` or `u = 0`.
 * @throws TypeError if the server-side state (`verifierHex`, `bHex`, `BHex`) is not non-empty hex.
 */
export function verifyPasswordClaim(input: { poolName: string; userIdForSrp: string } & SrpProof): boolean {
  const v = parseStoredHex(input.verifierHex, 'verifierHex');
  const b = parseStoredHex(input.bHex, 'bHex');
  const B = parseStoredHex(input.BHex, 'BHex');
  if (!isValidSrpA(input.srpAHex)) return false;
  if (B % N === 0n) return false;
  if (typeof input.signatureB64 !== 'string' || !SIGNATURE_RE.test(input.signatureB64)) return false;
  if (typeof input.secretBlockB64 !== 'string' || typeof input.timestamp !== 'string') return false;
  const A = BigInt(`0x${input.srpAHex}`);
  const u = computeU(A, B);
  if (u === 0n) return false;
  const secretBlock = decodeSecretBlock(input.secretBlockB64);
  if (!secretBlock) return false;
  const S = computeServerS(A, v % N, u, b);
  const expected = computeSignature(deriveKey(S, u), input.poolName, input.userIdForSrp, secretBlock, input.timestamp);
  // Compare the canonical base64 text (44 ASCII bytes each), so non-canonical encodings of the same
  // bytes are refused too; padding is optional on input.
  const given = Buffer.from(input.signatureB64.length === 43 ? `${input.signatureB64}=` : input.signatureB64, 'latin1');
  const want = Buffer.from(expected.toString('base64'), 'latin1');
  return given.length === want.length && timingSafeEqual(given, want);
}

// ---------------------------------------------------------------------------------------------
// Device SRP (DEVICE_SRP_AUTH → DEVICE_PASSWORD_VERIFIER)
// ---------------------------------------------------------------------------------------------

const B64_RE = /^[A-Za-z0-9+/]+={0,2}$/;
/** A device salt is 16 random bytes in aws-amplify (padded: 17 when the first is ≥ 0x80); allow up to 64. */
const MAX_DEVICE_SALT_BYTES = 64;

/**
 * ConfirmDevice's `DeviceSecretVerifierConfig` — `PasswordVerifier` and `Salt` in standard base64 of the
 * big-endian bytes (aws-amplify's `getNewDeviceMetadata`: `v = g^x` with
 * `x = H(pad(salt) ‖ hexH(utf8(DeviceGroupKey ‖ DeviceKey ‖ ":" ‖ devicePassword)))`, i.e. the user
 * formula with the group key as pool name and the device key as identity) — as the hex the device SRP
 * steps store. Returns undefined (never throws) unless the verifier is in (1, N−1) and the salt is 1 to
 * 64 bytes: a verifier of 0, 1 or N−1 would make the device's proof independent of its password.
 */
export function deviceVerifierFromConfig(verifierB64: string, saltB64: string): { saltHex: string; verifierHex: string } | undefined {
  if (typeof verifierB64 !== 'string' || typeof saltB64 !== 'string' || !B64_RE.test(verifierB64) || !B64_RE.test(saltB64))
    return undefined;
  const vBytes = Buffer.from(verifierB64, 'base64');
  const salt = Buffer.from(saltB64, 'base64');
  if (vBytes.length === 0 || vBytes.length > N_BYTES + 1 || salt.length === 0 || salt.length > MAX_DEVICE_SALT_BYTES) return undefined;
  const v = fromBytes(vBytes);
  if (v <= 1n || v >= N - 1n) return undefined;
  return { saltHex: salt.toString('hex'), verifierHex: toFixedBytes(v).toString('hex') };
}

/**
 * RespondToAuthChallenge `DEVICE_PASSWORD_VERIFIER`: {@link verifyPasswordClaim} with the device's identity —
 * `DeviceGroupKey` in the pool name's place and `DeviceKey` as the user id (aws-amplify's
 * `handleDevicePasswordVerifier`) — on the same OpenSSL arithmetic. Same contract: false for anything the
 * client controls being wrong, TypeError for corrupt server state.
 */
export function verifyDevicePasswordClaim(input: { deviceGroupKey: string; deviceKey: string } & SrpProof): boolean {
  const { deviceGroupKey, deviceKey, ...rest } = input;
  return verifyPasswordClaim({ poolName: deviceGroupKey, userIdForSrp: deviceKey, ...rest });
}

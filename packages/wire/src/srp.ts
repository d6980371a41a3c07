/**
 * The SRP-6a group and encoding rules Cognito's clients hash with (docs/wire-contract.md §3.2). Server,
 * client and bench must agree on every byte, so they all take them from here.
 */

/** RFC 3526 §4 3072-bit MODP group prime, upper-case hex: Amplify's `INIT_N` and node's `modp15`. */
export const SRP_N_HEX: string =
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

/** `N` as an integer. */
export const SRP_N: bigint = /* @__PURE__ */ BigInt(`0x${SRP_N_HEX}`);

/** The group generator `g`. */
export const SRP_G = 2n;

/** Byte length of `N` (384): the fixed width OpenSSL wants for bases and the size of a stored verifier. */
export const SRP_N_BYTES: number = SRP_N_HEX.length / 2;

/**
 * Amplify's `getPaddedHex` for non-negative integers: even length, and `00` in front when the top bit is
 * set, as Java's `BigInteger.toByteArray()`. Every integer that is hashed goes through it, so a salt or
 * `A` with a high first byte hashes with a leading zero byte on both sides. Never throws for x ≥ 0.
 */
export function pad(x: bigint): string {
  let h = x.toString(16);
  if (h.length % 2 !== 0) h = `0${h}`;
  return /^[89a-f]/.test(h) ? `00${h}` : h;
}

/** The hex whose SHA-256 is the multiplier `k = H(pad(N) ‖ pad(g))`. */
export const SRP_K_INPUT_HEX: string = /* @__PURE__ */ pad(SRP_N) + /* @__PURE__ */ pad(SRP_G);

/** HKDF `info` label of the password-claim key (followed by the counter byte 0x01, see {@link srpHkdfInfo}). */
export const SRP_HKDF_INFO = 'Caldera Derived Key';

/**
 * The single HKDF-Expand block input for a 16-byte key: `utf8("Caldera Derived Key") ‖ 0x01`. A fresh
 * array each call, so no caller can change another's copy. Never throws.
 */
export function srpHkdfInfo(): Uint8Array<ArrayBuffer> {
  const label = new TextEncoder().encode(SRP_HKDF_INFO);
  const out = new Uint8Array(label.length + 1);
  out.set(label);
  out[label.length] = 1;
  return out;
}

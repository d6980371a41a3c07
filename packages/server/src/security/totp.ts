import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * TOTP as authenticator apps and Cognito compute it (RFC 6238 over RFC 4226): HMAC-SHA-1, 6 digits,
 * 30-second steps from the Unix epoch, the secret shown to the user in base32 (RFC 4648, no padding).
 */
export const TOTP_DIGITS = 6;
export const TOTP_STEP_MS = 30_000;
/** Steps either side of the current one that are accepted (clock drift of the user's device). */
export const TOTP_WINDOW = 1;

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** RFC 4648 base32 without padding. */
export function base32Encode(bytes: Uint8Array): string {
  let out = '';
  let bits = 0;
  let value = 0;
  for (const b of bytes) {
    value = (value << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out += ALPHABET[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += ALPHABET[(value << (5 - bits)) & 31];
  return out;
}

/** RFC 4648 base32, case-insensitive, padding and spaces ignored. @throws Error on a character outside the alphabet. */
export function base32Decode(text: string): Buffer {
  const clean = text.replace(/[\s=]/g, '').toUpperCase();
  const out: number[] = [];
  let bits = 0;
  let value = 0;
  for (const ch of clean) {
    const i = ALPHABET.indexOf(ch);
    if (i < 0) throw new Error('invalid base32');
    value = ((value << 5) | i) & 0xffff;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

/** A new TOTP secret: 20 random bytes (160 bits, RFC 4226's recommendation), base32 (32 characters). */
export function newTotpSecret(): string {
  return base32Encode(randomBytes(20));
}

/** The time step an instant falls in. */
export const totpStep = (nowMs: number): number => Math.floor(nowMs / TOTP_STEP_MS);

/** The code of one time step (RFC 4226 dynamic truncation). */
export function totpCode(secretBase32: string, step: number): string {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const mac = createHmac('sha1', base32Decode(secretBase32)).update(counter).digest();
  const offset = mac[mac.length - 1]! & 0x0f;
  const bin = (mac.readUInt32BE(offset) & 0x7fffffff) % 10 ** TOTP_DIGITS;
  return String(bin).padStart(TOTP_DIGITS, '0');
}

/**
 * Checks a code against the steps around `nowMs` (±TOTP_WINDOW). Every candidate is compared in
 * constant time and all are computed whatever matches, so timing tells nothing about which step.
 * Returns the matching step, or undefined. Steps at or before `afterStep` never match: the caller
 * stores the last accepted step, so a code is accepted at most once (and no older code after it).
 */
export function matchTotp(secretBase32: string, code: string, nowMs: number, afterStep = -1): number | undefined {
  if (!/^\d{6}$/.test(code)) return undefined;
  const given = Buffer.from(code);
  const now = totpStep(nowMs);
  let found: number | undefined;
  for (let step = now - TOTP_WINDOW; step <= now + TOTP_WINDOW; step++) {
    const ok = timingSafeEqual(Buffer.from(totpCode(secretBase32, step)), given);
    if (ok && step > afterStep && found === undefined) found = step;
  }
  return found;
}

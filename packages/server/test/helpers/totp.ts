/**
 * An independent RFC 6238 TOTP (HMAC-SHA-1, 6 digits, 30 s) for tests: written from the RFCs here,
 * sharing no code with the server's security/totp.ts, so a bug there cannot cancel out in a test.
 */
import { createHmac } from 'node:crypto';

function fromBase32(s: string): Buffer {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  const bits = [...s.toUpperCase().replace(/=+$/, '')]
    .map((c) => {
      const i = alphabet.indexOf(c);
      if (i < 0) throw new Error(`not base32: ${c}`);
      return i.toString(2).padStart(5, '0');
    })
    .join('');
  const bytes: number[] = [];
  for (let i = 0; i + 8 <= bits.length; i += 8) bytes.push(parseInt(bits.slice(i, i + 8), 2));
  return Buffer.from(bytes);
}

/** The TOTP code of `secret` (base32) at `atMs` (default now), shifted by `stepOffset` 30-second steps. */
export function totp(secret: string, atMs = Date.now(), stepOffset = 0): string {
  const counter = Math.floor(atMs / 30_000) + stepOffset;
  const msg = Buffer.alloc(8);
  msg.writeUInt32BE(Math.floor(counter / 2 ** 32), 0);
  msg.writeUInt32BE(counter % 2 ** 32, 4);
  const h = createHmac('sha1', fromBase32(secret)).update(msg).digest();
  const o = h[19]! & 0xf;
  const n = ((h[o]! & 0x7f) << 24) | (h[o + 1]! << 16) | (h[o + 2]! << 8) | h[o + 3]!;
  return String(n % 1_000_000).padStart(6, '0');
}

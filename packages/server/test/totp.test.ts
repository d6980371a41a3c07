/** RFC 6238 appendix B vectors (SHA-1, truncated to 6 digits) for the server's TOTP and the tests' own. */
import { describe, expect, it } from 'vitest';
import { base32Decode, base32Encode, matchTotp, totpCode, newTotpSecret } from '../src/security/totp.js';
import { totp } from './helpers/totp.js';

const SECRET = base32Encode(Buffer.from('12345678901234567890'));
const VECTORS: [number, string][] = [
  [59, '94287082'],
  [1111111109, '07081804'],
  [1111111111, '14050471'],
  [1234567890, '89005924'],
  [2000000000, '69279037'],
  [20000000000, '65353130'],
];

describe('TOTP (RFC 6238)', () => {
  it.each(VECTORS)('at %i s both implementations give the vector', (t, code) => {
    expect(totpCode(SECRET, Math.floor(t / 30))).toBe(code.slice(-6));
    expect(totp(SECRET, t * 1000)).toBe(code.slice(-6));
  });

  it('base32 round-trips and new secrets are 32 characters (160 bits)', () => {
    const s = newTotpSecret();
    expect(s).toMatch(/^[A-Z2-7]{32}$/);
    expect(base32Encode(base32Decode(s))).toBe(s);
    expect(SECRET).toBe('GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ');
  });

  it('accepts ±1 step, refuses ±2 and steps at or before the last accepted one', () => {
    const now = 1_700_000_000_000;
    const step = Math.floor(now / 30_000);
    for (const d of [-1, 0, 1]) expect(matchTotp(SECRET, totp(SECRET, now, d), now)).toBe(step + d);
    for (const d of [-2, 2]) expect(matchTotp(SECRET, totp(SECRET, now, d), now)).toBeUndefined();
    expect(matchTotp(SECRET, totp(SECRET, now), now, step)).toBeUndefined();
    expect(matchTotp(SECRET, totp(SECRET, now, 1), now, step)).toBe(step + 1);
    expect(matchTotp(SECRET, '12345', now)).toBeUndefined();
    expect(matchTotp(SECRET, 'abcdef', now)).toBeUndefined();
  });
});

/** Client-side pieces shared by both ceremonies: option decoding, clientDataJSON, signature tampering. */
import { fromBase64url } from './base64url.js';
import type { CeremonyOverrides } from './types.js';

/** Binary option fields arrive as base64url text, as in the W3C JSON forms of the options. */
export function requireBase64url(value: unknown, what: string): Uint8Array {
  if (typeof value !== 'string') throw new TypeError(`${what} must be a base64url string`);
  return fromBase64url(value);
}

/** clientDataJSON as a browser writes it; overrides let tests forge each member. */
export function clientDataJSON(type: string, challenge: string, origin: string, overrides: CeremonyOverrides): Uint8Array {
  const data: Record<string, unknown> = {
    type: overrides.type ?? type,
    challenge: overrides.challenge ?? challenge,
    origin: overrides.origin ?? origin,
    crossOrigin: overrides.crossOrigin ?? false,
  };
  if (overrides.topOrigin !== undefined) data.topOrigin = overrides.topOrigin;
  return new TextEncoder().encode(JSON.stringify(data));
}

/** The same signature with its last bit flipped: well formed, and wrong. */
export function corrupt(signature: Uint8Array): Uint8Array {
  const out = new Uint8Array(signature);
  out[out.length - 1] ^= 0x01;
  return out;
}

/**
 * clientDataJSON (WebAuthn §5.8.1) as a browser writes it, with the test overrides that forge its
 * members.
 */
import type { CeremonyOverrides } from './types.js';

/** UTF-8 JSON of `{ type, challenge, origin, crossOrigin[, topOrigin] }`, overrides taking precedence. */
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

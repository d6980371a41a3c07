/**
 * The client-side rp.id / origin relationship check (WebAuthn §5.1.3 step 8, §5.1.4.1 step 8).
 */
import { webauthnError } from './errors.js';

const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;

/** The host (lower-case, without port) of an origin; throws SecurityError for unusable origins. */
export function hostOfOrigin(origin: string): string {
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    throw webauthnError('SecurityError', `Origin ${JSON.stringify(origin)} is not a valid URL`);
  }
  if (!url.hostname || url.origin === 'null') {
    throw webauthnError('SecurityError', `Origin ${JSON.stringify(origin)} is opaque`);
  }
  return url.hostname.toLowerCase();
}

/**
 * Throws SecurityError unless `rpId` equals the origin's host or is a registrable domain suffix of
 * it. Public suffixes are approximated: a single-label rpId (e.g. `com`) is rejected except
 * `localhost`; IP addresses must match exactly.
 */
export function assertRpIdAllowed(rpId: string, origin: string): void {
  const host = hostOfOrigin(origin);
  const id = rpId.toLowerCase();
  if (id === host) return;
  const isIp = IPV4.test(host) || host.startsWith('[');
  if (!isIp && id.length > 0 && host.endsWith(`.${id}`) && (id.includes('.') || id === 'localhost') && !id.startsWith('.')) {
    return;
  }
  throw webauthnError(
    'SecurityError',
    `The relying party ID ${JSON.stringify(rpId)} is not a registrable domain ` +
      `suffix of, nor equal to, the origin's host ${JSON.stringify(host)}`,
  );
}

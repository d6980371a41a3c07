/**
 * The WebAuthn origin rule Latchkey applies to `clientDataJSON.origin`.
 *
 * An origin is allowed iff
 *  1. it is listed verbatim in `extraOrigins` (e.g. `android:apk-key-hash:…`, or an origin on another
 *     registrable domain that the operator configured on purpose), or
 *  2. it is `https://<host>[:port]` where `<host>` equals the RP ID or is a subdomain of it, or
 *  3. the RP ID is `localhost` and it is `http://localhost[:port]` or `http://<sub>.localhost[:port]`
 *     (browsers treat these as secure contexts for development).
 *
 * Only canonical serialized origins match rules 2–3 (what browsers put in clientDataJSON): lowercase,
 * no path, no trailing slash, no credentials, no default port. Anything else is rejected rather than
 * normalised, so that no two different strings can be accepted as "the same" origin.
 */
export function isOriginAllowed(origin: string, rpId: string, extraOrigins: readonly string[] = []): boolean {
  if (typeof origin !== 'string' || origin.length === 0 || origin.length > 2048) return false;
  if (extraOrigins.includes(origin)) return true;

  const rp = normalizeRpId(rpId);
  if (rp === undefined) return false;

  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false;
  }
  // The serialisation of a URL's origin is exactly what a browser reports; demanding equality
  // rejects paths, queries, fragments, userinfo, upper case, default ports and trailing slashes.
  if (url.origin !== origin) return false;

  const host = url.hostname;
  if (url.protocol === 'https:') {
    return host === rp || host.endsWith(`.${rp}`);
  }
  if (url.protocol === 'http:') {
    return rp === 'localhost' && (host === 'localhost' || host.endsWith('.localhost'));
  }
  return false;
}

/** Lowercase, non-empty, no scheme/port/path; `undefined` when the RP ID cannot be valid. */
export function normalizeRpId(rpId: string): string | undefined {
  if (typeof rpId !== 'string') return undefined;
  const rp = rpId.trim().toLowerCase();
  if (rp.length === 0 || rp.length > 253) return undefined;
  if (!/^[a-z0-9.-]+$/.test(rp) || rp.startsWith('.') || rp.endsWith('.') || rp.includes('..')) return undefined;
  return rp;
}

import { lookupAaguid, normalizeAaguid } from './aaguids.js';

/**
 * Provider icons for the passkey listing (`ProviderIconUrl`), drawn here rather than shipped or fetched:
 * a rounded square in a colour derived from the AAGUID with the provider's initials. Latchkey makes no
 * outside request for them and ships no third-party artwork; the name comes from the AAGUID table.
 */

/** The path Latchkey serves a known AAGUID's icon under (http/app.ts), or undefined for an unknown one. */
export function providerIconPath(aaguid: string): string | undefined {
  const key = normalizeAaguid(aaguid);
  if (key === undefined || lookupAaguid(key) === undefined) return undefined;
  return `/passkey-icons/${key}.svg`;
}

/** The SVG for a known AAGUID, or undefined (the route answers 404). */
export function providerIconSvg(aaguid: string): string | undefined {
  const key = normalizeAaguid(aaguid);
  const name = key && lookupAaguid(key);
  if (!key || !name) return undefined;
  const hue = parseInt(key.slice(0, 6), 16) % 360;
  const text = escapeXml(initials(name));
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64" viewBox="0 0 64 64" role="img">` +
    `<title>${escapeXml(name)}</title>` +
    `<rect width="64" height="64" rx="14" fill="hsl(${hue} 55% 42%)"/>` +
    `<text x="32" y="41" text-anchor="middle" font-family="system-ui, sans-serif" font-size="24" font-weight="600" fill="#fff">` +
    `${text}</text></svg>`
  );
}

/** Up to two letters or digits: the first of the first two words ("Google Password Manager" → "GP"). */
function initials(name: string): string {
  const words = name.split(/[\s\-_.]+/u).filter((w) => /[\p{L}\p{N}]/u.test(w));
  const letters = words.slice(0, 2).map((w) => [...w].find((c) => /[\p{L}\p{N}]/u.test(c)) ?? '');
  return letters.join('').toUpperCase() || '?';
}

function escapeXml(s: string): string {
  return s.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

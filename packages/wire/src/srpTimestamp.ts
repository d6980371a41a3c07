/**
 * The `TIMESTAMP` of a `PASSWORD_VERIFIER` answer (docs/wire-contract.md §3.2). It is signed byte for
 * byte, so the client must format exactly as Amplify's `getNowString` and the server only parses it for
 * its clock-skew window.
 */

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'] as const;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'] as const;
// A literal (not built from the tables) so bundlers can drop it from clients that only format.
const TIMESTAMP_RE =
  /^(?:Sun|Mon|Tue|Wed|Thu|Fri|Sat) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) (\d{1,2}) (\d{1,2}):(\d{2}):(\d{2}) UTC (\d{4})$/;

/**
 * Formats as Amplify's `getNowString`: UTC, English names, day not zero-padded, h/m/s zero-padded, e.g.
 * `"Mon Jan 5 07:08:09 UTC 2026"`. Never throws for a valid Date.
 */
export function formatSrpTimestamp(date: Date): string {
  const two = (n: number) => String(n).padStart(2, '0');
  return (
    `${WEEKDAYS[date.getUTCDay()]} ${MONTHS[date.getUTCMonth()]} ${date.getUTCDate()} ` +
    `${two(date.getUTCHours())}:${two(date.getUTCMinutes())}:${two(date.getUTCSeconds())} UTC ${date.getUTCFullYear()}`
  );
}

/**
 * Parses a `TIMESTAMP` for the server's clock-skew window. Accepts the Amplify format and, leniently, a
 * zero-padded day or a single-digit hour. The weekday must be a valid name but is not checked against the
 * date: the signature covers it anyway.
 *
 * @returns the instant, or undefined if the string is not in that format or names an impossible date.
 *   Never throws.
 */
export function parseSrpTimestamp(s: string): Date | undefined {
  if (typeof s !== 'string') return undefined;
  const m = TIMESTAMP_RE.exec(s);
  if (!m) return undefined;
  const month = MONTHS.indexOf(m[1] as (typeof MONTHS)[number]);
  const [day, hh, mm, ss, year] = [m[2], m[3], m[4], m[5], m[6]].map(Number) as [number, number, number, number, number];
  if (hh > 23 || mm > 59 || ss > 59 || day < 1) return undefined;
  const d = new Date(Date.UTC(year, month, day, hh, mm, ss));
  // Date.UTC maps years 0–99 to 1900+; the regex requires 4 digits, so only rollovers (Feb 30 …) remain.
  if (d.getUTCFullYear() !== year || d.getUTCMonth() !== month || d.getUTCDate() !== day) return undefined;
  return d;
}

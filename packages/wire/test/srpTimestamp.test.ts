/** The SRP TIMESTAMP format, checked against Amplify's getNowString for every month and single-digit days. */
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { formatSrpTimestamp, parseSrpTimestamp } from '@latchkey/wire';

const AMPLIFY_NOW = new URL(
  '../../../node_modules/@aws-amplify/auth/dist/esm/providers/cognito/utils/srp/getNowString.mjs',
  import.meta.url,
);
let getNowString: () => string;
beforeAll(async () => {
  getNowString = (await import(AMPLIFY_NOW.href)).getNowString;
});
afterEach(() => {
  vi.useRealTimers();
});

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

describe('formatSrpTimestamp', () => {
  it('writes a single-digit day unpadded and h/m/s padded, in UTC', () => {
    expect(formatSrpTimestamp(new Date(Date.UTC(2026, 0, 5, 7, 8, 9)))).toBe('Mon Jan 5 07:08:09 UTC 2026');
    expect(formatSrpTimestamp(new Date(Date.UTC(2026, 0, 4, 0, 0, 0)))).toBe('Sun Jan 4 00:00:00 UTC 2026');
    expect(formatSrpTimestamp(new Date(Date.UTC(2024, 1, 29, 23, 59, 59, 999)))).toBe('Thu Feb 29 23:59:59 UTC 2024');
  });

  it.each(MONTHS.map((name, month) => [name, month] as const))('%s: days 1, 9 and 28 match Amplify getNowString', (name, month) => {
    vi.useFakeTimers();
    for (const day of [1, 9, 28]) {
      const at = new Date(Date.UTC(2027, month, day, 3, 4, 5));
      vi.setSystemTime(at);
      const text = formatSrpTimestamp(new Date());
      expect(text).toBe(getNowString());
      expect(text.split(' ').slice(1, 3)).toEqual([name, String(day)]);
    }
  });
});

describe('parseSrpTimestamp', () => {
  it('reads back every month it formats', () => {
    for (let month = 0; month < 12; month++) {
      const at = new Date(Date.UTC(2026, month, 5, 7, 8, 9));
      expect(parseSrpTimestamp(formatSrpTimestamp(at))?.getTime()).toBe(at.getTime());
    }
  });

  it('accepts a zero-padded day and a one-digit hour, as the server always has', () => {
    const at = Date.UTC(2025, 2, 4, 9, 5, 7);
    expect(parseSrpTimestamp('Tue Mar 04 09:05:07 UTC 2025')?.getTime()).toBe(at);
    expect(parseSrpTimestamp('Tue Mar 4 9:05:07 UTC 2025')?.getTime()).toBe(at);
  });

  it.each([
    '',
    'Tue Mar 4 09:05:07 GMT 2025',
    'tue mar 4 09:05:07 UTC 2025',
    'Tue Foo 4 09:05:07 UTC 2025',
    'Tue Feb 30 09:05:07 UTC 2025',
    'Tue Mar 0 09:05:07 UTC 2025',
    'Tue Mar 4 24:00:00 UTC 2025',
    'Tue Mar 4 09:05:07 UTC 25',
    'Tue Mar 4 09:05:07 UTC 2025 ',
    '2025-03-04T09:05:07Z',
  ])('refuses %j', (text) => {
    expect(parseSrpTimestamp(text)).toBeUndefined();
  });

  it('returns undefined for a non-string instead of throwing', () => {
    expect(parseSrpTimestamp(42 as unknown as string)).toBeUndefined();
  });
});

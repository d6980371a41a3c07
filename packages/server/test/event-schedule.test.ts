/**
 * The lifecycle-event retry schedule with the shipped defaults (docs/events.md): the first retry within 5 s, the
 * pause doubling up to 5 minutes, and, for an outage of under a minute, every event written during it delivered
 * within 60 s (docs: about 35 s) after the outage ends — checked for every outage length and creation time.
 */
import { describe, expect, it } from 'vitest';
import { retryDelay } from '../src/delivery/eventDelivery.js';
import { SERVER_OPTIONS } from '../src/config/defaults.js';
import { FIXED } from '../src/config/poolDefaults.js';

const [base, max, poll] = [SERVER_OPTIONS.eventRetryBaseMs.default, FIXED.eventRetryMaxMs.default, SERVER_OPTIONS.eventPollMs.default];

describe('event retry schedule (defaults)', () => {
  it('first retry within 5 s; doubling; capped at 5 minutes', () => {
    expect(retryDelay(1, base, max)).toBeLessThanOrEqual(5000);
    expect(retryDelay(2, base, max)).toBe(2 * retryDelay(1, base, max));
    expect(retryDelay(9, base, max)).toBe(300_000);
    expect(retryDelay(1000, base, max)).toBe(300_000);
    expect(max).toBe(300_000);
  });

  it('an outage shorter than a minute: delivered within 60 s of its end (at most 35 s with the 1 s poll)', () => {
    let worst = 0;
    // Outage [0, L); an event written at c in [0, L) is attempted at c, then after each pause.
    for (let L = 1000; L < 60_000; L += 250) {
      for (let c = 0; c < L; c += 250) {
        let t = c;
        for (let attempt = 1; t < L && attempt < 100; attempt++) t += retryDelay(attempt, base, max) + poll;
        worst = Math.max(worst, t - L);
      }
    }
    expect(worst).toBeLessThanOrEqual(35_000);
    expect(worst).toBeLessThan(60_000);
  });
});

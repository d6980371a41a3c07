/** The webhook signature scheme (security/webhookSignature.ts), through the public API receivers import. */
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signWebhook, verifyWebhookSignature, WebhookSignatureError, type WebhookSignatureErrorCode } from '@latchkey/server';

const SECRET = 'whsec-test-0123456789-abcdefghijklmnop';
const BODY = '{"type":"sms","to":"+15555550100","code":"123456"}';
const NOW = 1_790_000_000_000;

function failure(fn: () => unknown): WebhookSignatureErrorCode {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(WebhookSignatureError);
    return (err as WebhookSignatureError).code;
  }
  throw new Error('expected a WebhookSignatureError');
}

describe('webhook signatures', () => {
  it('signs t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>"> (checked with an independent HMAC)', () => {
    const header = signWebhook(SECRET, BODY, NOW);
    const t = NOW / 1000;
    expect(header).toBe(`t=${t},v1=${createHmac('sha256', SECRET).update(`${t}.${BODY}`).digest('hex')}`);
  });

  it('a valid signature verifies (string or bytes), returning the signed timestamp', () => {
    const header = signWebhook(SECRET, BODY, NOW);
    expect(verifyWebhookSignature(SECRET, header, BODY, { now: NOW + 10_000 })).toEqual({ timestamp: NOW / 1000 });
    expect(verifyWebhookSignature(Buffer.from(SECRET), header, Buffer.from(BODY), { now: NOW })).toEqual({ timestamp: NOW / 1000 });
    // Any one of several v1 entries (a secret rotation) suffices.
    const other = signWebhook('another-secret-0123456789-abcdefghijkl', BODY, NOW).split(',')[1];
    expect(verifyWebhookSignature(SECRET, `${header},${other}`, BODY, { now: NOW })).toEqual({ timestamp: NOW / 1000 });
    expect(verifyWebhookSignature(SECRET, `${other},${header}`, BODY, { now: NOW })).toEqual({ timestamp: NOW / 1000 });
  });

  it('a tampered body is a mismatch', () => {
    const header = signWebhook(SECRET, BODY, NOW);
    expect(failure(() => verifyWebhookSignature(SECRET, header, BODY.replace('123456', '654321'), { now: NOW }))).toBe(
      'ERR_WEBHOOK_SIGNATURE_MISMATCH',
    );
    expect(failure(() => verifyWebhookSignature(SECRET, header, BODY + ' ', { now: NOW }))).toBe('ERR_WEBHOOK_SIGNATURE_MISMATCH');
  });

  it('a wrong secret is a mismatch, and so is a changed timestamp', () => {
    const header = signWebhook(SECRET, BODY, NOW);
    expect(failure(() => verifyWebhookSignature(SECRET + 'x', header, BODY, { now: NOW }))).toBe('ERR_WEBHOOK_SIGNATURE_MISMATCH');
    const moved = header.replace(`t=${NOW / 1000}`, `t=${NOW / 1000 + 1}`);
    expect(failure(() => verifyWebhookSignature(SECRET, moved, BODY, { now: NOW }))).toBe('ERR_WEBHOOK_SIGNATURE_MISMATCH');
  });

  it('a timestamp outside the tolerance (either way) is stale, even with a valid MAC', () => {
    const header = signWebhook(SECRET, BODY, NOW);
    expect(verifyWebhookSignature(SECRET, header, BODY, { now: NOW + 300_000 })).toEqual({ timestamp: NOW / 1000 });
    expect(failure(() => verifyWebhookSignature(SECRET, header, BODY, { now: NOW + 301_000 }))).toBe('ERR_WEBHOOK_SIGNATURE_STALE');
    expect(failure(() => verifyWebhookSignature(SECRET, header, BODY, { now: NOW - 301_000 }))).toBe('ERR_WEBHOOK_SIGNATURE_STALE');
    expect(failure(() => verifyWebhookSignature(SECRET, header, BODY, { now: NOW + 31_000, toleranceSec: 30 }))).toBe(
      'ERR_WEBHOOK_SIGNATURE_STALE',
    );
    // The default `now` is the real clock: a signature from long ago is stale.
    expect(failure(() => verifyWebhookSignature(SECRET, signWebhook(SECRET, BODY, 1_000_000), BODY))).toBe('ERR_WEBHOOK_SIGNATURE_STALE');
  });

  it('a NaN or negative tolerance, or a short or empty secret, is refused rather than accepting every signature', () => {
    const header = signWebhook(SECRET, BODY, NOW);
    for (const toleranceSec of [NaN, -1, Infinity]) {
      expect(() => verifyWebhookSignature(SECRET, header, BODY, { now: NOW, toleranceSec })).toThrow(TypeError);
    }
    expect(() => verifyWebhookSignature('', header, BODY, { now: NOW })).toThrow(TypeError);
    expect(() => verifyWebhookSignature('short-secret', header, BODY, { now: NOW })).toThrow(TypeError);
    expect(verifyWebhookSignature(SECRET, header, BODY, { now: NOW, toleranceSec: 0 }).timestamp).toBe(Math.floor(NOW / 1000));
  });

  it('malformed headers: missing, no t, no v1, non-hex or short v1, non-numeric t', () => {
    const v1 = signWebhook(SECRET, BODY, NOW).split(',')[1]!;
    for (const header of [
      undefined,
      null,
      '',
      'garbage',
      v1,
      `t=${NOW / 1000}`,
      `t=${NOW / 1000},v1=zz`,
      `t=${NOW / 1000},v1=abcd`,
      `t=soon,${v1}`,
    ]) {
      expect(
        failure(() => verifyWebhookSignature(SECRET, header, BODY, { now: NOW })),
        String(header),
      ).toBe('ERR_WEBHOOK_SIGNATURE_MALFORMED');
    }
  });
});

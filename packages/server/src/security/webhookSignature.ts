import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Signed webhooks (SMS delivery now, Cognito-style triggers later): the header
 * `x-latchkey-signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">`, keyed with a shared
 * secret. The timestamp is inside the MAC so a captured request cannot be replayed after the tolerance.
 */
export const WEBHOOK_SIGNATURE_HEADER = 'x-latchkey-signature';

export const WEBHOOK_SIGNATURE_ERROR_CODES = [
  'ERR_WEBHOOK_SIGNATURE_MALFORMED',
  'ERR_WEBHOOK_SIGNATURE_STALE',
  'ERR_WEBHOOK_SIGNATURE_MISMATCH',
] as const;
export type WebhookSignatureErrorCode = (typeof WEBHOOK_SIGNATURE_ERROR_CODES)[number];

/** Thrown by verifyWebhookSignature; `code` says which check failed, `message` never contains the secret. */
export class WebhookSignatureError extends Error {
  constructor(
    readonly code: WebhookSignatureErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'WebhookSignatureError';
  }
}

const bytes = (v: string | Uint8Array) => (typeof v === 'string' ? Buffer.from(v, 'utf8') : Buffer.from(v));

function mac(secret: string | Uint8Array, t: number, rawBody: string | Uint8Array): string {
  return createHmac('sha256', bytes(secret)).update(`${t}.`).update(bytes(rawBody)).digest('hex');
}

/**
 * The signature header value for `rawBody` sent at `now` (milliseconds since the epoch, as Date.now()).
 * Sign the exact bytes sent: the receiver verifies the raw body, before any JSON parsing.
 */
export function signWebhook(secret: string | Uint8Array, rawBody: string | Uint8Array, now: number = Date.now()): string {
  const t = Math.floor(now / 1000);
  return `t=${t},v1=${mac(secret, t, rawBody)}`;
}

/**
 * Verifies a `x-latchkey-signature` header against the raw request body, for webhook receivers. Several
 * `v1=` entries are allowed (any one matching suffices), so a sender can sign with an old and a new secret
 * while a rotation is rolled out. The comparison is constant-time.
 * @param options.toleranceSec how far the signed timestamp may be from `now`, either way (default 300)
 * @param options.now the receiver's time in milliseconds since the epoch (default Date.now())
 * @returns the signed timestamp (unix seconds)
 * @throws WebhookSignatureError `ERR_WEBHOOK_SIGNATURE_MALFORMED` (no header, no `t=` or no `v1=`),
 *   `ERR_WEBHOOK_SIGNATURE_STALE` (timestamp outside the tolerance) or `ERR_WEBHOOK_SIGNATURE_MISMATCH`
 *   (wrong secret or altered body). TypeError for a tolerance that is not a finite number ≥ 0 or a secret under 16 characters.
 */
export function verifyWebhookSignature(
  secret: string | Uint8Array,
  header: string | null | undefined,
  rawBody: string | Uint8Array,
  options: { toleranceSec?: number; now?: number } = {},
): { timestamp: number } {
  const { toleranceSec = 300, now = Date.now() } = options;
  // A NaN or negative tolerance (say from an unset variable) would accept every timestamp; an empty secret any forger.
  if (!Number.isFinite(toleranceSec) || toleranceSec < 0) throw new TypeError('toleranceSec must be a finite number ≥ 0');
  if (secret.length < 16) throw new TypeError('the webhook secret must be at least 16 characters (bytes)');
  let t: number | undefined;
  const signatures: string[] = [];
  for (const part of (header ?? '').split(',')) {
    const eq = part.indexOf('=');
    const key = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (eq < 0) continue;
    if (key === 't' && /^\d{1,12}$/.test(value)) t = Number(value);
    else if (key === 'v1' && /^[0-9a-f]{64}$/.test(value)) signatures.push(value);
  }
  if (t === undefined || signatures.length === 0)
    throw new WebhookSignatureError('ERR_WEBHOOK_SIGNATURE_MALFORMED', `${WEBHOOK_SIGNATURE_HEADER} must be t=<unix seconds>,v1=<hex>`);
  if (Math.abs(now / 1000 - t) > toleranceSec)
    throw new WebhookSignatureError('ERR_WEBHOOK_SIGNATURE_STALE', `signature timestamp is more than ${toleranceSec} s from now`);
  const expected = Buffer.from(mac(secret, t, rawBody), 'hex');
  // Every candidate is compared (no early exit), each in constant time; all have the expected length.
  let ok = false;
  for (const s of signatures) ok = timingSafeEqual(expected, Buffer.from(s, 'hex')) || ok;
  if (!ok) throw new WebhookSignatureError('ERR_WEBHOOK_SIGNATURE_MISMATCH', 'signature does not match the body and secret');
  return { timestamp: t };
}

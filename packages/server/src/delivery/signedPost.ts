import { WEBHOOK_SIGNATURE_HEADER, signWebhook } from '../security/webhookSignature.js';
import { NonPublicAddressError, postHttps } from '../triggers/guardedHttps.js';

/** One signed webhook attempt's outcome: `retry` says whether sending the same body again can help. */
export type PostOutcome = { ok: true; status: number } | { ok: false; retry: boolean; status?: number; reason: string };

/** The most of a receiver's answer that is read (then the connection is dropped): nothing in it is used. */
export const MAX_WEBHOOK_RESPONSE_BYTES = 64 * 1024;

/**
 * One attempt of a signed webhook (SMS delivery, lifecycle events): a JSON POST with `x-latchkey-signature` over the
 * exact body, no redirects (they would send the body where the operator did not point it), a timeout from connect to
 * the end of the response, and at most MAX_WEBHOOK_RESPONSE_BYTES of the response drained unread (a receiver may
 * echo what it got, or never stop). With `guard`, an https:// URL goes through the trigger SSRF guard
 * (triggers/guardedHttps.ts): a host that is or resolves to a non-public address is refused before connecting
 * unless `guard.allowNonPublic` (LATCHKEY_TRIGGER_ALLOW_PRIVATE). Never throws.
 * 429 and 5xx are retryable; another non-2xx is a refusal of this body.
 */
export async function postSigned(
  url: string,
  secret: string,
  body: string,
  timeoutMs: number,
  now: number,
  opts: { guard?: { allowNonPublic: boolean } } = {},
): Promise<PostOutcome> {
  const headers = { 'content-type': 'application/json', [WEBHOOK_SIGNATURE_HEADER]: signWebhook(secret, body, now) };
  try {
    let status: number;
    if (opts.guard && url.startsWith('https:')) {
      const { allowNonPublic } = opts.guard;
      ({ status } = await postHttps(url, headers, body, {
        timeoutMs,
        maxBytes: MAX_WEBHOOK_RESPONSE_BYTES,
        allowNonPublic,
        truncate: true,
      }));
    } else {
      const res = await fetch(url, { method: 'POST', headers, body, redirect: 'manual', signal: AbortSignal.timeout(timeoutMs) });
      await drainLimited(res);
      status = res.status;
    }
    if (status >= 200 && status < 300) return { ok: true, status };
    const retry = status === 429 || status >= 500;
    return { ok: false, retry, status, reason: `answered HTTP ${status}` };
  } catch (err) {
    if (err instanceof NonPublicAddressError)
      return { ok: false, retry: false, reason: 'refused: the host is or resolves to a non-public address' };
    const e = err as { name?: string; code?: string; cause?: { code?: string } };
    const reason = e.name === 'TimeoutError' ? `timed out after ${timeoutMs} ms` : `unreachable (${e.cause?.code ?? e.code ?? e.name})`;
    return { ok: false, retry: true, reason };
  }
}

/** Reads and drops at most MAX_WEBHOOK_RESPONSE_BYTES of a response, then cancels the rest. */
async function drainLimited(res: Response): Promise<void> {
  const reader = res.body?.getReader();
  if (!reader) return;
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return;
    size += value.byteLength;
    if (size >= MAX_WEBHOOK_RESPONSE_BYTES) {
      await reader.cancel().catch(() => undefined);
      return;
    }
  }
}

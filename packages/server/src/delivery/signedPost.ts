import { WEBHOOK_SIGNATURE_HEADER, signWebhook } from '../security/webhookSignature.js';

/** One signed webhook attempt's outcome: `retry` says whether sending the same body again can help. */
export type PostOutcome = { ok: true; status: number } | { ok: false; retry: boolean; status?: number; reason: string };

/**
 * One attempt of a signed webhook (SMS delivery, lifecycle events): a JSON POST with `x-latchkey-signature` over the
 * exact body, no redirects (they would send the body where the operator did not point it), a timeout from connect to
 * the end of the response, and the response drained unread (a receiver may echo what it got). Never throws.
 * 429 and 5xx are retryable; another non-2xx is a refusal of this body.
 */
export async function postSigned(url: string, secret: string, body: string, timeoutMs: number, now: number): Promise<PostOutcome> {
  try {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', [WEBHOOK_SIGNATURE_HEADER]: signWebhook(secret, body, now) },
      body,
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
    });
    await res.arrayBuffer();
    if (res.status >= 200 && res.status < 300) return { ok: true, status: res.status };
    const retry = res.status === 429 || res.status >= 500;
    return { ok: false, retry, status: res.status, reason: `answered HTTP ${res.status}` };
  } catch (err) {
    const e = err as { name?: string; cause?: { code?: string } };
    const reason = e.name === 'TimeoutError' ? `timed out after ${timeoutMs} ms` : `unreachable (${e.cause?.code ?? e.name})`;
    return { ok: false, retry: true, reason };
  }
}

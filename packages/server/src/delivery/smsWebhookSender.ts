import { isPhoneDestination, type CodeMessage, type CodeSender } from '../domain/sender.js';
import { randomId } from '../security/secrets.js';
import { postSigned, type PostOutcome } from './signedPost.js';
import type { Clock, Logger } from '../services.js';

export interface SmsWebhookOptions {
  url: string;
  secret: string;
  timeoutMs: number;
  attempts: number;
  /** The pause before the second attempt; it doubles per attempt. */
  backoffMs: number;
}

/** What docs/sms-webhook.md promises a receiver: the JSON body of every SMS webhook request. */
export interface SmsWebhookBody {
  type: 'sms';
  /** E.164, as stored in phone_number. */
  to: string;
  /** The text to send, code included. */
  message: string;
  /** The code alone (for an invitation: the temporary password), for receivers that use their own template. */
  code: string;
  purpose: CodeMessage['purpose'];
  poolId: string;
  /** The same on every attempt of one message: the receiver's idempotency key. */
  messageId: string;
  /** Unix seconds when the message was made (the signature's t is the attempt's). */
  createdAt: number;
}

/** Thrown when an SMS could not be delivered; the message names the status or reason, never the code or body. */
export class SmsWebhookError extends Error {
  override name = 'SmsWebhookError';
}

/**
 * Production SMS delivery (LATCHKEY_SMS_WEBHOOK_URL): a signed JSON POST to a receiver that forwards to the
 * deployment's SMS provider. Retries network errors, timeouts, 429 and 5xx with backoff; never another 4xx
 * (the receiver refused this message; sending it again would be refused again). The log names the
 * messageId, status and attempt only: never the code, the body, the secret or the URL (it may hold a token).
 */
export class SmsWebhookSender implements CodeSender {
  constructor(
    private readonly opts: SmsWebhookOptions,
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
  ) {}

  /** @throws SmsWebhookError when the destination is not a phone number or every attempt failed. */
  async send(m: CodeMessage): Promise<void> {
    if (!isPhoneDestination(m.destination)) throw new SmsWebhookError('SMS webhook delivery needs a phone destination');
    const payload: SmsWebhookBody = {
      type: 'sms',
      to: m.destination,
      message: m.body,
      code: m.code,
      purpose: m.purpose,
      poolId: m.poolId,
      messageId: randomId(),
      createdAt: Math.floor(this.clock.now() / 1000),
    };
    const body = JSON.stringify(payload);
    const { messageId, poolId, purpose } = payload;
    for (let attempt = 1; ; attempt++) {
      const outcome = await this.attempt(body);
      if (outcome.ok) {
        this.log.info({ poolId, purpose, messageId, status: outcome.status, attempt }, 'SMS sent by webhook');
        return;
      }
      const retrying = outcome.retry && attempt < this.opts.attempts;
      const fields = { poolId, purpose, messageId, attempt, status: outcome.status, reason: outcome.reason, retrying };
      if (retrying) this.log.warn(fields, 'SMS webhook attempt failed');
      else {
        this.log.error(fields, 'SMS webhook delivery failed');
        throw new SmsWebhookError(`SMS webhook ${outcome.reason} (messageId ${messageId}, attempt ${attempt} of ${this.opts.attempts})`);
      }
      await this.sleep(this.opts.backoffMs * 2 ** (attempt - 1));
    }
  }

  private attempt(body: string): Promise<PostOutcome> {
    return postSigned(this.opts.url, this.opts.secret, body, this.opts.timeoutMs, this.clock.now());
  }
}

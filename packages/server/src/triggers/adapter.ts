import type { IncomingMessage, ServerResponse } from 'node:http';
import { verifyWebhookSignature, WEBHOOK_SIGNATURE_HEADER } from '../security/webhookSignature.js';

/** A Node.js Lambda handler as Cognito triggers are written: returns (a promise of) the event, or calls back. */
// The event is whatever the trigger sends; handlers type it themselves (as @types/aws-lambda's do).
export type LambdaHandler = (event: any, context: object, callback: (err: unknown, result?: unknown) => void) => unknown;

/** Largest event accepted (Cognito's events are a few kilobytes). */
const MAX_EVENT_BYTES = 256 * 1024;

/**
 * Runs an existing Cognito Lambda trigger handler behind HTTP, as Latchkey calls triggers (docs/triggers/README.md): the
 * request's `x-latchkey-signature` is verified against the raw body with the pool's webhook secret, the event is passed
 * to `handler`, and what it returns is the response. A thrown error (or `callback(err)`) answers 400
 * `{ "errorMessage", "errorType" }`, which Latchkey reports as UserLambdaValidationException; a bad signature answers 401
 * (Latchkey: UnexpectedLambdaException). Usable as `http.createServer(lambdaHttpAdapter(handler, { secret }))`.
 * @throws TypeError at once for a secret under 16 characters (verifyWebhookSignature's rule).
 */
export function lambdaHttpAdapter(
  handler: LambdaHandler,
  options: { secret: string; toleranceSec?: number },
): (req: IncomingMessage, res: ServerResponse) => void {
  if (options.secret.length < 16) throw new TypeError('the webhook secret must be at least 16 characters');
  const reply = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  };
  return (req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_EVENT_BYTES) req.destroy();
      else chunks.push(c);
    });
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      try {
        verifyWebhookSignature(options.secret, req.headers[WEBHOOK_SIGNATURE_HEADER] as string | undefined, raw, {
          toleranceSec: options.toleranceSec,
        });
      } catch {
        return reply(res, 401, { message: 'bad signature' });
      }
      let event: unknown;
      try {
        event = JSON.parse(raw.toString('utf8'));
      } catch {
        return reply(res, 400, { message: 'the body is not JSON' });
      }
      new Promise((resolve, reject) => {
        const out = handler(event, {}, (err, result) => (err ? reject(err) : resolve(result)));
        if (out !== undefined) Promise.resolve(out).then(resolve, reject);
      }).then(
        (result) => reply(res, 200, result ?? null),
        (err: unknown) => {
          const e = err instanceof Error ? err : new Error(String(err));
          reply(res, 400, { errorMessage: e.message, errorType: e.name });
        },
      );
    });
  };
}

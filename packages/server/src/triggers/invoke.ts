import type { Config } from '../config/defaults.js';
import type { Clock, Logger } from '../services.js';
import type { SecretBox } from '../security/secrets.js';
import type { Pool } from '../domain/pools.js';
import { signWebhook, WEBHOOK_SIGNATURE_HEADER } from '../security/webhookSignature.js';
import { webhookSecret } from '../domain/webhookSecret.js';
import { InvalidLambdaResponseException, UnexpectedLambdaException, UserLambdaValidationException } from '../protocol/errors.js';
import type { TriggerName } from './config.js';
import { NonPublicAddressError, postHttps } from './guardedHttps.js';

/** A Cognito Lambda trigger event: the common members plus the trigger's request and response. */
export interface TriggerEvent {
  version: string;
  triggerSource: string;
  region: string;
  userPoolId: string;
  userName: string;
  callerContext: { awsSdkVersion: string; clientId: string };
  request: Record<string, unknown>;
  response: Record<string, unknown>;
}

/** Largest trigger response read (Lambda's synchronous response limit is 6 MB; Cognito's events are small). */
const MAX_RESPONSE_BYTES = 1024 * 1024;

const unexpected = (trigger: TriggerName, why: string) =>
  new UnexpectedLambdaException(`${trigger} invocation failed due to error ${why}.`, `trigger ${trigger}: ${why}`);

/**
 * Calls a pool's triggers: POSTs the event JSON to the trigger's URL, signed with the pool's webhook secret
 * (`x-latchkey-signature`), or, with --trigger-modules, runs a file:// module's `handler(event)` in-process.
 * Failures are Cognito's: a refusal (non-2xx with `errorMessage`, a thrown handler error) is UserLambdaValidationException,
 * a timeout, unreachable receiver or other non-2xx UnexpectedLambdaException, a 2xx that is not an event
 * InvalidLambdaResponseException. The secret and the event are never logged; only the trigger name, the URL's origin and why.
 */
export class TriggerService {
  constructor(
    private readonly deps: { config: () => Config; box: SecretBox; clock: Clock; log: Logger },
    private readonly fetchImpl: typeof fetch = fetch,
  ) {}

  get region(): string {
    return this.deps.config().region;
  }

  /**
   * Invokes `trigger` at `target` with `event` and returns the event it answered (its `response` an object).
   * @throws UserLambdaValidationException | UnexpectedLambdaException | InvalidLambdaResponseException
   */
  async invoke(pool: Pool, trigger: TriggerName, target: string, event: TriggerEvent): Promise<TriggerEvent> {
    const timeoutMs = this.deps.config().triggerTimeoutMs;
    const raw = target.startsWith('file:')
      ? await this.runModule(trigger, target, event, timeoutMs)
      : await this.post(pool, trigger, target, event, timeoutMs);
    let answer: unknown;
    try {
      answer = JSON.parse(raw);
    } catch {
      this.deps.log.warn({ trigger, target: origin(target) }, 'trigger answered invalid JSON');
      throw new InvalidLambdaResponseException('Invalid lambda function output : Invalid JSON', `trigger ${trigger}: not JSON`);
    }
    if (!isObject(answer) || !isObject(answer.response) || !isObject(answer.request)) {
      this.deps.log.warn({ trigger, target: origin(target) }, 'trigger answered something that is not its event');
      throw new InvalidLambdaResponseException('Unrecognizable lambda output', `trigger ${trigger}: not an event`);
    }
    return answer as unknown as TriggerEvent;
  }

  private async post(pool: Pool, trigger: TriggerName, url: string, event: TriggerEvent, timeoutMs: number): Promise<string> {
    const body = JSON.stringify(event);
    const signature = signWebhook(webhookSecret(this.deps, pool), body, this.deps.clock.now());
    const headers = { 'content-type': 'application/json', [WEBHOOK_SIGNATURE_HEADER]: signature };
    let res: { status: number };
    let text: string;
    try {
      if (url.startsWith('https:')) {
        // https:// may name any host: unless the operator allows it, one that is (or resolves to) a private, link-local or
        // loopback address is refused before connecting, and the socket goes to the address that was checked (SSRF).
        const allowNonPublic = this.deps.config().triggerAllowPrivate;
        ({ text, ...res } = await postHttps(url, headers, body, { timeoutMs, maxBytes: MAX_RESPONSE_BYTES, allowNonPublic }));
      } else {
        // http:// is accepted only on loopback hosts (triggers/config.ts): development receivers.
        const r = await this.fetchImpl(url, { method: 'POST', headers, body, redirect: 'manual', signal: AbortSignal.timeout(timeoutMs) });
        res = r;
        text = await readLimited(r);
      }
    } catch (err) {
      const timedOut = err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError');
      const why = timedOut ? 'timeout' : err instanceof NonPublicAddressError ? 'non-public address refused' : errorCode(err);
      this.deps.log.warn({ trigger, target: origin(url), why }, 'trigger call failed');
      throw unexpected(trigger, timedOut ? 'Socket timeout while invoking Lambda function' : 'Unable to reach the trigger endpoint');
    }
    if (res.status >= 200 && res.status < 300) return text;
    const message = errorMessage(text);
    this.deps.log.warn({ trigger, target: origin(url), status: res.status, refused: message !== undefined }, 'trigger answered an error');
    if (message !== undefined) throw new UserLambdaValidationException(`${trigger} failed with error ${message}.`);
    throw unexpected(trigger, `HTTP ${res.status} from the trigger endpoint`);
  }

  private async runModule(trigger: TriggerName, url: string, event: TriggerEvent, timeoutMs: number): Promise<string> {
    if (!this.deps.config().triggerModules) {
      this.deps.log.warn({ trigger, target: url }, 'file:// trigger configured but the server runs without --trigger-modules');
      throw unexpected(trigger, 'file:// triggers need --trigger-modules');
    }
    let handler: unknown;
    try {
      const mod = (await import(url)) as { handler?: unknown; default?: unknown };
      handler = mod.handler ?? mod.default;
    } catch (err) {
      this.deps.log.warn({ trigger, target: url, err }, 'trigger module failed to load');
      throw unexpected(trigger, 'the trigger module could not be loaded');
    }
    if (typeof handler !== 'function') throw unexpected(trigger, 'the trigger module exports no handler function');
    const fn = handler as (e: unknown, ctx: object, cb: (err: unknown, out?: unknown) => void) => unknown;
    let timer: NodeJS.Timeout | undefined;
    try {
      const result = await Promise.race([
        new Promise((resolve, reject) => {
          // Node.js Lambda handlers either return (a promise of) the event or call back, as the Lambda runtime accepts.
          const out = fn(structuredClone(event), {}, (err, value) => (err ? reject(err) : resolve(value)));
          if (out !== undefined) Promise.resolve(out).then(resolve, reject);
        }),
        new Promise((_, reject) => (timer = setTimeout(() => reject(new ModuleTimeout()), timeoutMs))),
      ]);
      return JSON.stringify(result ?? null);
    } catch (err) {
      if (err instanceof ModuleTimeout) throw unexpected(trigger, 'Socket timeout while invoking Lambda function');
      const message = err instanceof Error ? err.message : String(err);
      throw new UserLambdaValidationException(`${trigger} failed with error ${message}.`);
    } finally {
      clearTimeout(timer);
    }
  }
}

class ModuleTimeout extends Error {}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A thrown Lambda error as its HTTP adapter reports it: `{ "errorMessage": "…" }`. */
function errorMessage(text: string): string | undefined {
  try {
    const body: unknown = JSON.parse(text);
    return isObject(body) && typeof body.errorMessage === 'string' ? body.errorMessage : undefined;
  } catch {
    return undefined;
  }
}

function origin(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return '(invalid URL)';
  }
}

function errorCode(err: unknown): string {
  const own = err instanceof Error ? (err as { code?: unknown }).code : undefined;
  if (typeof own === 'string') return own;
  const cause = err instanceof Error ? (err.cause as { code?: unknown } | undefined) : undefined;
  return typeof cause?.code === 'string' ? cause.code : 'network error';
}

async function readLimited(res: Response): Promise<string> {
  const reader = res.body?.getReader();
  if (!reader) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > MAX_RESPONSE_BYTES) {
      await reader.cancel();
      throw new Error('trigger response too large');
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

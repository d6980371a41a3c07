import type { Config } from './config/defaults.js';
import type { Store } from './storage/store.js';
import type { TokenService } from './security/tokens.js';
import type { SecretBox } from './security/secrets.js';
import type { CodeSender } from './domain/sender.js';
import type { TriggerService } from './triggers/invoke.js';

/** Injected time, so expiry is tested without sleeping. */
export interface Clock {
  now(): number;
}
export const systemClock: Clock = { now: () => Date.now() };

/** The logger subset operations use (pino-compatible). */
export interface Logger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
  debug(obj: object, msg?: string): void;
}

/** Everything a handler may use; each handler declares the subset it needs with Pick<Services, …>. */
export interface Services {
  config: Config;
  store: Store;
  tokens: TokenService;
  box: SecretBox;
  clock: Clock;
  log: Logger;
  sender: CodeSender;
  /** Calls the pool's LambdaConfig triggers (triggers/). */
  triggers: TriggerService;
  /** Admin key pairs (access key id → secret) accepted for SigV4. */
  adminKeys: ReadonlyMap<string, string>;
}

/** Per-request facts handlers may need. */
export interface RequestContext {
  requestId: string;
  /** The browser's Origin header, if any (logged only; WebAuthn origins come from clientDataJSON). */
  origin?: string;
  /** Set when the request carried a valid SigV4 signature. */
  adminAccessKeyId?: string;
}

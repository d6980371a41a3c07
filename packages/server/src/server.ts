import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import type { FastifyInstance } from 'fastify';
import type { Config } from './config/defaults.js';
import { openStore, storeOptions } from './storage/open.js';
import type { Store } from './storage/store.js';
import { SecretBox, newServerSecret, randomString } from './security/secrets.js';
import { TokenService } from './security/tokens.js';
import { buildApp } from './http/app.js';
import { registerAccountPage } from './http/account/route.js';
import { registry } from './operations/registry.js';
import { OutboxSender } from './delivery/outboxSender.js';
import { SmtpSender } from './delivery/smtpSender.js';
import { SmsWebhookSender } from './delivery/smsWebhookSender.js';
import { ChannelSender } from './delivery/channelSender.js';
import { EventDelivery } from './delivery/eventDelivery.js';
import type { CodeSender } from './domain/sender.js';
import { TriggerService } from './triggers/invoke.js';
import { systemClock, type Clock, type Logger, type Services } from './services.js';
import { bootstrapDevPool, type DevPool } from './bootstrap.js';
import { storeReadiness } from './readiness.js';
import { StartupError } from './startupError.js';
import { FIXED } from './config/defaults.js';

export interface StartOptions {
  config: Config;
  clock?: Clock;
  /** Use this logger instead of pino to stdout. */
  log?: Logger;
  /** PostgreSQL schema (tests use a fresh one per run). */
  schema?: string;
  /** Skip listening (tests that use app.inject). */
  listen?: boolean;
  /** Statement observer for the bench's and tests' statement counts (see StoreOptions.onStatement); never set in production. */
  onStatement?: (sql: string) => void;
}

export interface RunningServer {
  app: FastifyInstance;
  services: Services;
  /** `http://host:port` once listening. */
  url: string;
  port: number;
  devPool?: DevPool;
  adminCredentials: { accessKeyId: string; secretAccessKey: string };
  /** Start-up warnings for the operator (also logged), e.g. a public URL that differs from the database's. */
  notices: string[];
  close(): Promise<void>;
}

const ADMIN_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** Loads the server secret: LATCHKEY_SECRET, else a key file generated once in the data directory. */
function serverSecret(config: Config, log: Logger): string {
  if (config.secret) return config.secret;
  const file = join(config.dataDir, 'secret.key');
  try {
    if (existsSync(file)) return readFileSync(file, 'utf8').trim();
    mkdirSync(config.dataDir, { recursive: true });
    const secret = newServerSecret();
    writeFileSync(file, secret + '\n', { mode: 0o600, flag: 'wx' });
    if (config.databaseUrl)
      log.warn(
        { file },
        'generated a server secret in the data directory: every instance on this database must share it (set LATCHKEY_SECRET)',
      );
    return secret;
  } catch (err) {
    const code = (err as { code?: string }).code ?? 'error';
    throw new StartupError(
      `cannot read or create the server secret ${file} (${code}): set LATCHKEY_SECRET ` +
        `(≥ 32 characters) or make --data / LATCHKEY_DATA a writable directory`,
    );
  }
}

const SECRET_CHECK = 'latchkey-secret-check';

/**
 * Refuses a server secret that is not the one the database's sealed data was written with. Without
 * this, such an instance starts and answers 500 whenever it opens a signing key, and rejects the
 * other instances' codes and page tokens. The first instance stores a check value sealed under its
 * secret (atomically: of two racing first starts, one wins and the other is refused).
 * @throws StartupError naming LATCHKEY_SECRET when the secret does not match.
 */
async function checkServerSecret(config: Config, store: Store, box: SecretBox): Promise<void> {
  const opens = (sealed: string, expected?: string) => {
    try {
      const plain = box.open(sealed);
      return expected === undefined || plain === expected;
    } catch {
      return false;
    }
  };
  let matches: boolean;
  const stored = await store.getMeta('secret_check');
  if (stored !== undefined) {
    matches = opens(stored, SECRET_CHECK);
  } else {
    // A database from before the check value: what it already holds sealed tells, so that the first
    // start after an upgrade cannot record a wrong secret. Signing keys first (they are what would fail
    // at run time); the stored admin key pair only where it is in use (admin keys not from the
    // environment: a deployment that moved to LATCHKEY_ADMIN_* may have left a stale one behind).
    const sealed = await sealedSample(store, config);
    matches = sealed === undefined || opens(sealed);
    if (matches) matches = opens(await store.getOrPutMeta('secret_check', box.seal(SECRET_CHECK)), SECRET_CHECK);
  }
  if (matches) return;
  if (config.secret) {
    throw new StartupError(
      'LATCHKEY_SECRET is not the secret this database was first served with: set ' +
        'LATCHKEY_SECRET to the value the other instances (or the previous deployment) use',
    );
  }
  throw new StartupError(
    `this database was first served with another secret than ${join(config.dataDir, 'secret.key')}: set LATCHKEY_SECRET ` +
      `to the secret the other instances use (the same on every instance), or use the data directory that belongs to this database`,
  );
}

/** One value the database holds sealed under its secret (a signing key, else the stored admin secret), if any. */
async function sealedSample(store: Store, config: Config): Promise<string | undefined> {
  const now = Date.now();
  for (const pool of await store.listPools(20)) {
    const [key] = await store.listSigningKeys(pool.id, now);
    if (key) return key.privateKeyEnc;
  }
  if (config.adminAccessKeyId) return undefined;
  const admin = await store.getMeta('admin_credentials');
  return admin === undefined ? undefined : (JSON.parse(admin) as { secretAccessKey: string }).secretAccessKey;
}

/**
 * Issuers are `<public URL>/<poolId>`: an instance with another public URL issues tokens the others
 * (and resource servers) reject. Returns the warning to print, if any.
 */
async function checkPublicUrl(store: Store, publicUrl: string): Promise<string | undefined> {
  const first = await store.getOrPutMeta('public_url', publicUrl);
  if (first === publicUrl) return undefined;
  return (
    `Warning: the public URL ${publicUrl} differs from ${first}, the one this database was first served with. Tokens ` +
    `name their issuer (<public URL>/<poolId>): tokens issued under one URL are refused where the other is expected. ` +
    `Give every instance the same --public-url / LATCHKEY_PUBLIC_URL (e.g. ${first}) unless the move is deliberate.`
  );
}

/** Turns a failed listen into one line naming the flag to change. */
function listenError(err: unknown, config: Config): unknown {
  const code = (err as { code?: string }).code;
  const at = `${config.host}:${config.port}`;
  if (code === 'EADDRINUSE')
    return new StartupError(
      `port ${config.port} on ${config.host} is already in use (another Latchkey?): stop it or choose another --port / PORT`,
    );
  if (code === 'EACCES' || code === 'EPERM')
    return new StartupError(`not allowed to listen on ${at} (ports below 1024 need privileges): choose another --port / PORT`);
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EAI_NONAME' || code === 'EAI_FAIL')
    return new StartupError(
      `--host / HOST "${config.host}" does not resolve to an address: use an IP address such as 127.0.0.1 or 0.0.0.0, or a resolvable name`,
    );
  if (code === 'EADDRNOTAVAIL')
    return new StartupError(
      `--host / HOST "${config.host}" is not an address of this machine: use 127.0.0.1, 0.0.0.0 or one of its addresses`,
    );
  return err;
}

/**
 * Email to SMTP when configured, else the outbox; SMS to the webhook when configured, else where email goes
 * (the outbox in development; SMTP refuses a phone number, as before the webhook existed).
 */
function codeSender(config: Config, store: Store, clock: Clock, log: Logger): CodeSender {
  const email = config.smtpUrl ? new SmtpSender(config.smtpUrl, config.smtpFrom, log) : new OutboxSender(store, clock, log);
  if (!config.smsWebhookUrl) return email;
  // loadConfig refuses a URL without a secret; a Config built by hand must not silently fall back to email.
  if (!config.smsWebhookSecret) throw new StartupError('LATCHKEY_SMS_WEBHOOK_SECRET is required with LATCHKEY_SMS_WEBHOOK_URL');
  const sms = new SmsWebhookSender(
    {
      url: config.smsWebhookUrl,
      secret: config.smsWebhookSecret,
      timeoutMs: config.smsWebhookTimeoutMs,
      attempts: config.smsWebhookAttempts,
      backoffMs: FIXED.smsWebhookBackoffMs.default,
    },
    clock,
    log,
  );
  return new ChannelSender(email, sms);
}

/** Admin credentials: from the environment, else generated once and stored in the database. */
async function adminCredentials(config: Config, store: Store, box: SecretBox) {
  if (config.adminAccessKeyId && config.adminSecretAccessKey) {
    return { accessKeyId: config.adminAccessKeyId, secretAccessKey: config.adminSecretAccessKey };
  }
  const candidate = JSON.stringify({
    accessKeyId: `LKIA${randomString(16, ADMIN_ALPHABET)}`,
    secretAccessKey: box.seal(randomString(40, ADMIN_ALPHABET + 'abcdefghijklmnopqrstuvwxyz')),
  });
  const stored = JSON.parse(await store.getOrPutMeta('admin_credentials', candidate)) as { accessKeyId: string; secretAccessKey: string };
  return { accessKeyId: stored.accessKeyId, secretAccessKey: box.open(stored.secretAccessKey) };
}

/**
 * Opens storage (running migrations), prepares secrets, bootstraps the development pool when the
 * store is empty and asked to, and starts listening.
 * @throws StartupError (one line for the operator) when the database is unreachable or unwritable, the
 *   data directory is unusable, the secret does not match the database, or the port or host is unusable;
 *   Error when a migration fails otherwise.
 */
export async function startServer(opts: StartOptions): Promise<RunningServer> {
  const { config } = opts;
  const clock = opts.clock ?? systemClock;
  const log: Logger =
    opts.log ??
    pino({
      level: config.logLevel,
      // Request bodies are logged only through dispatch's redact(); these paths are a second net.
      redact: { paths: ['*.AccessToken', '*.RefreshToken', '*.Password', '*.Session', '*.Credential'], censor: '[redacted]' },
    });
  const store = await openStore({ ...storeOptions(config), schema: opts.schema ?? config.databaseSchema, onStatement: opts.onStatement });
  let box: SecretBox;
  try {
    box = new SecretBox(serverSecret(config, log));
    await checkServerSecret(config, store, box);
  } catch (err) {
    await store.close();
    throw err;
  }
  const admin = await adminCredentials(config, store, box);
  const tokens = new TokenService(
    store,
    box,
    () => services.config.publicUrl,
    () => clock.now(),
    config.cacheMs,
  );
  const sender = codeSender(config, store, clock, log);
  const services: Services = {
    config,
    store,
    tokens,
    box,
    clock,
    log,
    sender,
    triggers: new TriggerService({ config: () => services.config, box, clock, log }),
    adminKeys: new Map([[admin.accessKeyId, admin.secretAccessKey]]),
  };
  const readiness = storeReadiness(store, log);
  const app = buildApp({ services, registry, readiness: () => readiness.check(), extend: (a) => registerAccountPage(a, services) });
  const devPool = config.bootstrapDevPool ? await bootstrapDevPool(services) : undefined;
  let url = '';
  let port = config.port;
  const notices: string[] = [];
  if (opts.listen !== false) {
    try {
      await app.listen({ port: config.port, host: config.host });
    } catch (err) {
      await app.close().catch(() => undefined);
      await store.close();
      throw listenError(err, config);
    }
    const addr = app.server.address();
    port = typeof addr === 'object' && addr ? addr.port : config.port;
    url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
    // With port 0 and no explicit public URL, issuers follow the port actually bound.
    if (!config.publicUrlExplicit && config.port === 0)
      services.config = Object.freeze({ ...config, publicUrl: `http://localhost:${port}` });
    const urlWarning = await checkPublicUrl(store, services.config.publicUrl);
    if (urlWarning) {
      log.warn({ publicUrl: services.config.publicUrl }, urlWarning);
      notices.push(urlWarning);
    }
  } else {
    await app.ready();
  }
  const purge = setInterval(() => {
    store.purgeExpired(clock.now()).catch((err) => log.warn({ err }, 'purge failed'));
  }, FIXED.purgeIntervalMs.default);
  purge.unref();
  // Every process delivers lifecycle events; leases keep processes and instances from sending one event twice at once.
  const events = new EventDelivery(services, {
    pollMs: config.eventPollMs,
    retryBaseMs: config.eventRetryBaseMs,
    retryMaxMs: FIXED.eventRetryMaxMs.default,
    timeoutMs: Math.min(FIXED.eventTimeoutMs.default, config.eventLeaseMs / 2),
    leaseMs: config.eventLeaseMs,
    batch: FIXED.eventBatch.default,
    concurrency: 5,
    giveUpMs: FIXED.eventGiveUpMs.default,
    allowNonPublic: config.triggerAllowPrivate,
  });
  if (opts.listen !== false) events.start();
  let closing: Promise<void> | undefined;
  return {
    app,
    services,
    url,
    port,
    devPool,
    adminCredentials: admin,
    notices,
    close() {
      closing ??= (async () => {
        clearInterval(purge);
        readiness.stop();
        await events.stop();
        // Stop accepting, let in-flight requests finish, then close the database.
        await app.close();
        await store.close();
      })();
      return closing;
    },
  };
}

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
import { systemClock, type Clock, type Logger, type Services } from './services.js';
import { bootstrapDevPool, type DevPool } from './bootstrap.js';

export interface StartOptions {
  config: Config;
  clock?: Clock;
  /** Use this logger instead of pino to stdout. */
  log?: Logger;
  /** PostgreSQL schema (tests use a fresh one per run). */
  schema?: string;
  /** Skip listening (tests that use app.inject). */
  listen?: boolean;
}

export interface RunningServer {
  app: FastifyInstance;
  services: Services;
  /** `http://host:port` once listening. */
  url: string;
  port: number;
  devPool?: DevPool;
  adminCredentials: { accessKeyId: string; secretAccessKey: string };
  close(): Promise<void>;
}

const ADMIN_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** Loads the server secret: LATCHKEY_SECRET, else a key file generated once in the data directory. */
function serverSecret(config: Config, log: Logger): string {
  if (config.secret) return config.secret;
  const file = join(config.dataDir, 'secret.key');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(config.dataDir, { recursive: true });
  const secret = newServerSecret();
  writeFileSync(file, secret + '\n', { mode: 0o600, flag: 'wx' });
  if (config.databaseUrl) log.warn({ file }, 'generated a server secret in the data directory: every instance on this database must share it (set LATCHKEY_SECRET)');
  return secret;
}

/** Admin credentials: from the environment, else generated once and stored in the database. */
async function adminCredentials(config: Config, store: Store, box: SecretBox) {
  if (config.adminAccessKeyId && config.adminSecretAccessKey) {
    return { accessKeyId: config.adminAccessKeyId, secretAccessKey: config.adminSecretAccessKey };
  }
  const candidate = JSON.stringify({ accessKeyId: `LKIA${randomString(16, ADMIN_ALPHABET)}`, secretAccessKey: box.seal(randomString(40, ADMIN_ALPHABET + 'abcdefghijklmnopqrstuvwxyz')) });
  const stored = JSON.parse(await store.getOrPutMeta('admin_credentials', candidate)) as { accessKeyId: string; secretAccessKey: string };
  return { accessKeyId: stored.accessKeyId, secretAccessKey: box.open(stored.secretAccessKey) };
}

/**
 * Opens storage (running migrations), prepares secrets, bootstraps the development pool when the
 * store is empty and asked to, and starts listening.
 * @throws Error when the database is unreachable, a migration fails or the port is taken.
 */
export async function startServer(opts: StartOptions): Promise<RunningServer> {
  const { config } = opts;
  const clock = opts.clock ?? systemClock;
  const log: Logger = opts.log ?? pino({
    level: config.logLevel,
    // Request bodies are logged only through dispatch's redact(); these paths are a second net.
    redact: { paths: ['*.AccessToken', '*.RefreshToken', '*.Password', '*.Session', '*.Credential'], censor: '[redacted]' },
  });
  let ready = false;
  const store = await openStore({ ...storeOptions(config), schema: opts.schema ?? config.databaseSchema });
  const box = new SecretBox(serverSecret(config, log));
  const admin = await adminCredentials(config, store, box);
  const tokens = new TokenService(store, box, () => services.config.publicUrl, () => clock.now(), config.cacheMs);
  const sender = config.smtpUrl ? new SmtpSender(config.smtpUrl, config.smtpFrom, log) : new OutboxSender(store, clock, log);
  const services: Services = { config, store, tokens, box, clock, log, sender, adminKeys: new Map([[admin.accessKeyId, admin.secretAccessKey]]) };
  const app = buildApp({ services, registry, ready: () => ready, extend: (a) => registerAccountPage(a, services) });
  const devPool = config.bootstrapDevPool ? await bootstrapDevPool(services) : undefined;
  ready = true;
  let url = '';
  let port = config.port;
  if (opts.listen !== false) {
    await app.listen({ port: config.port, host: config.host });
    const addr = app.server.address();
    port = typeof addr === 'object' && addr ? addr.port : config.port;
    url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
    // With port 0 and no explicit public URL, issuers follow the port actually bound.
    if (!config.publicUrlExplicit && config.port === 0) services.config = Object.freeze({ ...config, publicUrl: `http://localhost:${port}` });
  } else {
    await app.ready();
  }
  const purge = setInterval(() => {
    store.purgeExpired(clock.now()).catch((err) => log.warn({ err }, 'purge failed'));
  }, 60_000);
  purge.unref();
  let closing: Promise<void> | undefined;
  return {
    app, services, url, port, devPool, adminCredentials: admin,
    close() {
      closing ??= (async () => {
        clearInterval(purge);
        // Stop accepting, let in-flight requests finish, then close the database.
        await app.close();
        await store.close();
      })();
      return closing;
    },
  };
}

import { resolve } from 'node:path';
import { deepFreeze } from './freeze.js';
import { FIXED } from './poolDefaults.js';
import { ConfigError, bool, int, option, text, type Command, type ServerOption } from './option.js';

export { deepFreeze, ConfigError };
export type { Command, ServerOption } from './option.js';
// The app-client, pool and fixed sections of the table.
export * from './poolDefaults.js';

/**
 * The defaults table: every option Latchkey has, with its default, type, source and one line of why
 * (node-oidc-provider's lib/helpers/defaults.js is the model). Server options are parsed by load.ts,
 * `latchkey --help` is printed by flags.ts and docs/configuration.md is written by
 * scripts/gen-config-doc.ts, all from this file; app-client and pool defaults (poolDefaults.ts, re-exported
 * here) are read by domain/.
 * Nothing else restates a default.
 */

const ALL: readonly Command[] = ['serve', 'migrate', 'admin-credentials', 'outbox'];
const SERVE: readonly Command[] = ['serve'];

const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'];

/**
 * Every server option. The order is the order of checks, help lines and doc rows.
 */
export const SERVER_OPTIONS = {
  port: option({
    default: 9230,
    type: 'integer 0..65535',
    env: 'PORT',
    flag: { name: 'port', value: 'n' },
    commands: SERVE,
    why: 'TCP port, 0 = any free port',
    parse: int('port', 0, 65535),
  }),
  host: option({
    default: '127.0.0.1',
    type: 'address',
    env: 'HOST',
    flag: { name: 'host', value: 'address' },
    commands: SERVE,
    why: 'interface to bind; loopback only by default, 0.0.0.0 behind a load balancer',
    parse: text,
  }),
  dataDir: option({
    default: './.latchkey',
    type: 'directory',
    env: 'LATCHKEY_DATA',
    flag: { name: 'data', value: 'dir' },
    commands: ALL,
    why: 'SQLite data directory: latchkey.db and the generated secret.key',
    details: '`latchkey.db` runs in WAL mode with foreign keys on; the path is resolved against the working directory',
    parse: text,
    normalize: (dir) => resolve(dir),
  }),
  databaseUrl: option<string | undefined>({
    default: undefined,
    defaultText: 'SQLite in the data directory',
    type: 'postgres:// URL',
    env: 'DATABASE_URL',
    flag: { name: 'database-url', value: 'postgres://…' },
    commands: ALL,
    why: 'use PostgreSQL instead of SQLite; a URL without a user uses PGUSER (default postgres)',
    details: 'for example `postgres://user@host:5432/db`; a malformed URL is refused without echoing it (it may hold a password)',
    parse(raw) {
      const url = text(raw);
      if (!/^postgres(ql)?:\/\//.test(url))
        throw new ConfigError('database-url must be a postgres:// URL (omit it to use SQLite in the data directory)');
      try {
        new URL(url);
      } catch {
        // Never echo it: it may hold a password.
        throw new ConfigError('database-url is not a valid URL: use postgres://user:password@host:port/database');
      }
      return url;
    },
  }),
  sqliteSynchronous: option<'full' | 'normal'>({
    default: 'full',
    type: 'full | normal',
    env: 'LATCHKEY_SQLITE_SYNCHRONOUS',
    commands: ALL,
    why: 'SQLite durability: full survives power loss, normal survives crashes and is faster',
    details:
      '`full`: every commit is synced to disk before the answer (an acknowledged write survives power loss); the sync is one ' +
      'fdatasync of the WAL shared by the commits that arrive meanwhile (group commit), off the event loop; `normal`: no ' +
      'sync before the answer — survives process crashes, a power cut may lose the last commits (see ' +
      '[performance.md](performance.md))',
    parse(raw) {
      const v = text(raw).toLowerCase();
      if (v !== 'full' && v !== 'normal') throw new ConfigError('LATCHKEY_SQLITE_SYNCHRONOUS must be full or normal');
      return v;
    },
  }),
  databaseSchema: option<string | undefined>({
    default: undefined,
    defaultText: "the search_path's",
    type: 'name [a-z_][a-z0-9_]*',
    env: 'LATCHKEY_DATABASE_SCHEMA',
    flag: { name: 'database-schema', value: 'name' },
    commands: ALL,
    why: 'PostgreSQL schema, created if absent',
    parse(raw) {
      const v = text(raw);
      if (!/^[a-z_][a-z0-9_]{0,62}$/.test(v)) throw new ConfigError('database-schema must match [a-z_][a-z0-9_]*');
      return v;
    },
  }),
  publicUrl: option<string | undefined>({
    default: undefined,
    defaultText: 'http://localhost:<port>',
    type: 'absolute URL',
    env: 'LATCHKEY_PUBLIC_URL',
    flag: { name: 'public-url', value: 'url' },
    commands: SERVE,
    why: 'base of token issuers (<public-url>/<poolId>) and JWKS URLs; the URL clients and resource servers use',
    details: 'a trailing `/` is dropped; with `--port 0` and no public URL it follows the port actually bound',
    parse(raw) {
      const url = text(raw).replace(/\/+$/, '');
      try {
        new URL(url);
      } catch {
        throw new ConfigError(`public-url is not an absolute URL: ${url}`);
      }
      return url;
    },
  }),
  region: option({
    default: 'local',
    type: '1-30 of a-z 0-9 -',
    env: 'LATCHKEY_REGION',
    flag: { name: 'region', value: 'name' },
    commands: SERVE,
    why: 'prefix of new pool ids (<region>_<9 alphanumerics>), as in Cognito',
    parse(raw) {
      const v = text(raw);
      if (!/^[a-z0-9-]{1,30}$/.test(v)) throw new ConfigError('region must be 1-30 characters of a-z, 0-9 and -');
      return v;
    },
  }),
  adminAccessKeyId: option<string | undefined>({
    default: undefined,
    defaultText: 'generated, stored',
    type: 'string',
    env: 'LATCHKEY_ADMIN_ACCESS_KEY_ID',
    commands: ['serve', 'admin-credentials'],
    why: 'the admin SigV4 access key id (with LATCHKEY_ADMIN_SECRET_ACCESS_KEY; both or neither)',
    details: '`latchkey admin-credentials` prints the pair in use',
    parse: text,
  }),
  adminSecretAccessKey: option<string | undefined>({
    default: undefined,
    defaultText: 'generated, stored',
    type: 'string',
    env: 'LATCHKEY_ADMIN_SECRET_ACCESS_KEY',
    commands: ['serve', 'admin-credentials'],
    why: 'the admin SigV4 secret key; generated once and stored when the pair is not given',
    parse: text,
  }),
  secret: option<string | undefined>({
    default: undefined,
    defaultText: 'a generated secret.key in the data directory',
    type: '≥ 32 characters',
    env: 'LATCHKEY_SECRET',
    commands: ['serve', 'admin-credentials'],
    why: 'encrypts signing keys and keys MACs; the same on every instance of one database',
    details:
      'signing keys are sealed with AES-256-GCM and the code and page-token MACs are keyed from it. **All instances on one ' +
      'database must share it**: an instance whose secret is not the one the database was first served with refuses to ' +
      'start (exit 2)',
    parse(raw) {
      const v = text(raw);
      if (v.length < 32) throw new ConfigError('LATCHKEY_SECRET must be at least 32 characters');
      return v;
    },
  }),
  smtpUrl: option<string | undefined>({
    default: undefined,
    defaultText: 'the log and the outbox',
    type: 'smtp:// or smtps:// URL',
    env: 'LATCHKEY_SMTP_URL',
    commands: SERVE,
    why: 'deliver codes by SMTP (smtp://user:pass@host:587 or smtps://…); else codes go to the log and `latchkey outbox`',
    details: 'delivered with nodemailer; any other URL is refused at start-up rather than at the first code sent',
    // nodemailer accepts smtp:// and smtps:// URLs; anything else would fail at the first code sent.
    parse(raw) {
      const value = text(raw);
      let u: URL | undefined;
      try {
        u = new URL(value);
      } catch {
        /* reported below */
      }
      if (!u || (u.protocol !== 'smtp:' && u.protocol !== 'smtps:') || !u.hostname) {
        // The URL may carry a password: never echo it.
        throw new ConfigError('LATCHKEY_SMTP_URL must look like smtp://user:pass@host:587 or smtps://user:pass@host:465');
      }
      return value;
    },
  }),
  smtpFrom: option({
    default: 'latchkey@localhost',
    type: 'address',
    env: 'LATCHKEY_SMTP_FROM',
    commands: SERVE,
    why: 'sender address of SMTP messages',
    parse: text,
  }),
  smsWebhookUrl: option<string | undefined>({
    default: undefined,
    defaultText: 'the log and the outbox',
    type: 'https:// URL (http:// on loopback)',
    env: 'LATCHKEY_SMS_WEBHOOK_URL',
    commands: SERVE,
    why: 'deliver SMS codes (phone destinations) by a signed POST to this URL; else they go to the log and `latchkey outbox`',
    details:
      'the body, the signature and an example receiver are in [sms-webhook.md](sms-webhook.md); email keeps going to SMTP ' +
      'or the outbox. http:// is accepted only for a loopback host (127.0.0.1, ::1, localhost), anything else at start-up is refused',
    parse(raw) {
      let u: URL | undefined;
      try {
        u = new URL(text(raw));
      } catch {
        /* reported below */
      }
      // Codes travel in the body: in clear text only to this machine (a receiver next to the server).
      const loopback = u && (u.hostname === 'localhost' || u.hostname === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(u.hostname));
      // fetch() refuses URLs with credentials, so a user:token@ URL could never deliver: refuse it here.
      const credentials = u && (u.username !== '' || u.password !== '');
      if (!u || !u.hostname || credentials || !(u.protocol === 'https:' || (u.protocol === 'http:' && loopback))) {
        // The URL may carry a token: never echo it.
        throw new ConfigError(
          'LATCHKEY_SMS_WEBHOOK_URL must be an https:// URL without user:password@ (http:// only to 127.0.0.1, [::1] ' +
            'or localhost; put a token in the path or query), e.g. https://sms.internal/latchkey',
        );
      }
      return u.href;
    },
  }),
  smsWebhookSecret: option<string | undefined>({
    default: undefined,
    defaultText: 'none (required with LATCHKEY_SMS_WEBHOOK_URL)',
    type: '≥ 32 characters',
    env: 'LATCHKEY_SMS_WEBHOOK_SECRET',
    commands: SERVE,
    why: 'HMAC-SHA256 key of the x-latchkey-signature header of SMS webhook requests, shared with the receiver',
    details: 'the receiver checks it with `verifyWebhookSignature` from `@latchkey/server` (or the recipe in sms-webhook.md)',
    parse(raw) {
      const v = text(raw);
      if (v.length < 32) throw new ConfigError('LATCHKEY_SMS_WEBHOOK_SECRET must be at least 32 characters (e.g. openssl rand -hex 32)');
      return v;
    },
  }),
  smsWebhookTimeoutMs: option({
    default: 5000,
    type: 'integer 100..60000 ms',
    env: 'LATCHKEY_SMS_WEBHOOK_TIMEOUT_MS',
    commands: SERVE,
    why: 'how long one SMS webhook attempt may take (connect to response) before it counts as failed',
    parse: int('LATCHKEY_SMS_WEBHOOK_TIMEOUT_MS', 100, 60_000),
  }),
  smsWebhookAttempts: option({
    default: 3,
    type: 'integer 1..10',
    env: 'LATCHKEY_SMS_WEBHOOK_ATTEMPTS',
    commands: SERVE,
    why: 'attempts per SMS on a network error, timeout, 429 or 5xx (never on another 4xx), with the same messageId',
    details: `the pause before attempt n+1 is ${FIXED.smsWebhookBackoffMs.default} ms × 2^(n-1)`,
    parse: int('LATCHKEY_SMS_WEBHOOK_ATTEMPTS', 1, 10),
  }),
  eventRetryBaseMs: option({
    default: 2000,
    type: 'integer 10..5000 ms',
    env: 'LATCHKEY_EVENT_RETRY_BASE_MS',
    commands: SERVE,
    why: 'the pause before the first retry of a lifecycle event (docs/events.md); it doubles per attempt, up to 5 minutes',
    parse: int('LATCHKEY_EVENT_RETRY_BASE_MS', 10, 5000),
  }),
  eventLeaseMs: option({
    default: 30_000,
    type: 'integer 1000..600000 ms',
    env: 'LATCHKEY_EVENT_LEASE_MS',
    commands: SERVE,
    why: 'how long a claimed lifecycle event is reserved for one delivery attempt; after a crash mid-attempt it is due again then',
    details: 'an attempt times out after at most half of it, so a lease never ends while its attempt runs',
    parse: int('LATCHKEY_EVENT_LEASE_MS', 1000, 600_000),
  }),
  eventPollMs: option({
    default: 1000,
    type: 'integer 10..10000 ms',
    env: 'LATCHKEY_EVENT_POLL_MS',
    commands: SERVE,
    why: 'how often each server process looks for due lifecycle events (one indexed UPDATE when there are none)',
    parse: int('LATCHKEY_EVENT_POLL_MS', 10, 10_000),
  }),
  triggerTimeoutMs: option({
    default: 5000,
    type: 'integer 100..5000 ms',
    env: 'LATCHKEY_TRIGGER_TIMEOUT_MS',
    commands: SERVE,
    why: "how long one trigger call (LambdaConfig URL) may take before it fails with UnexpectedLambdaException, as Lambda's 5 s",
    details: 'lower it only to test receivers that time out; see [triggers/README.md](triggers/README.md)',
    parse: int('LATCHKEY_TRIGGER_TIMEOUT_MS', 100, 5000),
  }),
  triggerAllowPrivate: option({
    default: false,
    type: 'true | false | 1 | 0',
    env: 'LATCHKEY_TRIGGER_ALLOW_PRIVATE',
    commands: SERVE,
    why:
      'allow https:// triggers and event webhooks on hosts that are or resolve to private, link-local or loopback addresses ' +
      '(off: refused per call)',
    parse: bool,
  }),
  triggerModules: option({
    default: false,
    defaultText: 'off',
    type: 'true | false | 1 | 0',
    env: 'LATCHKEY_TRIGGER_MODULES',
    flag: { name: 'trigger-modules', negation: 'no-trigger-modules' },
    commands: SERVE,
    why: 'development only: accept file:///abs/path/handler.mjs in LambdaConfig and run that module in-process instead of an HTTP call',
    details:
      "the module exports `handler(event)` as a Node.js Lambda does; it runs with the server's privileges, so never enable this " +
      'where pool administrators are not trusted with code execution',
    parse: bool,
  }),
  workers: option({
    default: 1,
    type: 'integer 1..64',
    env: 'LATCHKEY_WORKERS',
    flag: { name: 'workers', value: 'n' },
    commands: SERVE,
    why: 'processes sharing the port (node:cluster); all state is in the database',
    parse: int('workers', 1, 64),
  }),
  corsOrigins: option<readonly string[]>({
    default: ['*'],
    type: 'comma-separated origins',
    env: 'LATCHKEY_CORS_ORIGINS',
    flag: { name: 'cors-origins', value: 'list' },
    commands: SERVE,
    why: 'browser origins allowed to call the endpoint, * = any',
    parse: (raw) =>
      text(raw)
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
  }),
  logLevel: option({
    default: 'info',
    type: LOG_LEVELS.join(' | '),
    env: 'LOG_LEVEL',
    flag: { name: 'log-level', value: 'level' },
    commands: SERVE,
    why: 'pino level: trace, debug, info, warn, error, fatal or silent',
    details: 'anything else is refused at start-up',
    parse: text,
    normalize(value) {
      const level = value.toLowerCase();
      if (!LOG_LEVELS.includes(level))
        throw new ConfigError(`log level (--log-level / LOG_LEVEL) must be one of ${LOG_LEVELS.join(', ')}, got "${level}"`);
      return level;
    },
  }),
  bootstrapDevPool: option({
    default: true,
    defaultText: 'on',
    type: 'true | false | 1 | 0',
    env: 'LATCHKEY_DEV',
    flag: { name: 'dev', negation: 'no-dev' },
    commands: SERVE,
    why: 'on an empty store, create the development pool and client (--no-dev: do not)',
    details: 'anything but `true`, `false`, `1` or `0` is refused, so a typo never silently means on',
    parse: bool,
  }),
  bodyLimit: option({
    default: 256 * 1024,
    type: 'bytes (fixed)',
    commands: SERVE,
    why: 'largest accepted request body; Cognito requests are small, so more is refused before it is read',
  }),
  cacheMs: option({
    default: 60_000,
    type: 'integer 0..3600000 ms',
    env: 'LATCHKEY_KEY_CACHE_MS',
    commands: SERVE,
    why:
      'how long signing-key metadata may be cached per process, ' +
      `at most ${FIXED.verificationRecordMaxAgeMs.default} ms whatever the value; revocations are never cached`,
    details: 'see [deployment.md](deployment.md#caches)',
    parse: int('cache-ms', 0, 3_600_000),
  }),
} as const;

type Options = typeof SERVER_OPTIONS;
type ValueOf<O> = O extends ServerOption<infer T> ? T : never;
type OptionalKeys = { [K in keyof Options]: undefined extends ValueOf<Options[K]> ? K : never }[keyof Options];

/** The server configuration, derived from SERVER_OPTIONS; built and deep-frozen by loadConfig. */
export type Config = { readonly [K in Exclude<keyof Options, OptionalKeys>]: ValueOf<Options[K]> } & {
  readonly [K in OptionalKeys]?: Exclude<ValueOf<Options[K]>, undefined>;
} & {
  /** Always set: when not given it is derived from the port. */
  readonly publicUrl: string;
  /** Whether publicUrl was given (else it follows the bound port). */
  readonly publicUrlExplicit: boolean;
};

/** Options of one command that are not server configuration. */
export const COMMAND_OPTIONS = {
  outbox: {
    pool: { value: 'id', default: undefined, why: "only this user pool's messages" },
    limit: { value: 'n', default: 20, why: 'how many messages, newest first' },
  },
} as const;

deepFreeze(SERVER_OPTIONS);

/** The server options' defaults by key, as the rest of the code reads them. */
export const DEFAULTS = deepFreeze(
  Object.fromEntries(Object.entries(SERVER_OPTIONS).map(([k, o]) => [k, o.default])) as {
    readonly [K in keyof Options]: ValueOf<Options[K]>;
  },
);

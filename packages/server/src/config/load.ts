import { resolve } from 'node:path';
import { DEFAULTS, type Config } from './defaults.js';
import { StartupError } from '../startupError.js';

/** Thrown for an invalid option; the CLI prints the message and exits 2. */
export class ConfigError extends StartupError {}

export type Flags = Record<string, string | boolean | undefined>;

function str(flags: Flags, flag: string, env: string | undefined): string | undefined {
  const f = flags[flag];
  if (typeof f === 'string') return f;
  return env === undefined || env === '' ? undefined : env;
}

function int(name: string, value: string | undefined, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) throw new ConfigError(`${name} must be an integer in ${min}..${max}, got "${value}"`);
  return n;
}

// Strict on purpose: a typo such as LATCHKEY_DEV=flase must not silently mean "on".
function bool(name: string, value: string | boolean | undefined, fallback: boolean): boolean {
  if (value === undefined || value === '') return fallback;
  if (typeof value === 'boolean') return value;
  if (/^(1|true)$/i.test(value)) return true;
  if (/^(0|false)$/i.test(value)) return false;
  throw new ConfigError(`${name} must be true, false, 1 or 0, got "${value}"`);
}

const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'];

/** nodemailer accepts smtp:// and smtps:// URLs; anything else would fail at the first code sent. */
function smtpUrl(value: string | undefined): string | undefined {
  if (value === undefined || value === '') return undefined;
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
}

/**
 * Builds the frozen configuration from flags and environment (flags win).
 * @throws ConfigError when an option is malformed.
 */
export function loadConfig(flags: Flags = {}, env: NodeJS.ProcessEnv = process.env): Config {
  const port = int('port', str(flags, 'port', env.PORT), DEFAULTS.port, 0, 65535);
  const host = str(flags, 'host', env.HOST) ?? DEFAULTS.host;
  const databaseUrl = str(flags, 'database-url', env.DATABASE_URL);
  if (databaseUrl !== undefined && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    throw new ConfigError('database-url must be a postgres:// URL (omit it to use SQLite in the data directory)');
  }
  if (databaseUrl !== undefined) {
    try {
      new URL(databaseUrl);
    } catch {
      // Never echo it: it may hold a password.
      throw new ConfigError('database-url is not a valid URL: use postgres://user:password@host:port/database');
    }
  }
  const sqliteSynchronous = (env.LATCHKEY_SQLITE_SYNCHRONOUS || 'full').toLowerCase();
  if (sqliteSynchronous !== 'full' && sqliteSynchronous !== 'normal')
    throw new ConfigError('LATCHKEY_SQLITE_SYNCHRONOUS must be full or normal');
  const databaseSchema = str(flags, 'database-schema', env.LATCHKEY_DATABASE_SCHEMA);
  if (databaseSchema !== undefined && !/^[a-z_][a-z0-9_]{0,62}$/.test(databaseSchema))
    throw new ConfigError('database-schema must match [a-z_][a-z0-9_]*');
  const explicitUrl = str(flags, 'public-url', env.LATCHKEY_PUBLIC_URL);
  const publicUrl = (explicitUrl ?? `http://localhost:${port}`).replace(/\/+$/, '');
  try {
    new URL(publicUrl);
  } catch {
    throw new ConfigError(`public-url is not an absolute URL: ${publicUrl}`);
  }
  const region = str(flags, 'region', env.LATCHKEY_REGION) ?? DEFAULTS.region;
  if (!/^[a-z0-9-]{1,30}$/.test(region)) throw new ConfigError('region must be 1-30 characters of a-z, 0-9 and -');
  const adminAccessKeyId = env.LATCHKEY_ADMIN_ACCESS_KEY_ID || undefined;
  const adminSecretAccessKey = env.LATCHKEY_ADMIN_SECRET_ACCESS_KEY || undefined;
  if ((adminAccessKeyId === undefined) !== (adminSecretAccessKey === undefined)) {
    throw new ConfigError('set both LATCHKEY_ADMIN_ACCESS_KEY_ID and LATCHKEY_ADMIN_SECRET_ACCESS_KEY, or neither');
  }
  const secret = env.LATCHKEY_SECRET || undefined;
  if (secret !== undefined && secret.length < 32) throw new ConfigError('LATCHKEY_SECRET must be at least 32 characters');
  const cors = str(flags, 'cors-origins', env.LATCHKEY_CORS_ORIGINS);
  const logLevel = (str(flags, 'log-level', env.LOG_LEVEL) ?? DEFAULTS.logLevel).toLowerCase();
  if (!LOG_LEVELS.includes(logLevel))
    throw new ConfigError(`log level (--log-level / LOG_LEVEL) must be one of ${LOG_LEVELS.join(', ')}, got "${logLevel}"`);
  return Object.freeze({
    port,
    host,
    dataDir: resolve(str(flags, 'data', env.LATCHKEY_DATA) ?? DEFAULTS.dataDir),
    databaseUrl,
    databaseSchema,
    sqliteSynchronous,
    publicUrl,
    publicUrlExplicit: explicitUrl !== undefined,
    region,
    adminAccessKeyId,
    adminSecretAccessKey,
    secret,
    smtpUrl: smtpUrl(env.LATCHKEY_SMTP_URL),
    smtpFrom: env.LATCHKEY_SMTP_FROM || DEFAULTS.smtpFrom,
    workers: int('workers', str(flags, 'workers', env.LATCHKEY_WORKERS), DEFAULTS.workers, 1, 64),
    logLevel,
    bootstrapDevPool: bool(flags.dev !== undefined ? '--dev' : 'LATCHKEY_DEV', flags.dev ?? env.LATCHKEY_DEV, DEFAULTS.bootstrapDevPool),
    bodyLimit: DEFAULTS.bodyLimit,
    corsOrigins: Object.freeze(
      cors
        ? cors
            .split(',')
            .map((s) => s.trim())
            .filter(Boolean)
        : [...DEFAULTS.corsOrigins],
    ),
    cacheMs: int('cache-ms', env.LATCHKEY_KEY_CACHE_MS, DEFAULTS.cacheMs, 0, 3_600_000),
  });
}

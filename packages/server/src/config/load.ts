import { resolve } from 'node:path';
import { DEFAULTS, type Config } from './defaults.js';

/** Thrown for an invalid option; the CLI prints the message and exits 2. */
export class ConfigError extends Error {}

type Flags = Record<string, string | boolean | undefined>;

/** Parses `--name value` / `--name=value` / `--flag` pairs after the sub-command. */
export function parseFlags(argv: readonly string[]): { positionals: string[]; flags: Flags } {
  const flags: Flags = {};
  const positionals: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith('--')) {
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    if (eq > 0) {
      flags[arg.slice(2, eq)] = arg.slice(eq + 1);
    } else if (i + 1 < argv.length && !argv[i + 1]!.startsWith('--')) {
      flags[arg.slice(2)] = argv[++i];
    } else {
      flags[arg.slice(2)] = true;
    }
  }
  return { positionals, flags };
}

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

function bool(value: string | boolean | undefined, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value === 'boolean') return value;
  return !/^(0|false|no|off)$/i.test(value);
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
  const sqliteSynchronous = (env.LATCHKEY_SQLITE_SYNCHRONOUS || 'full').toLowerCase();
  if (sqliteSynchronous !== 'full' && sqliteSynchronous !== 'normal') throw new ConfigError('LATCHKEY_SQLITE_SYNCHRONOUS must be full or normal');
  const databaseSchema = str(flags, 'database-schema', env.LATCHKEY_DATABASE_SCHEMA);
  if (databaseSchema !== undefined && !/^[a-z_][a-z0-9_]{0,62}$/.test(databaseSchema)) throw new ConfigError('database-schema must match [a-z_][a-z0-9_]*');
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
    smtpUrl: env.LATCHKEY_SMTP_URL || undefined,
    smtpFrom: env.LATCHKEY_SMTP_FROM || DEFAULTS.smtpFrom,
    workers: int('workers', str(flags, 'workers', env.LATCHKEY_WORKERS), DEFAULTS.workers, 1, 64),
    logLevel: str(flags, 'log-level', env.LOG_LEVEL) ?? DEFAULTS.logLevel,
    bootstrapDevPool: bool(flags.dev ?? env.LATCHKEY_DEV, DEFAULTS.bootstrapDevPool),
    bodyLimit: DEFAULTS.bodyLimit,
    corsOrigins: Object.freeze(cors ? cors.split(',').map((s) => s.trim()).filter(Boolean) : [...DEFAULTS.corsOrigins]),
    cacheMs: int('cache-ms', env.LATCHKEY_KEY_CACHE_MS, DEFAULTS.cacheMs, 0, 3_600_000),
  });
}

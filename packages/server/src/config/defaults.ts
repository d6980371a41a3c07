/**
 * Every server option with its default. `load.ts` is the only reader of process.env and argv;
 * everything else receives a frozen `Config`.
 */
export interface Config {
  /** TCP port (`--port` / `PORT`). 0 picks a free port. Default 9230. */
  readonly port: number;
  /** Interface to bind (`--host` / `HOST`). Default loopback only. */
  readonly host: string;
  /** SQLite data directory (`--data` / `LATCHKEY_DATA`). Holds latchkey.db and the generated secret key. */
  readonly dataDir: string;
  /** `postgres://…` selects PostgreSQL (`--database-url` / `DATABASE_URL`); absent → SQLite in dataDir. */
  readonly databaseUrl?: string;
  /** Base of token issuers `<publicUrl>/<poolId>` (`--public-url` / `LATCHKEY_PUBLIC_URL`). */
  readonly publicUrl: string;
  /** SQLite durability (`LATCHKEY_SQLITE_SYNCHRONOUS`): `full` (default, survives power loss) or `normal` (survives crashes). */
  readonly sqliteSynchronous: 'full' | 'normal';
  /** PostgreSQL schema (`--database-schema` / `LATCHKEY_DATABASE_SCHEMA`), created if absent; default the search_path's. */
  readonly databaseSchema?: string;
  /** Whether publicUrl was given (else it follows the bound port). */
  readonly publicUrlExplicit: boolean;
  /** Pool-id prefix (`--region` / `LATCHKEY_REGION`). */
  readonly region: string;
  /** Admin SigV4 key pair (`LATCHKEY_ADMIN_ACCESS_KEY_ID` + `LATCHKEY_ADMIN_SECRET_ACCESS_KEY`); generated and stored when absent. */
  readonly adminAccessKeyId?: string;
  readonly adminSecretAccessKey?: string;
  /** Key that encrypts signing keys at rest (`LATCHKEY_SECRET`, ≥ 32 chars); else a generated key file in dataDir. */
  readonly secret?: string;
  /** SMTP delivery of codes (`LATCHKEY_SMTP_URL`, e.g. smtp://user:pass@host:587); absent → log + outbox. */
  readonly smtpUrl?: string;
  /** Sender address for SMTP (`LATCHKEY_SMTP_FROM`). */
  readonly smtpFrom: string;
  /** Worker processes (`--workers` / `LATCHKEY_WORKERS`). */
  readonly workers: number;
  /** pino log level (`--log-level` / `LOG_LEVEL`). */
  readonly logLevel: string;
  /** Create a development pool and client on an empty store (`--dev` / `LATCHKEY_DEV`); default true for `serve`. */
  readonly bootstrapDevPool: boolean;
  /** Largest accepted request body in bytes. */
  readonly bodyLimit: number;
  /** Browser origins allowed by CORS (`LATCHKEY_CORS_ORIGINS`, comma separated, `*` = any). */
  readonly corsOrigins: readonly string[];
  /** How long signing-key metadata may be cached in memory, ms (`LATCHKEY_KEY_CACHE_MS`); revocations are never cached. */
  readonly cacheMs: number;
}

export const DEFAULTS = {
  port: 9230,
  host: '127.0.0.1',
  dataDir: './.latchkey',
  region: 'local',
  smtpFrom: 'latchkey@localhost',
  workers: 1,
  logLevel: 'info',
  bootstrapDevPool: true,
  bodyLimit: 256 * 1024,
  corsOrigins: ['*'],
  cacheMs: 60_000,
} as const;

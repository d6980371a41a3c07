import { ConfigError, type Flags } from './load.js';

/** One command-line flag. `value` names its argument; a flag without one is a switch. */
export interface FlagSpec {
  readonly name: string;
  readonly value?: string;
  /** The environment variable read when the flag is absent. */
  readonly env?: string;
  readonly help: string;
}

export interface CommandSpec {
  readonly summary: string;
  readonly flags: readonly FlagSpec[];
}

const STORE_FLAGS: readonly FlagSpec[] = [
  {
    name: 'data',
    value: 'dir',
    env: 'LATCHKEY_DATA',
    help: 'SQLite data directory (latchkey.db, generated secret.key); default ./.latchkey',
  },
  { name: 'database-url', value: 'postgres://…', env: 'DATABASE_URL', help: 'use PostgreSQL instead of SQLite' },
  {
    name: 'database-schema',
    value: 'name',
    env: 'LATCHKEY_DATABASE_SCHEMA',
    help: "PostgreSQL schema, created if absent; default the search_path's",
  },
];

const SERVE_FLAGS: readonly FlagSpec[] = [
  { name: 'port', value: 'n', env: 'PORT', help: 'TCP port, 0 = any free port; default 9230' },
  { name: 'host', value: 'address', env: 'HOST', help: 'interface to bind; default 127.0.0.1 (0.0.0.0 behind a load balancer)' },
  ...STORE_FLAGS,
  {
    name: 'public-url',
    value: 'url',
    env: 'LATCHKEY_PUBLIC_URL',
    help: 'base of token issuers and JWKS URLs; default http://localhost:<port>',
  },
  { name: 'region', value: 'name', env: 'LATCHKEY_REGION', help: 'prefix of new pool ids; default local' },
  { name: 'workers', value: 'n', env: 'LATCHKEY_WORKERS', help: 'processes sharing the port (1-64); default 1' },
  {
    name: 'cors-origins',
    value: 'list',
    env: 'LATCHKEY_CORS_ORIGINS',
    help: 'comma-separated browser origins allowed, * = any; default *',
  },
  { name: 'log-level', value: 'level', env: 'LOG_LEVEL', help: 'trace, debug, info, warn, error, fatal or silent; default info' },
  {
    name: 'dev',
    env: 'LATCHKEY_DEV',
    help: 'create the development pool and client on an empty store (the default; LATCHKEY_DEV=true|false|1|0)',
  },
  { name: 'no-dev', help: 'do not create the development pool' },
];

/** Every command, its flags and its one-line summary: the parser and the usage text both read this. */
export const COMMANDS: Readonly<Record<string, CommandSpec>> = {
  serve: { summary: 'run the server', flags: SERVE_FLAGS },
  migrate: { summary: 'apply database migrations and exit (a deploy step)', flags: STORE_FLAGS },
  'admin-credentials': { summary: 'print the admin (SigV4) access key pair of existing data', flags: STORE_FLAGS },
  outbox: {
    summary: 'print the latest code messages of existing data (development delivery)',
    flags: [
      ...STORE_FLAGS,
      { name: 'pool', value: 'id', help: "only this user pool's messages" },
      { name: 'limit', value: 'n', help: 'how many messages, newest first; default 20' },
    ],
  },
};

/** Variables that have no flag. */
export const ENV_ONLY: readonly { name: string; help: string }[] = [
  {
    name: 'LATCHKEY_SECRET',
    help: '≥ 32 characters; encrypts signing keys and keys MACs; the same on every instance of one database (default: a generated secret.key in the data directory)',
  },
  {
    name: 'LATCHKEY_ADMIN_ACCESS_KEY_ID, LATCHKEY_ADMIN_SECRET_ACCESS_KEY',
    help: 'the admin SigV4 key pair (default: generated once and stored)',
  },
  { name: 'LATCHKEY_SMTP_URL', help: 'smtp://user:pass@host:587 or smtps://…: deliver codes by SMTP (default: the log and the outbox)' },
  { name: 'LATCHKEY_SMTP_FROM', help: 'sender address for SMTP; default latchkey@localhost' },
  { name: 'LATCHKEY_SQLITE_SYNCHRONOUS', help: 'full (default: survives power loss) or normal (survives crashes, faster)' },
  { name: 'PGUSER', help: 'the PostgreSQL user when --database-url names none; default postgres' },
  { name: 'LATCHKEY_KEY_CACHE_MS', help: 'how long signing-key metadata is cached per process; default 60000' },
];

function flagLine(f: FlagSpec): string {
  const left = `  --${f.name}${f.value ? ` <${f.value}>` : ''}`;
  const env = f.env ? ` [${f.env}]` : '';
  return `${left.padEnd(34)} ${f.help}${env}`;
}

/** `latchkey <command> --help`. */
export function commandUsage(command: string): string {
  const spec = COMMANDS[command]!;
  return `Usage: latchkey ${command} [flags]\n\n${spec.summary}.\n\nFlags (each also read from the [environment variable]; flags win):\n${[...spec.flags, { name: 'help', help: 'print this and exit' }].map(flagLine).join('\n')}`;
}

/** `latchkey --help`: every command, flag and environment variable. */
export function usage(): string {
  const commands = Object.entries(COMMANDS)
    .map(([name, c]) => `  latchkey ${name.padEnd(18)} ${c.summary}`)
    .join('\n');
  const flags = Object.entries(COMMANDS)
    .map(([name, c]) => `latchkey ${name}:\n${c.flags.map(flagLine).join('\n')}`)
    .join('\n\n');
  const env = ENV_ONLY.map((e) => `  ${e.name}\n      ${e.help}`).join('\n');
  return `latchkey — a self-hosted Cognito user pool with first-class passkeys

Commands:
${commands}

Flags (each also read from the [environment variable]; flags win; every command takes --help):
${flags}

Environment only:
${env}

See docs/configuration.md.`;
}

/**
 * Parses a command's arguments strictly: `--name value`, `--name=value`, switches, `--help`/`-h`.
 * @throws ConfigError for an unknown flag, a missing or unexpected value, a repeated flag or a stray argument.
 */
export function parseCommandFlags(command: string, argv: readonly string[]): { help: boolean; flags: Flags } {
  const spec = COMMANDS[command]!;
  const hint = `(latchkey ${command} --help lists the flags)`;
  const flags: Flags = {};
  const seen = new Set<string>();
  let help = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--help' || arg === '-h') {
      help = true;
      continue;
    }
    if (!arg.startsWith('--')) throw new ConfigError(`unexpected argument "${arg}" for latchkey ${command} ${hint}`);
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq > 0 ? eq : undefined);
    const flag = spec.flags.find((f) => f.name === name);
    if (!flag) throw new ConfigError(`unknown flag --${name} for latchkey ${command} ${hint}`);
    if (seen.has(name)) throw new ConfigError(`--${name} is given twice`);
    seen.add(name);
    if (!flag.value) {
      if (eq > 0) throw new ConfigError(`--${name} takes no value (got "${arg.slice(eq + 1)}")`);
      if (name === 'no-dev') flags.dev = false;
      else flags[name] = true;
      continue;
    }
    const value = eq > 0 ? arg.slice(eq + 1) : argv[i + 1];
    if (eq < 0) i++;
    // A following flag is never a value: `--port --host x` is a missing port, not port "--host".
    if (value === undefined || value === '' || (eq < 0 && value.startsWith('-'))) {
      throw new ConfigError(`--${name} needs a value (--${name} <${flag.value}>)`);
    }
    flags[name] = value;
  }
  if (seen.has('dev') && seen.has('no-dev')) throw new ConfigError('--dev and --no-dev contradict each other');
  return { help, flags };
}

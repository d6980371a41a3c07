import { COMMAND_OPTIONS, SERVER_OPTIONS, type Command, type ServerOption } from './defaults.js';
import { ConfigError, type Flags } from './load.js';

/** One command-line flag, derived from the defaults table. `value` names its argument; a flag without one is a switch. */
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

const OPTIONS = Object.values(SERVER_OPTIONS) as ServerOption<unknown>[];

/** How a default reads in help and docs. */
export function defaultText(o: { readonly default: unknown; readonly defaultText?: string }): string | undefined {
  if (o.defaultText !== undefined) return o.defaultText;
  if (o.default === undefined) return undefined;
  return Array.isArray(o.default) ? o.default.join(',') : String(o.default);
}

const withDefault = (why: string, o: { readonly default: unknown; readonly defaultText?: string }) => {
  const d = defaultText(o);
  return d === undefined ? why : `${why}; default ${d}`;
};

function flagsOf(command: Command): FlagSpec[] {
  const out: FlagSpec[] = [];
  for (const o of OPTIONS) {
    if (!o.flag || !o.commands.includes(command)) continue;
    out.push({ name: o.flag.name, value: o.flag.value, env: o.env, help: withDefault(o.why, o) });
    if (o.flag.negation) out.push({ name: o.flag.negation, help: `the opposite of --${o.flag.name}` });
  }
  const own = (COMMAND_OPTIONS as Record<string, Record<string, { value: string; default: unknown; why: string }>>)[command] ?? {};
  for (const [name, o] of Object.entries(own)) out.push({ name, value: o.value, help: withDefault(o.why, o) });
  return out;
}

/** Every command, its flags and its one-line summary: the parser and the usage text both read this. */
export const COMMANDS: Readonly<Record<string, CommandSpec>> = Object.freeze({
  serve: { summary: 'run the server', flags: flagsOf('serve') },
  migrate: { summary: 'apply database migrations and exit (a deploy step)', flags: flagsOf('migrate') },
  'admin-credentials': { summary: 'print the admin (SigV4) access key pair of existing data', flags: flagsOf('admin-credentials') },
  outbox: { summary: 'print the latest code messages of existing data (development delivery)', flags: flagsOf('outbox') },
});

/** Variables that have no flag, as help lists them. */
export const ENV_ONLY: readonly { name: string; help: string }[] = OPTIONS.filter((o) => o.env && !o.flag).map((o) => ({
  name: o.env!,
  help: withDefault(o.why, o),
}));

const WIDTH = 110;

/** `prefix` then `text` wrapped at word boundaries to WIDTH, continuation lines indented by `indent` spaces. */
function wrap(prefix: string, text: string, indent: number): string {
  const lines: string[] = [];
  let cur = '';
  for (const word of text.split(' ')) {
    if (cur && (lines.length ? indent : prefix.length) + cur.length + 1 + word.length > WIDTH) {
      lines.push(cur);
      cur = word;
    } else cur = cur ? `${cur} ${word}` : word;
  }
  lines.push(cur);
  return lines.map((l, i) => (i === 0 ? prefix : ' '.repeat(indent)) + l).join('\n');
}

function flagLine(f: FlagSpec): string {
  const left = `  --${f.name}${f.value ? ` <${f.value}>` : ''}`.padEnd(34);
  return wrap(`${left} `, `${f.help}${f.env ? ` [${f.env}]` : ''}`, 35);
}

/** `latchkey <command> --help`. */
export function commandUsage(command: string): string {
  const spec = COMMANDS[command]!;
  const flags = [...spec.flags, { name: 'help', help: 'print this and exit' }].map(flagLine).join('\n');
  const head = `Usage: latchkey ${command} [flags]\n\n${spec.summary}.`;
  return `${head}\n\nFlags (each also read from the [environment variable]; flags win):\n${flags}`;
}

/** `latchkey --help`: every command, flag and environment variable. */
export function usage(): string {
  const commands = Object.entries(COMMANDS)
    .map(([name, c]) => `  latchkey ${name.padEnd(18)} ${c.summary}`)
    .join('\n');
  const flags = Object.entries(COMMANDS)
    .map(([name, c]) => `latchkey ${name}:\n${c.flags.map(flagLine).join('\n')}`)
    .join('\n\n');
  const env = ENV_ONLY.map((e) => `  ${e.name}\n${wrap('      ', e.help, 6)}`).join('\n');
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
 * A negation switch (`--no-dev`) sets its flag to false.
 * @throws ConfigError for an unknown flag, a missing or unexpected value, a repeated flag, a switch
 *   given with its negation, or a stray argument.
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
      const negated = OPTIONS.find((o) => o.flag?.negation === name);
      if (negated) flags[negated.flag!.name] = false;
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
  for (const o of OPTIONS) {
    if (o.flag?.negation && seen.has(o.flag.name) && seen.has(o.flag.negation))
      throw new ConfigError(`--${o.flag.name} and --${o.flag.negation} contradict each other`);
  }
  return { help, flags };
}

/**
 * `latchkey outbox --limit`: a positive integer, default from COMMAND_OPTIONS.
 * @throws ConfigError for anything else.
 */
export function outboxLimit(flags: Flags): number {
  const limit = typeof flags.limit === 'string' ? Number(flags.limit) : COMMAND_OPTIONS.outbox.limit.default;
  if (!Number.isInteger(limit) || limit < 1) throw new ConfigError('--limit must be a positive integer');
  return limit;
}

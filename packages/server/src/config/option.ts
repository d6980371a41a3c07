import { StartupError } from '../startupError.js';

/** The building blocks of the server options table (defaults.ts): the option shape and its strict parsers. */

/** Thrown for an invalid option; the CLI prints the message and exits 2. */
export class ConfigError extends StartupError {}

export type Command = 'serve' | 'migrate' | 'admin-credentials' | 'outbox';

/** One server option. */
export interface ServerOption<T> {
  /** The value when neither the flag nor the environment variable is given. */
  readonly default: T;
  /** How the default reads in help and docs when it is computed, not a literal. */
  readonly defaultText?: string;
  /** The type and accepted values, for help and docs. */
  readonly type: string;
  /** The environment variable read when the flag is absent. */
  readonly env?: string;
  /** The flag: `value` names its argument; without one it is a switch, and `negation` turns it off. */
  readonly flag?: { readonly name: string; readonly value?: string; readonly negation?: string };
  /** The commands that read it (load.ts reads every option; this is what help lists where). */
  readonly commands: readonly Command[];
  /** One line of why, for help and docs. */
  readonly why: string;
  /** More for docs/configuration.md only. */
  readonly details?: string;
  /**
   * Turns a given value into the option's; `from` is `--flag` or the variable it came from.
   * @throws ConfigError naming what is wrong (never echoing a value that may hold a password).
   */
  readonly parse?: (raw: string | boolean, from: string) => T;
  /** Applied to the default as well as to a given value (a relative path is resolved either way). */
  readonly normalize?: (value: T) => T;
}

export function option<T>(spec: ServerOption<T>): ServerOption<T> {
  return spec;
}

export const text = (raw: string | boolean): string => String(raw);

export function int(label: string, min: number, max: number) {
  return (raw: string | boolean): number => {
    const n = Number(raw);
    if (typeof raw !== 'string' || !Number.isInteger(n) || n < min || n > max)
      throw new ConfigError(`${label} must be an integer in ${min}..${max}, got "${String(raw)}"`);
    return n;
  };
}

// Strict on purpose: a typo such as LATCHKEY_DEV=flase must not silently mean "on".
export function bool(raw: string | boolean, from: string): boolean {
  if (typeof raw === 'boolean') return raw;
  if (/^(1|true)$/i.test(raw)) return true;
  if (/^(0|false)$/i.test(raw)) return false;
  throw new ConfigError(`${from} must be true, false, 1 or 0, got "${raw}"`);
}

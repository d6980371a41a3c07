/**
 * Runs the real `latchkey` command (`node --import tsx packages/server/src/cli.ts …`, as
 * processes.ts does) to completion, for the operator-facing suites: usage, start-up failures,
 * secrets. Every run is bounded: a command that does not exit in time (say, a server that started
 * although it should have refused) is killed and reported with `code: null, timedOut: true`.
 */
import { spawn } from 'node:child_process';
import { CLI, REPO_ROOT } from './processes.js';

// Resolved here, so the command can run in any working directory (`--import tsx` resolves from the cwd).
const TSX = import.meta.resolve('tsx');

export interface CliRun {
  code: number | null;
  timedOut: boolean;
  stdout: string;
  stderr: string;
}

/** Only what the CLI needs from the runner's environment: none of its DATABASE_URL, PORT, LATCHKEY_*. */
export function baseEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const k of ['PATH', 'HOME', 'TMPDIR', 'LANG', 'PGUSER', 'PGPASSWORD', 'PGHOST', 'SYSTEMROOT']) {
    if (process.env[k] !== undefined) env[k] = process.env[k]!;
  }
  return { ...env, ...extra };
}

/**
 * Runs `latchkey <args>`; resolves when it exits or after `timeoutMs` (then SIGKILL).
 * `until`: resolve (and SIGTERM the process) as soon as the output matches, for servers that start.
 */
export function runCli(
  args: string[],
  opts: { env?: Record<string, string>; cwd?: string; timeoutMs?: number; until?: RegExp } = {},
): Promise<CliRun> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', TSX, `${REPO_ROOT}${CLI}`, ...args], {
      cwd: opts.cwd ?? REPO_ROOT,
      env: baseEnv(opts.env),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    const check = () => {
      if (opts.until && opts.until.test(stdout + stderr)) child.kill('SIGTERM');
    };
    child.stdout.setEncoding('utf8').on('data', (d: string) => ((stdout += d), check()));
    child.stderr.setEncoding('utf8').on('data', (d: string) => ((stderr += d), check()));
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, opts.timeoutMs ?? 20_000);
    // 'exit' can come before the last output is read from the pipes, so the run ends at 'close' (both
    // pipes drained). A grandchild that outlives a killed CLI could hold the pipes open: 2 s after
    // 'exit', what was read is what is reported.
    let code: number | null = null;
    const done = () => {
      clearTimeout(timer);
      clearTimeout(grace);
      resolve({ code, timedOut, stdout, stderr });
    };
    let grace: NodeJS.Timeout | undefined;
    child.once('exit', (c) => {
      code = c;
      grace = setTimeout(done, 2_000);
    });
    child.once('close', (c) => {
      code = c;
      done();
    });
  });
}

/** What every start-up refusal must look like: exit 2, one `latchkey: …` line on stderr, no stack trace. */
export function expectOneLineRefusal(run: CliRun): string {
  const detail = `exit ${run.code}${run.timedOut ? ' (timed out: it did not refuse)' : ''}\nstdout:\n${run.stdout}\nstderr:\n${run.stderr}`;
  if (run.code !== 2) throw new Error(`expected exit code 2, got ${detail}`);
  const lines = run.stderr.trim().split('\n');
  if (lines.length !== 1 || !lines[0]!.startsWith('latchkey: '))
    throw new Error(`expected one "latchkey: …" line on stderr, got ${detail}`);
  if (/^\s+at /m.test(run.stdout + run.stderr)) throw new Error(`expected no stack trace, got ${detail}`);
  return lines[0]!;
}

/**
 * Latchkey servers as SEPARATE PROCESSES (`node --import tsx packages/server/src/cli.ts serve …`), for
 * the multi-instance suites (multi-instance*.test.ts): several instances on one PostgreSQL schema,
 * SIGKILL mid-load, `--workers N` behind one port, SIGTERM shutdown.
 *
 * - Ports are picked here (bind port 0, read it, close) and passed with `--port`: the CLI does not
 *   print the bound port reliably.
 * - Instances that stand for one deployment must share one `--public-url` (token issuer), like a
 *   load balancer name; pass the first instance's URL to all of them.
 * - Each process's stdout/stderr (pino JSON lines) is kept, for diagnostics and for "no internal
 *   error was logged" checks.
 */
import { TARGET_PREFIX } from '@latchkey/wire';
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { Agent } from 'node:http';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { normalizePgUrl } from '../../src/storage/open.js';
import { signedFetch, type RawReply } from './latchkeyAdmin.js';

/** Repository root (the CLI path and tsx resolve from here). */
export const REPO_ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
export const CLI = 'packages/server/src/cli.ts';

/** Shared by every instance of one deployment (signing keys at rest, MACs). */
export const SECRET = 'multi-instance-secret-0123456789-abcdefghijklmnop';
/** Fixed admin SigV4 key pair, so every instance accepts the same signatures. */
export const ADMIN_KEYS = { accessKeyId: 'LKIAMULTIINSTANCE000', secretAccessKey: 'multiInstanceAdminSecretKey0123456789abcd' };

export const PG_ADMIN_URL = normalizePgUrl(process.env.DATABASE_URL ?? 'postgres://127.0.0.1:5432/test');

/** A TCP port that was free a moment ago (bind 127.0.0.1:0, read the port, close). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close((err) => (err ? reject(err) : resolve(port)));
    });
  });
}

export const randomName = (prefix: string, bytes = 5) => `${prefix}${randomBytes(bytes).toString('hex')}`;

// ------------------------------------------------------------------------------------------------
// PostgreSQL
// ------------------------------------------------------------------------------------------------

export async function pgQuery<T = Record<string, unknown>>(url: string, text: string, values: unknown[] = []): Promise<T[]> {
  const c = new pg.Client({ connectionString: normalizePgUrl(url) });
  await c.connect();
  try {
    return (await c.query(text, values)).rows as T[];
  } finally {
    await c.end();
  }
}

/** URL of another database on the same server as `PG_ADMIN_URL`. */
export function databaseUrl(name: string): string {
  const u = new URL(PG_ADMIN_URL);
  u.pathname = `/${name}`;
  return u.toString();
}

export async function createDatabase(name: string): Promise<string> {
  await pgQuery(PG_ADMIN_URL, `CREATE DATABASE ${name}`);
  return databaseUrl(name);
}

export async function dropDatabase(name: string): Promise<void> {
  await pgQuery(PG_ADMIN_URL, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
}

export async function dropSchema(url: string, schema: string): Promise<void> {
  await pgQuery(url, `DROP SCHEMA IF EXISTS ${schema} CASCADE`);
}

// ------------------------------------------------------------------------------------------------
// Server processes
// ------------------------------------------------------------------------------------------------

export interface StartProcessOptions {
  /** Label in error messages. */
  name?: string;
  /** Default: a free port. */
  port?: number;
  /** `--public-url`; default `http://127.0.0.1:<port>`. */
  publicUrl?: string;
  /** PostgreSQL (`--database-url`, `--database-schema`); else SQLite in `dataDir`. */
  databaseUrl?: string;
  databaseSchema?: string;
  /** `--data` (SQLite directory; also where a generated secret would go). */
  dataDir?: string;
  workers?: number;
  /** `--log-level` (debug shows one line per answered request, with the answering pid). */
  logLevel?: string;
  /** Extra environment (merged over the fixed secret and admin keys). */
  env?: Record<string, string>;
  /** How long to wait for GET /health 200. */
  readyTimeoutMs?: number;
}

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface LogLine {
  level?: number;
  pid?: number;
  msg?: string;
  [k: string]: unknown;
}

export interface ServerProcess {
  name: string;
  child: ChildProcess;
  pid: number;
  port: number;
  /** This instance's own address, `http://127.0.0.1:<port>`. */
  url: string;
  publicUrl: string;
  /** AWS SDK client signed with the admin keys, on this instance. */
  admin: CognitoIdentityProviderClient;
  /** AWS SDK client for public operations, on this instance. */
  client: CognitoIdentityProviderClient;
  /** Resolves when the process has exited. */
  exited: Promise<ExitInfo>;
  exitInfo(): ExitInfo | undefined;
  /** Everything the process wrote to stdout and stderr so far. */
  output(): string;
  /** The pino JSON lines written so far. */
  logLines(): LogLine[];
  /** Lines at level error or worse (the dispatcher logs every 500 at level error). */
  errorLines(): LogLine[];
  /** A raw JSON-protocol call (no signature). */
  call(target: string, body: unknown): Promise<{ status: number; json: any }>;
  /** A SigV4-signed JSON-protocol call with the admin keys (for the Latchkey… operations). */
  signedCall(target: string, body: unknown): Promise<RawReply>;
  /** GET a path; JSON body. */
  getJson(path: string): Promise<{ status: number; json: any }>;
  /** SIGTERM, then wait for the exit (SIGKILL after `timeoutMs`). Returns how it exited. */
  stop(timeoutMs?: number): Promise<ExitInfo>;
  /** SIGKILL and wait for the exit. */
  kill(): Promise<ExitInfo>;
}

const live = new Set<ChildProcess>();
// A crashed test run must not leave servers behind.
process.once('exit', () => {
  for (const c of live) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

export function sdkClient(
  endpoint: string,
  credentials = { accessKeyId: 'unused', secretAccessKey: 'unused' },
  opts: { keepAlive?: boolean } = {},
): CognitoIdentityProviderClient {
  return new CognitoIdentityProviderClient({
    endpoint,
    region: 'us-east-1',
    credentials,
    maxAttempts: 1,
    ...(opts.keepAlive === false ? { requestHandler: { httpAgent: new Agent({ keepAlive: false }) } } : {}),
  });
}

/**
 * Starts `latchkey serve` as a child process and waits until GET /health answers 200.
 * @throws Error with the process output when it exits or does not become healthy in time.
 */
export async function startServerProcess(opts: StartProcessOptions = {}): Promise<ServerProcess> {
  const name = opts.name ?? 'latchkey';
  const port = opts.port ?? (await freePort());
  const url = `http://127.0.0.1:${port}`;
  const publicUrl = opts.publicUrl ?? url;
  const args = ['--import', 'tsx', CLI, 'serve', '--port', String(port), '--host', '127.0.0.1', '--public-url', publicUrl, '--no-dev'];
  if (opts.databaseUrl) args.push('--database-url', opts.databaseUrl);
  if (opts.databaseSchema) args.push('--database-schema', opts.databaseSchema);
  if (opts.dataDir) args.push('--data', opts.dataDir);
  if (opts.workers) args.push('--workers', String(opts.workers));
  if (opts.logLevel) args.push('--log-level', opts.logLevel);

  // Only what the server needs from the environment: none of the runner's DATABASE_URL, PORT, LATCHKEY_*.
  const env: Record<string, string> = {};
  for (const k of ['PATH', 'HOME', 'TMPDIR', 'LANG', 'PGUSER', 'PGPASSWORD', 'PGHOST', 'SYSTEMROOT']) {
    if (process.env[k] !== undefined) env[k] = process.env[k]!;
  }
  Object.assign(env, {
    LATCHKEY_SECRET: SECRET,
    LATCHKEY_ADMIN_ACCESS_KEY_ID: ADMIN_KEYS.accessKeyId,
    LATCHKEY_ADMIN_SECRET_ACCESS_KEY: ADMIN_KEYS.secretAccessKey,
    ...opts.env,
  });

  const child = spawn(process.execPath, args, { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  live.add(child);
  let out = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => void (out += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => void (out += d));
  let exitInfo: ExitInfo | undefined;
  const exited = new Promise<ExitInfo>((resolve) => {
    child.once('exit', (code, signal) => {
      exitInfo = { code, signal };
      live.delete(child);
      resolve(exitInfo);
    });
  });

  const admin = sdkClient(url, ADMIN_KEYS);
  const client = sdkClient(url);
  const logLines = () =>
    out
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .flatMap((l) => {
        try {
          return [JSON.parse(l) as LogLine];
        } catch {
          return [];
        }
      });

  const proc: ServerProcess = {
    name,
    child,
    pid: child.pid!,
    port,
    url,
    publicUrl,
    admin,
    client,
    exited,
    exitInfo: () => exitInfo,
    output: () => out,
    logLines,
    errorLines: () => logLines().filter((l) => (l.level ?? 0) >= 50),
    async call(target, body) {
      const res = await fetch(`${url}/`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': `${TARGET_PREFIX}${target}` },
        body: JSON.stringify(body),
      });
      const text = await res.text();
      return { status: res.status, json: text ? JSON.parse(text) : undefined };
    },
    signedCall: (target, body) => signedFetch(url, ADMIN_KEYS, target, body),
    async getJson(path) {
      const res = await fetch(`${url}${path}`);
      const text = await res.text();
      let json: unknown = text;
      try {
        json = JSON.parse(text);
      } catch {
        /* not JSON */
      }
      return { status: res.status, json };
    },
    async stop(timeoutMs = 15_000) {
      admin.destroy();
      client.destroy();
      if (exitInfo) return exitInfo;
      child.kill('SIGTERM');
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), timeoutMs)));
      const r = await Promise.race([exited, timedOut]);
      clearTimeout(timer);
      if (r === 'timeout') {
        child.kill('SIGKILL');
        await exited;
        throw new Error(`${name} did not exit within ${timeoutMs} ms of SIGTERM (killed). Output:\n${out.slice(-4000)}`);
      }
      return r;
    },
    async kill() {
      admin.destroy();
      client.destroy();
      if (exitInfo) return exitInfo;
      child.kill('SIGKILL');
      return exited;
    },
  };

  // Wait for readiness: GET /health → 200 (503 while migrating; connection refused before listening).
  const deadline = Date.now() + (opts.readyTimeoutMs ?? 45_000);
  for (;;) {
    if (exitInfo) throw new Error(`${name} exited before becoming healthy (${JSON.stringify(exitInfo)}). Output:\n${out.slice(-4000)}`);
    try {
      const res = await fetch(`${url}/health`, { signal: AbortSignal.timeout(2000) });
      await res.arrayBuffer();
      if (res.status === 200) return proc;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) {
      await proc.kill();
      throw new Error(`${name} did not answer GET /health 200 within the timeout. Output:\n${out.slice(-4000)}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * Two processes over one store for the multi-process suites: two instances on a fresh PostgreSQL schema (B publishes
 * A's URL), or one `serve --workers 2` on a fresh SQLite directory. `start` starts (and tracks) one process;
 * `cleanups` receives what removes the schema or directory afterwards.
 */
export async function startProcessPair(
  dialect: 'postgres' | 'sqlite',
  start: (opts: StartProcessOptions) => Promise<ServerProcess>,
  cleanups: (() => Promise<void>)[],
  prefix: string,
): Promise<ServerProcess[]> {
  if (dialect === 'postgres') {
    const schema = randomName(prefix);
    cleanups.push(() => dropSchema(PG_ADMIN_URL, schema));
    const A = await start({ name: 'A', databaseUrl: PG_ADMIN_URL, databaseSchema: schema });
    const B = await start({ name: 'B', databaseUrl: PG_ADMIN_URL, databaseSchema: schema, publicUrl: A.publicUrl });
    return [A, B];
  }
  const dataDir = mkdtempSync(join(tmpdir(), `latchkey-${prefix}`));
  cleanups.push(async () => rmSync(dataDir, { recursive: true, force: true }));
  return [await start({ name: 'workers', dataDir, workers: 2 })];
}

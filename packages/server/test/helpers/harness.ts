import { TARGET_PREFIX } from '@latchkey/wire';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { startServer, type RunningServer } from '../../src/server.js';
import { loadConfig } from '../../src/config/load.js';
import { normalizePgUrl } from '../../src/storage/open.js';
import type { Logger } from '../../src/services.js';
import { createTestPool, type TestPool } from './pool.js';
import { expectNoInternalErrors } from './errors.js';

export type Dialect = 'sqlite' | 'postgres';
export const DIALECTS: Dialect[] = ['sqlite', 'postgres'];
export const PG_URL = process.env.DATABASE_URL ?? 'postgres://127.0.0.1:5432/test';

/** A clock tests move by hand, so expiry is tested without sleeping. */
export class TestClock {
  offset = 0;
  now = () => Date.now() + this.offset;
  advance(ms: number) {
    this.offset += ms;
  }
}

/** Captures log lines, so tests can assert what (not) gets logged. */
export class MemoryLog implements Logger {
  lines: { level: string; obj: object; msg?: string }[] = [];
  info = (obj: object, msg?: string) => void this.lines.push({ level: 'info', obj, msg });
  warn = (obj: object, msg?: string) => void this.lines.push({ level: 'warn', obj, msg });
  error = (obj: object, msg?: string) => void this.lines.push({ level: 'error', obj, msg });
  debug = (obj: object, msg?: string) => void this.lines.push({ level: 'debug', obj, msg });
  text() {
    return this.lines
      .map((l) => JSON.stringify(l.obj, (_k, v) => (v instanceof Error ? { message: v.message, stack: v.stack } : v)) + ' ' + (l.msg ?? ''))
      .join('\n');
  }
}

export interface TestServer extends RunningServer {
  dialect: Dialect;
  /** The PostgreSQL schema (a second server on the same store passes it). */
  schema?: string;
  clock: TestClock;
  log: MemoryLog;
  endpoint: string;
  /** AWS SDK client signed with the admin key pair. */
  admin: CognitoIdentityProviderClient;
  /** AWS SDK client without credentials (public operations). */
  client: CognitoIdentityProviderClient;
  /** A raw JSON-protocol call. */
  call(target: string, body: unknown, headers?: Record<string, string>): Promise<{ status: number; headers: Headers; json: any }>;
  stop(): Promise<void>;
}

let counter = 0;

/** Starts a real server on port 0 with a temporary SQLite directory or a fresh PostgreSQL schema. */
export async function startTestServer(
  dialect: Dialect,
  opts: { env?: Record<string, string>; bootstrap?: boolean; schema?: string; dataDir?: string; onStatement?: (sql: string) => void } = {},
): Promise<TestServer> {
  const clock = new TestClock();
  const log = new MemoryLog();
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'latchkey-test-'));
  const schema = dialect === 'postgres' ? (opts.schema ?? `t_${process.pid}_${Date.now().toString(36)}_${counter++}`) : undefined;
  const config = loadConfig(
    { port: '0', data: dataDir, dev: opts.bootstrap ? 'true' : 'false', ...(dialect === 'postgres' ? { 'database-url': PG_URL } : {}) },
    {
      LATCHKEY_SECRET: 'test-secret-test-secret-test-secret-0123456789',
      ...opts.env,
    },
  );
  const server = await startServer({ config, clock, log, schema, onStatement: opts.onStatement });
  const endpoint = server.url;
  // Issuers use the public URL; in tests it is the loopback address actually bound.
  server.services.config = Object.freeze({ ...server.services.config, publicUrl: endpoint });
  const sdk = (credentials?: { accessKeyId: string; secretAccessKey: string }) =>
    new CognitoIdentityProviderClient({
      endpoint,
      region: 'us-east-1',
      credentials: credentials ?? { accessKeyId: 'unused', secretAccessKey: 'unused' },
      maxAttempts: 1,
    });
  const admin = sdk(server.adminCredentials);
  const client = sdk();
  return Object.assign(server, {
    dialect,
    schema,
    clock,
    log,
    endpoint,
    admin,
    client,
    async call(target: string, body: unknown, headers: Record<string, string> = {}) {
      const res = await fetch(endpoint + '/', {
        method: 'POST',
        headers: {
          'content-type': 'application/x-amz-json-1.1',
          'x-amz-target': `${TARGET_PREFIX}${target}`,
          ...headers,
        },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      });
      const text = await res.text();
      return { status: res.status, headers: res.headers, json: text ? JSON.parse(text) : undefined };
    },
    async stop() {
      admin.destroy();
      client.destroy();
      await server.close();
      if (schema) {
        const c = new pg.Client({ connectionString: normalizePgUrl(PG_URL) });
        await c.connect();
        await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
        await c.end();
      }
      if (!opts.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  });
}

/**
 * The usual setup of a `describe.each(DIALECTS)` block: before all, a server and a pool (then `setup`);
 * after each test, the server clock put back (SigV4 admin calls allow only 5 minutes of skew) and, unless
 * `checkInternalErrors` is false, no internal error logged; after all, the server stopped. `ready`
 * receives the server and the pool as soon as both exist.
 */
export function useServerWithPool(
  dialect: Dialect,
  opts: {
    pool?: Parameters<typeof createTestPool>[1];
    setup?: (srv: TestServer, pool: TestPool) => Promise<void>;
    checkInternalErrors?: boolean;
  },
  ready: (srv: TestServer, pool: TestPool) => void,
): void {
  let srv: TestServer | undefined;
  beforeAll(async () => {
    srv = await startTestServer(dialect);
    const pool = await createTestPool(srv.admin, opts.pool);
    ready(srv, pool);
    await opts.setup?.(srv, pool);
  });
  afterEach(() => {
    srv!.clock.offset = 0;
    if (opts.checkInternalErrors !== false) expectNoInternalErrors(srv!);
  });
  afterAll(async () => {
    await srv?.stop();
  });
}

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, expectOneLineRefusal } from './helpers/cli.js';
import { PG_ADMIN_URL, databaseUrl, freePort, randomName } from './helpers/processes.js';

/**
 * Start-up failures an operator causes: each is one `latchkey: …` line on stderr naming what to
 * change, exit code 2, no stack trace (see expectOneLineRefusal), and never a server that starts anyway.
 */
const root = mkdtempSync(join(tmpdir(), 'latchkey-startup-'));
const SECRET = { LATCHKEY_SECRET: 'startup-errors-secret-0123456789-abcdefgh' };
const serve = (args: string[], env: Record<string, string> = {}) =>
  runCli(['serve', '--no-dev', '--log-level', 'warn', ...args], { env: { ...SECRET, ...env }, timeoutMs: 45_000 });
let n = 0;
const dataDir = () => join(root, `data-${n++}`);

// A read-only data directory that is read-only for root too (tests run as root, where chmod is not
// enough): a read-only tmpfs mount where mounting is allowed, else a chmod 555 directory (non-root).
let readOnlyDir: string;
let mounted = false;
/** Why the read-only case cannot run here (root without the right to mount), if it cannot. */
let readOnlyUnavailable: string | undefined;
let busy: Server;
let busyPort: number;

beforeAll(async () => {
  readOnlyDir = join(root, 'read-only');
  mkdirSync(readOnlyDir);
  if (process.getuid?.() === 0) {
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m,ro', 'tmpfs', readOnlyDir], { stdio: 'pipe' });
      mounted = true;
    } catch (err) {
      readOnlyUnavailable = `root cannot mount a read-only tmpfs here (${String((err as Error).message).split('\n')[0]})`;
    }
  } else {
    chmodSync(readOnlyDir, 0o555);
  }
  busy = createServer();
  await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
  busyPort = (busy.address() as { port: number }).port;
});

afterAll(async () => {
  await new Promise((r) => busy.close(r));
  if (mounted) execFileSync('umount', ['-l', readOnlyDir]);
  rmSync(root, { recursive: true, force: true });
});

describe.concurrent('start-up failures are one actionable line and exit 2', { timeout: 60_000 }, () => {
  it('port in use', async () => {
    const line = expectOneLineRefusal(await serve(['--port', String(busyPort), '--data', dataDir()]));
    expect(line).toBe(
      `latchkey: port ${busyPort} on 127.0.0.1 is already in use (another Latchkey?): stop it or choose another --port / PORT`,
    );
  });

  it('port in use with --workers 2 (the worker says why, the primary exits 2 without a second message)', async () => {
    const line = expectOneLineRefusal(await serve(['--port', String(busyPort), '--workers', '2', '--data', dataDir()]));
    expect(line).toMatch(new RegExp(`^latchkey: port ${busyPort} on 127.0.0.1 is already in use`));
  });

  it('PostgreSQL unreachable', async () => {
    const closed = await freePort();
    const line = expectOneLineRefusal(await serve(['--port', '0', '--database-url', `postgres://127.0.0.1:${closed}/test`]));
    expect(line).toBe(
      `latchkey: cannot reach PostgreSQL at 127.0.0.1:${closed} (ECONNREFUSED): ` +
        `is it running and reachable? check --database-url / DATABASE_URL`,
    );
  });

  const pgHost = new URL(PG_ADMIN_URL).host;
  const missing = (name: string) =>
    `latchkey: PostgreSQL database "${name}" does not exist on ${pgHost}: ` +
    `create it (createdb ${name}) or check --database-url / DATABASE_URL`;
  it('PostgreSQL database missing', async () => {
    const name = randomName('lk_missing_');
    expect(expectOneLineRefusal(await serve(['--port', '0', '--database-url', databaseUrl(name)]))).toBe(missing(name));
  });

  it('PostgreSQL database missing, given by DATABASE_URL with a schema', async () => {
    const name = randomName('lk_missing_');
    expect(
      expectOneLineRefusal(await serve(['--port', '0'], { DATABASE_URL: databaseUrl(name), LATCHKEY_DATABASE_SCHEMA: 'lk_any' })),
    ).toBe(missing(name));
  });

  it('bad LOG_LEVEL', async () => {
    const line = expectOneLineRefusal(
      await runCli(['serve', '--port', '0', '--data', dataDir()], { env: { ...SECRET, LOG_LEVEL: 'verbose' }, timeoutMs: 45_000 }),
    );
    expect(line).toMatch(
      /^latchkey: log level \(--log-level \/ LOG_LEVEL\) must be one of trace, debug, info, warn, error, fatal, silent, got "verbose"$/,
    );
  });

  it('a malformed --database-url (and the password in it is not echoed)', async () => {
    const run = await serve(['--port', '0', '--database-url', 'postgres://app:hunter2@127.0.0.1:99999/db']);
    const line = expectOneLineRefusal(run);
    expect(line).toBe('latchkey: database-url is not a valid URL: use postgres://user:password@host:port/database');
    expect(`${run.stdout}${run.stderr}`).not.toContain('hunter2');
  });

  it('malformed LATCHKEY_SMTP_URL (and the password in it is not echoed)', async () => {
    const line = expectOneLineRefusal(
      await serve(['--port', '0', '--data', dataDir()], { LATCHKEY_SMTP_URL: 'smtp//mailer:hunter2@mail.example:587' }),
    );
    expect(line).toBe('latchkey: LATCHKEY_SMTP_URL must look like smtp://user:pass@host:587 or smtps://user:pass@host:465');
    expect(line).not.toContain('hunter2');
  });

  it('LATCHKEY_SMS_WEBHOOK_URL over http:// to a non-loopback host (and the token in it is not echoed)', async () => {
    const run = await serve(['--port', '0', '--data', dataDir()], {
      LATCHKEY_SMS_WEBHOOK_URL: 'http://sms.example.com/hook?token=hunter2',
      LATCHKEY_SMS_WEBHOOK_SECRET: 'sms-webhook-secret-0123456789-abcdefghij',
    });
    expect(expectOneLineRefusal(run)).toBe(
      'latchkey: LATCHKEY_SMS_WEBHOOK_URL must be an https:// URL without user:password@ (http:// only to 127.0.0.1, ' +
        '[::1] or localhost; put a token in the path or query), e.g. https://sms.internal/latchkey',
    );
    expect(`${run.stdout}${run.stderr}`).not.toContain('hunter2');
  });

  it('LATCHKEY_SMS_WEBHOOK_URL without LATCHKEY_SMS_WEBHOOK_SECRET, or with a short one', async () => {
    const url = { LATCHKEY_SMS_WEBHOOK_URL: 'https://sms.example.com/hook' };
    expect(expectOneLineRefusal(await serve(['--port', '0', '--data', dataDir()], url))).toBe(
      'latchkey: LATCHKEY_SMS_WEBHOOK_URL needs LATCHKEY_SMS_WEBHOOK_SECRET: set it to ≥ 32 random characters shared with the receiver',
    );
    const short = await serve(['--port', '0', '--data', dataDir()], { ...url, LATCHKEY_SMS_WEBHOOK_SECRET: 'too-short-secret' });
    expect(expectOneLineRefusal(short)).toBe(
      'latchkey: LATCHKEY_SMS_WEBHOOK_SECRET must be at least 32 characters (e.g. openssl rand -hex 32)',
    );
    expect(`${short.stdout}${short.stderr}`).not.toContain('too-short-secret');
  });

  it('unresolvable HOST', async () => {
    const line = expectOneLineRefusal(await serve(['--port', '0', '--data', dataDir()], { HOST: 'no-such-host.invalid' }));
    expect(line).toMatch(/^latchkey: --host \/ HOST "no-such-host.invalid" does not resolve to an address/);
  });

  it('--data naming a file', async () => {
    const file = join(root, `file-${n++}`);
    writeFileSync(file, 'not a directory');
    const line = expectOneLineRefusal(await serve(['--port', '0', '--data', file]));
    expect(line).toBe(
      `latchkey: the data directory ${file} is not a directory (a file is in the way): choose another --data / LATCHKEY_DATA`,
    );
  });

  it('a read-only data directory (and one that cannot be created inside it)', async (t) => {
    if (readOnlyUnavailable) {
      console.warn(`skipped: ${readOnlyUnavailable}`);
      t.skip();
    }
    const line = expectOneLineRefusal(await serve(['--port', '0', '--data', readOnlyDir]));
    expect(line).toMatch(new RegExp(`^latchkey: the data directory ${readOnlyDir} is not writable \\(\\w+\\): .*--data / LATCHKEY_DATA$`));
    const below = join(readOnlyDir, 'sub');
    expect(expectOneLineRefusal(await serve(['--port', '0', '--data', below]))).toMatch(
      new RegExp(`^latchkey: cannot create the data directory ${below} \\(\\w+\\)`),
    );
  });

  it('boolean environment values other than true/false/1/0 are errors (LATCHKEY_DEV=flase)', async () => {
    const line = expectOneLineRefusal(
      await runCli(['serve', '--port', '0', '--data', dataDir()], { env: { ...SECRET, LATCHKEY_DEV: 'flase' }, timeoutMs: 45_000 }),
    );
    expect(line).toBe('latchkey: LATCHKEY_DEV must be true, false, 1 or 0, got "flase"');
  });
});

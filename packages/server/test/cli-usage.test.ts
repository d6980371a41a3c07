import { afterAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, expectOneLineRefusal } from './helpers/cli.js';
import { PG_ADMIN_URL, REPO_ROOT, freePort, pgQuery, randomName } from './helpers/processes.js';
import { SERVER_OPTIONS } from '../src/config/defaults.js';

// Every run gets its own empty working directory and data directory, so "did nothing" is checkable.
const root = mkdtempSync(join(tmpdir(), 'latchkey-cli-usage-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const fresh = () => {
  const dir = join(root, String(n++));
  return { cwd: mkdtempSync(`${dir}-cwd-`), data: join(`${dir}-data`) };
};

describe.concurrent('latchkey CLI usage', () => {
  for (const command of ['serve', 'migrate', 'admin-credentials', 'outbox']) {
    it(`${command} --help prints its usage and does nothing else`, async () => {
      const { cwd, data } = fresh();
      const port = await freePort();
      // Flags that would make the command act are on the line too: --help wins.
      const run = await runCli([command, '--help', '--data', data, ...(command === 'serve' ? ['--port', String(port)] : [])], {
        cwd,
        timeoutMs: 30_000,
      });
      expect(run, run.stdout + run.stderr).toMatchObject({ code: 0, timedOut: false, stderr: '' });
      expect(run.stdout).toContain(`Usage: latchkey ${command}`);
      expect(run.stdout).toContain('--data <dir>');
      // Nothing was created: no data directory, no ./.latchkey, no keys printed.
      expect(existsSync(data)).toBe(false);
      expect(readdirSync(cwd)).toEqual([]);
      expect(run.stdout).not.toMatch(/AWS_SECRET_ACCESS_KEY=|migrations are up to date|listening/);
    });
  }

  it('serve --prot 9241 (a typo) is a usage error, not a server on the default port', async () => {
    const { cwd, data } = fresh();
    const line = expectOneLineRefusal(await runCli(['serve', '--prot', '9241', '--data', data], { cwd, timeoutMs: 30_000 }));
    expect(line).toMatch(/unknown flag --prot .*latchkey serve --help/);
    expect(existsSync(data)).toBe(false);
  });

  it('a flag without its value is a usage error (--port at the end, --port followed by a flag)', async () => {
    const { cwd, data } = fresh();
    expect(expectOneLineRefusal(await runCli(['serve', '--data', data, '--port'], { cwd, timeoutMs: 30_000 }))).toMatch(
      /--port needs a value/,
    );
    expect(expectOneLineRefusal(await runCli(['serve', '--port', '--data', data], { cwd, timeoutMs: 30_000 }))).toMatch(
      /--port needs a value/,
    );
    expect(existsSync(data)).toBe(false);
  });

  it('a flag another command does not take is a usage error (migrate --port 1), as is a stray argument', async () => {
    const { cwd, data } = fresh();
    expect(expectOneLineRefusal(await runCli(['migrate', '--port', '1', '--data', data], { cwd, timeoutMs: 30_000 }))).toMatch(
      /unknown flag --port for latchkey migrate/,
    );
    expect(expectOneLineRefusal(await runCli(['outbox', 'extra', '--data', data], { cwd, timeoutMs: 30_000 }))).toMatch(
      /unexpected argument "extra"/,
    );
    expect(existsSync(data)).toBe(false);
  });

  for (const command of ['outbox', 'admin-credentials']) {
    it(`${command} where there is no data refuses instead of creating an empty store (SQLite)`, async () => {
      const { cwd, data } = fresh();
      const line = expectOneLineRefusal(await runCli([command, '--data', data], { cwd, timeoutMs: 30_000 }));
      expect(line).toBe(`latchkey: no Latchkey data at ${data} (use --data or --database-url)`);
      expect(existsSync(data)).toBe(false);
      // The default data directory (./.latchkey in the working directory) likewise.
      const dflt = expectOneLineRefusal(await runCli([command], { cwd, timeoutMs: 30_000 }));
      expect(dflt).toBe(`latchkey: no Latchkey data at ${join(cwd, '.latchkey')} (use --data or --database-url)`);
      expect(readdirSync(cwd)).toEqual([]);
    });

    it(`${command} on a PostgreSQL schema without Latchkey tables refuses and creates nothing`, async () => {
      const schema = randomName('lk_nodata_');
      const line = expectOneLineRefusal(
        await runCli([command, '--database-url', PG_ADMIN_URL, '--database-schema', schema], { timeoutMs: 30_000 }),
      );
      expect(line).toMatch(
        new RegExp(`^latchkey: no Latchkey data at postgres://.*\\(schema ${schema}\\) \\(use --data or --database-url\\)$`),
      );
      expect(await pgQuery(PG_ADMIN_URL, 'SELECT 1 FROM information_schema.schemata WHERE schema_name = $1', [schema])).toEqual([]);
    });
  }

  it('outbox and admin-credentials work where there is data (after migrate)', async () => {
    const { cwd, data } = fresh();
    const env = { LATCHKEY_SECRET: 'cli-usage-secret-0123456789-abcdefghijkl' };
    expect(await runCli(['migrate', '--data', data], { cwd, env })).toMatchObject({ code: 0 });
    const outbox = await runCli(['outbox', '--data', data], { cwd, env });
    expect(outbox, outbox.stderr).toMatchObject({ code: 0, stdout: '(the outbox is empty)\n' });
    const keys = await runCli(['admin-credentials', '--data', data], { cwd, env });
    expect(keys, keys.stderr).toMatchObject({ code: 0 });
    expect(keys.stdout).toMatch(/^AWS_ACCESS_KEY_ID=LKIA[A-Z2-7]{16}\nAWS_SECRET_ACCESS_KEY=\S{40}\n$/);
  });

  it('latchkey --help lists every flag and environment variable (those the code reads and those the docs name)', async () => {
    const run = await runCli(['--help']);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    const help = run.stdout;
    // What the code reads: config/load.ts reads exactly the table's variables and flags, and any other
    // env.X anywhere in the server's sources (PGUSER, read when a PostgreSQL URL names no user).
    const options = Object.values(SERVER_OPTIONS) as { env?: string; flag?: { name: string; negation?: string } }[];
    const sources = readdirSync(join(REPO_ROOT, 'packages/server/src'), { recursive: true, encoding: 'utf8' })
      .filter((f) => f.endsWith('.ts'))
      .map((f) => readFileSync(join(REPO_ROOT, 'packages/server/src', f), 'utf8'))
      .join('\n');
    const envRead = [
      ...new Set([
        ...options.flatMap((o) => (o.env ? [o.env] : [])),
        ...[...sources.matchAll(/env\.([A-Z][A-Z0-9_]+)/g)].map((m) => m[1]!),
      ]),
    ];
    const flagsRead = [...new Set(options.flatMap((o) => (o.flag ? [o.flag.name, ...(o.flag.negation ? [o.flag.negation] : [])] : [])))];
    expect(envRead).toContain('PGUSER');
    expect(envRead.length).toBeGreaterThan(10);
    expect(flagsRead.length).toBeGreaterThan(8);
    // Independently of the table: every flag and variable operators had before the table existed.
    const before = {
      flags: [
        'port',
        'host',
        'data',
        'database-url',
        'database-schema',
        'public-url',
        'region',
        'workers',
        'cors-origins',
        'log-level',
        'dev',
      ],
      env: [
        ...['PORT', 'HOST', 'LATCHKEY_DATA', 'DATABASE_URL', 'LATCHKEY_DATABASE_SCHEMA', 'LATCHKEY_PUBLIC_URL', 'LATCHKEY_REGION'],
        ...['LATCHKEY_WORKERS', 'LATCHKEY_CORS_ORIGINS', 'LOG_LEVEL', 'LATCHKEY_DEV', 'LATCHKEY_SECRET', 'LATCHKEY_ADMIN_ACCESS_KEY_ID'],
        ...['LATCHKEY_ADMIN_SECRET_ACCESS_KEY', 'LATCHKEY_SMTP_URL', 'LATCHKEY_SMTP_FROM', 'LATCHKEY_SQLITE_SYNCHRONOUS', 'PGUSER'],
        'LATCHKEY_KEY_CACHE_MS',
      ],
    };
    expect(flagsRead).toEqual(expect.arrayContaining(before.flags));
    expect(envRead).toEqual(expect.arrayContaining(before.env));
    for (const f of before.flags) expect(help).toContain(`--${f}`);
    for (const e of before.env) expect(help).toContain(e);
    expect(help).toContain('--no-dev');
    // What the operator documentation promises: the options table of docs/configuration.md.
    const docs = readFileSync(join(REPO_ROOT, 'docs/configuration.md'), 'utf8');
    const start = docs.indexOf('## Server options');
    const table = docs.slice(start, docs.indexOf('\n## ', start + 1));
    const docFlags = [...new Set([...table.matchAll(/`--([a-z-]+)`/g)].map((m) => m[1]!))];
    const docEnv = [...new Set([...table.matchAll(/`([A-Z][A-Z0-9_]{2,})/g)].map((m) => m[1]!))];
    for (const name of [...envRead, ...docEnv]) expect(help, name).toContain(name);
    for (const flag of [...flagsRead, ...docFlags, 'no-dev', 'pool', 'limit']) expect(help, flag).toContain(`--${flag}`);
    for (const command of ['serve', 'migrate', 'admin-credentials', 'outbox']) expect(help).toContain(`latchkey ${command}`);
  });
});

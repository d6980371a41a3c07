import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateUserPoolCommand } from '@aws-sdk/client-cognito-identity-provider';
import { runCli, expectOneLineRefusal } from './helpers/cli.js';
import { ADMIN_KEYS, PG_ADMIN_URL, dropSchema, pgQuery, randomName, startServerProcess, type ServerProcess } from './helpers/processes.js';

/**
 * One database, one server secret: an instance whose secret is not the database's must refuse to
 * start (exit 2, one line naming LATCHKEY_SECRET) instead of starting and answering 500 whenever it
 * opens a signing key. And an instance with another public URL (token issuer) says so at start-up.
 */
const OTHER_SECRET = 'a-different-secret-0123456789-abcdefghijklmnop';
const root = mkdtempSync(join(tmpdir(), 'latchkey-secret-'));
const schemas: string[] = [];
const servers: ServerProcess[] = [];
afterAll(async () => {
  await Promise.all(servers.map((s) => s.stop().catch(() => undefined)));
  for (const schema of schemas) await dropSchema(PG_ADMIN_URL, schema);
  rmSync(root, { recursive: true, force: true });
});

const newSchema = () => {
  const schema = randomName('lk_secret_');
  schemas.push(schema);
  return schema;
};
const start = async (opts: Parameters<typeof startServerProcess>[0]) => {
  const s = await startServerProcess(opts);
  servers.push(s);
  return s;
};
const pgArgs = (schema: string) => ['--database-url', PG_ADMIN_URL, '--database-schema', schema];
/** `latchkey serve` as a second instance would run it; the admin keys are in its environment, as in production. */
const serveSecond = (args: string[], env: Record<string, string>) =>
  runCli(['serve', '--port', '0', '--no-dev', '--log-level', 'warn', ...args], {
    env: { LATCHKEY_ADMIN_ACCESS_KEY_ID: ADMIN_KEYS.accessKeyId, LATCHKEY_ADMIN_SECRET_ACCESS_KEY: ADMIN_KEYS.secretAccessKey, ...env },
    timeoutMs: 45_000,
  });

describe.concurrent('the server secret must match the database', { timeout: 60_000 }, () => {
  it('PostgreSQL: a second instance with another LATCHKEY_SECRET refuses to start; the first keeps serving', async () => {
    const schema = newSchema();
    const first = await start({ name: 'first', databaseUrl: PG_ADMIN_URL, databaseSchema: schema });
    const line = expectOneLineRefusal(await serveSecond(pgArgs(schema), { LATCHKEY_SECRET: OTHER_SECRET }));
    expect(line).toBe(
      'latchkey: LATCHKEY_SECRET is not the secret this database was first served with: set ' +
        'LATCHKEY_SECRET to the value the other instances (or the previous deployment) use',
    );
    expect((await first.getJson('/health')).status).toBe(200);
    // Admin keys from the environment are the operator's: the start banner never echoes their secret.
    expect(first.output()).toContain('export AWS_SECRET_ACCESS_KEY=<LATCHKEY_ADMIN_SECRET_ACCESS_KEY>');
    expect(first.output()).not.toContain(ADMIN_KEYS.secretAccessKey);
    // An instance with the same secret is accepted: see the public-URL test below, whose instances share it.
  });

  it(
    'PostgreSQL without LATCHKEY_SECRET: each instance generating ' + 'its own secret.key — the second refuses, naming LATCHKEY_SECRET',
    async () => {
      const schema = newSchema();
      await start({
        name: 'generated',
        databaseUrl: PG_ADMIN_URL,
        databaseSchema: schema,
        dataDir: join(root, 'gen-a'),
        env: { LATCHKEY_SECRET: '' },
      });
      const dirB = join(root, 'gen-b');
      const line = expectOneLineRefusal(await serveSecond([...pgArgs(schema), '--data', dirB], { LATCHKEY_SECRET: '' }));
      expect(line).toBe(
        `latchkey: this database was first served with another secret than ${join(dirB, 'secret.key')}: set LATCHKEY_SECRET ` +
          `to the secret the other instances use (the same on every instance), or use the data directory that belongs to this database`,
      );
    },
  );

  it('SQLite: a restart with another LATCHKEY_SECRET refuses to start', async () => {
    const dataDir = join(root, 'sqlite');
    const first = await start({ name: 'sqlite', dataDir });
    await first.stop();
    const line = expectOneLineRefusal(await serveSecond(['--data', dataDir], { LATCHKEY_SECRET: OTHER_SECRET }));
    expect(line).toMatch(/^latchkey: LATCHKEY_SECRET is not the secret this database was first served with/);
  });

  it('a database from before the check value (generated admin keys, no check row) is checked against its admin keys', async () => {
    const schema = newSchema();
    const noAdminEnv = { LATCHKEY_ADMIN_ACCESS_KEY_ID: '', LATCHKEY_ADMIN_SECRET_ACCESS_KEY: '' };
    // Generated admin keys: the database holds a secret sealed under SECRET.
    const first = await start({ name: 'old', databaseUrl: PG_ADMIN_URL, databaseSchema: schema, env: noAdminEnv });
    await first.stop();
    await pgQuery(PG_ADMIN_URL, `DELETE FROM ${schema}.meta WHERE key = 'secret_check'`);
    const line = expectOneLineRefusal(await serveSecond(pgArgs(schema), { LATCHKEY_SECRET: OTHER_SECRET, ...noAdminEnv }));
    expect(line).toMatch(/^latchkey: LATCHKEY_SECRET is not the secret/);
    // The refused start recorded nothing: the right secret still starts and then records the check.
    expect(await pgQuery(PG_ADMIN_URL, `SELECT key FROM ${schema}.meta WHERE key = 'secret_check'`)).toEqual([]);
    const right = await start({ name: 'right', databaseUrl: PG_ADMIN_URL, databaseSchema: schema, env: noAdminEnv });
    expect(await pgQuery(PG_ADMIN_URL, `SELECT key FROM ${schema}.meta WHERE key = 'secret_check'`)).toHaveLength(1);
    await right.stop();
  });

  it(
    'a database from before the check value with pools is checked against a signing ' +
      'key; a stale admin key pair left behind does not refuse the right secret',
    async () => {
      const schema = newSchema();
      const first = await start({ name: 'pools', databaseUrl: PG_ADMIN_URL, databaseSchema: schema });
      await first.admin.send(new CreateUserPoolCommand({ PoolName: 'upgraded' }));
      await first.stop();
      await pgQuery(PG_ADMIN_URL, `DELETE FROM ${schema}.meta WHERE key = 'secret_check'`);
      // A key pair generated long ago under some other secret, no longer in use (admin keys now come from the environment).
      await pgQuery(
        PG_ADMIN_URL,
        `INSERT INTO ${schema}.meta (key, value) VALUES ('admin_credentials', $1) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value`,
        [JSON.stringify({ accessKeyId: 'LKIASTALESTALESTALE0', secretAccessKey: 'sealed-under-a-secret-long-gone' })],
      );
      // Another secret (admin keys from the environment, as in production): the signing key tells.
      const line = expectOneLineRefusal(await serveSecond(pgArgs(schema), { LATCHKEY_SECRET: OTHER_SECRET }));
      expect(line).toMatch(/^latchkey: LATCHKEY_SECRET is not the secret/);
      // The right one starts, whatever the stale admin row says.
      const right = await start({ name: 'pools-right', databaseUrl: PG_ADMIN_URL, databaseSchema: schema });
      expect((await right.getJson('/health/ready')).status).toBe(200);
      await right.stop();
    },
  );

  it('an instance whose public URL differs from the one the database was first served with says so at start-up', async () => {
    const schema = newSchema();
    const first = await start({ name: 'issuer-a', databaseUrl: PG_ADMIN_URL, databaseSchema: schema });
    const second = await start({
      name: 'issuer-b',
      databaseUrl: PG_ADMIN_URL,
      databaseSchema: schema,
      publicUrl: 'http://auth-b.example:9230',
    });
    expect(second.output()).toContain(
      `the public URL http://auth-b.example:9230 differs from ${first.publicUrl}, the one this database was first served with`,
    );
    expect(second.output()).toContain('--public-url / LATCHKEY_PUBLIC_URL');
    expect(first.output()).not.toContain('differs from');
    // A third instance with the first one's URL is quiet.
    const third = await start({ name: 'issuer-c', databaseUrl: PG_ADMIN_URL, databaseSchema: schema, publicUrl: first.publicUrl });
    expect(third.output()).not.toContain('differs from');
  });
});

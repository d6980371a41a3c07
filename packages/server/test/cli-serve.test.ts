import { afterAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CognitoIdentityProviderClient, SignUpCommand } from '@aws-sdk/client-cognito-identity-provider';
import { CLI, REPO_ROOT, freePort } from './helpers/processes.js';
import { runCli } from './helpers/cli.js';

const dataDir = mkdtempSync(join(tmpdir(), 'latchkey-cli-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

/** Runs `latchkey serve` on the embedded default (the README's start command) until it has printed its banner, then SIGTERM. */
interface Served {
  banner: string;
  readonly exitCode: number | null;
  signUp(clientId: string): Promise<unknown>;
  stop(): Promise<void>;
}

async function serveOnce(port: number): Promise<Served> {
  const env: NodeJS.ProcessEnv = { ...process.env, LATCHKEY_SECRET: '' };
  delete env.DATABASE_URL;
  delete env.NODE_OPTIONS;
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', CLI, 'serve', '--port', String(port), '--data', dataDir, '--log-level', 'warn'],
    { cwd: REPO_ROOT, env },
  );
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const deadline = Date.now() + 60_000;
  while (!out.includes('JWKS:') && Date.now() < deadline && child.exitCode === null) await new Promise((r) => setTimeout(r, 100));
  const banner = out;
  const client = new CognitoIdentityProviderClient({
    endpoint: `http://127.0.0.1:${port}`,
    region: 'local',
    credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
    maxAttempts: 1,
  });
  const signUp = (clientId: string) =>
    client.send(
      new SignUpCommand({
        ClientId: clientId,
        Username: `cli${Date.now()}`,
        Password: 'Passw0rdX',
        UserAttributes: [{ Name: 'email', Value: `cli${Date.now()}@example.com` }],
      }),
    );
  return {
    banner,
    signUp,
    get exitCode() {
      return child.exitCode;
    },
    async stop() {
      client.destroy();
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    },
  };
}

describe('latchkey serve (the README start command) on the embedded default', () => {
  it('prints a working Amplify.configure block and the admin keys, and a restart reuses the same pool and client', async () => {
    const port = await freePort();
    const first = await serveOnce(port);
    const ids =
      /userPoolId: '(local_[0-9A-Za-z]{9})',\s+userPoolClientId: '([a-z0-9]{26})',\s+userPoolEndpoint: 'http:\/\/localhost:(\d+)\/'/.exec(
        first.banner,
      );
    expect(ids, first.banner).not.toBeNull();
    expect(Number(ids![3])).toBe(port);
    expect(first.banner).toMatch(/AWS_ACCESS_KEY_ID=LKIA[A-Z2-7]{16}/);
    // The printed client works: a sign-up against the printed endpoint succeeds.
    await expect(first.signUp(ids![2]!)).resolves.toMatchObject({ UserConfirmed: false });
    // The banner names the account page, warns that passkeys need localhost, and says how to read codes;
    // the printed outbox command works and shows the sign-up's code.
    expect(first.banner).toContain(`Account page (sign in, manage passkeys): http://localhost:${port}/account`);
    expect(first.banner).toContain(`Passkeys need the "localhost" origin: open http://localhost:${port}/…, not http://127.0.0.1:${port}/…`);
    const outboxCommand = /`npx latchkey (outbox[^`]*)`/.exec(first.banner);
    expect(outboxCommand, first.banner).not.toBeNull();
    expect(outboxCommand![1]).toBe(`outbox --data '${dataDir}'`);
    const outbox = await runCli(['outbox', '--data', dataDir]);
    expect(outbox, outbox.stderr).toMatchObject({ code: 0 });
    expect(outbox.stdout).toMatch(new RegExp(`${ids![1]}  cli\\d+@example\\.com  .*code=\\d{6}`));
    await first.stop();
    expect(first.exitCode).toBe(0);

    const second = await serveOnce(port);
    expect(second.banner).toContain(`userPoolId: '${ids![1]}'`);
    expect(second.banner).toContain(`userPoolClientId: '${ids![2]}'`);
    await second.stop();
  }, 120_000);
});

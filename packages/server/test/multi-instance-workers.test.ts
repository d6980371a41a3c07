/**
 * `latchkey serve --workers 2` on SQLite: one port, two worker processes (node:cluster) on one
 * database file. A full registration and sign-in go through the one port (each request on a new
 * connection, so the primary spreads them over both workers), and SIGTERM stops everything with exit 0.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VirtualAuthenticator } from '@latchkey/virtual-authenticator';
import { GetUserCommand, ListWebAuthnCredentialsCommand } from '@aws-sdk/client-cognito-identity-provider';
import { createTestPool } from './helpers/pool.js';
import { adminCreateConfirmedUser, initiatePasswordAuth, passkeySignIn, registerPasskey } from './helpers/latchkeyAdmin.js';
import { ADMIN_KEYS, sdkClient, startServerProcess, type ServerProcess } from './helpers/processes.js';

/** One unsigned JSON-protocol POST on a new connection (refused, but logged with the answering pid). */
function probe(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${url}/`,
      {
        method: 'POST',
        agent: false,
        headers: {
          'content-type': 'application/x-amz-json-1.1',
          'x-amz-target': 'AWSCognitoIdentityProviderService.ListUserPools',
          connection: 'close',
        },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end('{"MaxResults":1}');
  });
}

/** Pids of the processes that answered JSON-protocol requests (log lines with `op`) from line `from` on. */
function answeringPids(srv: ServerProcess, from = 0): Set<number> {
  return new Set(
    srv
      .logLines()
      .slice(from)
      .filter((l) => typeof l.op === 'string' && typeof l.pid === 'number')
      .map((l) => l.pid!),
  );
}

describe('latchkey serve --workers 2 on SQLite', () => {
  let dataDir: string;
  let server: ServerProcess | undefined;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'latchkey-workers-'));
    // Debug logging: one line per answered request, carrying the pid of the worker that answered.
    server = await startServerProcess({ name: 'workers', dataDir, workers: 2, logLevel: 'debug' });
    // /health answers once the first worker is up; the primary forks the others only then. Wait
    // until both answer (each probe is a new connection, handed to the workers in turn).
    const deadline = Date.now() + 45_000;
    while (answeringPids(server).size < 2) {
      if (Date.now() > deadline) throw new Error(`the second worker never answered. Output:\n${server.output().slice(-3000)}`);
      await probe(server.url).catch(() => 0);
      await new Promise((r) => setTimeout(r, 100));
    }
  }, 90_000);

  afterAll(async () => {
    if (server && !server.exitInfo()) await server.kill();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('answers /health, a full registration and sign-in through one port, and stops with exit 0 on SIGTERM', async () => {
    const srv = server!;
    const firstLine = srv.logLines().length;
    for (let i = 0; i < 4; i++) expect((await srv.getJson('/health')).json).toEqual({ status: 'ok' });

    // A new connection per request: the cluster primary hands connections to the workers in turn.
    const admin = sdkClient(srv.url, ADMIN_KEYS, { keepAlive: false });
    const client = sdkClient(srv.url, undefined, { keepAlive: false });
    try {
      const pool = await createTestPool(admin, { userVerification: 'required' });
      const username = `worker-user-${process.pid}`;
      await adminCreateConfirmedUser(admin, pool.userPoolId, username);
      const signIn = await initiatePasswordAuth(client, pool.clientId, username);
      const token = signIn.AuthenticationResult!.AccessToken!;

      // Registration (Start and Complete on whichever worker gets the connection).
      const authenticator = new VirtualAuthenticator();
      const credential = await registerPasskey({ client }, token, authenticator);
      const listed = await client.send(new ListWebAuthnCredentialsCommand({ AccessToken: token }));
      expect(listed.Credentials?.map((c) => c.CredentialId)).toEqual([credential.id]);

      // Passkey sign-in, twice, so each step lands on both workers at some point.
      for (let round = 0; round < 2; round++) {
        const { done } = await passkeySignIn({ client }, { client }, pool.clientId, username, authenticator);
        const access = done.AuthenticationResult?.AccessToken;
        expect(access).toBeTruthy();
        for (let k = 0; k < 2; k++) expect((await client.send(new GetUserCommand({ AccessToken: access! }))).Username).toBe(username);
      }
      // The JWKS (read from the shared database) is the same whichever worker answers.
      const jwks = await Promise.all(
        [1, 2, 3, 4].map(async () => JSON.stringify((await srv.getJson(`/${pool.userPoolId}/.well-known/jwks.json`)).json)),
      );
      expect(new Set(jwks).size).toBe(1);
    } finally {
      admin.destroy();
      client.destroy();
    }

    // Both workers answered requests (pids of the per-request debug lines; the primary serves none).
    const servingPids = answeringPids(srv, firstLine);
    expect(servingPids.has(srv.pid)).toBe(false);
    expect(servingPids.size, srv.output().slice(-2000)).toBe(2);
    expect(srv.errorLines()).toEqual([]);

    const exit = await srv.stop(15_000);
    expect(exit).toEqual({ code: 0, signal: null });
  });
});

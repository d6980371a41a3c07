/**
 * Cached configuration across processes (storage/kysely/configCache.ts): a pool setting, an app-client setting or
 * a signing-key rotation made through one process is in force on every other process within 1 s — two instances on
 * one PostgreSQL schema, and `serve --workers 2` on one SQLite file (fresh connections reach both workers). Each
 * process has the old state cached first (several requests on each before the change).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import http from 'node:http';
import { TARGET_PREFIX } from '@latchkey/wire';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeProtectedHeader } from 'jose';
import { UpdateUserPoolClientCommand, UpdateUserPoolCommand } from '@aws-sdk/client-cognito-identity-provider';
import { createTestPool } from './helpers/pool.js';
import { createUser } from './helpers/latchkeyAdmin.js';
import {
  createDatabase,
  dropDatabase,
  dropSchema,
  freePort,
  randomName,
  startServerProcess,
  type ServerProcess,
} from './helpers/processes.js';

/** A JSON-protocol call on a NEW connection (closed after), so `--workers` spreads consecutive calls over workers. */
function freshCall(url: string, target: string, body: unknown): Promise<{ status: number; json: any }> {
  const payload = JSON.stringify(body);
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: u.hostname,
        port: u.port,
        method: 'POST',
        path: '/',
        agent: false,
        headers: {
          'content-type': 'application/x-amz-json-1.1',
          'x-amz-target': `${TARGET_PREFIX}${target}`,
          connection: 'close',
          'content-length': Buffer.byteLength(payload),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, json: JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

const SPREAD = 12;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Deployment {
  /** Where the change is made. */
  a: () => ServerProcess;
  /** Where it must be seen (another instance, or the same port with other workers behind it). */
  b: () => ServerProcess;
}

function configChecks(label: string, d: Deployment) {
  const passwordAuth = (clientId: string, username: string, password = 'Passw0rdX') =>
    freshCall(d.b().url, 'InitiateAuth', {
      AuthFlow: 'USER_PASSWORD_AUTH',
      ClientId: clientId,
      AuthParameters: { USERNAME: username, PASSWORD: password },
    });

  it(`${label}: a pool setting changed on A is in force on B within 1 s`, async () => {
    const pool = await createTestPool(d.a().admin);
    const signUp = () =>
      freshCall(d.b().url, 'SignUp', { ClientId: pool.clientId, Username: randomName('su'), Password: 'Passw0rdX-1', UserAttributes: [] });
    for (let i = 0; i < SPREAD; i++) expect((await signUp()).status).toBe(200);
    await d
      .a()
      .admin.send(new UpdateUserPoolCommand({ UserPoolId: pool.userPoolId, AdminCreateUserConfig: { AllowAdminCreateUserOnly: true } }));
    await sleep(1000);
    for (let i = 0; i < SPREAD; i++) {
      const r = await signUp();
      expect({ status: r.status, type: r.json.__type }).toEqual({ status: 400, type: 'NotAuthorizedException' });
    }
  });

  it(`${label}: an app-client setting changed on A is in force on B within 1 s`, async () => {
    const pool = await createTestPool(d.a().admin);
    const user = await createUser(d.a(), pool, 'cfg');
    for (let i = 0; i < SPREAD; i++) expect((await passwordAuth(pool.clientId, user.username)).status).toBe(200);
    await d.a().admin.send(
      new UpdateUserPoolClientCommand({
        UserPoolId: pool.userPoolId,
        ClientId: pool.clientId,
        ExplicitAuthFlows: ['ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
      }),
    );
    await sleep(1000);
    for (let i = 0; i < SPREAD; i++) {
      const r = await passwordAuth(pool.clientId, user.username);
      expect({ status: r.status, type: r.json.__type }).toEqual({ status: 400, type: 'InvalidParameterException' });
    }
  });

  it(`${label}: a key rotated on A signs B's tokens within 1 s, and B verifies them`, async () => {
    const pool = await createTestPool(d.a().admin);
    const user = await createUser(d.a(), pool, 'rot');
    for (let i = 0; i < SPREAD; i++) expect((await passwordAuth(pool.clientId, user.username)).status).toBe(200);
    const rot = await d.a().signedCall('LatchkeyRotateSigningKey', { UserPoolId: pool.userPoolId, RetireAfterSeconds: 3600 });
    expect(rot.status).toBe(200);
    await sleep(1000);
    for (let i = 0; i < SPREAD; i++) {
      const r = await passwordAuth(pool.clientId, user.username);
      expect(r.status).toBe(200);
      const token = r.json.AuthenticationResult.AccessToken as string;
      expect(decodeProtectedHeader(token).kid).toBe(rot.json.KeyId);
      // A token with the new kid verifies everywhere (a kid first seen now is not refused as unknown).
      expect((await freshCall(d.b().url, 'GetUser', { AccessToken: token })).status).toBe(200);
    }
  });
}

describe('two instances on one PostgreSQL schema', () => {
  const dbName = `lk_mi_config_${process.pid}_${Date.now().toString(36)}`;
  const schema = randomName('mic_');
  let dbUrl: string;
  let A: ServerProcess;
  let B: ServerProcess;
  beforeAll(async () => {
    dbUrl = await createDatabase(dbName);
    const portA = await freePort();
    const publicUrl = `http://127.0.0.1:${portA}`;
    A = await startServerProcess({ name: 'A', port: portA, publicUrl, databaseUrl: dbUrl, databaseSchema: schema });
    B = await startServerProcess({ name: 'B', publicUrl, databaseUrl: dbUrl, databaseSchema: schema });
  }, 120_000);
  afterAll(async () => {
    await Promise.all([A?.stop(), B?.stop()]);
    try {
      if (dbUrl) await dropSchema(dbUrl, schema);
    } finally {
      await dropDatabase(dbName);
    }
  });
  configChecks('PostgreSQL', { a: () => A, b: () => B });
  it('no internal error on either instance', () => {
    expect([...A.errorLines(), ...B.errorLines()]).toEqual([]);
  });
});

describe('serve --workers 2 on one SQLite file', () => {
  let dataDir: string;
  let S: ServerProcess;
  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'latchkey-cfg-workers-'));
    S = await startServerProcess({ name: 'workers', dataDir, workers: 2 });
    // The primary forks the second worker once the first answers: give it time to listen too.
    await sleep(3000);
  }, 90_000);
  afterAll(async () => {
    await S?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });
  configChecks('SQLite --workers 2', { a: () => S, b: () => S });
  it('no internal error in either worker', () => {
    expect(S.errorLines()).toEqual([]);
  });
});

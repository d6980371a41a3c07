/**
 * What the per-process pool/client cache (storage/kysely/configCache.ts) must never do, with two servers on one store
 * (two in-process servers on one SQLite file, or on one PostgreSQL schema), each with the pool cached first:
 * - an admin update on one undo a change just made on the other (admin read-modify-writes read fresh);
 * - answer 500 when a request uses a client another instance has just deleted (a Cognito-shaped 400 instead).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DeleteUserPoolClientCommand,
  DescribeUserPoolCommand,
  GetUserPoolMfaConfigCommand,
  ListTagsForResourceCommand,
  SetUserPoolMfaConfigCommand,
  TagResourceCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { DIALECTS, startTestServer, type TestServer } from './helpers/harness.js';
import { createTestPool } from './helpers/pool.js';
import { createUser, PASSWORD } from './helpers/latchkeyAdmin.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.each(DIALECTS)('config cache across two servers on %s', (dialect) => {
  let A: TestServer;
  let B: TestServer;
  const dataDir = mkdtempSync(join(tmpdir(), 'latchkey-stale-'));
  beforeAll(async () => {
    A = await startTestServer(dialect, { dataDir });
    B = await startTestServer(dialect, { dataDir, schema: A.schema });
  });
  afterAll(async () => {
    await B?.stop();
    await A?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("an admin update on B right after SetUserPoolMfaConfig on A keeps A's change", async () => {
    const pool = await createTestPool(A.admin);
    const arn = (await B.admin.send(new DescribeUserPoolCommand({ UserPoolId: pool.userPoolId }))).UserPool!.Arn!;
    await B.admin.send(new GetUserPoolMfaConfigCommand({ UserPoolId: pool.userPoolId })); // B has the pool cached
    await A.admin.send(
      new SetUserPoolMfaConfigCommand({
        UserPoolId: pool.userPoolId,
        MfaConfiguration: 'ON',
        SoftwareTokenMfaConfiguration: { Enabled: true },
      }),
    );
    await B.admin.send(new TagResourceCommand({ ResourceArn: arn, Tags: { team: 'x' } }));
    await sleep(1100);
    for (const srv of [A, B]) {
      expect((await srv.admin.send(new GetUserPoolMfaConfigCommand({ UserPoolId: pool.userPoolId }))).MfaConfiguration).toBe('ON');
      expect((await srv.admin.send(new ListTagsForResourceCommand({ ResourceArn: arn }))).Tags).toEqual({ team: 'x' });
    }
  });

  it('a sign-in on B with a client A has just deleted answers a 400, not a 500', async () => {
    const pool = await createTestPool(A.admin);
    const user = await createUser(A, pool, 'stale');
    const signIn = () =>
      B.call('InitiateAuth', {
        AuthFlow: 'USER_PASSWORD_AUTH',
        ClientId: pool.clientId,
        AuthParameters: { USERNAME: user.username, PASSWORD },
      });
    expect((await signIn()).status).toBe(200); // B has the client cached
    await A.admin.send(new DeleteUserPoolClientCommand({ UserPoolId: pool.userPoolId, ClientId: pool.clientId }));
    const r = await signIn();
    expect({ status: r.status, type: r.json.__type }).toEqual({ status: 400, type: 'ResourceNotFoundException' });
  });
});

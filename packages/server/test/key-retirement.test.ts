/**
 * Emergency key rotation (issue 10, item 6): after `LatchkeyRotateSigningKey` with
 * `RetireAfterSeconds: 0` on one instance, access tokens signed by the retired key stop verifying on
 * every instance within 2 s, although each instance had the key in its verification cache
 * (`LATCHKEY_KEY_CACHE_MS`, 60 s by default). Two in-process instances share one database (one
 * PostgreSQL schema, or one SQLite directory) and one public URL; their clocks are moved by hand.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GetUserCommand } from '@aws-sdk/client-cognito-identity-provider';
import { decodeProtectedHeader } from 'jose';
import { DIALECTS, startTestServer, type TestServer } from './helpers/harness.js';
import { createTestPool, type TestPool } from './helpers/pool.js';
import { expectNoInternalErrors, expectServiceError } from './helpers/errors.js';
import { accessToken, createUser, signedCall, type TestUser } from './helpers/latchkeyAdmin.js';

describe.each(DIALECTS)('signing-key retirement across two instances (%s)', (dialect) => {
  let A: TestServer;
  let B: TestServer;
  let pool: TestPool;
  let user: TestUser;
  const dataDir = mkdtempSync(join(tmpdir(), 'latchkey-retire-'));
  const schema = `t_retire_${process.pid}_${Date.now().toString(36)}`;

  beforeAll(async () => {
    A = await startTestServer(dialect, { schema, dataDir });
    B = await startTestServer(dialect, { schema, dataDir });
    // One issuer for both, as behind a load balancer.
    B.services.config = Object.freeze({ ...B.services.config, publicUrl: A.endpoint });
    pool = await createTestPool(A.admin);
    user = await createUser(A, pool, 'retire');
  });
  afterAll(async () => {
    for (const s of [A, B]) if (s) expectNoInternalErrors(s);
    await B?.stop();
    await A?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const username = async (srv: TestServer, token: string) => (await srv.client.send(new GetUserCommand({ AccessToken: token }))).Username;
  const advanceBoth = (ms: number) => {
    A.clock.advance(ms);
    B.clock.advance(ms);
  };

  it("RetireAfterSeconds 0 on A: the retired key's tokens are refused on A and B 2 s later; new tokens verify on both", async () => {
    const oldToken = await accessToken(A, pool.clientId, user);
    // Both instances verify the token now, so both hold the key in their verification cache.
    expect(await username(A, oldToken)).toBe(user.username);
    expect(await username(B, oldToken)).toBe(user.username);

    const rot = await signedCall(A, 'LatchkeyRotateSigningKey', { UserPoolId: pool.userPoolId, RetireAfterSeconds: 0 });
    expect(rot.status, JSON.stringify(rot.json)).toBe(200);
    expect(rot.json.KeyId).not.toBe(decodeProtectedHeader(oldToken).kid);

    advanceBoth(2000);
    for (const srv of [A, B]) {
      await expectServiceError(
        srv.client.send(new GetUserCommand({ AccessToken: oldToken })),
        'NotAuthorizedException',
        'Invalid Access Token',
      );
    }
    // Tokens from either instance after the rotation use the new key and verify on both.
    for (const issuer of [A, B]) {
      const fresh = await accessToken(issuer, pool.clientId, user);
      expect(decodeProtectedHeader(fresh).kid).toBe(rot.json.KeyId);
      for (const srv of [A, B]) expect(await username(srv, fresh)).toBe(user.username);
    }
  });

  it("a retirement with notice (RetireAfterSeconds 60) keeps the old key's tokens valid until then, on both instances", async () => {
    const oldToken = await accessToken(A, pool.clientId, user);
    expect(await username(B, oldToken)).toBe(user.username);
    const rot = await signedCall(B, 'LatchkeyRotateSigningKey', { UserPoolId: pool.userPoolId, RetireAfterSeconds: 60 });
    expect(rot.status, JSON.stringify(rot.json)).toBe(200);
    advanceBoth(30_000);
    for (const srv of [A, B]) expect(await username(srv, oldToken)).toBe(user.username);
    advanceBoth(31_000);
    for (const srv of [A, B]) {
      await expectServiceError(srv.client.send(new GetUserCommand({ AccessToken: oldToken })), 'NotAuthorizedException');
    }
  });
});

/**
 * docs/verifying-tokens.md: the aws-jwt-verify snippet, run exactly as written (extracted from the
 * document), with the real aws-jwt-verify against a Latchkey server on a plain-http issuer — and the
 * refusal it works around (aws-jwt-verify's default fetcher is node:https only).
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JwtVerifier } from 'aws-jwt-verify';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { startTestServer, type TestServer } from './helpers/harness.js';
import { createTestPool, type TestPool } from './helpers/pool.js';
import { createExtraClient, createUser, passwordTokens, signedCall, type TestUser } from './helpers/latchkeyAdmin.js';
import { ROOT } from '../../../test/e2e/helpers/bundle.js';

const DOC = join(ROOT, 'docs', 'verifying-tokens.md');

/** The first ```js block of the document. */
function snippet(): string {
  const m = /```js\n([\s\S]*?)```/.exec(readFileSync(DOC, 'utf8'));
  if (!m) throw new Error(`no js code block in ${DOC}`);
  return m[1]!;
}

type Verifier = { verify(token: string): Promise<Record<string, unknown>> };

describe('docs/verifying-tokens.md: aws-jwt-verify on a plain-http issuer', () => {
  let srv: TestServer;
  let pool: TestPool;
  let user: TestUser;
  let issuer: string;
  let verifiers: { accessTokenVerifier: Verifier; idTokenVerifier: Verifier };
  // Inside node_modules (ignored by git) so that the snippet's bare imports resolve as in an app.
  const dir = join(ROOT, 'node_modules', '.cache', 'latchkey-doc-snippets', String(process.pid));

  beforeAll(async () => {
    srv = await startTestServer('sqlite');
    pool = await createTestPool(srv.admin);
    user = await createUser(srv, pool, 'verify');
    issuer = `${srv.endpoint}/${pool.userPoolId}`;
    expect(issuer).toMatch(/^http:\/\//);
    process.env.LATCHKEY_ISSUER = issuer;
    process.env.LATCHKEY_CLIENT_ID = pool.clientId;
    mkdirSync(dir, { recursive: true });
    const file = join(dir, 'verify.mjs');
    writeFileSync(file, snippet());
    verifiers = (await import(pathToFileURL(file).href)) as typeof verifiers;
  });
  afterAll(async () => {
    delete process.env.LATCHKEY_ISSUER;
    delete process.env.LATCHKEY_CLIENT_ID;
    rmSync(dir, { recursive: true, force: true });
    await srv?.stop();
  });

  it('without the workaround aws-jwt-verify refuses the http:// JWKS URI', async () => {
    const plain = JwtVerifier.create({ issuer, jwksUri: `${issuer}/.well-known/jwks.json`, audience: null });
    const { AccessToken } = await passwordTokens(srv, pool.clientId, user);
    await expect(plain.verify(AccessToken!)).rejects.toThrow(/Protocol "http:" not supported/);
  });

  it("the snippet verifies access and id tokens and refuses the wrong kind, another client's and tampered ones", async () => {
    const t = await passwordTokens(srv, pool.clientId, user);
    expect((await verifiers.accessTokenVerifier.verify(t.AccessToken!)).username).toBe(user.username);
    expect((await verifiers.idTokenVerifier.verify(t.IdToken!))['cognito:username']).toBe(user.username);
    await expect(verifiers.accessTokenVerifier.verify(t.IdToken!)).rejects.toThrow();
    await expect(verifiers.idTokenVerifier.verify(t.AccessToken!)).rejects.toThrow();

    const otherClient = await createExtraClient(srv, pool, { flows: ['ALLOW_USER_PASSWORD_AUTH'] });
    const other = await passwordTokens(srv, otherClient, user);
    await expect(verifiers.accessTokenVerifier.verify(other.AccessToken!)).rejects.toThrow('an access token of another app client');
    await expect(verifiers.idTokenVerifier.verify(other.IdToken!)).rejects.toThrow();

    const [h, , s] = t.AccessToken!.split('.');
    const forged = Buffer.from(JSON.stringify({ ...decodeJwt(t.AccessToken!), username: 'mallory' })).toString('base64url');
    await expect(verifiers.accessTokenVerifier.verify(`${h}.${forged}.${s}`)).rejects.toThrow();
  });

  it('after a key rotation the snippet fetches the new key: tokens signed with it verify', async () => {
    const before = await passwordTokens(srv, pool.clientId, user);
    await verifiers.accessTokenVerifier.verify(before.AccessToken!); // the old key is cached now
    const rot = await signedCall(srv, 'LatchkeyRotateSigningKey', { UserPoolId: pool.userPoolId, RetireAfterSeconds: 3600 });
    expect(rot.status, JSON.stringify(rot.json)).toBe(200);
    const after = await passwordTokens(srv, pool.clientId, user);
    expect(decodeProtectedHeader(after.AccessToken!).kid).toBe(rot.json.KeyId);
    expect((await verifiers.accessTokenVerifier.verify(after.AccessToken!)).username).toBe(user.username);
  });
});

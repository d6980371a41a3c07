/**
 * Two Latchkey instances (separate processes, `latchkey serve`) on ONE PostgreSQL schema, as behind
 * a load balancer: both share LATCHKEY_SECRET, the admin keys and one public URL (the token issuer).
 * Every ceremony is started on one instance and finished on the other; concurrent writes race across
 * them; a SIGKILL mid-load loses no acknowledged write.
 *
 * The instances use a private PostgreSQL database (schema `mi_<random>` inside it), not a schema of
 * the shared `test` database: it keeps this suite about multiple instances and independent of the
 * other test files. (It once also avoided a migration bug: Kysely's Migrator found another schema's
 * `kysely_migration`; storage/open.ts now passes `migrationTableSchema`.)
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { VirtualAuthenticator, type PublicKeyCredentialCreationOptionsJSON } from '@latchkey/virtual-authenticator';
import {
  GetUserCommand,
  GlobalSignOutCommand,
  InitiateAuthCommand,
  ListWebAuthnCredentialsCommand,
  RespondToAuthChallengeCommand,
  StartWebAuthnRegistrationCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { createSrpClientSession } from '../../client/src/internal/srp.js';
import { createTestPool, type TestPool } from './helpers/pool.js';
import { expectServiceError } from './helpers/errors.js';
import { configPropagated } from './helpers/configCache.js';
import {
  PASSWORD,
  completeRegistration,
  createUser,
  passkeySignIn,
  passwordTokens,
  passwordVerifierInput,
  startRegistration,
  type TestUser,
} from './helpers/latchkeyAdmin.js';
import {
  createDatabase,
  dropDatabase,
  dropSchema,
  freePort,
  pgQuery,
  randomName,
  startServerProcess,
  type ServerProcess,
} from './helpers/processes.js';

// ------------------------------------------------------------------------------------------------
// Small helpers (SDK level)
// ------------------------------------------------------------------------------------------------

/** Every credential id of the user (all pages of ListWebAuthnCredentials). */
async function listPasskeyIds(inst: ServerProcess, token: string): Promise<string[]> {
  const ids: string[] = [];
  let next: string | undefined;
  do {
    const r = await inst.client.send(new ListWebAuthnCredentialsCommand({ AccessToken: token, MaxResults: 20, NextToken: next }));
    ids.push(...(r.Credentials ?? []).map((c) => c.CredentialId!));
    next = r.NextToken;
  } while (next);
  return ids;
}

async function getUsername(inst: ServerProcess, token: string): Promise<string> {
  const r = await inst.client.send(new GetUserCommand({ AccessToken: token }));
  return r.Username!;
}

/** The user's stored passkey count and row count, straight from the database. */
async function storedCounts(dbUrl: string, schema: string, poolId: string, userId: string): Promise<{ counter: number; rows: number }> {
  const [r] = await pgQuery<{ counter: number; rows: string }>(
    dbUrl,
    `SELECT u.passkey_count AS counter, (SELECT count(*) FROM ${schema}.passkeys p WHERE p.pool_id = u.pool_id AND p.user_id = u.id) AS rows
       FROM ${schema}.users u WHERE u.pool_id = $1 AND u.id = $2`,
    [poolId, userId],
  );
  return { counter: Number(r!.counter), rows: Number(r!.rows) };
}

const kidOf = (jwt: string) => decodeProtectedHeader(jwt).kid as string;

/**
 * Password sign-ins on `inst` until it signs with another key than `oldKid`, for at most the documented
 * 1 s signing-key cache plus half a second (docs/deployment.md#caches); the last tokens it issued.
 */
async function tokensOnceRotated(inst: ServerProcess, clientId: string, user: TestUser, oldKid: string) {
  const end = Date.now() + 1500;
  let tokens = await passwordTokens(inst, clientId, user);
  while (kidOf(tokens.AccessToken!) === oldKid && Date.now() < end) {
    await new Promise((r) => setTimeout(r, 100));
    tokens = await passwordTokens(inst, clientId, user);
  }
  return tokens;
}

// ------------------------------------------------------------------------------------------------

describe('two instances on one PostgreSQL schema', () => {
  const dbName = `lk_multi_instance_${process.pid}_${Date.now().toString(36)}`;
  const schema = randomName('mi_');
  let dbUrl: string;
  let A: ServerProcess;
  let B: ServerProcess;
  /** Instances that are expected to be alive (the SIGKILL test removes A). */
  const alive = new Set<ServerProcess>();
  let pool: TestPool;

  beforeAll(async () => {
    dbUrl = await createDatabase(dbName);
    const [portA, portB] = [await freePort(), await freePort()];
    const publicUrl = `http://127.0.0.1:${portA}`; // one public URL for both, like a load balancer name
    // Started at the same moment on an empty schema: the migrations race, both must come up.
    const started = await Promise.allSettled([
      startServerProcess({ name: 'A', port: portA, publicUrl, databaseUrl: dbUrl, databaseSchema: schema }),
      startServerProcess({ name: 'B', port: portB, publicUrl, databaseUrl: dbUrl, databaseSchema: schema }),
    ]);
    for (const s of started) if (s.status === 'fulfilled') alive.add(s.value);
    const failed = started.filter((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failed.length)
      throw new Error(
        `instances on one fresh schema did not both start:\n${failed.map((f) => String(f.reason?.message ?? f.reason)).join('\n---\n')}`,
      );
    [A, B] = started.map((s) => (s as PromiseFulfilledResult<ServerProcess>).value) as [ServerProcess, ServerProcess];
    pool = await createTestPool(A.admin, { userVerification: 'preferred' });
  }, 120_000);

  afterEach(() => {
    // No request on any live instance ended in an internal error (each 500 is logged at level error).
    for (const inst of alive) expect(inst.errorLines(), `error lines of instance ${inst.name}`).toEqual([]);
  });

  afterAll(async () => {
    const exits = await Promise.all([...alive].map(async (inst) => ({ name: inst.name, exit: await inst.stop() })));
    try {
      if (dbUrl) await dropSchema(dbUrl, schema);
    } finally {
      await dropDatabase(dbName);
    }
    for (const { name, exit } of exits) expect({ name, exit }).toEqual({ name, exit: { code: 0, signal: null } });
  });

  it('both instances came up on the fresh schema and the migration ran once', async () => {
    for (const inst of [A, B]) expect((await inst.getJson('/health')).json).toEqual({ status: 'ok' });
    const rows = await pgQuery<{ name: string }>(dbUrl, `SELECT name FROM ${schema}.kysely_migration ORDER BY name`);
    const names = rows.map((r) => r.name);
    expect(names.length).toBeGreaterThan(0);
    expect(new Set(names).size).toBe(names.length);
    // The pool created on A is visible on B, and both publish the same issuer.
    const [confA, confB] = await Promise.all([A, B].map((i) => i.getJson(`/${pool.userPoolId}/.well-known/openid-configuration`)));
    expect(confA!.json.issuer).toBe(`${A.url}/${pool.userPoolId}`);
    expect(confB!.json.issuer).toBe(confA!.json.issuer);
  });

  it('1. a registration started on A is completed on B and listed on both', async () => {
    const user = await createUser(A, pool, 'reg');
    const token = (await passwordTokens(A, pool.clientId, user)).AccessToken!;
    const authenticator = new VirtualAuthenticator();
    const options = await startRegistration(A, token);
    const credential = await authenticator.createCredential(options);
    const r = await completeRegistration(B, token, credential);
    expect(r.$metadata.httpStatusCode).toBe(200);
    expect(await listPasskeyIds(A, token)).toEqual([credential.id]);
    expect(await listPasskeyIds(B, token)).toEqual([credential.id]);
    // The challenge is single-use across instances: completing it again on A with another credential fails.
    const other = await new VirtualAuthenticator().createCredential(options);
    await expectServiceError(completeRegistration(A, token, other), 'WebAuthnChallengeNotFoundException');
    // B's next creation options exclude the credential registered through B.
    const next = await startRegistration(B, token);
    expect(next.excludeCredentials?.map((c) => c.id)).toEqual([credential.id]);
  });

  it('2a. a passkey sign-in started on A is answered on B → tokens valid on both', async () => {
    const user = await createUser(B, pool, 'pk');
    const token = (await passwordTokens(B, pool.clientId, user)).AccessToken!;
    const authenticator = new VirtualAuthenticator();
    const options = await startRegistration(B, token);
    expect((await completeRegistration(A, token, await authenticator.createCredential(options))).$metadata.httpStatusCode).toBe(200);

    const { init, assertion, done } = await passkeySignIn(A, B, pool.clientId, user.username, authenticator);
    const tokens = done.AuthenticationResult!;
    expect(tokens.AccessToken && tokens.IdToken && tokens.RefreshToken).toBeTruthy();
    expect(await getUsername(A, tokens.AccessToken!)).toBe(user.username);
    expect(await getUsername(B, tokens.AccessToken!)).toBe(user.username);
    // The sign-in session was consumed on B: replaying the same answer on A is refused.
    await expectServiceError(
      A.client.send(
        new RespondToAuthChallengeCommand({
          ClientId: pool.clientId,
          ChallengeName: 'WEB_AUTHN',
          Session: init.Session,
          ChallengeResponses: { USERNAME: user.username, CREDENTIAL: JSON.stringify(assertion) },
        }),
      ),
      'NotAuthorizedException',
    );
    // And the other way round: started on B, answered on A.
    const back = await passkeySignIn(B, A, pool.clientId, user.username, authenticator);
    expect(await getUsername(B, back.done.AuthenticationResult!.AccessToken!)).toBe(user.username);
  });

  it('2b. SRP started on A is verified on B → tokens', async () => {
    const user = await createUser(A, pool, 'srp');
    for (const [start, finish] of [
      [A, B],
      [B, A],
    ] as const) {
      const session = createSrpClientSession();
      const init = await start.client.send(
        new InitiateAuthCommand({
          ClientId: pool.clientId,
          AuthFlow: 'USER_SRP_AUTH',
          AuthParameters: { USERNAME: user.username, SRP_A: session.srpA },
        }),
      );
      const answer = await passwordVerifierInput(pool, pool.clientId, init, session, PASSWORD);
      const done = await finish.client.send(new RespondToAuthChallengeCommand(answer));
      expect(done.AuthenticationResult?.AccessToken, `${start.name} → ${finish.name}`).toBeTruthy();
      expect(await getUsername(start, done.AuthenticationResult!.AccessToken!)).toBe(user.username);
      // Single use: the same claim is refused on the instance that started it.
      await expectServiceError(start.client.send(new RespondToAuthChallengeCommand(answer)), 'NotAuthorizedException');
    }
  });

  it('3. one registration challenge completed concurrently on A and B (two credentials) → exactly one is stored', async () => {
    const rounds = 5;
    const user = await createUser(A, pool, 'race');
    const token = (await passwordTokens(A, pool.clientId, user)).AccessToken!;
    const winners: string[] = [];
    for (let i = 0; i < rounds; i++) {
      const options = await startRegistration(i % 2 ? A : B, token);
      // Two authenticators answer the same creation options: two different, valid credentials.
      const [c1, c2] = await Promise.all([
        new VirtualAuthenticator().createCredential(options),
        new VirtualAuthenticator().createCredential(options),
      ]);
      expect(c1.id).not.toBe(c2.id);
      const results = await Promise.allSettled([completeRegistration(A, token, c1), completeRegistration(B, token, c2)]);
      const ok = results.flatMap((r, k) => (r.status === 'fulfilled' ? [k === 0 ? c1.id : c2.id] : []));
      const failed = results
        .filter((r): r is PromiseRejectedResult => r.status === 'rejected')
        .map((r) => ({ name: r.reason?.name, status: r.reason?.$metadata?.httpStatusCode }));
      expect({ round: i, ok: ok.length, failed }).toEqual({
        round: i,
        ok: 1,
        failed: [{ name: 'WebAuthnChallengeNotFoundException', status: 400 }],
      });
      winners.push(ok[0]!);
    }
    const listed = await listPasskeyIds(B, token);
    expect([...listed].sort()).toEqual([...winners].sort());
    expect(await storedCounts(dbUrl, schema, pool.userPoolId, user.sub)).toEqual({ counter: rounds, rows: rounds });

    // The same credential retried on both at once: both answer 200 (`{}` for the repeat), one row stored.
    const options = await startRegistration(A, token);
    const same = await new VirtualAuthenticator().createCredential(options);
    const both = await Promise.allSettled([completeRegistration(A, token, same), completeRegistration(B, token, same)]);
    const oks = both.filter((r) => r.status === 'fulfilled').length;
    // One Complete may also lose the race for the challenge before the other stored the credential.
    const errs = both.filter((r): r is PromiseRejectedResult => r.status === 'rejected').map((r) => r.reason?.name);
    expect(oks, `errors: ${errs.join(', ')}`).toBeGreaterThanOrEqual(1);
    expect(errs.every((n) => n === 'WebAuthnChallengeNotFoundException')).toBe(true);
    expect((await listPasskeyIds(A, token)).filter((id) => id === same.id)).toHaveLength(1);
    expect(await storedCounts(dbUrl, schema, pool.userPoolId, user.sub)).toEqual({ counter: rounds + 1, rows: rounds + 1 });
  });

  it('4. concurrent registrations for one user across A and B never exceed maxPasskeysPerUser', async () => {
    const limited = await createTestPool(A.admin);
    const set = await B.signedCall('LatchkeyUpdateUserPoolSettings', {
      UserPoolId: limited.userPoolId,
      Settings: { maxPasskeysPerUser: 5 },
    });
    expect(set).toMatchObject({ status: 200, json: { Settings: { maxPasskeysPerUser: 5 } } });
    await configPropagated();
    const user = await createUser(A, limited, 'limit');
    const token = (await passwordTokens(B, limited.clientId, user)).AccessToken!;
    const attempts = 12;
    const results = await Promise.allSettled(
      Array.from({ length: attempts }, async (_, i) => {
        const startOn = i % 2 ? A : B;
        const completeOn = i % 3 ? B : A;
        const options = await startRegistration(startOn, token);
        const credential = await new VirtualAuthenticator().createCredential(options);
        await completeRegistration(completeOn, token, credential);
        return credential.id;
      }),
    );
    const ok = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
    const errors = results
      .filter((r): r is PromiseRejectedResult => r.status === 'rejected')
      .map((r) => `${r.reason?.name}/${r.reason?.$metadata?.httpStatusCode}`);
    // Every refusal is the limit (400), never a 500 or a lost race of another kind.
    expect(
      errors.every((e) => e === 'LimitExceededException/400'),
      errors.join(', '),
    ).toBe(true);
    const listed = await listPasskeyIds(A, token);
    expect(listed.length).toBeLessThanOrEqual(5);
    // Each refusal saw 5 stored passkeys, so exactly 5 are stored and they are the acknowledged ones.
    expect(listed.length).toBe(5);
    expect([...listed].sort()).toEqual([...ok].sort());
    expect(await storedCounts(dbUrl, schema, limited.userPoolId, user.sub)).toEqual({ counter: 5, rows: 5 });
    // And a further attempt on either instance is refused at Start.
    for (const inst of [A, B])
      await expectServiceError(inst.client.send(new StartWebAuthnRegistrationCommand({ AccessToken: token })), 'LimitExceededException');
  });

  it('5. GlobalSignOut on A rejects the old access token on B at once, and refresh on B fails', async () => {
    const user = await createUser(B, pool, 'gso');
    const first = await passwordTokens(A, pool.clientId, user);
    const second = await passwordTokens(B, pool.clientId, user);
    // Refresh across instances works before the sign-out.
    const refreshed = await B.client.send(
      new InitiateAuthCommand({
        ClientId: pool.clientId,
        AuthFlow: 'REFRESH_TOKEN_AUTH',
        AuthParameters: { REFRESH_TOKEN: first.RefreshToken! },
      }),
    );
    expect(refreshed.AuthenticationResult?.AccessToken).toBeTruthy();
    for (const t of [first.AccessToken!, second.AccessToken!, refreshed.AuthenticationResult!.AccessToken!])
      expect(await getUsername(B, t)).toBe(user.username);

    await A.client.send(new GlobalSignOutCommand({ AccessToken: first.AccessToken! }));

    for (const t of [first.AccessToken!, second.AccessToken!, refreshed.AuthenticationResult!.AccessToken!]) {
      await expectServiceError(B.client.send(new GetUserCommand({ AccessToken: t })), 'NotAuthorizedException');
      await expectServiceError(A.client.send(new GetUserCommand({ AccessToken: t })), 'NotAuthorizedException');
    }
    const refreshTokens = [first.RefreshToken!, second.RefreshToken!, refreshed.AuthenticationResult!.RefreshToken].filter(
      (t): t is string => !!t,
    );
    for (const rt of refreshTokens) {
      await expectServiceError(
        B.client.send(
          new InitiateAuthCommand({ ClientId: pool.clientId, AuthFlow: 'REFRESH_TOKEN_AUTH', AuthParameters: { REFRESH_TOKEN: rt } }),
        ),
        'NotAuthorizedException',
      );
    }
    // A new sign-in afterwards works on both.
    const again = await passwordTokens(B, pool.clientId, user);
    expect(await getUsername(A, again.AccessToken!)).toBe(user.username);
  });

  it("6. a key rotated on A is in B's JWKS at once; tokens from A after the rotation work on B, older ones on both", async () => {
    const rp = await createTestPool(A.admin);
    const user = await createUser(A, rp, 'rot');
    const before = await passwordTokens(A, rp.clientId, user);
    const beforeB = await passwordTokens(B, rp.clientId, user); // B has now cached the pool's active key too
    const oldKid = kidOf(before.AccessToken!);
    expect(kidOf(beforeB.AccessToken!)).toBe(oldKid);
    expect(await getUsername(B, before.AccessToken!)).toBe(user.username);

    const rot = await A.signedCall('LatchkeyRotateSigningKey', { UserPoolId: rp.userPoolId });
    expect(rot.status, JSON.stringify(rot.json)).toBe(200);
    const newKid = rot.json.KeyId as string;
    expect(newKid).toBeTruthy();
    expect(newKid).not.toBe(oldKid);

    const jwksB = await B.getJson(`/${rp.userPoolId}/.well-known/jwks.json`);
    expect(jwksB.status).toBe(200);
    expect(jwksB.json.keys.map((k: { kid: string }) => k.kid).sort()).toEqual([oldKid, newKid].sort());

    const after = await passwordTokens(A, rp.clientId, user);
    expect(kidOf(after.AccessToken!)).toBe(newKid);
    expect(await getUsername(B, after.AccessToken!)).toBe(user.username);
    expect(await getUsername(A, after.AccessToken!)).toBe(user.username);
    // A resource server using B's JWKS accepts the new tokens with the shared issuer.
    const keySet = createLocalJWKSet(jwksB.json);
    const issuer = `${A.url}/${rp.userPoolId}`;
    for (const t of [after.AccessToken!, after.IdToken!, before.AccessToken!]) {
      await expect(jwtVerify(t, keySet, { issuer })).resolves.toBeTruthy();
    }
    // Tokens issued before the rotation still work on both instances.
    for (const inst of [A, B]) {
      expect(await getUsername(inst, before.AccessToken!)).toBe(user.username);
      expect(await getUsername(inst, beforeB.AccessToken!)).toBe(user.username);
    }
  });

  // docs/deployment.md#caches: "The active signing key (for signing) | per process | 1 s after a
  // rotation an instance may still sign with the previous key, which stays published".
  // Regression: the signing-key cache once followed LATCHKEY_KEY_CACHE_MS (60 s), so B kept signing with
  // the pre-rotation kid for a minute; it is now bounded at 1 s (security/tokens.ts SIGNING_KEY_CACHE_MS).
  it('6b. within the documented 1 s after a rotation on A, B signs with the new key', async () => {
    const rp = await createTestPool(A.admin);
    const user = await createUser(A, rp, 'rot1s');
    const warm = await passwordTokens(B, rp.clientId, user); // B caches the active key for signing
    const oldKid = kidOf(warm.AccessToken!);
    const rot = await A.signedCall('LatchkeyRotateSigningKey', { UserPoolId: rp.userPoolId, RetireAfterSeconds: 3600 });
    expect(rot.status).toBe(200);
    const later = await tokensOnceRotated(B, rp.clientId, user, oldKid);
    expect({ kid: kidOf(later.AccessToken!), oldKid }).toEqual({ kid: rot.json.KeyId, oldKid });
  });

  // The consequence when the old key is retired at once (RetireAfterSeconds 0): a token B signs after
  // the rotation must still be verifiable with the published JWKS.
  it('6c. after a rotation on A with RetireAfterSeconds 0, tokens B issues verify against the JWKS', async () => {
    const rp = await createTestPool(A.admin);
    const user = await createUser(A, rp, 'rot0');
    const warm = await passwordTokens(B, rp.clientId, user); // B caches the active key for signing
    const rot = await A.signedCall('LatchkeyRotateSigningKey', { UserPoolId: rp.userPoolId, RetireAfterSeconds: 0 });
    expect(rot.status).toBe(200);
    const later = await tokensOnceRotated(B, rp.clientId, user, kidOf(warm.AccessToken!));
    const jwks = await B.getJson(`/${rp.userPoolId}/.well-known/jwks.json`);
    const published = jwks.json.keys.map((k: { kid: string }) => k.kid);
    expect({ tokenKid: kidOf(later.AccessToken!), published }).toEqual({ tokenKid: rot.json.KeyId, published: [rot.json.KeyId] });
    await expect(
      jwtVerify(later.AccessToken!, createLocalJWKSet(jwks.json), { issuer: `${A.url}/${rp.userPoolId}` }),
    ).resolves.toBeTruthy();
  });

  it('7. SIGKILL of A mid-load loses no acknowledged registration; B keeps serving', async () => {
    const kp = await createTestPool(A.admin);
    expect(
      (await A.signedCall('LatchkeyUpdateUserPoolSettings', { UserPoolId: kp.userPoolId, Settings: { maxPasskeysPerUser: 100 } })).status,
    ).toBe(200);
    const loops = 8;
    const users = await Promise.all(Array.from({ length: loops }, () => createUser(A, kp, 'kill')));
    const tokens = await Promise.all(users.map(async (u) => (await passwordTokens(A, kp.clientId, u)).AccessToken!));
    // A new authenticator per registration (one authenticator cannot register twice: excludeCredentials).
    const holder = new Map<string, VirtualAuthenticator>();
    const acknowledged: Set<string>[] = users.map(() => new Set());
    let inflight = 0;
    let killed = false;
    let completes = 0;
    const failures: string[] = [];

    const loop = async (i: number) => {
      while (!killed) {
        try {
          inflight++;
          let options: PublicKeyCredentialCreationOptionsJSON;
          try {
            options = await startRegistration(A, tokens[i]!);
          } finally {
            inflight--;
          }
          const authenticator = new VirtualAuthenticator();
          const credential = await authenticator.createCredential(options);
          holder.set(credential.id, authenticator);
          inflight++;
          completes++;
          try {
            const r = await completeRegistration(A, tokens[i]!, credential);
            if (r.$metadata.httpStatusCode === 200) acknowledged[i]!.add(credential.id);
          } finally {
            inflight--;
          }
        } catch (err) {
          if (!killed) failures.push(`${(err as Error).name}: ${(err as Error).message}`);
          return;
        }
      }
    };
    const running = Array.from({ length: loops }, (_, i) => loop(i));
    // Let the load run until more registrations are acknowledged than there are loops (bounded), …
    const ackedSoFar = () => acknowledged.reduce((n, s) => n + s.size, 0);
    for (const end = Date.now() + 20_000; ackedSoFar() <= loops && failures.length === 0 && Date.now() < end; )
      await new Promise((r) => setTimeout(r, 20));
    // … then kill while requests are in flight.
    const deadline = Date.now() + 2000;
    while (inflight === 0 && Date.now() < deadline) await new Promise((r) => setImmediate(r));
    const inflightAtKill = inflight;
    killed = true;
    A.child.kill('SIGKILL');
    alive.delete(A);
    const exit = await A.exited;
    await Promise.all(running);
    await A.kill(); // releases the SDK clients

    expect(exit).toEqual({ code: null, signal: 'SIGKILL' });
    expect(failures, 'registrations failed before the kill').toEqual([]);
    expect(inflightAtKill, 'requests in flight at the kill').toBeGreaterThan(0);
    const acked = acknowledged.reduce((n, s) => n + s.size, 0);
    if (process.env.MI_VERBOSE)
      console.info(`SIGKILL test: ${acked} acknowledged of ${completes} Completes sent, ${inflightAtKill} requests in flight at the kill`);
    expect(acked, `acknowledged registrations (of ${completes} Completes sent)`).toBeGreaterThan(loops);

    // Every acknowledged credential is stored, as B sees it; counters match the rows.
    for (let i = 0; i < loops; i++) {
      const listed = new Set(await listPasskeyIds(B, tokens[i]!));
      const missing = [...acknowledged[i]!].filter((id) => !listed.has(id));
      expect({ user: i, missing }).toEqual({ user: i, missing: [] });
      const counts = await storedCounts(dbUrl, schema, kp.userPoolId, users[i]!.sub);
      expect(counts.counter).toBe(counts.rows);
      expect(counts.rows).toBe(listed.size);
    }

    // B keeps serving: a fresh password sign-in, a passkey sign-in with an acknowledged credential, a registration.
    const fresh = await passwordTokens(B, kp.clientId, users[0]!);
    const someAcked = [...acknowledged[0]!][0]!;
    const { done, assertion } = await passkeySignIn(B, B, kp.clientId, users[0]!.username, holder.get(someAcked)!);
    expect(assertion.id).toBe(someAcked);
    expect(await getUsername(B, done.AuthenticationResult!.AccessToken!)).toBe(users[0]!.username);
    const newcomer = await createUser(B, kp, 'after-kill');
    const nToken = (await passwordTokens(B, kp.clientId, newcomer)).AccessToken!;
    const nAuth = new VirtualAuthenticator();
    const options = await startRegistration(B, nToken);
    const credential = await nAuth.createCredential(options);
    expect((await completeRegistration(B, nToken, credential)).$metadata.httpStatusCode).toBe(200);
    expect(await listPasskeyIds(B, nToken)).toEqual([credential.id]);
    expect(await getUsername(B, fresh.AccessToken!)).toBe(users[0]!.username);
    expect((await B.getJson('/health')).status).toBe(200);
  });
});

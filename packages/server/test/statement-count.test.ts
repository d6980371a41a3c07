/**
 * Statements per passkey sign-in step against a real store (both dialects), counted through the store's
 * statement hook: a change that adds a query to the hot path fails here. The bounds are the counts measured
 * when the test was written (docs/benchmarks.md lists every ceremony); lower them when a change saves one. The pool
 * and client come from the per-process cache, which re-reads its version row every FIXED.configRecheckMs: a step that
 * happens to do that re-check costs one read more, so the bound holds for the cheapest of three runs, and every run
 * stays within one read of it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { InitiateAuthCommand, RespondToAuthChallengeCommand } from '@aws-sdk/client-cognito-identity-provider';
import { VirtualAuthenticator } from '@latchkey/virtual-authenticator';
import { DIALECTS, startTestServer, type TestServer } from './helpers/harness.js';
import { createTestPool, type TestPool } from './helpers/pool.js';
import { accessToken, createUser, parseRequestOptions, passwordTokens, registerPasskey, type TestUser } from './helpers/latchkeyAdmin.js';
import { StatementCounter, type StatementCounts } from '../src/storage/statementCounter.js';

/**
 * Upper bounds per step (the same on both stores). The respond step reads its Session, the credential, its user and
 * the user's groups in one statement (Store.readPasskeySignIn), and the sign-in events use that read too.
 */
const BOUNDS: Record<'initiate' | 'respond' | 'list' | 'refresh', StatementCounts> = {
  initiate: { statements: 2, roundTrips: 2, reads: 1, writeTransactions: 1 },
  respond: { statements: 5, roundTrips: 7, reads: 1, writeTransactions: 1 },
  // The token's state and the passkey page (getTokenState); the family, user and groups (readRefresh).
  list: { statements: 1, roundTrips: 1, reads: 1, writeTransactions: 0 },
  refresh: { statements: 1, roundTrips: 1, reads: 1, writeTransactions: 0 },
};

describe.each(DIALECTS)('statements per passkey sign-in step on %s', (dialect) => {
  const counter = new StatementCounter();
  let srv: TestServer;
  let pool: TestPool;
  let user: TestUser;
  let authenticator: VirtualAuthenticator;

  beforeAll(async () => {
    srv = await startTestServer(dialect, { onStatement: counter.observe, env: { LATCHKEY_EVENT_POLL_MS: '10000' } });
    pool = await createTestPool(srv.admin, { userVerification: 'preferred' });
    user = await createUser(srv, pool, 'stm');
    authenticator = new VirtualAuthenticator();
    await registerPasskey(srv, await accessToken(srv, pool.clientId, user), authenticator);
  });
  afterAll(async () => {
    await srv?.stop();
  });

  /** The counts of one request (event polling is slowed to 10 s so it does not fall inside one). */
  async function counted<T>(fn: () => Promise<T>): Promise<{ out: T; c: StatementCounts; sql: string[] }> {
    counter.take();
    const out = await fn();
    const sql = counter.sql;
    return { out, c: counter.take(), sql };
  }

  it('InitiateAuth and RespondToAuthChallenge stay within the measured counts; each step still writes', async () => {
    const runs: Record<'initiate' | 'respond', StatementCounts[]> = { initiate: [], respond: [] };
    for (let i = 0; i < 3; i++) {
      const init = await counted(() =>
        srv.client.send(
          new InitiateAuthCommand({
            ClientId: pool.clientId,
            AuthFlow: 'USER_AUTH',
            AuthParameters: { USERNAME: user.username, PREFERRED_CHALLENGE: 'WEB_AUTHN' },
          }),
        ),
      );
      expect(init.out.ChallengeName).toBe('WEB_AUTHN');
      const options = parseRequestOptions(init.out.ChallengeParameters?.CREDENTIAL_REQUEST_OPTIONS);
      const assertion = await authenticator.getAssertion(options);
      const done = await counted(() =>
        srv.client.send(
          new RespondToAuthChallengeCommand({
            ClientId: pool.clientId,
            ChallengeName: 'WEB_AUTHN',
            Session: init.out.Session,
            ChallengeResponses: { USERNAME: user.username, CREDENTIAL: JSON.stringify(assertion) },
          }),
        ),
      );
      expect(done.out.AuthenticationResult?.AccessToken).toBeTruthy();
      for (const [step, r] of [
        ['initiate', init],
        ['respond', done],
      ] as const) {
        runs[step].push(r.c);
        const why = `${dialect} ${step}:\n${r.sql.join('\n')}`;
        const b = BOUNDS[step];
        expect(r.c.statements, why).toBeLessThanOrEqual(b.statements + 1);
        expect(r.c.reads, why).toBeLessThanOrEqual(b.reads + 1);
        expect(r.c.writeTransactions, why).toBeLessThanOrEqual(b.writeTransactions);
        // Each step writes (the challenge row is created, then consumed atomically): a count of 0 means the hook broke.
        expect(r.c.writeTransactions, why).toBeGreaterThanOrEqual(1);
      }
    }
    for (const step of ['initiate', 'respond'] as const) {
      const min = (k: keyof StatementCounts) => Math.min(...runs[step].map((c) => c[k]));
      const cheapest = { statements: min('statements'), roundTrips: min('roundTrips'), reads: min('reads') };
      const b = BOUNDS[step];
      expect(cheapest.statements, `${dialect} ${step}`).toBeLessThanOrEqual(b.statements);
      expect(cheapest.roundTrips, `${dialect} ${step}`).toBeLessThanOrEqual(b.roundTrips);
      expect(cheapest.reads, `${dialect} ${step}`).toBeLessThanOrEqual(b.reads);
    }
  });

  it('ListWebAuthnCredentials and REFRESH_TOKEN_AUTH are one read each (and answer what they should)', async () => {
    const tokens = await passwordTokens(srv, pool.clientId, user);
    const runs: Record<'list' | 'refresh', StatementCounts[]> = { list: [], refresh: [] };
    for (let i = 0; i < 3; i++) {
      const list = await counted(() => srv.call('ListWebAuthnCredentials', { AccessToken: tokens.AccessToken, MaxResults: 20 }));
      expect(list.out.json.Credentials).toHaveLength(1);
      const refresh = await counted(() =>
        srv.client.send(
          new InitiateAuthCommand({
            ClientId: pool.clientId,
            AuthFlow: 'REFRESH_TOKEN_AUTH',
            AuthParameters: { REFRESH_TOKEN: tokens.RefreshToken! },
          }),
        ),
      );
      expect(refresh.out.AuthenticationResult?.AccessToken).toBeTruthy();
      for (const [step, r] of [
        ['list', list],
        ['refresh', refresh],
      ] as const) {
        runs[step].push(r.c);
        const why = `${dialect} ${step}:\n${r.sql.join('\n')}`;
        expect(r.c.reads, why).toBeLessThanOrEqual(BOUNDS[step].reads + 1);
        expect(r.c.writeTransactions, why).toBe(0);
      }
    }
    for (const step of ['list', 'refresh'] as const) {
      const cheapest = Math.min(...runs[step].map((c) => c.roundTrips));
      expect(cheapest, `${dialect} ${step}`).toBeLessThanOrEqual(BOUNDS[step].roundTrips);
      // Not zero: the hook still counts (a read that moved out of the store would not be seen).
      expect(cheapest, `${dialect} ${step}`).toBeGreaterThanOrEqual(1);
    }
  });

  it('a forged token with an unknown kid costs one key lookup, then none for a while', async () => {
    const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const forged = `${b64({ alg: 'RS256', kid: randomUUID() })}.${b64({ token_use: 'access', sub: 'x' })}.${'A'.repeat(342)}`;
    const first = await counted(() => srv.call('GetUser', { AccessToken: forged }));
    expect(first.out.status).toBe(400);
    expect(first.c.statements, first.sql.join('\n')).toBeGreaterThanOrEqual(1);
    for (let i = 0; i < 5; i++) {
      const again = await counted(() => srv.call('GetUser', { AccessToken: forged }));
      expect({ status: again.out.status, type: again.out.json.__type }).toEqual({ status: 400, type: 'NotAuthorizedException' });
      expect(again.c.statements, again.sql.join('\n')).toBe(0);
    }
  });
});

/**
 * USER_SRP_AUTH over the wire (AWS SDK v3 + Latchkey's client SRP module, which computes exactly what
 * Amplify computes), on SQLite and PostgreSQL: the PASSWORD_VERIFIER challenge (docs/wire-contract.md §3.2),
 * wrong passwords and the lockout, replays, invalid SRP_A, unknown users under
 * PreventUserExistenceErrors, and the TIMESTAMP window.
 */
import { SRP_N, SRP_N_HEX } from '@latchkey/wire';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  AdminGetUserCommand,
  GetUserCommand,
  InitiateAuthCommand,
  RespondToAuthChallengeCommand,
  type InitiateAuthCommandOutput,
  type RespondToAuthChallengeCommandOutput,
} from '@aws-sdk/client-cognito-identity-provider';

import { DIALECTS, useServerWithPool, type TestServer } from './helpers/harness.js';
import { createTestPool, type TestPool } from './helpers/pool.js';
import { expectServiceError } from './helpers/errors.js';
import {
  UUID,
  adminCreateConfirmedUser,
  answerPasswordVerifier,
  createExtraClient,
  createUser,
  passwordVerifierInput,
  type TestUser,
} from './helpers/latchkeyAdmin.js';
import { createSrpClientSession, type SrpClientSession } from '../../client/src/internal/srp.js';

const N = SRP_N;
const INCORRECT = 'Incorrect username or password.';
const LOCKED = 'Password attempts exceeded';

describe.each(DIALECTS)('USER_SRP_AUTH on %s', (dialect) => {
  let srv: TestServer;
  let pool: TestPool;
  useServerWithPool(dialect, { pool: { preventUserExistenceErrors: 'ENABLED' } }, (s, p) => ([srv, pool] = [s, p]));

  const initiate = (username: string, srpA: string, p: TestPool = pool, clientId = p.clientId) =>
    srv.client.send(
      new InitiateAuthCommand({ ClientId: clientId, AuthFlow: 'USER_SRP_AUTH', AuthParameters: { USERNAME: username, SRP_A: srpA } }),
    );

  async function challenge(username: string, p: TestPool = pool): Promise<{ srp: SrpClientSession; out: InitiateAuthCommandOutput }> {
    const srp = createSrpClientSession();
    const out = await initiate(username, srp.srpA, p);
    expect(out.ChallengeName).toBe('PASSWORD_VERIFIER');
    return { srp, out };
  }

  /** One complete SRP sign-in with the given password. */
  async function srpSignIn(
    username: string,
    password: string,
    p: TestPool = pool,
    date?: Date,
  ): Promise<RespondToAuthChallengeCommandOutput> {
    const { srp, out } = await challenge(username, p);
    return answerPasswordVerifier(srv, p, p.clientId, out, srp, password, date);
  }

  async function expectTokensFor(out: RespondToAuthChallengeCommandOutput, username: string) {
    expect(out.ChallengeName).toBeUndefined();
    expect(out.AuthenticationResult).toMatchObject({
      TokenType: 'Bearer',
      AccessToken: expect.any(String),
      IdToken: expect.any(String),
      RefreshToken: expect.any(String),
    });
    expect((await srv.client.send(new GetUserCommand({ AccessToken: out.AuthenticationResult!.AccessToken! }))).Username).toBe(username);
  }

  /**
   * Proves the user's attempt count is 0: four wrong passwords and then the right one still sign in
   * (with any earlier failure counted, the right one would be the sixth attempt, refused by the lock).
   */
  async function expectNoFailuresCounted(user: TestUser) {
    for (let i = 1; i <= 4; i++)
      await expectServiceError(srpSignIn(user.username, `Wr0ngPassword${i}`), 'NotAuthorizedException', INCORRECT);
    await expectTokensFor(await srpSignIn(user.username, user.password), user.username);
  }

  // ----------------------------------------------------------------------------------------------

  it('happy path: PASSWORD_VERIFIER has SALT, SRP_B, SECRET_BLOCK (base64), USERNAME, USER_ID_FOR_SRP; the claim → tokens', async () => {
    const user = await createUser(srv, pool, 'srp');
    const srp = createSrpClientSession();
    const raw = await srv.call('InitiateAuth', {
      ClientId: pool.clientId,
      AuthFlow: 'USER_SRP_AUTH',
      AuthParameters: { USERNAME: user.username, SRP_A: srp.srpA },
    });
    expect(raw.status).toBe(200);
    expect(raw.json.ChallengeName).toBe('PASSWORD_VERIFIER');
    const p = raw.json.ChallengeParameters as Record<string, string>;
    expect(Object.keys(p).sort()).toEqual(['SALT', 'SECRET_BLOCK', 'SRP_B', 'USERNAME', 'USER_ID_FOR_SRP']);
    expect(p.SALT).toMatch(/^[0-9a-fA-F]+$/);
    expect(p.SRP_B).toMatch(/^[0-9a-fA-F]+$/);
    const B = BigInt(`0x${p.SRP_B}`);
    expect(B % N).not.toBe(0n);
    expect(B < N).toBe(true);
    expect(p.SECRET_BLOCK).toMatch(/^[A-Za-z0-9+/]+={0,2}$/);
    expect(Buffer.from(p.SECRET_BLOCK!, 'base64').length).toBeGreaterThan(0);
    // A username pool: the username (its lookup form) in both, as Cognito (Amplify keys remembered devices on them).
    expect(p.USERNAME).toBe(user.username.toLowerCase());
    expect(p.USER_ID_FOR_SRP).toBe(p.USERNAME);

    const out = await answerPasswordVerifier(srv, pool, pool.clientId, raw.json as InitiateAuthCommandOutput, srp, user.password);
    await expectTokensFor(out, user.username);
  });

  it('an email-as-username pool: typed email, USER_ID_FOR_SRP is the internal id', async () => {
    const emailPool = await createTestPool(srv.admin, { usernameAttributes: ['email'] });
    const email = `srp-${process.pid}-${Date.now()}@example.com`;
    await adminCreateConfirmedUser(srv.admin, emailPool.userPoolId, email, 'Passw0rdX', email);
    const got = await srv.admin.send(new AdminGetUserCommand({ UserPoolId: emailPool.userPoolId, Username: email }));
    const { srp, out } = await challenge(email, emailPool);
    expect(out.ChallengeParameters?.USER_ID_FOR_SRP).toBe(got.UserAttributes!.find((a) => a.Name === 'sub')!.Value);
    expect(out.ChallengeParameters?.USERNAME).toBe(out.ChallengeParameters?.USER_ID_FOR_SRP);
    await expectTokensFor(await answerPasswordVerifier(srv, emailPool, emailPool.clientId, out, srp, 'Passw0rdX'), got.Username!);
  });

  it('a wrong password → NotAuthorizedException and it counts toward the lockout', async () => {
    const user = await createUser(srv, pool, 'srpwrong');
    for (let i = 1; i <= 4; i++)
      await expectServiceError(srpSignIn(user.username, `Wr0ngPassword${i}`), 'NotAuthorizedException', INCORRECT);
    // A successful sign-in clears the count (else the fifth attempt below would lock the sixth).
    await expectTokensFor(await srpSignIn(user.username, user.password), user.username);
    await expectNoFailuresCounted(user);
  });

  it('5 wrong passwords, then the right one → "Password attempts exceeded"; after the lockout it works again', async () => {
    const user = await createUser(srv, pool, 'srplock');
    // Prepare the right answer before failing, so it reaches the server within the 1 s first lockout.
    const { srp, out } = await challenge(user.username);
    const right = await passwordVerifierInput(pool, pool.clientId, out, srp, user.password);
    for (let i = 1; i <= 5; i++) {
      await expectServiceError(srpSignIn(user.username, `Wr0ngPassword${i}`), 'NotAuthorizedException', INCORRECT);
    }
    await expectServiceError(srv.client.send(new RespondToAuthChallengeCommand(right)), 'NotAuthorizedException', LOCKED);
    // USER_PASSWORD_AUTH is locked out too.
    await expectServiceError(
      srv.client.send(
        new InitiateAuthCommand({
          ClientId: pool.clientId,
          AuthFlow: 'USER_PASSWORD_AUTH',
          AuthParameters: { USERNAME: user.username, PASSWORD: user.password },
        }),
      ),
      'NotAuthorizedException',
      LOCKED,
    );

    srv.clock.advance(60_000);
    await expectTokensFor(await srpSignIn(user.username, user.password), user.username);
  });

  it('a replayed PASSWORD_VERIFIER response → NotAuthorizedException', async () => {
    const user = await createUser(srv, pool, 'srpreplay');
    const { srp, out } = await challenge(user.username);
    const input = await passwordVerifierInput(pool, pool.clientId, out, srp, user.password);
    await expectTokensFor(await srv.client.send(new RespondToAuthChallengeCommand(input)), user.username);
    await expectServiceError(srv.client.send(new RespondToAuthChallengeCommand(input)), 'NotAuthorizedException');
    // Also without the Session (the SECRET_BLOCK alone identifies the state).
    const { Session: _s, ...noSession } = input as typeof input & { Session?: string };
    await expectServiceError(srv.client.send(new RespondToAuthChallengeCommand(noSession)), 'NotAuthorizedException');
  });

  it('10 concurrent copies of one PASSWORD_VERIFIER response: exactly one gets tokens', async () => {
    const user = await createUser(srv, pool, 'srprace');
    const { srp, out } = await challenge(user.username);
    const input = await passwordVerifierInput(pool, pool.clientId, out, srp, user.password);
    const results = await Promise.allSettled(Array.from({ length: 10 }, () => srv.client.send(new RespondToAuthChallengeCommand(input))));
    const ok = results.filter((r) => r.status === 'fulfilled');
    const failed = results.flatMap((r) =>
      r.status === 'rejected' ? [r.reason as { name: string; $metadata?: { httpStatusCode?: number } }] : [],
    );
    expect(ok).toHaveLength(1);
    expect(failed.map((e) => [e.name, e.$metadata?.httpStatusCode])).toEqual(Array(9).fill(['NotAuthorizedException', 400]));
    // Replays are not password failures: the response was evaluated once.
    await expectNoFailuresCounted(user);
  });

  it(
    "a claim over another challenge's SECRET_BLOCK, a tampered " + 'signature or a wrong USER_ID_FOR_SRP → NotAuthorizedException',
    async () => {
      const user = await createUser(srv, pool, 'srptamper');
      // Signature flipped.
      {
        const { srp, out } = await challenge(user.username);
        const input = await passwordVerifierInput(pool, pool.clientId, out, srp, user.password);
        const sig = Buffer.from(input.ChallengeResponses.PASSWORD_CLAIM_SIGNATURE!, 'base64');
        sig[0] ^= 1;
        input.ChallengeResponses.PASSWORD_CLAIM_SIGNATURE = sig.toString('base64');
        await expectServiceError(srv.client.send(new RespondToAuthChallengeCommand(input)), 'NotAuthorizedException');
      }
      // Secret block of challenge 1 with the session of challenge 2.
      {
        const one = await challenge(user.username);
        const two = await challenge(user.username);
        const input = await passwordVerifierInput(pool, pool.clientId, one.out, one.srp, user.password);
        await expectServiceError(
          srv.client.send(new RespondToAuthChallengeCommand({ ...input, Session: two.out.Session! })),
          'NotAuthorizedException',
        );
      }
      // The claim computed for another user id.
      {
        const { srp, out } = await challenge(user.username);
        const forged = { ...out, ChallengeParameters: { ...out.ChallengeParameters, USER_ID_FOR_SRP: user.sub } };
        await expectServiceError(answerPasswordVerifier(srv, pool, pool.clientId, forged, srp, user.password), 'NotAuthorizedException');
      }
      await expectTokensFor(await srpSignIn(user.username, user.password), user.username);
    },
  );

  it.each([
    ['0', '0'],
    ['00', '00'],
    ['N', SRP_N_HEX],
    ['N (lower case)', SRP_N_HEX.toLowerCase()],
    ['2N', (2n * N).toString(16)],
    ['not hex', 'xyz'],
    ['hex with a prefix', '0x1234'],
  ])('SRP_A = %s → InvalidParameterException', async (_what, srpA) => {
    const user = await createUser(srv, pool, 'srpa');
    await expectServiceError(initiate(user.username, srpA), 'InvalidParameterException');
    // The same for an unknown user (validated before the lookup) and for USER_AUTH's PASSWORD_SRP.
    await expectServiceError(initiate(`nobody-${Date.now()}`, srpA), 'InvalidParameterException');
    await expectServiceError(
      srv.client.send(
        new InitiateAuthCommand({
          ClientId: pool.clientId,
          AuthFlow: 'USER_AUTH',
          AuthParameters: { USERNAME: user.username, SRP_A: srpA, PREFERRED_CHALLENGE: 'PASSWORD_SRP' },
        }),
      ),
      'InvalidParameterException',
    );
  });

  it('an unknown user (PreventUserExistenceErrors ENABLED) gets a PASSWORD_VERIFIER, then NotAuthorizedException', async () => {
    const ghost = `ghost-${process.pid}-${Date.now()}`;
    const { srp, out } = await challenge(ghost);
    const p = out.ChallengeParameters!;
    expect(Object.keys(p).sort()).toEqual(['SALT', 'SECRET_BLOCK', 'SRP_B', 'USERNAME', 'USER_ID_FOR_SRP']);
    expect(p.SALT).toMatch(/^[0-9a-fA-F]+$/);
    expect(p.SRP_B).toMatch(/^[0-9a-fA-F]+$/);
    expect(p.SECRET_BLOCK).toMatch(/^[A-Za-z0-9+/]+={0,2}$/);
    expect(p.USERNAME).toBe(ghost);
    await expectServiceError(answerPasswordVerifier(srv, pool, pool.clientId, out, srp, 'Passw0rdX'), 'NotAuthorizedException', INCORRECT);
  });

  describe('PreventUserExistenceErrors ENABLED: the PASSWORD_VERIFIER of an unknown user must look like a real one', () => {
    let user: TestUser;
    let ghost: string;
    beforeAll(async () => {
      user = await createUser(srv, pool, 'srpreal');
      ghost = `ghost-${process.pid}-${Date.now()}`;
    });

    it(
      'USER_ID_FOR_SRP has the same form (in a username pool, the ' + 'name as it is looked up, for a real user and an unknown one alike)',
      async () => {
        const real = (await challenge(user.username.toUpperCase())).out.ChallengeParameters!;
        const fake1 = (await challenge(ghost.toUpperCase())).out.ChallengeParameters!;
        const fake2 = (await challenge(ghost)).out.ChallengeParameters!;
        expect(real.USER_ID_FOR_SRP).toBe(user.username.toLowerCase());
        expect(real.USERNAME).toBe(real.USER_ID_FOR_SRP);
        expect(fake1.USER_ID_FOR_SRP, 'USER_ID_FOR_SRP of an unknown user').toBe(ghost.toLowerCase());
        expect(fake1.USERNAME).toBe(fake1.USER_ID_FOR_SRP);
        expect(fake2.USER_ID_FOR_SRP).toBe(fake1.USER_ID_FOR_SRP);
        expect(real.USER_ID_FOR_SRP).not.toMatch(UUID);
      },
    );

    it("SALT is stable across attempts, as a real user's is", async () => {
      const real1 = (await challenge(user.username)).out.ChallengeParameters!;
      const real2 = (await challenge(user.username)).out.ChallengeParameters!;
      const fake1 = (await challenge(ghost)).out.ChallengeParameters!;
      const fake2 = (await challenge(ghost)).out.ChallengeParameters!;
      expect(real1.SALT).toBe(real2.SALT);
      expect(fake1.SALT, 'SALT of an unknown user, two attempts').toBe(fake2.SALT);
    });
  });

  it('an unknown user with PreventUserExistenceErrors LEGACY → UserNotFoundException', async () => {
    const legacy = await createTestPool(srv.admin, { preventUserExistenceErrors: 'LEGACY' });
    await expectServiceError(initiate(`ghost-${Date.now()}`, createSrpClientSession().srpA, legacy), 'UserNotFoundException');
  });

  it.each([
    ['20 minutes behind', -20],
    ['20 minutes ahead', 20],
  ])('TIMESTAMP %s → NotAuthorizedException', async (_what, minutes) => {
    const user = await createUser(srv, pool, 'srpts');
    await expectServiceError(
      srpSignIn(user.username, user.password, pool, new Date(Date.now() + minutes * 60_000)),
      'NotAuthorizedException',
    );
  });

  it('TIMESTAMP 5 minutes off is accepted (the client clock is not corrected)', async () => {
    const user = await createUser(srv, pool, 'srpts');
    await expectTokensFor(await srpSignIn(user.username, user.password, pool, new Date(Date.now() - 5 * 60_000)), user.username);
  });

  it('a malformed TIMESTAMP → NotAuthorizedException', async () => {
    const user = await createUser(srv, pool, 'srpts');
    const { srp, out } = await challenge(user.username);
    const input = await passwordVerifierInput(pool, pool.clientId, out, srp, user.password);
    input.ChallengeResponses.TIMESTAMP = 'yesterday';
    await expectServiceError(srv.client.send(new RespondToAuthChallengeCommand(input)), 'NotAuthorizedException');
  });

  it('missing claim fields → InvalidParameterException', async () => {
    const user = await createUser(srv, pool, 'srpmissing');
    for (const field of ['PASSWORD_CLAIM_SIGNATURE', 'PASSWORD_CLAIM_SECRET_BLOCK', 'TIMESTAMP']) {
      const { srp, out } = await challenge(user.username);
      const input = await passwordVerifierInput(pool, pool.clientId, out, srp, user.password);
      delete input.ChallengeResponses[field];
      await expectServiceError(srv.client.send(new RespondToAuthChallengeCommand(input)), 'InvalidParameterException');
    }
  });

  it('an app client without ALLOW_USER_SRP_AUTH → InvalidParameterException', async () => {
    const user = await createUser(srv, pool, 'srpflow');
    const noSrp = await createExtraClient(srv, pool, { flows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'] });
    await expectServiceError(initiate(user.username, createSrpClientSession().srpA, pool, noSrp), 'InvalidParameterException');
  });

  it('a SRP session from one app client cannot be answered through another', async () => {
    const user = await createUser(srv, pool, 'srpclient');
    const other = await createExtraClient(srv, pool);
    const { srp, out } = await challenge(user.username);
    const input = await passwordVerifierInput(pool, other, out, srp, user.password);
    await expectServiceError(srv.client.send(new RespondToAuthChallengeCommand(input)), 'NotAuthorizedException');
  });
});

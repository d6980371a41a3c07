/**
 * signin.failed names only the user an attempt was really against, and cannot be flooded: a forged
 * RespondToAuthChallenge (made-up Session, victim's name in ChallengeResponses.USERNAME) records nothing; a real
 * Session's refusal records for the Session's user whatever USERNAME says; a locked-out name's refusals record no
 * more than the one coalesced event. Real SDK, loopback receiver, on SQLite and PostgreSQL.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AdminListUserAuthEventsCommand,
  AssociateSoftwareTokenCommand,
  InitiateAuthCommand,
  RespondToAuthChallengeCommand,
  SetUserMFAPreferenceCommand,
  SetUserPoolMfaConfigCommand,
  VerifySoftwareTokenCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { DIALECTS, startTestServer, type TestServer } from './helpers/harness.js';
import { createTestPool, type TestPool } from './helpers/pool.js';
import { expectNoInternalErrors, expectServiceError } from './helpers/errors.js';
import { EventReceiver } from './helpers/eventReceiver.js';
import {
  PASSWORD,
  accessToken,
  adminCreateConfirmedUser,
  answerPasswordVerifier,
  initiatePasswordAuth,
  parseRequestOptions,
  registerPasskey,
  signedCall,
} from './helpers/latchkeyAdmin.js';
import { VirtualAuthenticator } from '@latchkey/virtual-authenticator';
import { createSrpClientSession } from '../../client/src/internal/srp.js';
import { totp } from './helpers/totp.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.each(DIALECTS)('signin.failed provenance and coalescing on %s', (dialect) => {
  let server: TestServer;
  let pool: TestPool;
  const receiver = new EventReceiver();
  let n = 0;
  const uniq = (p: string) => `${p}-${++n}-${dialect}`;

  beforeAll(async () => {
    await receiver.start();
    server = await startTestServer(dialect, { env: { LATCHKEY_EVENT_RETRY_BASE_MS: '50', LATCHKEY_EVENT_POLL_MS: '20' } });
    pool = await createTestPool(server.admin);
    const r = await signedCall(server, 'LatchkeyUpdateUserPoolSettings', {
      UserPoolId: pool.userPoolId,
      Settings: { eventWebhookUrl: receiver.url },
    });
    expect(r.status).toBe(200);
    await server.admin.send(
      new SetUserPoolMfaConfigCommand({
        UserPoolId: pool.userPoolId,
        MfaConfiguration: 'OPTIONAL',
        SoftwareTokenMfaConfiguration: { Enabled: true },
      }),
    );
  });
  afterAll(async () => {
    expectNoInternalErrors(server);
    await server.stop();
    await receiver.stop();
  });

  const failedStored = async (username: string) => {
    const r = await server.admin.send(new AdminListUserAuthEventsCommand({ UserPoolId: pool.userPoolId, Username: username }));
    return r.AuthEvents!.filter((e) => e.EventType === 'SignIn' && e.EventResponse === 'Fail').length;
  };
  const failedPosted = (username: string) =>
    receiver.received.filter((r) => r.json.username === username && r.json.type === 'signin.failed').map((r) => r.json);
  /** Waits (bounded) until `count()` reaches `at`, then a little longer, so later writes would show too. */
  const settle = async (count: () => Promise<number> | number, at: number) => {
    for (let i = 0; i < 200 && (await count()) < at; i++) await sleep(25);
    await sleep(300);
  };

  it('a forged RespondToAuthChallenge loop (made-up Session, victim in USERNAME) writes no event and POSTs nothing', async () => {
    const victim = uniq('victim');
    await adminCreateConfirmedUser(server.admin, pool.userPoolId, victim);
    for (let i = 0; i < 20; i++) {
      for (const ChallengeName of ['SOFTWARE_TOKEN_MFA', 'SMS_MFA'] as const) {
        await expectServiceError(
          server.client.send(
            new RespondToAuthChallengeCommand({
              ClientId: pool.clientId,
              ChallengeName,
              Session: `forged-session-${i}-`.padEnd(40, 'x'),
              ChallengeResponses: { USERNAME: victim, SOFTWARE_TOKEN_MFA_CODE: '123456', SMS_MFA_CODE: '123456' },
            }),
          ),
          'NotAuthorizedException',
        );
      }
    }
    // One real refused attempt as the marker: once it is stored, the forged ones would have been too.
    await expect(initiatePasswordAuth(server.client, pool.clientId, victim, 'Wrong-pass1')).rejects.toThrow();
    await settle(() => failedStored(victim), 1);
    expect(await failedStored(victim)).toBe(1);
    await settle(() => failedPosted(victim).length, 1);
    expect(failedPosted(victim).map((e) => e.detail.factor)).toEqual(['USER_PASSWORD_AUTH']);
  });

  it("a real Session's refusal records for the Session's user, whatever ChallengeResponses.USERNAME says", async () => {
    const owner = uniq('owner');
    const bystander = uniq('bystander');
    await adminCreateConfirmedUser(server.admin, pool.userPoolId, owner);
    await adminCreateConfirmedUser(server.admin, pool.userPoolId, bystander);
    const token = await accessToken(server, pool.clientId, { username: owner, password: PASSWORD });
    const { SecretCode } = await server.client.send(new AssociateSoftwareTokenCommand({ AccessToken: token }));
    await server.client.send(new VerifySoftwareTokenCommand({ AccessToken: token, UserCode: totp(SecretCode!, server.clock.now()) }));
    await server.client.send(
      new SetUserMFAPreferenceCommand({ AccessToken: token, SoftwareTokenMfaSettings: { Enabled: true, PreferredMfa: true } }),
    );
    const first = await server.client.send(
      new InitiateAuthCommand({ ClientId: pool.clientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: owner, PASSWORD } }),
    );
    expect(first.ChallengeName).toBe('SOFTWARE_TOKEN_MFA');
    const right = totp(SecretCode!, server.clock.now());
    const wrong = String((Number(right) + 1) % 1_000_000).padStart(6, '0');
    await expectServiceError(
      server.client.send(
        new RespondToAuthChallengeCommand({
          ClientId: pool.clientId,
          ChallengeName: 'SOFTWARE_TOKEN_MFA',
          Session: first.Session,
          ChallengeResponses: { USERNAME: bystander, SOFTWARE_TOKEN_MFA_CODE: wrong },
        }),
      ),
      'CodeMismatchException',
    );
    await settle(() => failedStored(owner), 1);
    expect(await failedStored(owner)).toBe(1);
    expect(await failedStored(bystander)).toBe(0);
    await settle(() => failedPosted(owner).length, 1);
    expect(failedPosted(owner).map((e) => e.detail.factor)).toEqual(['SOFTWARE_TOKEN_MFA']);
    expect(failedPosted(bystander)).toEqual([]);
  });

  it('the steps that read their own Session (PASSWORD_VERIFIER, WEB_AUTHN) record a refusal for its user', async () => {
    const user = uniq('own-read');
    await adminCreateConfirmedUser(server.admin, pool.userPoolId, user);
    // SRP with the wrong password: the Session is consumed by the step, and its user is the one recorded.
    const srp = createSrpClientSession();
    const out = await server.client.send(
      new InitiateAuthCommand({ ClientId: pool.clientId, AuthFlow: 'USER_SRP_AUTH', AuthParameters: { USERNAME: user, SRP_A: srp.srpA } }),
    );
    await expectServiceError(answerPasswordVerifier(server, pool, pool.clientId, out, srp, 'Wrong-pass1'), 'NotAuthorizedException');
    await settle(() => failedPosted(user).length, 1);
    expect(failedPosted(user).map((e) => e.detail.factor)).toEqual(['PASSWORD_VERIFIER']);

    // A passkey assertion with a bad signature, answered with another name in USERNAME.
    const authenticator = new VirtualAuthenticator();
    await registerPasskey(server, await accessToken(server, pool.clientId, { username: user, password: PASSWORD }), authenticator);
    const init = await server.client.send(
      new InitiateAuthCommand({
        ClientId: pool.clientId,
        AuthFlow: 'USER_AUTH',
        AuthParameters: { USERNAME: user, PREFERRED_CHALLENGE: 'WEB_AUTHN' },
      }),
    );
    const bad = await authenticator.getAssertion(parseRequestOptions(init.ChallengeParameters?.CREDENTIAL_REQUEST_OPTIONS), {
      corruptSignature: true,
    });
    await expectServiceError(
      server.client.send(
        new RespondToAuthChallengeCommand({
          ClientId: pool.clientId,
          ChallengeName: 'WEB_AUTHN',
          Session: init.Session,
          ChallengeResponses: { USERNAME: 'someone-else', CREDENTIAL: JSON.stringify(bad) },
        }),
      ),
      'NotAuthorizedException',
    );
    await settle(() => failedPosted(user).length, 2);
    expect(failedPosted(user).map((e) => e.detail.factor)).toEqual(['PASSWORD_VERIFIER', 'WEB_AUTHN']);
  });

  it("a locked-out user's further refusals write at most the one coalesced event", async () => {
    const name = uniq('locked');
    await adminCreateConfirmedUser(server.admin, pool.userPoolId, name);
    const refusals: string[] = [];
    for (let i = 0; i < 12; i++) {
      const err = await initiatePasswordAuth(server.client, pool.clientId, name, 'Wrong-pass1').then(
        () => 'signed in',
        (e: Error) => e.message,
      );
      refusals.push(err);
    }
    expect(refusals).toContain('Password attempts exceeded');
    await settle(() => failedStored(name), 1);
    expect(await failedStored(name)).toBe(1);
    expect(failedPosted(name)).toHaveLength(1);
  });
});

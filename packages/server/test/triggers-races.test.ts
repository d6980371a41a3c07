/**
 * Trigger races under bursts of 50 parallel requests over processes (`latchkey serve --workers 2` on one SQLite file,
 * two instances on one PostgreSQL database), with a real loopback receiver:
 *
 * - 50 right answers to one CUSTOM_CHALLENGE Session at once: exactly one sign-in, every other answer refused.
 * - 50 different answers to one CUSTOM_CHALLENGE Session at once: VerifyAuthChallengeResponse is called exactly once for
 *   that Session (counted at the receiver), so a define trigger's "three tries" limit cannot be outrun by parallel guesses.
 * - 50 first sign-ins of one not-yet-migrated name at once: one user is created, no answer is other than tokens or
 *   NotAuthorizedException (the name's lockout admits a few), and the user then signs in.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  AdminGetUserCommand,
  DescribeUserPoolCommand,
  InitiateAuthCommand,
  ListUsersCommand,
  RespondToAuthChallengeCommand,
  UpdateUserPoolCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { onRaceDeployments } from './helpers/raceDeployments.js';
import { ADMIN_KEYS } from './helpers/processes.js';
import { adminCreateConfirmedUser, signedFetch } from './helpers/latchkeyAdmin.js';
import { TriggerReceiver } from './helpers/triggerReceiver.js';
import { configPropagated } from './helpers/configCache.js';

const BURST = 50;

async function outcome(p: Promise<{ AuthenticationResult?: unknown }>): Promise<string> {
  try {
    return (await p).AuthenticationResult ? 'ok' : 'no tokens';
  } catch (e) {
    return (e as { name: string }).name;
  }
}

onRaceDeployments('trigger races', { flows: ['ALLOW_CUSTOM_AUTH', 'ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'] }, (get) => {
  let receiver: TriggerReceiver;
  const pick = (i: number) => get().d.clients[i % get().d.clients.length]!;
  /** BURST requests at once, each from the next client (both deployments' processes in turn); each one's outcome. */
  const burst = (send: (client: ReturnType<typeof pick>, i: number) => Promise<{ AuthenticationResult?: unknown }>) =>
    Promise.all(Array.from({ length: BURST }, (_, i) => outcome(send(pick(i), i))));
  /** A new confirmed user and the Session of its first CUSTOM_CHALLENGE. */
  const startCustom = async (prefix: string) => {
    const { d, pool } = get();
    const name = `${prefix}-${Date.now()}`;
    await adminCreateConfirmedUser(d.admin, pool.userPoolId, name);
    const start = await pick(0).send(
      new InitiateAuthCommand({ ClientId: pool.clientId, AuthFlow: 'CUSTOM_AUTH', AuthParameters: { USERNAME: name } }),
    );
    expect(start.ChallengeName).toBe('CUSTOM_CHALLENGE');
    return { name, session: start.Session };
  };
  const answer = (client: ReturnType<typeof pick>, name: string, session: string | undefined, ANSWER: string) =>
    client.send(
      new RespondToAuthChallengeCommand({
        ClientId: get().pool.clientId,
        ChallengeName: 'CUSTOM_CHALLENGE',
        Session: session,
        ChallengeResponses: { USERNAME: name, ANSWER },
      }),
    );

  beforeAll(async () => {
    const { d, pool } = get();
    receiver = await TriggerReceiver.start();
    const settings = await signedFetch(d.url, ADMIN_KEYS, 'LatchkeyDescribeUserPoolSettings', { UserPoolId: pool.userPoolId });
    receiver.secret = settings.json.Settings.webhookSecret;
    const { UserPool } = await d.admin.send(new DescribeUserPoolCommand({ UserPoolId: pool.userPoolId }));
    await d.admin.send(
      new UpdateUserPoolCommand({
        UserPoolId: pool.userPoolId,
        Policies: UserPool!.Policies,
        LambdaConfig: {
          DefineAuthChallenge: receiver.lambda('/define', (e) => {
            const done = e.request.session.at(-1)?.challengeResult === true;
            return { ...e, response: { challengeName: 'CUSTOM_CHALLENGE', issueTokens: done, failAuthentication: false } };
          }),
          CreateAuthChallenge: receiver.lambda('/create', (e) => ({
            ...e,
            response: { publicChallengeParameters: { q: '6*7' }, privateChallengeParameters: { a: '42' }, challengeMetadata: null },
          })),
          VerifyAuthChallengeResponse: receiver.lambda('/verify', (e) => ({
            ...e,
            response: { answerCorrect: e.request.challengeAnswer === e.request.privateChallengeParameters.a },
          })),
          UserMigration: receiver.lambda('/migrate', (e) => {
            if (e.request.password !== 'OldPassw0rd') throw new Error('Bad password');
            return {
              ...e,
              response: { ...e.response, userAttributes: { email: `${e.userName}@old.example.com`, email_verified: 'true' } },
            };
          }),
        },
      }),
    );
    await configPropagated();
  });
  afterAll(async () => {
    await receiver?.close();
  });

  it(`${BURST} right answers to one CUSTOM_CHALLENGE Session at once: exactly one sign-in`, async () => {
    const { name, session } = await startCustom('custom-race');
    const results = await burst((client) => answer(client, name, session, '42'));
    expect(
      results.filter((r) => r === 'ok'),
      JSON.stringify(results),
    ).toHaveLength(1);
    expect(results.filter((r) => r !== 'ok' && r !== 'NotAuthorizedException')).toEqual([]);
  });

  it(`${BURST} different answers to one CUSTOM_CHALLENGE Session at once: the verify trigger judges exactly one`, async () => {
    const { name, session } = await startCustom('custom-guess');
    const results = await burst((client, i) => answer(client, name, session, String(i)));
    const judged = (receiver.events['/verify'] ?? []).filter((e) => e.userName === name);
    expect(
      judged.map((e) => e.request.challengeAnswer),
      JSON.stringify(results),
    ).toHaveLength(1);
    // The one judged answer got the next challenge (or tokens, for '42'); every other answer found the Session gone.
    expect(results.filter((r) => r === 'NotAuthorizedException')).toHaveLength(BURST - 1);
  });

  it(`${BURST} first sign-ins of one unmigrated name at once: one user, only tokens or NotAuthorizedException`, async () => {
    const { d, pool } = get();
    const name = `migrate-race-${Date.now()}`;
    const results = await burst((client) =>
      client.send(
        new InitiateAuthCommand({
          ClientId: pool.clientId,
          AuthFlow: 'USER_PASSWORD_AUTH',
          AuthParameters: { USERNAME: name, PASSWORD: 'OldPassw0rd' },
        }),
      ),
    );
    expect(
      results.filter((r) => r !== 'ok' && r !== 'NotAuthorizedException'),
      JSON.stringify(results),
    ).toEqual([]);
    expect(results).toContain('ok');
    const user = await d.admin.send(new AdminGetUserCommand({ UserPoolId: pool.userPoolId, Username: name }));
    expect(user.UserStatus).toBe('CONFIRMED');
    const listed = await d.admin.send(new ListUsersCommand({ UserPoolId: pool.userPoolId, Filter: `username = "${name}"` }));
    expect(listed.Users).toHaveLength(1);
  });
});

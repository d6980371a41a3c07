/**
 * Triggers, part 4: CUSTOM_AUTH with define / create / verify auth challenge: Cognito's events, a wrong answer and a
 * new challenge, the right answer and tokens, failAuthentication, Sessions single use and bound to their step (50
 * parallel answers on one Session: one sign-in), a failing trigger signing nobody in; the real AWS SDK and aws-amplify's
 * signIn({ authFlowType: 'CUSTOM_WITHOUT_SRP' }) + confirmSignIn. A real loopback receiver, SQLite and PostgreSQL.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Amplify } from 'aws-amplify';
import { confirmSignIn, signIn, signOut } from 'aws-amplify/auth';
import {
  AdminInitiateAuthCommand,
  InitiateAuthCommand,
  RespondToAuthChallengeCommand,
  type CognitoIdentityProviderClient,
} from '@aws-sdk/client-cognito-identity-provider';
import { decodeJwt } from 'jose';
import { DIALECTS } from './helpers/harness.js';
import { expectServiceError } from './helpers/errors.js';
import { adminCreateConfirmedUser, createExtraClient } from './helpers/latchkeyAdmin.js';
import { startTriggerRig, type TriggerRig } from './helpers/triggerReceiver.js';

/** A quiz: one question per challenge, three wrong answers fail the sign-in. */
function define(e: any) {
  const s = e.request.session as { challengeResult: boolean }[];
  if (s.length && s.at(-1)!.challengeResult) {
    e.response.issueTokens = true;
    e.response.failAuthentication = false;
  } else if (s.length >= 3) {
    e.response.issueTokens = false;
    e.response.failAuthentication = true;
  } else {
    e.response.challengeName = 'CUSTOM_CHALLENGE';
    e.response.issueTokens = false;
    e.response.failAuthentication = false;
  }
  return e;
}
function create(e: any) {
  const round = e.request.session.length + 1;
  e.response.publicChallengeParameters = { question: `What is 6 times 7? (round ${round})` };
  e.response.privateChallengeParameters = { answer: '42' };
  e.response.challengeMetadata = `QUIZ-${round}`;
  return e;
}
function verify(e: any) {
  e.response.answerCorrect = e.request.challengeAnswer === e.request.privateChallengeParameters.answer;
  return e;
}

describe.each(DIALECTS)('triggers: custom auth on %s', (dialect) => {
  let rig: TriggerRig;
  let clientId: string;
  let n = 0;
  const uniq = (p: string) => `${p}${++n}${dialect}`;

  beforeAll(async () => {
    rig = await startTriggerRig(dialect);
    clientId = await createExtraClient(rig.server, rig.pool, { flows: ['ALLOW_CUSTOM_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'] });
    await rig.setTriggers({
      DefineAuthChallenge: rig.receiver.lambda('/define', define),
      CreateAuthChallenge: rig.receiver.lambda('/create', create),
      VerifyAuthChallengeResponse: rig.receiver.lambda('/verify', verify),
    });
  });
  afterAll(async () => {
    await signOut().catch(() => undefined);
    await rig?.stop();
  });

  const start = (c: CognitoIdentityProviderClient, username: string) =>
    c.send(new InitiateAuthCommand({ ClientId: clientId, AuthFlow: 'CUSTOM_AUTH', AuthParameters: { USERNAME: username } }));
  const answer = (session: string | undefined, username: string, ANSWER: string) =>
    rig.server.client.send(
      new RespondToAuthChallengeCommand({
        ClientId: clientId,
        ChallengeName: 'CUSTOM_CHALLENGE',
        Session: session,
        ChallengeResponses: { USERNAME: username, ANSWER },
      }),
    );

  it("CUSTOM_AUTH → CUSTOM_CHALLENGE → a wrong answer → a new challenge → the right answer → tokens; Cognito's events", async () => {
    const name = uniq('quiz');
    await adminCreateConfirmedUser(rig.server.admin, rig.pool.userPoolId, name);
    const first = await start(rig.server.client, name);
    expect(first.ChallengeName).toBe('CUSTOM_CHALLENGE');
    expect(first.ChallengeParameters).toEqual({ question: 'What is 6 times 7? (round 1)', USERNAME: name });
    expect(first.Session).toBeTruthy();

    const second = await answer(first.Session, name, '41');
    expect(second.ChallengeName).toBe('CUSTOM_CHALLENGE');
    expect(second.ChallengeParameters!.question).toContain('round 2');
    // The answered Session is spent: answering it again (even rightly) is refused.
    await expectServiceError(answer(first.Session, name, '42'), 'NotAuthorizedException', /session is expired/);

    const done = await answer(second.Session, name, '42');
    expect(decodeJwt(done.AuthenticationResult!.AccessToken!).username).toBe(name);
    expect(done.AuthenticationResult!.RefreshToken).toBeTruthy();

    const defineEvent = rig.receiver.events['/define']!.at(-1);
    expect(defineEvent).toMatchObject({
      version: '1',
      triggerSource: 'DefineAuthChallenge_Authentication',
      userPoolId: rig.pool.userPoolId,
      userName: name,
      callerContext: { awsSdkVersion: 'aws-sdk-unknown-unknown', clientId },
      request: {
        userAttributes: { email: `${name}@example.com`, 'cognito:user_status': 'CONFIRMED' },
        session: [
          { challengeName: 'CUSTOM_CHALLENGE', challengeResult: false, challengeMetadata: 'QUIZ-1' },
          { challengeName: 'CUSTOM_CHALLENGE', challengeResult: true, challengeMetadata: 'QUIZ-2' },
        ],
        clientMetadata: {},
      },
      response: { challengeName: null, issueTokens: null, failAuthentication: null },
    });
    expect(rig.receiver.events['/create']!.at(-1)).toMatchObject({
      triggerSource: 'CreateAuthChallenge_Authentication',
      request: { challengeName: 'CUSTOM_CHALLENGE', session: [{ challengeResult: false }] },
      response: { publicChallengeParameters: null, privateChallengeParameters: null, challengeMetadata: null },
    });
    expect(rig.receiver.events['/verify']!.at(-1)).toMatchObject({
      triggerSource: 'VerifyAuthChallengeResponse_Authentication',
      request: { privateChallengeParameters: { answer: '42' }, challengeAnswer: '42' },
      response: { answerCorrect: null },
    });
  });

  it('three wrong answers: failAuthentication → NotAuthorizedException; the private answer never reaches the client', async () => {
    const name = uniq('fail');
    await adminCreateConfirmedUser(rig.server.admin, rig.pool.userPoolId, name);
    let step = await start(rig.server.client, name);
    expect(JSON.stringify(step)).not.toContain('"42"');
    step = await answer(step.Session, name, '1');
    step = await answer(step.Session, name, '2');
    await expectServiceError(answer(step.Session, name, '3'), 'NotAuthorizedException', /^Incorrect username or password\.$/);
    await expectServiceError(answer(step.Session, name, '42'), 'NotAuthorizedException', /session is expired/);
  });

  it('50 parallel right answers on one Session: exactly one sign-in', async () => {
    const name = uniq('race');
    await adminCreateConfirmedUser(rig.server.admin, rig.pool.userPoolId, name);
    const step = await start(rig.server.client, name);
    const results = await Promise.allSettled(Array.from({ length: 50 }, () => answer(step.Session, name, '42')));
    const won = results.filter((r) => r.status === 'fulfilled');
    expect(won).toHaveLength(1);
    for (const r of results) if (r.status === 'rejected') expect((r.reason as Error).name, String(r.reason)).toBe('NotAuthorizedException');
  });

  it('a trigger that fails: Cognito errors and no tokens; the client without ALLOW_CUSTOM_AUTH is refused', async () => {
    const name = uniq('broken');
    await adminCreateConfirmedUser(rig.server.admin, rig.pool.userPoolId, name);
    const step = await start(rig.server.client, name);
    await rig.setTriggers({
      DefineAuthChallenge: rig.receiver.lambda('/define', define),
      CreateAuthChallenge: rig.receiver.lambda('/create', create),
      VerifyAuthChallengeResponse: rig.receiver.route('/verify-hang', { hang: true }),
    });
    try {
      await expectServiceError(
        answer(step.Session, name, '42'),
        'UnexpectedLambdaException',
        /^VerifyAuthChallengeResponse invocation failed/,
      );
      await rig.setTriggers({
        DefineAuthChallenge: rig.receiver.lambda('/define', define),
        CreateAuthChallenge: rig.receiver.lambda('/create', create),
        VerifyAuthChallengeResponse: rig.receiver.lambda('/verify-bad', (e) => ({ ...e, response: { answerCorrect: 'yes' } })),
      });
      // The answer was taken (the Session consumed) before the trigger judged it: a failed trigger ends the step.
      await expectServiceError(answer(step.Session, name, '42'), 'NotAuthorizedException', /^Invalid session for the user/);
      const again = await start(rig.server.client, name);
      await expectServiceError(answer(again.Session, name, '42'), 'InvalidLambdaResponseException', /^Unrecognizable lambda output$/);
    } finally {
      await rig.setTriggers({
        DefineAuthChallenge: rig.receiver.lambda('/define', define),
        CreateAuthChallenge: rig.receiver.lambda('/create', create),
        VerifyAuthChallengeResponse: rig.receiver.lambda('/verify', verify),
      });
    }
    // A failed trigger signs nobody in; a new sign-in works once the trigger does.
    const fresh = await start(rig.server.client, name);
    expect((await answer(fresh.Session, name, '42')).AuthenticationResult?.AccessToken).toBeTruthy();

    await expectServiceError(
      rig.server.client.send(
        new InitiateAuthCommand({ ClientId: rig.pool.clientId, AuthFlow: 'CUSTOM_AUTH', AuthParameters: { USERNAME: name } }),
      ),
      'InvalidParameterException',
      /not enabled for this client/,
    );
    // AdminInitiateAuth runs the same flow.
    const admin = await rig.server.admin.send(
      new AdminInitiateAuthCommand({
        UserPoolId: rig.pool.userPoolId,
        ClientId: clientId,
        AuthFlow: 'CUSTOM_AUTH',
        AuthParameters: { USERNAME: name },
      }),
    );
    expect(admin.ChallengeName).toBe('CUSTOM_CHALLENGE');
  });

  it('an unknown name (existence errors prevented): the same challenges (userNotFound: true), never tokens', async () => {
    const known = uniq('known');
    await adminCreateConfirmedUser(rig.server.admin, rig.pool.userPoolId, known);
    const nobody = uniq('nobody');
    const shape = (r: Awaited<ReturnType<typeof answer>>, name: string) =>
      JSON.stringify({ ...r, $metadata: undefined, Session: r.Session ? 'session' : undefined })
        .split(name)
        .join('NAME');
    const k1 = await start(rig.server.client, known);
    const u1 = await start(rig.server.client, nobody);
    expect(shape(u1, nobody)).toBe(shape(k1, known));
    const k2 = await answer(k1.Session, known, '41');
    const u2 = await answer(u1.Session, nobody, '41');
    expect(shape(u2, nobody)).toBe(shape(k2, known));
    expect(rig.receiver.events['/define']!.filter((e) => e.userName === nobody).at(-1)).toMatchObject({
      request: { userAttributes: {}, userNotFound: true, session: [{ challengeResult: false }] },
    });
    expect(rig.receiver.events['/define']!.filter((e) => e.userName === known).at(-1)!.request.userNotFound).toBe(false);
    expect(rig.receiver.events['/verify']!.filter((e) => e.userName === nobody).at(-1)!.request).toMatchObject({
      userNotFound: true,
      challengeAnswer: '41',
    });
    expect((await answer(k2.Session, known, '42')).AuthenticationResult?.AccessToken).toBeTruthy();
    // The define trigger says issueTokens for the right answer; a stand-in's Session still never signs in.
    await expectServiceError(answer(u2.Session, nobody, '42'), 'NotAuthorizedException', /^Incorrect username or password\.$/);
    await expectServiceError(answer(u2.Session, nobody, '42'), 'NotAuthorizedException', /session is expired/);
  });

  it("aws-amplify: signIn({ authFlowType: 'CUSTOM_WITHOUT_SRP' }) → CONFIRM_SIGN_IN_WITH_CUSTOM_CHALLENGE → confirmSignIn", async () => {
    const name = uniq('amp');
    await adminCreateConfirmedUser(rig.server.admin, rig.pool.userPoolId, name);
    Amplify.configure({
      Auth: { Cognito: { userPoolId: rig.pool.userPoolId, userPoolClientId: clientId, userPoolEndpoint: rig.server.endpoint + '/' } },
    });
    const r = await signIn({ username: name, options: { authFlowType: 'CUSTOM_WITHOUT_SRP' } });
    expect(r.nextStep.signInStep).toBe('CONFIRM_SIGN_IN_WITH_CUSTOM_CHALLENGE');
    expect((r.nextStep as { additionalInfo?: Record<string, string> }).additionalInfo?.question).toContain('6 times 7');
    const wrong = await confirmSignIn({ challengeResponse: '7' });
    expect(wrong.nextStep.signInStep).toBe('CONFIRM_SIGN_IN_WITH_CUSTOM_CHALLENGE');
    const right = await confirmSignIn({ challengeResponse: '42' });
    expect(right).toMatchObject({ isSignedIn: true, nextStep: { signInStep: 'DONE' } });
    await signOut();
  });
});

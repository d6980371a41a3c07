/**
 * Triggers, part 1 (issue 14 item 2): LambdaConfig validation and echo, the signed call, Cognito's failure mapping (a
 * receiver that refuses, times out, answers 5xx or malformed JSON, or is down: the operation answers Cognito's error and
 * writes nothing), pre sign-up (SignUp, AdminCreateUser) and post confirmation, against a real HTTP receiver on 127.0.0.1.
 * Real AWS SDK, SQLite and PostgreSQL.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  AdminCreateUserCommand,
  AdminGetUserCommand,
  ConfirmSignUpCommand,
  CreateUserPoolCommand,
  DescribeUserPoolCommand,
  SignUpCommand,
  UpdateUserPoolCommand,
  type LambdaConfigType,
} from '@aws-sdk/client-cognito-identity-provider';
import { DIALECTS, startTestServer, type TestServer } from './helpers/harness.js';
import { createTestPool, type TestPool } from './helpers/pool.js';
import { expectServiceError } from './helpers/errors.js';
import { PASSWORD, UUID, attr, outboxCode, signedCall } from './helpers/latchkeyAdmin.js';
import { TriggerReceiver, downUrl } from './helpers/triggerReceiver.js';

/** Short, so the timing-out receiver costs a third of a second (LATCHKEY_TRIGGER_TIMEOUT_MS; the default is Lambda's 5 s). */
const TIMEOUT_MS = 300;

describe.each(DIALECTS)('triggers: sign-up on %s', (dialect) => {
  let server: TestServer;
  let pool: TestPool;
  let receiver: TriggerReceiver;
  let n = 0;
  const uniq = (p: string) => `${p}${++n}${dialect}`;

  beforeAll(async () => {
    server = await startTestServer(dialect, { env: { LATCHKEY_TRIGGER_TIMEOUT_MS: String(TIMEOUT_MS) } });
    pool = await createTestPool(server.admin);
    receiver = await TriggerReceiver.start();
    const settings = await signedCall(server, 'LatchkeyDescribeUserPoolSettings', { UserPoolId: pool.userPoolId });
    receiver.secret = settings.json.Settings.webhookSecret;
  });
  afterEach(() => void (server.clock.offset = 0));
  afterAll(async () => {
    await receiver?.close();
    await server?.stop();
  });

  // UpdateUserPool resets what it is not given (as Cognito's): the pool's policies go along with the triggers.
  const setTriggers = async (LambdaConfig: LambdaConfigType) => {
    const { UserPool } = await server.admin.send(new DescribeUserPoolCommand({ UserPoolId: pool.userPoolId }));
    return server.admin.send(
      new UpdateUserPoolCommand({
        UserPoolId: pool.userPoolId,
        Policies: UserPool!.Policies,
        AutoVerifiedAttributes: ['email'],
        LambdaConfig,
      }),
    );
  };
  const signUp = (username: string, extra: Record<string, unknown> = {}) =>
    server.client.send(
      new SignUpCommand({
        ClientId: pool.clientId,
        Username: username,
        Password: PASSWORD,
        UserAttributes: [{ Name: 'email', Value: `${username}@example.com` }],
        ...extra,
      }),
    );
  const userExists = async (username: string) =>
    server.admin.send(new AdminGetUserCommand({ UserPoolId: pool.userPoolId, Username: username })).then(
      () => true,
      (err: Error) => (err.name === 'UserNotFoundException' ? false : Promise.reject(err)),
    );

  it('LambdaConfig: https and loopback http stored and echoed; an ARN, remote http and file:// (no flag) refused', async () => {
    const cfg = {
      PreSignUp: 'https://hooks.example.com/pre-sign-up',
      PostConfirmation: 'http://127.0.0.1:9/post',
      PreTokenGenerationConfig: { LambdaArn: 'https://hooks.example.com/ptg', LambdaVersion: 'V2_0' as const },
    };
    const created = await server.admin.send(new CreateUserPoolCommand({ PoolName: uniq('lc'), LambdaConfig: cfg }));
    expect(created.UserPool!.LambdaConfig).toEqual(cfg);
    const described = await server.admin.send(new DescribeUserPoolCommand({ UserPoolId: created.UserPool!.Id }));
    expect(described.UserPool!.LambdaConfig).toEqual(cfg);
    for (const [LambdaConfig, message] of [
      [{ PreSignUp: 'arn:aws:lambda:us-east-1:123456789012:function:f' }, /cannot invoke a Lambda ARN/],
      [{ PreSignUp: 'http://hooks.example.com/x' }, /loopback/],
      [{ PreSignUp: 'file:///tmp/handler.mjs' }, /--trigger-modules/],
      [{ PreTokenGenerationConfig: { LambdaArn: 'https://a.example/x', LambdaVersion: 'V3_0' } }, /V1_0 or V2_0/],
      [{ CustomSMSSender: { LambdaArn: 'https://a.example/x', LambdaVersion: 'V1_0' } }, /not supported/],
    ] as const) {
      await expectServiceError(
        server.admin.send(new CreateUserPoolCommand({ PoolName: uniq('bad'), LambdaConfig: LambdaConfig as LambdaConfigType })),
        'InvalidParameterException',
        message,
      );
      await expectServiceError(setTriggers(LambdaConfig as LambdaConfigType), 'InvalidParameterException', message);
    }
  });

  it("PreSignUp_SignUp: Cognito's event, signed; autoConfirmUser + autoVerifyEmail confirm at once and send no code", async () => {
    await setTriggers({
      PreSignUp: receiver.lambda('/psu-confirm', (e) => {
        e.response.autoConfirmUser = true;
        e.response.autoVerifyEmail = true;
        return e;
      }),
    });
    const username = uniq('auto');
    const up = await signUp(username, { ValidationData: [{ Name: 'invite', Value: 'abc' }], ClientMetadata: { from: 'test' } });
    expect(up.UserConfirmed).toBe(true);
    expect(up.CodeDeliveryDetails).toBeUndefined();
    const [event] = receiver.events['/psu-confirm']!;
    expect(event).toEqual({
      version: '1',
      triggerSource: 'PreSignUp_SignUp',
      region: server.services.config.region,
      userPoolId: pool.userPoolId,
      userName: username,
      callerContext: { awsSdkVersion: 'aws-sdk-unknown-unknown', clientId: pool.clientId },
      request: {
        userAttributes: { email: `${username}@example.com` },
        validationData: { invite: 'abc' },
        clientMetadata: { from: 'test' },
      },
      response: { autoConfirmUser: false, autoVerifyEmail: false, autoVerifyPhone: false },
    });
    const user = await server.admin.send(new AdminGetUserCommand({ UserPoolId: pool.userPoolId, Username: username }));
    expect(user.UserStatus).toBe('CONFIRMED');
    expect(attr(user.UserAttributes, 'email_verified')).toBe('true');
    const outbox = await server.services.store.listOutbox(pool.userPoolId, 200);
    expect(outbox.some((m) => m.destination === `${username}@example.com`)).toBe(false);
  });

  it('a receiver that returns the event unchanged: UNCONFIRMED and a code, as without the trigger', async () => {
    await setTriggers({ PreSignUp: receiver.lambda('/psu-pass', (e) => e) });
    const username = uniq('plain');
    const up = await signUp(username);
    expect(up.UserConfirmed).toBe(false);
    expect(up.CodeDeliveryDetails?.DeliveryMedium).toBe('EMAIL');
    expect(await outboxCode(server, pool.userPoolId, `${username}@example.com`)).toMatch(/^\d{6}$/);
  });

  const failures: [string, string, () => Promise<string>, RegExp][] = [
    [
      'refuses (a thrown Lambda error)',
      'UserLambdaValidationException',
      async () =>
        receiver.lambda('/psu-refuse', () => {
          throw new Error('Sign-ups are closed');
        }),
      /^PreSignUp failed with error Sign-ups are closed\.$/,
    ],
    ['times out', 'UnexpectedLambdaException', async () => receiver.route('/psu-hang', { hang: true }), /Socket timeout/],
    [
      'answers 502 without errorMessage',
      'UnexpectedLambdaException',
      async () => receiver.route('/psu-502', { status: 502, body: '{"message":"bad gateway"}' }),
      /^PreSignUp invocation failed due to error HTTP 502/,
    ],
    [
      'answers malformed JSON',
      'InvalidLambdaResponseException',
      async () => receiver.route('/psu-malformed', { status: 200, body: '{"version":' }),
      /Invalid JSON/,
    ],
    [
      'answers JSON that is not an event',
      'InvalidLambdaResponseException',
      async () => receiver.route('/psu-notevent', { status: 200, body: '[1,2]' }),
      /^Unrecognizable lambda output$/,
    ],
    [
      'answers a non-boolean autoConfirmUser',
      'InvalidLambdaResponseException',
      async () => receiver.lambda('/psu-badflag', (e) => ({ ...e, response: { autoConfirmUser: 'yes' } })),
      /^Unrecognizable lambda output$/,
    ],
    ['is down', 'UnexpectedLambdaException', downUrl, /^PreSignUp invocation failed due to error/],
  ];
  it.each(failures)('a receiver that %s: SignUp answers %s and no user is written', async (_what, type, url, message) => {
    await setTriggers({ PreSignUp: await url() });
    const username = uniq('fail');
    await expectServiceError(signUp(username), type, message);
    expect(await userExists(username)).toBe(false);
    const outbox = await server.services.store.listOutbox(pool.userPoolId, 200);
    expect(outbox.some((m) => m.destination === `${username}@example.com`)).toBe(false);
    // Nothing of the failed attempt remains: the same name signs up once the receiver lets it.
    await setTriggers({ PreSignUp: receiver.lambda('/psu-ok', (e) => e) });
    expect((await signUp(username)).UserSub).toMatch(UUID);
  });

  it('a secret that does not match (rotated after the receiver read it): the adapter answers 401 → UnexpectedLambdaException', async () => {
    await setTriggers({ PreSignUp: receiver.lambda('/psu-rot', (e) => e) });
    const old = receiver.secret;
    receiver.secret = 'whsec_not-the-pools-secret-000000000000000';
    try {
      await expectServiceError(signUp(uniq('sig')), 'UnexpectedLambdaException', /HTTP 401/);
    } finally {
      receiver.secret = old;
    }
  });

  it('PreSignUp_AdminCreateUser: clientId CLIENT_ID_NOT_APPLICABLE; autoVerifyEmail verifies, a refusal writes nothing', async () => {
    await setTriggers({
      PreSignUp: receiver.lambda('/psu-admin', (e) => {
        if (e.request.validationData?.deny) throw new Error('denied');
        e.response.autoVerifyEmail = true;
        e.response.autoConfirmUser = true; // ignored for AdminCreateUser: the user still changes the temporary password
        return e;
      }),
    });
    const username = uniq('adm');
    const created = await server.admin.send(
      new AdminCreateUserCommand({
        UserPoolId: pool.userPoolId,
        Username: username,
        UserAttributes: [{ Name: 'email', Value: `${username}@example.com` }],
        MessageAction: 'SUPPRESS',
      }),
    );
    expect(created.User!.UserStatus).toBe('FORCE_CHANGE_PASSWORD');
    expect(attr(created.User!.Attributes, 'email_verified')).toBe('true');
    const event = receiver.events['/psu-admin']!.at(-1);
    expect(event.triggerSource).toBe('PreSignUp_AdminCreateUser');
    expect(event.callerContext.clientId).toBe('CLIENT_ID_NOT_APPLICABLE');
    expect(event.userName).toBe(username);
    const denied = uniq('deny');
    await expectServiceError(
      server.admin.send(
        new AdminCreateUserCommand({ UserPoolId: pool.userPoolId, Username: denied, ValidationData: [{ Name: 'deny', Value: '1' }] }),
      ),
      'UserLambdaValidationException',
      /^PreSignUp failed with error denied\.$/,
    );
    expect(await userExists(denied)).toBe(false);
  });

  it('PostConfirmation_ConfirmSignUp: the confirmed user in the event; a failure is reported, the confirmation stands', async () => {
    await setTriggers({ PostConfirmation: receiver.lambda('/pc', (e) => e) });
    const username = uniq('pc');
    const up = await signUp(username);
    const code = await outboxCode(server, pool.userPoolId, `${username}@example.com`);
    await server.client.send(
      new ConfirmSignUpCommand({ ClientId: pool.clientId, Username: username, ConfirmationCode: code, ClientMetadata: { k: 'v' } }),
    );
    const event = receiver.events['/pc']!.at(-1);
    expect(event).toMatchObject({
      version: '1',
      triggerSource: 'PostConfirmation_ConfirmSignUp',
      userName: username,
      callerContext: { clientId: pool.clientId },
      request: {
        userAttributes: {
          sub: up.UserSub,
          email: `${username}@example.com`,
          email_verified: 'true',
          'cognito:user_status': 'CONFIRMED',
        },
        clientMetadata: { k: 'v' },
      },
      response: {},
    });

    await setTriggers({ PostConfirmation: receiver.lambda('/pc-fail', () => Promise.reject(new Error('crm down'))) });
    const other = uniq('pcf');
    await signUp(other);
    const code2 = await outboxCode(server, pool.userPoolId, `${other}@example.com`);
    await expectServiceError(
      server.client.send(new ConfirmSignUpCommand({ ClientId: pool.clientId, Username: other, ConfirmationCode: code2 })),
      'UserLambdaValidationException',
      /^PostConfirmation failed with error crm down\.$/,
    );
    const user = await server.admin.send(new AdminGetUserCommand({ UserPoolId: pool.userPoolId, Username: other }));
    expect(user.UserStatus).toBe('CONFIRMED');
  });
});

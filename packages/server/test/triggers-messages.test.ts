/**
 * Triggers, part 5: custom message. Each message Latchkey sends asks the trigger for its text with Cognito's source
 * (CustomMessage_SignUp, _ResendCode, _ForgotPassword, _UpdateUserAttribute, _VerifyUserAttribute, _AdminCreateUser,
 * _Authentication); the trigger sees the {####} placeholder, never the code; a failure or a text without {####} sends
 * and stores nothing. Real AWS SDK against a real loopback receiver, SQLite and PostgreSQL.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AdminCreateUserCommand,
  AdminGetUserCommand,
  ForgotPasswordCommand,
  GetUserAttributeVerificationCodeCommand,
  InitiateAuthCommand,
  ResendConfirmationCodeCommand,
  SignUpCommand,
  UpdateUserAttributesCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { DIALECTS } from './helpers/harness.js';
import { expectServiceError } from './helpers/errors.js';
import { PASSWORD, adminCreateConfirmedUser, initiatePasswordAuth } from './helpers/latchkeyAdmin.js';
import { startTriggerRig, type TriggerRig } from './helpers/triggerReceiver.js';

/** Puts the source and both placeholders in the text, so the test sees which event produced which message. */
function messages(e: any) {
  if (e.request.clientMetadata?.plain) return e; // leave Latchkey's own text
  e.response.emailSubject = `[${e.triggerSource}]`;
  e.response.emailMessage = `Hello ${e.request.usernameParameter ?? e.userName}, your code is ${e.request.codeParameter}.`;
  return e;
}

describe.each(DIALECTS)('triggers: custom message on %s', (dialect) => {
  let rig: TriggerRig;
  let n = 0;
  const uniq = (p: string) => `${p}${++n}${dialect}`;
  /**
   * The newest outbox message to `destination`. With `subject`, waits (up to 3 s) for one with that subject: where
   * existence errors are prevented, ForgotPassword / ResendConfirmationCode / EMAIL_OTP ask the trigger after answering.
   */
  const lastMessageTo = async (destination: string, subject?: string) => {
    const find = async () =>
      (await rig.server.services.store.listOutbox(rig.pool.userPoolId, 500)).find((x) => x.destination === destination);
    let m = await find();
    for (let i = 0; subject !== undefined && m?.subject !== subject && i < 60; i++) {
      await new Promise((r) => setTimeout(r, 50));
      m = await find();
    }
    expect(m, `a message to ${destination}`).toBeDefined();
    return m!;
  };
  const events = () => rig.receiver.events['/cm']!;

  beforeAll(async () => {
    rig = await startTriggerRig(dialect, { pool: { factors: ['PASSWORD', 'EMAIL_OTP'] } });
    await rig.setTriggers({ CustomMessage: rig.receiver.lambda('/cm', messages) });
  });
  afterAll(async () => {
    await rig?.stop();
  });

  it("CustomMessage_SignUp and _ResendCode: the trigger's text with the code put in; the event carries {####}, not the code", async () => {
    const name = uniq('su');
    const email = `${name}@example.com`;
    await rig.server.client.send(
      new SignUpCommand({
        ClientId: rig.pool.clientId,
        Username: name,
        Password: PASSWORD,
        UserAttributes: [{ Name: 'email', Value: email }],
      }),
    );
    const m = await lastMessageTo(email);
    expect(m.subject).toBe('[CustomMessage_SignUp]');
    expect(m.body).toBe(`Hello ${name}, your code is ${m.code}.`);
    expect(events().at(-1)).toEqual({
      version: '1',
      triggerSource: 'CustomMessage_SignUp',
      region: rig.server.services.config.region,
      userPoolId: rig.pool.userPoolId,
      userName: name,
      callerContext: { awsSdkVersion: 'aws-sdk-unknown-unknown', clientId: rig.pool.clientId },
      request: {
        userAttributes: expect.objectContaining({ email, 'cognito:user_status': 'UNCONFIRMED' }),
        codeParameter: '{####}',
        linkParameter: '{##Click Here##}',
        usernameParameter: null,
        clientMetadata: {},
      },
      response: { smsMessage: null, emailMessage: null, emailSubject: null },
    });
    expect(JSON.stringify(events().at(-1))).not.toContain(m.code!);

    await rig.server.client.send(new ResendConfirmationCodeCommand({ ClientId: rig.pool.clientId, Username: name }));
    const again = await lastMessageTo(email, '[CustomMessage_ResendCode]');
    expect(again.subject).toBe('[CustomMessage_ResendCode]');
    expect(again.body).toContain(again.code!);
  });

  it('CustomMessage_ForgotPassword, _VerifyUserAttribute, _UpdateUserAttribute and _Authentication (EMAIL_OTP)', async () => {
    const name = uniq('fp');
    await adminCreateConfirmedUser(rig.server.admin, rig.pool.userPoolId, name);
    await rig.server.client.send(new ForgotPasswordCommand({ ClientId: rig.pool.clientId, Username: name }));
    expect((await lastMessageTo(`${name}@example.com`, '[CustomMessage_ForgotPassword]')).subject).toBe('[CustomMessage_ForgotPassword]');

    const token = (await initiatePasswordAuth(rig.server.client, rig.pool.clientId, name)).AuthenticationResult!.AccessToken!;
    await rig.server.client.send(new GetUserAttributeVerificationCodeCommand({ AccessToken: token, AttributeName: 'email' }));
    expect((await lastMessageTo(`${name}@example.com`)).subject).toBe('[CustomMessage_VerifyUserAttribute]');
    await rig.server.client.send(
      new UpdateUserAttributesCommand({ AccessToken: token, UserAttributes: [{ Name: 'email', Value: `${name}@new.example.com` }] }),
    );
    const updated = await lastMessageTo(`${name}@new.example.com`);
    expect(updated.subject).toBe('[CustomMessage_UpdateUserAttribute]');
    expect(updated.body).toContain(updated.code!);

    const otpUser = uniq('otp');
    await adminCreateConfirmedUser(rig.server.admin, rig.pool.userPoolId, otpUser);
    const otp = await rig.server.client.send(
      new InitiateAuthCommand({
        ClientId: rig.pool.clientId,
        AuthFlow: 'USER_AUTH',
        AuthParameters: { USERNAME: otpUser, PREFERRED_CHALLENGE: 'EMAIL_OTP' },
      }),
    );
    expect(otp.ChallengeName).toBe('EMAIL_OTP');
    const signin = await lastMessageTo(`${otpUser}@example.com`, '[CustomMessage_Authentication]');
    expect(signin.subject).toBe('[CustomMessage_Authentication]');
    expect(signin.body).toBe(`Hello ${otpUser}, your code is ${signin.code}.`);
  });

  it('CustomMessage_AdminCreateUser: {username} and {####} (the temporary password) filled in; no client id', async () => {
    const name = uniq('adm');
    await rig.server.admin.send(
      new AdminCreateUserCommand({
        UserPoolId: rig.pool.userPoolId,
        Username: name,
        TemporaryPassword: 'Temp0raryX',
        UserAttributes: [{ Name: 'email', Value: `${name}@example.com` }],
      }),
    );
    const m = await lastMessageTo(`${name}@example.com`);
    expect(m.subject).toBe('[CustomMessage_AdminCreateUser]');
    expect(m.body).toBe(`Hello ${name}, your code is Temp0raryX.`);
    const event = events().at(-1);
    expect(event.request.usernameParameter).toBe('{username}');
    expect(event.callerContext.clientId).toBe('CLIENT_ID_NOT_APPLICABLE');
    expect(JSON.stringify(event)).not.toContain('Temp0raryX');
  });

  it("a null message keeps Latchkey's text; one without {####} or a failing trigger: nothing stored, nothing sent", async () => {
    const plain = uniq('plain');
    await rig.server.client.send(
      new SignUpCommand({
        ClientId: rig.pool.clientId,
        Username: plain,
        Password: PASSWORD,
        UserAttributes: [{ Name: 'email', Value: `${plain}@example.com` }],
        ClientMetadata: { plain: '1' },
      }),
    );
    const m = await lastMessageTo(`${plain}@example.com`);
    expect(m.subject).toBe('Your verification code');

    for (const [url, type] of [
      [
        rig.receiver.lambda('/cm-nocode', (e) => ({ ...e, response: { ...e.response, emailMessage: 'Welcome!' } })),
        'InvalidLambdaResponseException',
      ],
      [rig.receiver.route('/cm-hang', { hang: true }), 'UnexpectedLambdaException'],
      [
        rig.receiver.lambda('/cm-refuse', () => {
          throw new Error('no mail today');
        }),
        'UserLambdaValidationException',
      ],
    ] as const) {
      await rig.setTriggers({ CustomMessage: url });
      const name = uniq('cmf');
      await expectServiceError(
        rig.server.client.send(
          new SignUpCommand({
            ClientId: rig.pool.clientId,
            Username: name,
            Password: PASSWORD,
            UserAttributes: [{ Name: 'email', Value: `${name}@example.com` }],
          }),
        ),
        type,
      );
      await expectServiceError(
        rig.server.admin.send(new AdminGetUserCommand({ UserPoolId: rig.pool.userPoolId, Username: name })),
        'UserNotFoundException',
      );
      const admin = uniq('cma');
      await expectServiceError(
        rig.server.admin.send(
          new AdminCreateUserCommand({
            UserPoolId: rig.pool.userPoolId,
            Username: admin,
            UserAttributes: [{ Name: 'email', Value: `${admin}@example.com` }],
          }),
        ),
        type,
      );
      await expectServiceError(
        rig.server.admin.send(new AdminGetUserCommand({ UserPoolId: rig.pool.userPoolId, Username: admin })),
        'UserNotFoundException',
      );
      const outbox = await rig.server.services.store.listOutbox(rig.pool.userPoolId, 500);
      expect(outbox.some((x) => x.destination === `${name}@example.com` || x.destination === `${admin}@example.com`)).toBe(false);
    }
    await rig.setTriggers({ CustomMessage: rig.receiver.lambda('/cm', messages) });
  });
});

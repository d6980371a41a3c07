/**
 * Triggers, part 3: pre authentication (before the password is checked; userNotFound for unknown names where existence
 * errors are prevented), post authentication (before tokens), and user migration: a user not yet in the pool signs in
 * with the password they typed (real AWS SDK, and real aws-amplify USER_PASSWORD_AUTH) or resets it (ForgotPassword);
 * refusals and failures write nothing. A real loopback receiver, SQLite and PostgreSQL.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Amplify } from 'aws-amplify';
import { signIn, signOut, getCurrentUser } from 'aws-amplify/auth';
import {
  AdminAddUserToGroupCommand,
  AdminGetUserCommand,
  CreateGroupCommand,
  ConfirmForgotPasswordCommand,
  ForgotPasswordCommand,
  InitiateAuthCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { decodeJwt } from 'jose';
import { DIALECTS } from './helpers/harness.js';
import { expectServiceError } from './helpers/errors.js';
import { PASSWORD, adminCreateConfirmedUser, attr, initiatePasswordAuth, outboxCode } from './helpers/latchkeyAdmin.js';
import { startTriggerRig, type TriggerRig } from './helpers/triggerReceiver.js';

/** The old directory a migration trigger consults. */
const OLD_DIRECTORY = new Map<string, { password: string; email: string }>();

function migrationHandler(e: any) {
  const old = OLD_DIRECTORY.get(e.userName);
  if (!old) throw new Error('User not found');
  if (e.triggerSource === 'UserMigration_Authentication' && e.request.password !== old.password) throw new Error('Bad password');
  e.response.userAttributes = { email: old.email, email_verified: 'true' };
  e.response.finalUserStatus = 'CONFIRMED';
  e.response.messageAction = 'SUPPRESS';
  return e;
}

describe.each(DIALECTS)('triggers: authentication and user migration on %s', (dialect) => {
  let rig: TriggerRig;
  let n = 0;
  const uniq = (p: string) => `${p}${++n}${dialect}`;
  const userExists = (username: string) =>
    rig.server.admin.send(new AdminGetUserCommand({ UserPoolId: rig.pool.userPoolId, Username: username })).then(
      () => true,
      (err: Error) => (err.name === 'UserNotFoundException' ? false : Promise.reject(err)),
    );

  beforeAll(async () => {
    rig = await startTriggerRig(dialect);
  });
  afterAll(async () => {
    await signOut().catch(() => undefined);
    await rig?.stop();
  });

  it("PreAuthentication_Authentication: Cognito's event before the password is checked; a refusal signs nobody in", async () => {
    const url = rig.receiver.lambda('/pre-auth', (e) => {
      if (e.userName.startsWith('blocked')) throw new Error('Account on hold');
      return e;
    });
    await rig.setTriggers({ PreAuthentication: url });
    const name = uniq('ok');
    await adminCreateConfirmedUser(rig.server.admin, rig.pool.userPoolId, name);
    const t = await initiatePasswordAuth(rig.server.client, rig.pool.clientId, name);
    const sub = decodeJwt(t.AuthenticationResult!.AccessToken!).sub;
    expect(rig.receiver.events['/pre-auth']!.at(-1)).toEqual({
      version: '1',
      triggerSource: 'PreAuthentication_Authentication',
      region: rig.server.services.config.region,
      userPoolId: rig.pool.userPoolId,
      userName: name,
      callerContext: { awsSdkVersion: 'aws-sdk-unknown-unknown', clientId: rig.pool.clientId },
      request: {
        userAttributes: { sub, email: `${name}@example.com`, email_verified: 'true', 'cognito:user_status': 'CONFIRMED' },
        validationData: null,
        userNotFound: false,
      },
      response: {},
    });

    // InitiateAuth's ClientMetadata reaches the trigger as validationData (Cognito's rule).
    await rig.server.client.send(
      new InitiateAuthCommand({
        ClientId: rig.pool.clientId,
        AuthFlow: 'USER_PASSWORD_AUTH',
        AuthParameters: { USERNAME: name, PASSWORD },
        ClientMetadata: { device: 'kiosk' },
      }),
    );
    expect(rig.receiver.events['/pre-auth']!.at(-1).request.validationData).toEqual({ device: 'kiosk' });

    const blocked = uniq('blocked');
    await adminCreateConfirmedUser(rig.server.admin, rig.pool.userPoolId, blocked);
    const finish = vi.spyOn(rig.server.services.store, 'finishSignIn');
    try {
      // Refused before the password is looked at: a wrong one gets the same answer.
      for (const password of [PASSWORD, 'Wr0ngPassword'])
        await expectServiceError(
          initiatePasswordAuth(rig.server.client, rig.pool.clientId, blocked, password),
          'UserLambdaValidationException',
          /^PreAuthentication failed with error Account on hold\.$/,
        );
      expect(finish).not.toHaveBeenCalled();
    } finally {
      finish.mockRestore();
    }

    // An unknown name, existence errors prevented: the trigger hears userNotFound: true, the caller the usual answer.
    const ghost = uniq('ghost');
    await expectServiceError(initiatePasswordAuth(rig.server.client, rig.pool.clientId, ghost), 'NotAuthorizedException', /Incorrect/);
    expect(rig.receiver.events['/pre-auth']!.at(-1)).toMatchObject({
      userName: ghost,
      request: { userAttributes: {}, userNotFound: true },
    });
  });

  it('PostAuthentication_Authentication after the password verified; a failure issues no tokens', async () => {
    await rig.setTriggers({ PostAuthentication: rig.receiver.lambda('/post-auth', (e) => e) });
    const name = uniq('pa');
    await adminCreateConfirmedUser(rig.server.admin, rig.pool.userPoolId, name);
    await initiatePasswordAuth(rig.server.client, rig.pool.clientId, name);
    expect(rig.receiver.events['/post-auth']!.at(-1)).toMatchObject({
      triggerSource: 'PostAuthentication_Authentication',
      userName: name,
      request: { userAttributes: { email: `${name}@example.com` }, newDeviceUsed: false, clientMetadata: {} },
      response: {},
    });
    // A wrong password never reaches post authentication.
    const before = rig.receiver.events['/post-auth']!.length;
    await expectServiceError(initiatePasswordAuth(rig.server.client, rig.pool.clientId, name, 'Wr0ngPassword'), 'NotAuthorizedException');
    expect(rig.receiver.events['/post-auth']!.length).toBe(before);

    await rig.setTriggers({ PostAuthentication: rig.receiver.route('/post-auth-hang', { hang: true }) });
    const finish = vi.spyOn(rig.server.services.store, 'finishSignIn');
    try {
      await expectServiceError(
        initiatePasswordAuth(rig.server.client, rig.pool.clientId, name),
        'UnexpectedLambdaException',
        /Socket timeout/,
      );
      expect(finish).not.toHaveBeenCalled();
    } finally {
      finish.mockRestore();
    }
  });

  it('a group the PostAuthentication function adds is in the tokens of that sign-in (groups are read after it)', async () => {
    const group = uniq('added-by-trigger');
    await rig.server.admin.send(new CreateGroupCommand({ UserPoolId: rig.pool.userPoolId, GroupName: group }));
    await rig.setTriggers({
      PostAuthentication: rig.receiver.lambda('/post-auth-group', async (e) => {
        await rig.server.admin.send(
          new AdminAddUserToGroupCommand({ UserPoolId: rig.pool.userPoolId, Username: e.userName, GroupName: group }),
        );
        return e;
      }),
    });
    const name = uniq('grouped');
    await adminCreateConfirmedUser(rig.server.admin, rig.pool.userPoolId, name);
    const t = await initiatePasswordAuth(rig.server.client, rig.pool.clientId, name);
    expect(decodeJwt(t.AuthenticationResult!.AccessToken!)['cognito:groups']).toEqual([group]);
    expect(decodeJwt(t.AuthenticationResult!.IdToken!)['cognito:groups']).toEqual([group]);
  });

  it('UserMigration_Authentication: the first sign-in brings the user in with the typed password; later ones skip it', async () => {
    await rig.setTriggers({ UserMigration: rig.receiver.lambda('/migrate', migrationHandler) });
    const name = uniq('legacy');
    OLD_DIRECTORY.set(name, { password: 'OldPassw0rd', email: `${name}@old.example.com` });
    expect(await userExists(name)).toBe(false);

    // A wrong password: the old directory refuses, nothing is created, and the answer is a plain wrong password.
    await expectServiceError(
      initiatePasswordAuth(rig.server.client, rig.pool.clientId, name, 'Wr0ngPassword'),
      'NotAuthorizedException',
      /Incorrect/,
    );
    expect(await userExists(name)).toBe(false);

    const t = await initiatePasswordAuth(rig.server.client, rig.pool.clientId, name, 'OldPassw0rd');
    expect(decodeJwt(t.AuthenticationResult!.IdToken!).email).toBe(`${name}@old.example.com`);
    const migrated = rig.receiver.events['/migrate']!.at(-1);
    expect(migrated).toEqual({
      version: '1',
      triggerSource: 'UserMigration_Authentication',
      region: rig.server.services.config.region,
      userPoolId: rig.pool.userPoolId,
      userName: name,
      callerContext: { awsSdkVersion: 'aws-sdk-unknown-unknown', clientId: rig.pool.clientId },
      request: { password: 'OldPassw0rd', validationData: null, clientMetadata: {} },
      response: {
        userAttributes: null,
        finalUserStatus: null,
        messageAction: null,
        desiredDeliveryMediums: null,
        forceAliasCreation: null,
        enableSMSMFA: null,
      },
    });
    const user = await rig.server.admin.send(new AdminGetUserCommand({ UserPoolId: rig.pool.userPoolId, Username: name }));
    expect(user.UserStatus).toBe('CONFIRMED');
    expect(attr(user.UserAttributes, 'email_verified')).toBe('true');

    const calls = rig.receiver.events['/migrate']!.length;
    await initiatePasswordAuth(rig.server.client, rig.pool.clientId, name, 'OldPassw0rd');
    expect(rig.receiver.events['/migrate']!.length).toBe(calls);
    // SRP cannot migrate (no password reaches the server): an unknown name gets the usual SRP challenge, no trigger call.
    const other = uniq('srp');
    OLD_DIRECTORY.set(other, { password: 'OldPassw0rd', email: `${other}@old.example.com` });
    await rig.server.client.send(
      new InitiateAuthCommand({
        ClientId: rig.pool.clientId,
        AuthFlow: 'USER_SRP_AUTH',
        AuthParameters: { USERNAME: other, SRP_A: 'ab'.repeat(192) },
      }),
    );
    expect(rig.receiver.events['/migrate']!.length).toBe(calls);
    expect(await userExists(other)).toBe(false);
  });

  it('a migration trigger that times out or answers malformed JSON: Cognito errors, no user', async () => {
    for (const [url, type] of [
      [rig.receiver.route('/migrate-hang', { hang: true }), 'UnexpectedLambdaException'],
      [rig.receiver.route('/migrate-bad', { status: 200, body: 'not json' }), 'InvalidLambdaResponseException'],
    ] as const) {
      await rig.setTriggers({ UserMigration: url });
      const name = uniq('mf');
      await expectServiceError(initiatePasswordAuth(rig.server.client, rig.pool.clientId, name, 'OldPassw0rd'), type);
      expect(await userExists(name)).toBe(false);
    }
  });

  it('UserMigration_ForgotPassword: the user comes in RESET_REQUIRED, gets the code, sets a password and signs in', async () => {
    await rig.setTriggers({ UserMigration: rig.receiver.lambda('/migrate-fp', migrationHandler) });
    const name = uniq('fp');
    OLD_DIRECTORY.set(name, { password: 'unused', email: `${name}@old.example.com` });
    const fp = await rig.server.client.send(new ForgotPasswordCommand({ ClientId: rig.pool.clientId, Username: name }));
    expect(fp.CodeDeliveryDetails?.DeliveryMedium).toBe('EMAIL');
    const event = rig.receiver.events['/migrate-fp']!.at(-1);
    expect(event.triggerSource).toBe('UserMigration_ForgotPassword');
    expect(event.request).toEqual({ validationData: null, clientMetadata: {} });
    expect((await rig.server.admin.send(new AdminGetUserCommand({ UserPoolId: rig.pool.userPoolId, Username: name }))).UserStatus).toBe(
      'RESET_REQUIRED',
    );
    const code = await outboxCode(rig.server, rig.pool.userPoolId, `${name}@old.example.com`);
    await rig.server.client.send(
      new ConfirmForgotPasswordCommand({ ClientId: rig.pool.clientId, Username: name, ConfirmationCode: code, Password: PASSWORD }),
    );
    expect((await initiatePasswordAuth(rig.server.client, rig.pool.clientId, name)).AuthenticationResult?.AccessToken).toBeTruthy();
  });

  it('aws-amplify signIn (USER_PASSWORD_AUTH) migrates a user on first sign-in', async () => {
    await rig.setTriggers({ UserMigration: rig.receiver.lambda('/migrate-amplify', migrationHandler) });
    Amplify.configure({
      Auth: {
        Cognito: { userPoolId: rig.pool.userPoolId, userPoolClientId: rig.pool.clientId, userPoolEndpoint: rig.server.endpoint + '/' },
      },
    });
    const name = uniq('amp');
    OLD_DIRECTORY.set(name, { password: 'OldPassw0rd', email: `${name}@old.example.com` });
    const r = await signIn({ username: name, password: 'OldPassw0rd', options: { authFlowType: 'USER_PASSWORD_AUTH' } });
    expect(r).toMatchObject({ isSignedIn: true, nextStep: { signInStep: 'DONE' } });
    expect((await getCurrentUser()).username).toBe(name);
    await signOut();
    expect(await userExists(name)).toBe(true);
  });
});

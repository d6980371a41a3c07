/**
 * Triggers and PreventUserExistenceErrors: with a trigger in the path, a known and an unknown name still get the same
 * answers. User migration counts an unknown name's sign-in once against its lockout (as a user's), and a migration
 * refusal in ForgotPassword answers as any unknown name does (the name's send budget spent before the trigger is
 * called). A failing custom message trigger (which a stand-in never calls) fails neither ForgotPassword,
 * ResendConfirmationCode nor USER_AUTH EMAIL_OTP for a real user: it runs after the answer. A real loopback receiver,
 * SQLite and PostgreSQL.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ForgotPasswordCommand,
  InitiateAuthCommand,
  ResendConfirmationCodeCommand,
  SignUpCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { DIALECTS } from './helpers/harness.js';
import { PASSWORD, adminCreateConfirmedUser, initiatePasswordAuth } from './helpers/latchkeyAdmin.js';
import { startTriggerRig, type TriggerRig } from './helpers/triggerReceiver.js';

async function answer(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'ok';
  } catch (e) {
    return `${(e as Error).name}: ${(e as Error).message}`;
  }
}

describe.each(DIALECTS)('triggers and user existence on %s', (dialect) => {
  let rig: TriggerRig;
  let n = 0;
  const uniq = (p: string) => `${p}${++n}${dialect}`;

  beforeAll(async () => {
    rig = await startTriggerRig(dialect, { pool: { factors: ['PASSWORD', 'EMAIL_OTP'] } });
  });
  afterAll(async () => {
    await rig?.stop();
  });

  /** Eight wrong passwords in a row for `name`: the answers, in order (the lockout threshold is 5). */
  const wrongPasswords = async (name: string) => {
    const out: string[] = [];
    for (let i = 0; i < 8; i++) out.push(await answer(initiatePasswordAuth(rig.server.client, rig.pool.clientId, name, `Wr0ng-${i}`)));
    return out;
  };

  it('user migration that finds nobody: an unknown name locks out after as many wrong passwords as a user', async () => {
    // The old directory knows nobody: the trigger answers without userAttributes (no user to migrate).
    await rig.setTriggers({ UserMigration: rig.receiver.lambda('/migrate-none', (e) => e) });
    const known = uniq('lk-known');
    await adminCreateConfirmedUser(rig.server.admin, rig.pool.userPoolId, known);
    const unknown = uniq('lk-unknown');
    const knownAnswers = await wrongPasswords(known);
    const unknownAnswers = await wrongPasswords(unknown);
    expect(knownAnswers.slice(0, 5)).toEqual(Array(5).fill('NotAuthorizedException: Incorrect username or password.'));
    expect(knownAnswers.at(-1)).toBe('NotAuthorizedException: Password attempts exceeded');
    expect(unknownAnswers).toEqual(knownAnswers);
    expect(rig.receiver.events['/migrate-none']!.filter((e) => e.userName === unknown).length).toBeGreaterThan(0);
  });

  it('ForgotPassword: a migration refusal ("not found") answers as a local user does; the send budget comes first', async () => {
    await rig.setTriggers({
      UserMigration: rig.receiver.lambda('/migrate-refuse', () => {
        throw new Error('User not found');
      }),
    });
    const known = uniq('fp-known');
    await adminCreateConfirmedUser(rig.server.admin, rig.pool.userPoolId, known);
    const unknown = uniq('fp-unknown');
    const forgot = (Username: string) => rig.server.client.send(new ForgotPasswordCommand({ ClientId: rig.pool.clientId, Username }));
    const shape = (r: Awaited<ReturnType<typeof forgot>>) => ({
      medium: r.CodeDeliveryDetails?.DeliveryMedium,
      attribute: r.CodeDeliveryDetails?.AttributeName,
      masked: /^\w\*\*\*@\w\*\*\*$/.test(r.CodeDeliveryDetails?.Destination ?? ''),
    });
    const k = await forgot(known);
    const u = await forgot(unknown);
    expect(shape(u)).toEqual(shape(k));
    expect(shape(k)).toEqual({ medium: 'EMAIL', attribute: 'email', masked: true });
    // The name's send budget (5 an hour) is spent before the trigger is asked: the sixth request never reaches it.
    const asked = () => rig.receiver.events['/migrate-refuse']!.filter((e) => e.userName === unknown).length;
    expect(asked()).toBe(1);
    const rest: string[] = [];
    for (let i = 0; i < 5; i++) rest.push(await answer(forgot(unknown)));
    const knownRest: string[] = [];
    for (let i = 0; i < 5; i++) knownRest.push(await answer(forgot(known)));
    expect(rest).toEqual(knownRest);
    expect(rest.at(-1)).toMatch(/^LimitExceededException/);
    expect(asked()).toBe(5);
  });

  it('a failing custom message trigger: ForgotPassword, ResendConfirmationCode and EMAIL_OTP answer a user as unknown', async () => {
    await rig.setTriggers({});
    const known = uniq('cm-known');
    await adminCreateConfirmedUser(rig.server.admin, rig.pool.userPoolId, known);
    const unconfirmed = uniq('cm-unconf');
    await rig.server.client.send(
      new SignUpCommand({
        ClientId: rig.pool.clientId,
        Username: unconfirmed,
        Password: PASSWORD,
        UserAttributes: [{ Name: 'email', Value: `${unconfirmed}@example.com` }],
      }),
    );
    const c = rig.server.client;
    const clientId = rig.pool.clientId;
    // Everything in an answer but the random parts (the masked destination's letters, the Session).
    const strip = (r: any) =>
      JSON.stringify({ ...r, $metadata: undefined, Session: r.Session ? 'session' : undefined }).replace(
        /"\w\*\*\*@\w\*\*\*"/g,
        '"masked"',
      );
    const answers = async (name: string) => [
      strip(await c.send(new ForgotPasswordCommand({ ClientId: clientId, Username: name }))),
      strip(
        await c.send(
          new InitiateAuthCommand({
            ClientId: clientId,
            AuthFlow: 'USER_AUTH',
            AuthParameters: { USERNAME: name, PREFERRED_CHALLENGE: 'EMAIL_OTP' },
          }),
        ),
      ),
    ];
    const refuse = rig.receiver.lambda('/cm-refuse', () => {
      throw new Error('template service down');
    });
    for (const url of [refuse, rig.receiver.route('/cm-hang', { hang: true })]) {
      await rig.setTriggers({ CustomMessage: url });
      const k = await answers(known);
      expect(k[0]).toContain('"DeliveryMedium":"EMAIL"');
      expect(k[1]).toContain('"ChallengeName":"EMAIL_OTP"');
      expect(await answers(uniq('cm-nobody'))).toEqual(k);
      const resend = (Username: string) =>
        c.send(new ResendConfirmationCodeCommand({ ClientId: clientId, Username })).then(strip, (e: Error) => e.name);
      const r = await resend(unconfirmed);
      expect(r).toContain('"DeliveryMedium":"EMAIL"');
      expect(await resend(uniq('cm-nobody'))).toEqual(r);
    }
    // The trigger was asked for the real users (after the answers), and never for the unknown names.
    await new Promise((r) => setTimeout(r, 500));
    const asked = (rig.receiver.events['/cm-refuse'] ?? []).map((e) => `${e.triggerSource} ${e.userName}`).sort();
    expect(asked).toEqual(
      [`CustomMessage_Authentication ${known}`, `CustomMessage_ForgotPassword ${known}`, `CustomMessage_ResendCode ${unconfirmed}`].sort(),
    );
    await rig.setTriggers({});
  });
});

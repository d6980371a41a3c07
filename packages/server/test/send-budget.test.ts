/**
 * The code send budget and the ConfirmSignUp attempt cap (auth/sendBudget.ts), over the wire on SQLite
 * and PostgreSQL, with the server's injected clock for the windows: the sixth code of a purpose in the
 * hour is refused with Cognito's LimitExceededException and sends nothing; the window passing lets codes
 * go again; known and unknown names (PreventUserExistenceErrors) run out at the same count with the same
 * error; 20 ConfirmSignUp attempts per name per day, across resends. (Bursts over processes:
 * send-budget-races.test.ts.)
 */
import { describe, expect, it } from 'vitest';
import {
  AdminGetUserCommand,
  ConfirmSignUpCommand,
  ForgotPasswordCommand,
  GetUserAttributeVerificationCodeCommand,
  InitiateAuthCommand,
  ResendConfirmationCodeCommand,
  SignUpCommand,
  UpdateUserAttributesCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { DIALECTS, useServerWithPool, type TestServer } from './helpers/harness.js';
import { createTestPool, type TestPool } from './helpers/pool.js';
import { PASSWORD, accessToken, createUser } from './helpers/latchkeyAdmin.js';

const LIMIT = ['LimitExceededException', 'Attempt limit exceeded, please try after some time.'];
const HOUR = 3600_000;
let n = 0;
const uniq = (p: string) => `${p}${process.pid}x${++n}`;

/** 'ok', or the error as [name, message]. */
async function answer(p: Promise<unknown>): Promise<'ok' | string[]> {
  try {
    await p;
    return 'ok';
  } catch (e) {
    const err = e as { name: string; message: string };
    return [err.name, err.message];
  }
}

describe.each(DIALECTS)('send budget on %s', (dialect) => {
  let srv: TestServer;
  let pool: TestPool;
  let otpPool: TestPool;
  useServerWithPool(
    dialect,
    {
      setup: async (s) => {
        otpPool = await createTestPool(s.admin, { factors: ['PASSWORD', 'EMAIL_OTP'] });
      },
    },
    (s, p) => ([srv, pool] = [s, p]),
  );

  /** Messages in the outbox to this address. */
  const sent = async (p: TestPool, destination: string) =>
    (await srv.services.store.listOutbox(p.userPoolId, 1000)).filter((m) => m.destination === destination);

  const signUp = (username: string, p: TestPool = pool) =>
    srv.client.send(
      new SignUpCommand({
        ClientId: p.clientId,
        Username: username,
        Password: PASSWORD,
        UserAttributes: [{ Name: 'email', Value: `${username}@example.com` }],
      }),
    );
  const resend = (username: string) =>
    answer(srv.client.send(new ResendConfirmationCodeCommand({ ClientId: pool.clientId, Username: username })));
  const forgot = (username: string) => answer(srv.client.send(new ForgotPasswordCommand({ ClientId: pool.clientId, Username: username })));
  const confirm = (username: string, code: string) =>
    answer(srv.client.send(new ConfirmSignUpCommand({ ClientId: pool.clientId, Username: username, ConfirmationCode: code })));
  const emailOtp = (username: string) =>
    answer(
      srv.client.send(
        new InitiateAuthCommand({
          ClientId: otpPool.clientId,
          AuthFlow: 'USER_AUTH',
          AuthParameters: { USERNAME: username, PREFERRED_CHALLENGE: 'EMAIL_OTP' },
        }),
      ),
    );

  it('SignUp counts; the 6th code in the hour is refused and sends nothing, nor replaces the code; an hour later it goes', async () => {
    const username = uniq('resend');
    const email = `${username}@example.com`;
    await signUp(username);
    for (let i = 2; i <= 5; i++) expect(await resend(username)).toBe('ok');
    const before = await sent(pool, email);
    expect(before).toHaveLength(5);
    expect(await resend(username)).toEqual(LIMIT);
    expect(await sent(pool, email)).toHaveLength(5);
    // Still refused late in the window (the clock is real time plus the offset: leave a margin)...
    srv.clock.advance(HOUR - 10_000);
    expect(await resend(username)).toEqual(LIMIT);
    expect(await sent(pool, email)).toHaveLength(5);
    // ...and a code goes once the window has ended.
    srv.clock.advance(10_000);
    expect(await resend(username)).toBe('ok');
    expect(await sent(pool, email)).toHaveLength(6);
  });

  it('the code pending when the budget refuses still confirms (nothing was replaced)', async () => {
    const username = uniq('keep');
    const email = `${username}@example.com`;
    await signUp(username);
    for (let i = 2; i <= 5; i++) await resend(username);
    const codes = (await sent(pool, email)).map((m) => m.code!);
    expect(await resend(username)).toEqual(LIMIT);
    // Exactly one of the five codes is pending: the last one sent. Try them newest-first until one confirms.
    const results = [];
    for (const code of [...codes].reverse()) {
      const r = await confirm(username, code);
      results.push(r);
      if (r === 'ok') break;
    }
    expect(results).toContain('ok');
  });

  it('ForgotPassword: a known user and an unknown name get the same answers, refused at the same count', async () => {
    const known = await createUser(srv, pool, 'forgot');
    const unknown = uniq('nobody');
    const a = [];
    const b = [];
    for (let i = 0; i < 7; i++) a.push(await forgot(known.username));
    for (let i = 0; i < 7; i++) b.push(await forgot(unknown));
    expect(a).toEqual(['ok', 'ok', 'ok', 'ok', 'ok', LIMIT, LIMIT]);
    expect(b).toEqual(a);
    expect(await sent(pool, `${known.username}@example.com`)).toHaveLength(5);
    // Another purpose is another budget.
    expect(await resend(unknown)).toBe('ok');
  });

  it('ResendConfirmationCode: unconfirmed, confirmed and unknown names are refused at the same count', async () => {
    const unconfirmed = uniq('pending');
    await signUp(unconfirmed);
    const confirmed = (await createUser(srv, pool, 'done')).username;
    const unknown = uniq('ghost');
    const run = async (name: string, times: number) => {
      const out = [];
      for (let i = 0; i < times; i++) out.push(await resend(name));
      return out;
    };
    // SignUp spent one of the unconfirmed user's five.
    expect(await run(unconfirmed, 5)).toEqual(['ok', 'ok', 'ok', 'ok', LIMIT]);
    expect(await run(confirmed, 6)).toEqual(['ok', 'ok', 'ok', 'ok', 'ok', LIMIT]);
    expect(await run(unknown, 6)).toEqual(['ok', 'ok', 'ok', 'ok', 'ok', LIMIT]);
  });

  it('USER_AUTH EMAIL_OTP: the 6th sign-in code in the hour is refused, for a known user and an unknown name alike', async () => {
    const known = await createUser(srv, otpPool, 'otp');
    const unknown = uniq('otpghost');
    const a = [];
    const b = [];
    for (let i = 0; i < 6; i++) a.push(await emailOtp(known.username));
    for (let i = 0; i < 6; i++) b.push(await emailOtp(unknown));
    expect(a).toEqual(['ok', 'ok', 'ok', 'ok', 'ok', LIMIT]);
    expect(b).toEqual(a);
    expect(await sent(otpPool, `${known.username}@example.com`)).toHaveLength(5);
    srv.clock.advance(HOUR);
    expect(await emailOtp(known.username)).toBe('ok');
    expect(await sent(otpPool, `${known.username}@example.com`)).toHaveLength(6);
  });

  it('GetUserAttributeVerificationCode and UpdateUserAttributes share one budget; a refused update changes nothing', async () => {
    const user = await createUser(srv, pool, 'verify');
    const token = await accessToken(srv, pool.clientId, user);
    const getCode = () =>
      answer(srv.client.send(new GetUserAttributeVerificationCodeCommand({ AccessToken: token, AttributeName: 'email' })));
    for (let i = 0; i < 4; i++) expect(await getCode()).toBe('ok');
    const newEmail = `${uniq('moved')}@example.com`;
    const update = () =>
      answer(
        srv.client.send(new UpdateUserAttributesCommand({ AccessToken: token, UserAttributes: [{ Name: 'email', Value: newEmail }] })),
      );
    expect(await update()).toBe('ok');
    expect(await getCode()).toEqual(LIMIT);
    const other = `${uniq('again')}@example.com`;
    expect(
      await answer(
        srv.client.send(new UpdateUserAttributesCommand({ AccessToken: token, UserAttributes: [{ Name: 'email', Value: other }] })),
      ),
    ).toEqual(LIMIT);
    const got = await srv.admin.send(new AdminGetUserCommand({ UserPoolId: pool.userPoolId, Username: user.username }));
    expect(got.UserAttributes?.find((x) => x.Name === 'email')?.Value).toBe(newEmail);
    expect(await sent(pool, other)).toHaveLength(0);
  });

  it('SignUp of a name whose sign-up budget is used up is refused before the user is stored', async () => {
    const name = uniq('burnt');
    for (let i = 0; i < 5; i++) expect(await resend(name)).toBe('ok');
    expect(await answer(signUp(name))).toEqual(LIMIT);
    expect(await answer(srv.admin.send(new AdminGetUserCommand({ UserPoolId: pool.userPoolId, Username: name })))).toEqual([
      'UserNotFoundException',
      'User does not exist.',
    ]);
    srv.clock.advance(HOUR);
    expect(await answer(signUp(name))).toBe('ok');
  });

  it('ConfirmSignUp: 20 attempts per name per day across resends, then LimitExceededException even for the right code', async () => {
    const username = uniq('brute');
    const email = `${username}@example.com`;
    await signUp(username);
    const wrong = (code: string) => String((Number(code) + 1) % 1_000_000).padStart(6, '0');
    const latest = async () => (await sent(pool, email)).sort((a, b) => b.createdAt - a.createdAt || b.id - a.id)[0]!.code!;
    const results = [];
    // Four wrong guesses per code, a resend per code (an hour apart, past the send budget): 20 guesses.
    for (let round = 0; round < 5; round++) {
      const code = await latest();
      for (let i = 0; i < 4; i++) results.push(await confirm(username, wrong(code)));
      srv.clock.advance(HOUR);
      expect(await resend(username)).toBe('ok');
    }
    expect(results.every((r) => r !== 'ok' && r[0] === 'CodeMismatchException')).toBe(true);
    expect(await confirm(username, await latest())).toEqual(LIMIT);
    // A day after the first attempt the budget starts over; a fresh code confirms.
    srv.clock.advance(19 * HOUR);
    expect(await resend(username)).toBe('ok');
    expect(await confirm(username, await latest())).toBe('ok');
  });

  it('ConfirmSignUp: an unknown name (PreventUserExistenceErrors) reaches the same limit at the same count', async () => {
    const known = uniq('bk');
    await signUp(known);
    const unknown = uniq('bu');
    const run = async (name: string) => {
      const out = [];
      for (let i = 0; i < 21; i++) out.push(await confirm(name, '000000'));
      return out.map((r) => (r === 'ok' ? r : r[0]));
    };
    const a = await run(known);
    const b = await run(unknown);
    expect(a.slice(20)).toEqual([LIMIT[0]]);
    expect(b).toEqual(a);
  });
});

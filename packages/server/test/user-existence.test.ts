/**
 * User existence, on both stores: with PreventUserExistenceErrors on, known and unknown users answer
 * alike in every field: the SRP challenge's USERNAME, ForgotPassword's masked destination (stable,
 * derived for unknown names), wrong codes (stand-in codes), the lockout message after the threshold,
 * USER_AUTH's AvailableChallenges, and disabled users. (Usernames and aliases: users-aliases.test.ts;
 * the password attempt budget: signin-lockout.test.ts.)
 */
import { describe, expect, it } from 'vitest';
import {
  AdminCreateUserCommand,
  AdminDisableUserCommand,
  ConfirmForgotPasswordCommand,
  ConfirmSignUpCommand,
  ForgotPasswordCommand,
  InitiateAuthCommand,
  RespondToAuthChallengeCommand,
  ResendConfirmationCodeCommand,
  SignUpCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { createSrpClientSession } from '../../client/src/internal/srp.js';
import { DIALECTS, useServerWithPool, type TestServer } from './helpers/harness.js';
import { createTestPool, type TestPool } from './helpers/pool.js';
import { adminCreateConfirmedUser, initiatePasswordAuth, passwordVerifierInput, PASSWORD } from './helpers/latchkeyAdmin.js';

const LOCKED = 'Password attempts exceeded';
const INCORRECT = 'Incorrect username or password.';
let n = 0;
const uniq = (p: string) => `${p}${process.pid}x${++n}`;

/** The error an SDK call ends in, as [name, message] (or 'ok'). */
async function answer(p: Promise<unknown>): Promise<[string, string] | 'ok'> {
  try {
    await p;
    return 'ok';
  } catch (e) {
    const err = e as { name: string; message: string };
    return [err.name, err.message];
  }
}

describe.each(DIALECTS)('user existence on %s', (dialect) => {
  let srv: TestServer;
  let pool: TestPool;
  let aliasPool: TestPool;
  let emailPool: TestPool;
  useServerWithPool(
    dialect,
    {
      setup: async (s) => {
        aliasPool = await createTestPool(s.admin, { aliasAttributes: ['email'] });
        emailPool = await createTestPool(s.admin, { usernameAttributes: ['email'] });
      },
    },
    (s, p) => {
      srv = s;
      pool = p;
    },
  );

  const srpChallenge = (p: TestPool, typed: string) =>
    srv.client.send(
      new InitiateAuthCommand({
        ClientId: p.clientId,
        AuthFlow: 'USER_SRP_AUTH',
        AuthParameters: { USERNAME: typed, SRP_A: createSrpClientSession().srpA },
      }),
    );

  describe('known and unknown users are indistinguishable (PreventUserExistenceErrors ENABLED)', () => {
    it('USER_SRP_AUTH: USERNAME = USER_ID_FOR_SRP, never an alias owner, for an alias, an email username and an unknown name', async () => {
      const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
      const carol = uniq('carol');
      await adminCreateConfirmedUser(srv.admin, aliasPool.userPoolId, carol, PASSWORD, `${carol}@example.com`);
      const knownAlias = await srpChallenge(aliasPool, `${carol}@example.com`);
      const unknownAlias = await srpChallenge(aliasPool, `nobody-${carol}@example.com`);
      // Where a user signs in with an alias, the SRP identity is UUID-shaped for known and unknown alike
      // (the alias's owner, carol, would tell that the alias exists).
      for (const c of [knownAlias, unknownAlias]) {
        expect(c.ChallengeParameters?.USERNAME).toMatch(UUID_RE);
        expect(c.ChallengeParameters?.USERNAME).toBe(c.ChallengeParameters?.USER_ID_FOR_SRP);
        expect(c.ChallengeParameters?.USERNAME).not.toContain(carol);
      }
      expect(Object.keys(knownAlias.ChallengeParameters!).sort()).toEqual(Object.keys(unknownAlias.ChallengeParameters!).sort());

      const dave = `${uniq('dave')}@example.com`;
      await adminCreateConfirmedUser(srv.admin, emailPool.userPoolId, dave, PASSWORD, dave);
      const known = await srpChallenge(emailPool, dave);
      const unknown = await srpChallenge(emailPool, `nobody-${dave}`);
      // Both are UUID-shaped (USERNAME as USER_ID_FOR_SRP), and the same parameters are present.
      for (const c of [known, unknown]) {
        expect(c.ChallengeParameters?.USER_ID_FOR_SRP).toMatch(UUID_RE);
        expect(c.ChallengeParameters?.USERNAME).toBe(c.ChallengeParameters?.USER_ID_FOR_SRP);
      }
      expect(Object.keys(known.ChallengeParameters!).sort()).toEqual(Object.keys(unknown.ChallengeParameters!).sort());
      // The UUID username is no public sign-in name: typing the id an email's challenge carried gives a
      // stand-in (another id and salt), exactly as for the id of an unknown email.
      for (const c of [known, unknown]) {
        const again = await srpChallenge(emailPool, c.ChallengeParameters!.USER_ID_FOR_SRP!);
        expect(again.ChallengeParameters?.USER_ID_FOR_SRP).not.toBe(c.ChallengeParameters?.USER_ID_FOR_SRP);
        expect(again.ChallengeParameters?.SALT).not.toBe(c.ChallengeParameters?.SALT);
      }
    });

    it('ForgotPassword: an unknown name gets a stable mask like a real one, not a fixed x***@x***', async () => {
      const forgot = (name: string) => srv.client.send(new ForgotPasswordCommand({ ClientId: pool.clientId, Username: name }));
      const masks = new Set<string>();
      for (let i = 0; i < 12; i++) {
        const name = uniq('ghost');
        const a = await forgot(name);
        const b = await forgot(name);
        expect(b.CodeDeliveryDetails).toEqual(a.CodeDeliveryDetails);
        expect(a.CodeDeliveryDetails).toMatchObject({
          DeliveryMedium: 'EMAIL',
          AttributeName: 'email',
          Destination: expect.stringMatching(/^[a-z]\*\*\*@[a-z]\*\*\*$/),
        });
        masks.add(a.CodeDeliveryDetails!.Destination!);
      }
      // Not one fixed mask for every unknown name (a random name may still land on x***@x***: 1 in 676).
      expect(masks.size).toBeGreaterThan(1);
      // A real user's mask has the same shape; a typed email is masked as it is, whatever its case.
      const erin = uniq('erin');
      await adminCreateConfirmedUser(srv.admin, pool.userPoolId, erin, PASSWORD, `${erin}@example.com`);
      expect((await forgot(erin)).CodeDeliveryDetails?.Destination).toBe('e***@e***');
      expect(
        (await srv.client.send(new ForgotPasswordCommand({ ClientId: aliasPool.clientId, Username: `Nobody${n}@Example.com` })))
          .CodeDeliveryDetails?.Destination,
      ).toBe('n***@e***');
    });

    it('ForgotPassword: a disabled user and one with nothing verified answer like an unknown name', async () => {
      const frank = uniq('frank');
      await adminCreateConfirmedUser(srv.admin, pool.userPoolId, frank);
      await srv.admin.send(new AdminDisableUserCommand({ UserPoolId: pool.userPoolId, Username: frank }));
      const r = await srv.client.send(new ForgotPasswordCommand({ ClientId: pool.clientId, Username: frank }));
      // The mask of where frank's codes would go (as any operation that does send him one answers), and nothing sent.
      expect(r.CodeDeliveryDetails).toEqual({ DeliveryMedium: 'EMAIL', AttributeName: 'email', Destination: 'f***@e***' });
      expect((await srv.services.store.listOutbox(pool.userPoolId, 500)).filter((m) => m.destination === `${frank}@example.com`)).toEqual(
        [],
      );
      const unverified = uniq('unverified');
      await srv.admin.send(new AdminCreateUserCommand({ UserPoolId: pool.userPoolId, Username: unverified, MessageAction: 'SUPPRESS' }));
      const u = await srv.client.send(new ForgotPasswordCommand({ ClientId: pool.clientId, Username: unverified }));
      expect(u.CodeDeliveryDetails?.Destination).toMatch(/^[a-z]\*\*\*@[a-z]\*\*\*$/);
    });

    it('ConfirmForgotPassword: a known user, a disabled one and an unknown name answer wrong codes alike (stand-in codes)', async () => {
      const ivy = uniq('ivy');
      const jay = uniq('jay');
      await adminCreateConfirmedUser(srv.admin, pool.userPoolId, ivy);
      await adminCreateConfirmedUser(srv.admin, pool.userPoolId, jay);
      await srv.admin.send(new AdminDisableUserCommand({ UserPoolId: pool.userPoolId, Username: jay }));
      const confirm = (name: string, code: string) =>
        answer(
          srv.client.send(
            new ConfirmForgotPasswordCommand({ ClientId: pool.clientId, Username: name, ConfirmationCode: code, Password: 'New-Passw0rd' }),
          ),
        );
      const names = [ivy, jay, uniq('ghost')];
      // No code requested: "request a code again" for every one of them.
      for (const name of names)
        expect(await confirm(name, '000000'), name).toEqual([
          'ExpiredCodeException',
          'Invalid code provided, please request a code again.',
        ]);
      for (const name of names) {
        await srv.client.send(new ForgotPasswordCommand({ ClientId: pool.clientId, Username: name }));
        const answers = [];
        for (let i = 0; i < 6; i++) answers.push(await confirm(name, `00000${i}`));
        expect(answers, name).toEqual([
          ...Array(5).fill(['CodeMismatchException', 'Invalid verification code provided, please try again.']),
          ['TooManyFailedAttemptsException', 'Too many failed attempts; request a new code.'],
        ]);
      }
      // A new request resets the attempts; after the code's hour it has expired, for all alike.
      for (const name of names) await srv.client.send(new ForgotPasswordCommand({ ClientId: pool.clientId, Username: name }));
      for (const name of names)
        expect(await confirm(name, '123456'), name).toEqual([
          'CodeMismatchException',
          'Invalid verification code provided, please try again.',
        ]);
      srv.clock.advance(3600_000 + 1);
      for (const name of names)
        expect(await confirm(name, '123456'), name).toEqual([
          'ExpiredCodeException',
          'Invalid code provided, please request a code again.',
        ]);
    });

    it(
      'ForgotPassword and ResendConfirmationCode give one mask per ' + "name: a real user's real mask from both, a stand-in's from both",
      async () => {
        const kim = uniq('kim');
        await adminCreateConfirmedUser(srv.admin, pool.userPoolId, kim);
        const ghost = uniq('ghost');
        for (const name of [kim, ghost]) {
          const forgot = await srv.client.send(new ForgotPasswordCommand({ ClientId: pool.clientId, Username: name }));
          const resend = await srv.client.send(new ResendConfirmationCodeCommand({ ClientId: pool.clientId, Username: name }));
          expect(resend.CodeDeliveryDetails, name).toEqual(forgot.CodeDeliveryDetails);
        }
      },
    );

    it('ConfirmSignUp: an unconfirmed user, a confirmed one and an unknown name answer wrong codes alike after a resend', async () => {
      const lee = uniq('lee');
      await srv.client.send(
        new SignUpCommand({
          ClientId: pool.clientId,
          Username: lee,
          Password: PASSWORD,
          UserAttributes: [{ Name: 'email', Value: `${lee}@example.com` }],
        }),
      );
      const mo = uniq('mo');
      await adminCreateConfirmedUser(srv.admin, pool.userPoolId, mo);
      // Without a resend: a fresh sign-up's code and an unknown name's are answered alike too.
      const fresh = uniq('fresh');
      await srv.client.send(
        new SignUpCommand({
          ClientId: pool.clientId,
          Username: fresh,
          Password: PASSWORD,
          UserAttributes: [{ Name: 'email', Value: `${fresh}@example.com` }],
        }),
      );
      for (const name of [fresh, uniq('ghost')]) {
        const answers = [];
        for (let i = 0; i < 6; i++)
          answers.push(
            await answer(
              srv.client.send(new ConfirmSignUpCommand({ ClientId: pool.clientId, Username: name, ConfirmationCode: `88888${i}` })),
            ),
          );
        expect(answers, name).toEqual([
          ...Array(5).fill(['CodeMismatchException', 'Invalid verification code provided, please try again.']),
          ['TooManyFailedAttemptsException', 'Too many failed attempts; request a new code.'],
        ]);
      }
      for (const name of [lee, mo, uniq('ghost')]) {
        await srv.client.send(new ResendConfirmationCodeCommand({ ClientId: pool.clientId, Username: name }));
        const answers = [];
        for (let i = 0; i < 6; i++)
          answers.push(
            await answer(
              srv.client.send(new ConfirmSignUpCommand({ ClientId: pool.clientId, Username: name, ConfirmationCode: `99999${i}` })),
            ),
          );
        expect(answers, name).toEqual([
          ...Array(5).fill(['CodeMismatchException', 'Invalid verification code provided, please try again.']),
          ['TooManyFailedAttemptsException', 'Too many failed attempts; request a new code.'],
        ]);
      }
    });

    it('after the lockout threshold, a known and an unknown user get the same error, for both flows', async () => {
      const gina = uniq('gina');
      await adminCreateConfirmedUser(srv.admin, pool.userPoolId, gina);
      const ghost = uniq('ghost');
      for (const name of [gina, ghost]) {
        const answers = [];
        for (let i = 0; i < 7; i++) answers.push(await answer(initiatePasswordAuth(srv.client, pool.clientId, name, `Wr0ng-${i}`)));
        expect(answers, name).toEqual([
          ...Array(5).fill(['NotAuthorizedException', INCORRECT]),
          ['NotAuthorizedException', LOCKED],
          ['NotAuthorizedException', LOCKED],
        ]);
      }
      // The lock also holds for the right password, and ends after its window.
      expect(await answer(initiatePasswordAuth(srv.client, pool.clientId, gina, PASSWORD))).toEqual(['NotAuthorizedException', LOCKED]);
      srv.clock.advance(1000);
      expect(await answer(initiatePasswordAuth(srv.client, pool.clientId, gina, PASSWORD))).toBe('ok');
      // SRP answers: the same sequence for a known and an unknown name.
      const hugo = uniq('hugo');
      await adminCreateConfirmedUser(srv.admin, pool.userPoolId, hugo);
      for (const name of [hugo, uniq('ghost')]) {
        const answers = [];
        for (let i = 0; i < 7; i++) {
          const srp = createSrpClientSession();
          const c = await srv.client.send(
            new InitiateAuthCommand({
              ClientId: pool.clientId,
              AuthFlow: 'USER_SRP_AUTH',
              AuthParameters: { USERNAME: name, SRP_A: srp.srpA },
            }),
          );
          answers.push(
            await answer(
              srv.client.send(new RespondToAuthChallengeCommand(await passwordVerifierInput(pool, pool.clientId, c, srp, `Wr0ng-${i}`))),
            ),
          );
        }
        expect(answers, name).toEqual([
          ...Array(5).fill(['NotAuthorizedException', INCORRECT]),
          ['NotAuthorizedException', LOCKED],
          ['NotAuthorizedException', LOCKED],
        ]);
      }
    });

    it(
      'a disabled user: a wrong password is "Incorrect username or ' + 'password." like anyone\'s; only the right one says disabled',
      async () => {
        const hal = uniq('hal');
        await adminCreateConfirmedUser(srv.admin, pool.userPoolId, hal);
        await srv.admin.send(new AdminDisableUserCommand({ UserPoolId: pool.userPoolId, Username: hal }));
        expect(await answer(initiatePasswordAuth(srv.client, pool.clientId, hal, 'Wr0ng-password'))).toEqual([
          'NotAuthorizedException',
          INCORRECT,
        ]);
        expect(await answer(initiatePasswordAuth(srv.client, pool.clientId, hal, PASSWORD))).toEqual([
          'NotAuthorizedException',
          'User is disabled.',
        ]);
        // SRP and USER_AUTH give a disabled user a challenge like anyone's.
        expect((await srpChallenge(pool, hal)).ChallengeName).toBe('PASSWORD_VERIFIER');
        const ua = await srv.client.send(
          new InitiateAuthCommand({ ClientId: pool.clientId, AuthFlow: 'USER_AUTH', AuthParameters: { USERNAME: hal } }),
        );
        expect(ua.ChallengeName).toBe('SELECT_CHALLENGE');
      },
    );

    it(
      'USER_AUTH: unknown names get stable AvailableChallenges that ' + 'sometimes include WEB_AUTHN, like real users with passkeys',
      async () => {
        const seen = new Set<string>();
        for (let i = 0; i < 16; i++) {
          const name = uniq('nobody');
          const ask = () =>
            srv.client.send(
              new InitiateAuthCommand({ ClientId: pool.clientId, AuthFlow: 'USER_AUTH', AuthParameters: { USERNAME: name } }),
            );
          const [a, b] = [await ask(), await ask()];
          expect(a.AvailableChallenges).toEqual(b.AvailableChallenges);
          seen.add(JSON.stringify(a.AvailableChallenges));
          if (a.AvailableChallenges!.includes('WEB_AUTHN')) {
            // Asking for it gives a WEB_AUTHN challenge with a stable credential id, as a real user's would.
            const ask2 = () =>
              srv.client.send(
                new InitiateAuthCommand({
                  ClientId: pool.clientId,
                  AuthFlow: 'USER_AUTH',
                  AuthParameters: { USERNAME: name, PREFERRED_CHALLENGE: 'WEB_AUTHN' },
                }),
              );
            const [w1, w2] = [await ask2(), await ask2()];
            expect(w1.ChallengeName).toBe('WEB_AUTHN');
            const ids = (w: typeof w1) =>
              JSON.parse(w.ChallengeParameters!.CREDENTIAL_REQUEST_OPTIONS!).allowCredentials.map((c: { id: string }) => c.id);
            expect(ids(w1).length).toBeGreaterThanOrEqual(1);
            expect(ids(w1).length).toBeLessThanOrEqual(2);
            expect(ids(w1)).toEqual(ids(w2));
          }
        }
        expect([...seen].sort()).toEqual(
          [JSON.stringify(['PASSWORD', 'PASSWORD_SRP']), JSON.stringify(['PASSWORD', 'PASSWORD_SRP', 'WEB_AUTHN'])].sort(),
        );
        // A real user with no first factor yet (no password, no passkey) is answered like such a name, not refused.
        const quinn = uniq('quinn');
        await srv.admin.send(new AdminCreateUserCommand({ UserPoolId: pool.userPoolId, Username: quinn, MessageAction: 'SUPPRESS' }));
        await srv.services.store.updateUser(
          pool.userPoolId,
          (await srv.services.store.findUserByLogin(pool.userPoolId, quinn, null))!.id,
          { srpSalt: null, srpVerifier: null },
          srv.clock.now(),
        );
        const q = await srv.client.send(
          new InitiateAuthCommand({ ClientId: pool.clientId, AuthFlow: 'USER_AUTH', AuthParameters: { USERNAME: quinn } }),
        );
        expect(q.ChallengeName).toBe('SELECT_CHALLENGE');
        expect(q.AvailableChallenges!.slice(0, 2)).toEqual(['PASSWORD', 'PASSWORD_SRP']);
      },
    );
  });
});

/**
 * The password attempt budget (lockout), on both stores: one budget per user whatever name or operation the
 * guesses come through, a right password never counts as a guess, and a quiet counter starts over as
 * Cognito's does. (Bursts of parallel guesses: password-races.test.ts; the lockout answered alike for known
 * and unknown names: user-existence.test.ts.)
 */
import { describe, expect, it } from 'vitest';
import { AdminConfirmSignUpCommand, ChangePasswordCommand, SignUpCommand } from '@aws-sdk/client-cognito-identity-provider';
import { DIALECTS, useServerWithPool, type TestServer } from './helpers/harness.js';
import { createTestPool, type TestPool } from './helpers/pool.js';
import { adminCreateConfirmedUser, initiatePasswordAuth, PASSWORD } from './helpers/latchkeyAdmin.js';

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

describe.each(DIALECTS)('sign-in lockout on %s', (dialect) => {
  let srv: TestServer;
  let pool: TestPool;
  let aliasPool: TestPool;
  useServerWithPool(
    dialect,
    {
      setup: async (s) => {
        aliasPool = await createTestPool(s.admin, { aliasAttributes: ['email'] });
      },
    },
    (s, p) => {
      srv = s;
      pool = p;
    },
  );

  describe('one password budget per user (PreventUserExistenceErrors ENABLED)', () => {
    it('one budget per user: guesses by username, by email alias and through ChangePassword add up', async () => {
      const nia = uniq('nia');
      await adminCreateConfirmedUser(srv.admin, aliasPool.userPoolId, nia, PASSWORD, `${nia}@example.com`);
      const token = (await initiatePasswordAuth(srv.client, aliasPool.clientId, nia, PASSWORD)).AuthenticationResult!.AccessToken!;
      const seq = [
        () => initiatePasswordAuth(srv.client, aliasPool.clientId, nia, 'Wr0ng-1'),
        () => initiatePasswordAuth(srv.client, aliasPool.clientId, `${nia}@example.com`, 'Wr0ng-2'),
        () => initiatePasswordAuth(srv.client, aliasPool.clientId, `${nia.toUpperCase()}@EXAMPLE.COM`, 'Wr0ng-3'),
        () =>
          srv.client.send(
            new ChangePasswordCommand({ AccessToken: token, PreviousPassword: 'Wr0ng-4', ProposedPassword: 'Other-Passw0rd' }),
          ),
        () => initiatePasswordAuth(srv.client, aliasPool.clientId, nia, 'Wr0ng-5'),
      ];
      for (const call of seq) expect(await answer(call())).toEqual(['NotAuthorizedException', INCORRECT]);
      // Five guesses spent: the right password by the email is refused by the lock.
      expect(await answer(initiatePasswordAuth(srv.client, aliasPool.clientId, `${nia}@example.com`, PASSWORD))).toEqual([
        'NotAuthorizedException',
        LOCKED,
      ]);
    });

    it("a right password never counts as a guess, whatever the user's state says (unconfirmed: not locked by retries)", async () => {
      const oz = uniq('oz');
      await srv.client.send(
        new SignUpCommand({
          ClientId: pool.clientId,
          Username: oz,
          Password: PASSWORD,
          UserAttributes: [{ Name: 'email', Value: `${oz}@example.com` }],
        }),
      );
      for (let i = 0; i < 7; i++)
        expect(await answer(initiatePasswordAuth(srv.client, pool.clientId, oz, PASSWORD))).toEqual([
          'UserNotConfirmedException',
          'User is not confirmed.',
        ]);
      await srv.admin.send(new AdminConfirmSignUpCommand({ UserPoolId: pool.userPoolId, Username: oz }));
      expect(await answer(initiatePasswordAuth(srv.client, pool.clientId, oz, PASSWORD))).toBe('ok');
    });

    it("a counter with 15 quiet minutes starts over (Cognito's reset); the lock itself is not shortened", async () => {
      const pat = uniq('pat');
      await adminCreateConfirmedUser(srv.admin, pool.userPoolId, pat);
      for (let i = 0; i < 4; i++) await answer(initiatePasswordAuth(srv.client, pool.clientId, pat, `Wr0ng-${i}`));
      srv.clock.advance(15 * 60_000);
      // Four more wrong and the right one: admitted (a count carried over would make the right one the ninth).
      for (let i = 0; i < 4; i++)
        expect(await answer(initiatePasswordAuth(srv.client, pool.clientId, pat, `Wr0ng-again-${i}`))).toEqual([
          'NotAuthorizedException',
          INCORRECT,
        ]);
      expect(await answer(initiatePasswordAuth(srv.client, pool.clientId, pat, PASSWORD))).toBe('ok');
    });
  });
});

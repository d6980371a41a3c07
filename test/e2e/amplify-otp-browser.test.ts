/**
 * Real browser, real aws-amplify v6, passwordless: sign-up without a password and autoSignIn, then a passkey;
 * EMAIL_OTP by first-factor selection and SMS_OTP by preference, each with a wrong code first; then a passkey
 * sign-in. Codes are read from the server's development outbox. Needs Chromium ($CHROMIUM_PATH or /usr/bin/chromium).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdminUpdateUserAttributesCommand } from '@aws-sdk/client-cognito-identity-provider';
import { CHROMIUM_PATH, suiteTitle, uncaughtPageErrors } from './helpers/browser.js';
import { startPageFixture, type PageFixture } from './helpers/fixture.js';
import { TEST_TIMEOUT } from './helpers/steps.js';

interface NextStep {
  isSignedIn: boolean;
  nextStep: { signInStep?: string; signUpStep?: string; availableChallenges?: string[]; codeDeliveryDetails?: Record<string, string> };
}

describe.skipIf(!CHROMIUM_PATH).each(['sqlite', 'postgres'] as const)(
  suiteTitle('aws-amplify v6 passwordless in Chromium against Latchkey on %s'),
  (dialect) => {
    let f: PageFixture;
    const newest = async (destination: string) => {
      const m = (await f.server.services.store.listOutbox(f.pool.userPoolId, 50)).find((x) => x.destination === destination);
      if (!m?.code) throw new Error(`no code in the outbox for ${destination}`);
      return m.code;
    };

    beforeAll(async () => {
      f = await startPageFixture({
        entry: 'amplify-otp.ts',
        title: 'aws-amplify otp e2e',
        factors: ['PASSWORD', 'EMAIL_OTP', 'SMS_OTP', 'WEB_AUTHN'],
      });
      // The fixture's user also gets a verified phone, for SMS_OTP.
      await f.server.admin.send(
        new AdminUpdateUserAttributesCommand({
          UserPoolId: f.pool.userPoolId,
          Username: f.username,
          UserAttributes: [
            { Name: 'phone_number', Value: '+15555550142' },
            { Name: 'phone_number_verified', Value: 'true' },
          ],
        }),
      );
    }, TEST_TIMEOUT);
    afterAll(async () => {
      await f?.close();
    });

    it(
      'signUp without a password → confirmSignUp → autoSignIn → associateWebAuthnCredential, all in the page',
      async () => {
        const up = await f.ok<NextStep>('signUpPasswordless', 'newbie', 'newbie@example.com');
        expect(up.nextStep.signUpStep).toBe('CONFIRM_SIGN_UP');
        const confirmed = await f.ok<NextStep>('confirmSignUp', 'newbie', await newest('newbie@example.com'));
        expect(confirmed.nextStep.signUpStep).toBe('COMPLETE_AUTO_SIGN_IN');
        const signedIn = await f.ok<NextStep>('autoSignIn');
        expect(signedIn).toMatchObject({ isSignedIn: true, nextStep: { signInStep: 'DONE' } });
        expect(await f.ok<{ username: string }>('currentUser')).toMatchObject({ username: 'newbie' });
        const authenticatorId = await f.authenticators.switchTo();
        expect(await f.ok('register')).toBeNull();
        expect(await f.authenticators.credentials(authenticatorId)).toHaveLength(1);
        await f.ok('signOut');
      },
      TEST_TIMEOUT,
    );

    it(
      'no preference → first-factor selection → EMAIL_OTP → a wrong code, then the right one on the same sign-in',
      async () => {
        await f.call('signOut'); // whatever an earlier step left behind
        const start = await f.ok<NextStep>('signInUserAuth', f.username);
        expect(start.nextStep.signInStep).toBe('CONTINUE_SIGN_IN_WITH_FIRST_FACTOR_SELECTION');
        // A verified email and phone: both codes are offered; no passkey yet, so no WEB_AUTHN.
        expect(start.nextStep.availableChallenges).toEqual(['PASSWORD', 'PASSWORD_SRP', 'EMAIL_OTP', 'SMS_OTP']);
        const picked = await f.ok<NextStep>('confirmSignIn', 'EMAIL_OTP');
        expect(picked.nextStep).toMatchObject({
          signInStep: 'CONFIRM_SIGN_IN_WITH_EMAIL_CODE',
          codeDeliveryDetails: { deliveryMedium: 'EMAIL', destination: expect.stringMatching(/^p\*+@e\*+/) },
        });
        const code = await newest(`${f.username}@example.com`);
        const wrong = await f.call('confirmSignIn', code === '00000000' ? '11111111' : '00000000');
        expect(wrong).toMatchObject({ ok: false, name: 'CodeMismatchException' });
        expect(await f.ok<NextStep>('confirmSignIn', code)).toMatchObject({ isSignedIn: true, nextStep: { signInStep: 'DONE' } });
        await f.ok('signOut');
      },
      TEST_TIMEOUT,
    );

    it(
      'preferredChallenge SMS_OTP → CONFIRM_SIGN_IN_WITH_SMS_CODE → the code from the outbox → signed in',
      async () => {
        await f.call('signOut');
        const start = await f.ok<NextStep>('signInUserAuth', f.username, 'SMS_OTP');
        expect(start.nextStep).toMatchObject({
          signInStep: 'CONFIRM_SIGN_IN_WITH_SMS_CODE',
          codeDeliveryDetails: { deliveryMedium: 'SMS' },
        });
        expect(await f.ok<NextStep>('confirmSignIn', await newest('+15555550142'))).toMatchObject({ isSignedIn: true });
        await f.ok('signOut');
      },
      TEST_TIMEOUT,
    );

    it(
      'the passkey registered after autoSignIn signs the new user in',
      async () => {
        await f.call('signOut');
        const r = await f.ok<NextStep>('signInUserAuth', 'newbie', 'WEB_AUTHN');
        expect(r).toMatchObject({ isSignedIn: true, nextStep: { signInStep: 'DONE' } });
        expect(await f.ok<{ username: string }>('currentUser')).toMatchObject({ username: 'newbie' });
        await f.ok('signOut');
      },
      TEST_TIMEOUT,
    );

    it('raised no uncaught errors in the page', () => {
      expect(uncaughtPageErrors(f.errors)).toEqual([]);
    });
  },
);

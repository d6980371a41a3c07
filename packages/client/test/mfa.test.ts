/**
 * @latchkey/auth against the real Latchkey server (SQLite), MFA: setUpTOTP → verifyTOTPSetup →
 * updateMFAPreference → fetchMFAPreference, then sign-ins answering CONFIRM_SIGN_IN_WITH_TOTP_CODE,
 * CONTINUE_SIGN_IN_WITH_MFA_SELECTION, CONFIRM_SIGN_IN_WITH_SMS_CODE / _EMAIL_CODE and
 * CONTINUE_SIGN_IN_WITH_TOTP_SETUP. Each scenario runs through @latchkey/auth and the real aws-amplify v6
 * (a user of its own for each), and the outputs must be equal. TOTP codes come from the server tests' own
 * RFC 6238 (not the server's module).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  AdminCreateUserCommand,
  AdminSetUserPasswordCommand,
  SetUserPoolMfaConfigCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import * as latchkey from '@latchkey/auth';
import { startTestServer, type TestServer } from '../../server/test/helpers/harness.js';
import { createTestPool, type TestPool } from '../../server/test/helpers/pool.js';
import { outboxCode } from '../../server/test/helpers/latchkeyAdmin.js';
import { totp } from '../../server/test/helpers/totp.js';

type AuthApi = Pick<
  typeof latchkey,
  'signIn' | 'confirmSignIn' | 'signOut' | 'setUpTOTP' | 'verifyTOTPSetup' | 'updateMFAPreference' | 'fetchMFAPreference'
>;

let server: TestServer;
let optional: TestPool;
let required: TestPool;
let amplify: AuthApi;
let Amplify: { configure(c: unknown): void };
let n = 0;
const PASSWORD = 'Passw0rdX';
const now = () => server.clock.now();
const libraries = (): [string, AuthApi][] => [
  ['@latchkey/auth', latchkey],
  ['aws-amplify', amplify],
];

function configure(pool: TestPool) {
  const config = {
    Auth: { Cognito: { userPoolId: pool.userPoolId, userPoolClientId: pool.clientId, userPoolEndpoint: server.endpoint + '/' } },
  };
  Amplify.configure(config);
  latchkey.configure(config, { storage: latchkey.createMemoryStorage(), retry: { baseDelayMs: 1, jitterMs: 1 } });
}

async function mfaPool(mode: 'ON' | 'OPTIONAL', sms: boolean) {
  const pool = await createTestPool(server.admin);
  await server.admin.send(
    new SetUserPoolMfaConfigCommand({
      UserPoolId: pool.userPoolId,
      MfaConfiguration: mode,
      SoftwareTokenMfaConfiguration: { Enabled: true },
      ...(sms ? { SmsMfaConfiguration: { SmsAuthenticationMessage: 'Code {####}' }, EmailMfaConfiguration: {} } : {}),
    }),
  );
  return pool;
}

async function createUser(pool: TestPool, phone?: string) {
  const username = `mfa-client-${++n}`;
  await server.admin.send(
    new AdminCreateUserCommand({
      UserPoolId: pool.userPoolId,
      Username: username,
      MessageAction: 'SUPPRESS',
      UserAttributes: [{ Name: 'email', Value: `${username}@example.com` }, ...(phone ? [{ Name: 'phone_number', Value: phone }] : [])],
    }),
  );
  await server.admin.send(
    new AdminSetUserPasswordCommand({ UserPoolId: pool.userPoolId, Username: username, Password: PASSWORD, Permanent: true }),
  );
  return username;
}

/** Runs `scenario` with each library in turn (signing out after) and expects the same outputs. */
async function both<T>(scenario: (lib: AuthApi, name: string) => Promise<T>): Promise<T> {
  const outputs: T[] = [];
  for (const [name, lib] of libraries()) {
    outputs.push(await scenario(lib, name));
    await lib.signOut();
  }
  expect(outputs[0], 'the same outputs as aws-amplify').toEqual(outputs[1]);
  return outputs[0]!;
}

const strip = (r: { isSignedIn: boolean; nextStep: Record<string, unknown> }) => {
  const { totpSetupDetails, ...nextStep } = r.nextStep as { totpSetupDetails?: unknown };
  return { isSignedIn: r.isSignedIn, nextStep: { ...nextStep, ...(totpSetupDetails ? { totpSetupDetails: 'present' } : {}) } };
};
const errorOf = async (p: Promise<unknown>) =>
  p.then(
    () => 'no error',
    (e: { name: string; message: string }) => `${e.name}: ${e.message}`,
  );

beforeAll(async () => {
  ({ Amplify } = (await import('aws-amplify')) as never);
  amplify = await import('aws-amplify/auth');
  server = await startTestServer('sqlite');
  optional = await mfaPool('OPTIONAL', true);
  required = await mfaPool('ON', false);
});
afterEach(async () => {
  server.clock.offset = 0;
  for (const [, lib] of libraries()) await lib.signOut().catch(() => undefined);
});
afterAll(async () => {
  await server?.stop();
});

describe('MFA (same outputs as aws-amplify)', () => {
  it('TOTP enrolment and sign-in with CONFIRM_SIGN_IN_WITH_TOTP_CODE, errors included', async () => {
    configure(optional);
    await both(async (lib) => {
      const username = await createUser(optional);
      const out: unknown[] = [];
      await lib.signIn({ username, password: PASSWORD });
      out.push(await lib.fetchMFAPreference());
      out.push(await errorOf(lib.verifyTOTPSetup({ code: '' })));
      out.push(await errorOf(lib.updateMFAPreference({ totp: 'PREFERRED' })));
      const details = await lib.setUpTOTP();
      out.push(details.sharedSecret.length, details.getSetupUri('App').toString().replace(details.sharedSecret, 'S'));
      out.push(await errorOf(lib.verifyTOTPSetup({ code: totp(details.sharedSecret, now(), 4) })));
      await lib.verifyTOTPSetup({ code: totp(details.sharedSecret, now()) });
      await lib.updateMFAPreference({ totp: 'PREFERRED' });
      out.push(await lib.fetchMFAPreference());
      await lib.signOut();
      out.push(strip(await lib.signIn({ username, password: PASSWORD })));
      out.push(await errorOf(lib.confirmSignIn({ challengeResponse: totp(details.sharedSecret, now(), 3) })));
      out.push(strip(await lib.confirmSignIn({ challengeResponse: totp(details.sharedSecret, now(), 1) })));
      return JSON.parse(JSON.stringify(out).replaceAll(username, 'USER'));
    });
  });

  it('MFA selection, SMS and email codes', async () => {
    configure(optional);
    await both(async (lib) => {
      const phone = `+1555987${String(1000 + n).slice(-4)}`;
      const username = await createUser(optional, phone);
      const out: unknown[] = [];
      await lib.signIn({ username, password: PASSWORD, options: { authFlowType: 'USER_PASSWORD_AUTH' } });
      await lib.updateMFAPreference({ sms: 'ENABLED', email: 'ENABLED' });
      out.push(await lib.fetchMFAPreference());
      await lib.signOut();
      out.push(strip(await lib.signIn({ username, password: PASSWORD, options: { authFlowType: 'USER_PASSWORD_AUTH' } })));
      out.push(await errorOf(lib.confirmSignIn({ challengeResponse: 'VOICE' })));
      const sms = await lib.confirmSignIn({ challengeResponse: 'SMS' });
      out.push((sms.nextStep as { signInStep: string }).signInStep);
      out.push(strip(await lib.confirmSignIn({ challengeResponse: await outboxCode(server, optional.userPoolId, phone) })));
      await lib.signOut();
      await lib.signIn({ username, password: PASSWORD, options: { authFlowType: 'USER_PASSWORD_AUTH' } });
      out.push(strip(await lib.confirmSignIn({ challengeResponse: 'EMAIL' })));
      out.push(
        strip(await lib.confirmSignIn({ challengeResponse: await outboxCode(server, optional.userPoolId, `${username}@example.com`) })),
      );
      return JSON.parse(
        JSON.stringify(out)
          .replaceAll(username, 'USER')
          .replace(/\+\*+\d{4}/g, 'PHONE'),
      );
    });
  });

  it('MFA required: CONTINUE_SIGN_IN_WITH_TOTP_SETUP through confirmSignIn', async () => {
    configure(required);
    await both(async (lib) => {
      const username = await createUser(required);
      const r = await lib.signIn({ username, password: PASSWORD });
      const secret = (r.nextStep as { totpSetupDetails: { sharedSecret: string } }).totpSetupDetails.sharedSecret;
      return [strip(r), strip(await lib.confirmSignIn({ challengeResponse: totp(secret, now()) })), await lib.fetchMFAPreference()];
    });
  });
});

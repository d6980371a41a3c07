/**
 * Passkeys when the pool requires MFA, on SQLite and PostgreSQL, with the real aws-amplify and a virtual
 * authenticator: SINGLE_FACTOR passkeys are no first factor then (not offered by USER_AUTH); with
 * FactorConfiguration MULTI_FACTOR_WITH_USER_VERIFICATION the passkey sign-in asks for user verification
 * and, verified, satisfies MFA (tokens, no MFA challenge) for a user who enabled passkey MFA
 * (WebAuthnMfaSettings); anyone else's passkey sign-in is refused.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VirtualAuthenticator, installVirtualAuthenticator } from '@latchkey/virtual-authenticator';
import { AdminSetUserMFAPreferenceCommand, SetUserPoolMfaConfigCommand } from '@aws-sdk/client-cognito-identity-provider';
import { DIALECTS, startTestServer, type TestServer } from './helpers/harness.js';
import { createTestPool, type TestPool } from './helpers/pool.js';
import { adminCreateConfirmedUser } from './helpers/latchkeyAdmin.js';

describe.each(DIALECTS)('passkeys under required MFA on %s', (dialect) => {
  let server: TestServer;
  let pool: TestPool;
  let uninstall: () => void;
  let auth: typeof import('aws-amplify/auth');
  const username = `pk-mfa-${dialect}`;
  const password = 'Passw0rdX';
  const mfaConfig = (factor: 'SINGLE_FACTOR' | 'MULTI_FACTOR_WITH_USER_VERIFICATION') =>
    server.admin.send(
      new SetUserPoolMfaConfigCommand({
        UserPoolId: pool.userPoolId,
        MfaConfiguration: 'ON',
        SoftwareTokenMfaConfiguration: { Enabled: true },
        EmailMfaConfiguration: { Message: 'Your code is {####}', Subject: 'Code' },
        WebAuthnConfiguration: { RelyingPartyId: 'localhost', UserVerification: 'preferred', FactorConfiguration: factor },
      }),
    );
  const initiate = () =>
    server.call('InitiateAuth', {
      ClientId: pool.clientId,
      AuthFlow: 'USER_AUTH',
      AuthParameters: { USERNAME: username, PREFERRED_CHALLENGE: 'WEB_AUTHN' },
    });

  beforeAll(async () => {
    uninstall = installVirtualAuthenticator(new VirtualAuthenticator(), { origin: 'http://localhost:3000' });
    const { Amplify } = await import('aws-amplify');
    auth = await import('aws-amplify/auth');
    server = await startTestServer(dialect);
    pool = await createTestPool(server.admin, { userVerification: 'preferred' });
    Amplify.configure({
      Auth: { Cognito: { userPoolId: pool.userPoolId, userPoolClientId: pool.clientId, userPoolEndpoint: server.endpoint + '/' } },
    });
    await adminCreateConfirmedUser(server.admin, pool.userPoolId, username, password);
    // The passkey is added while the pool has no MFA.
    await auth.signIn({ username, password });
    await auth.associateWebAuthnCredential();
    await auth.signOut();
  });
  afterAll(async () => {
    uninstall?.();
    await server.stop();
  });

  it('SINGLE_FACTOR: WEB_AUTHN is not offered while MFA is ON', async () => {
    expect((await initiate()).json.ChallengeName).toBe('WEB_AUTHN');
    await mfaConfig('SINGLE_FACTOR');
    const r = await initiate();
    expect(r.json.ChallengeName).toBe('SELECT_CHALLENGE');
    expect(r.json.AvailableChallenges).not.toContain('WEB_AUTHN');
  });

  it('MULTI_FACTOR_WITH_USER_VERIFICATION: UV required; the passkey satisfies MFA for a user with passkey MFA', async () => {
    await mfaConfig('MULTI_FACTOR_WITH_USER_VERIFICATION');
    const r = await initiate();
    expect(r.json.ChallengeName).toBe('WEB_AUTHN');
    expect(JSON.parse(r.json.ChallengeParameters.CREDENTIAL_REQUEST_OPTIONS).userVerification).toBe('required');
    const passkeySignIn = () => auth.signIn({ username, options: { authFlowType: 'USER_AUTH', preferredChallenge: 'WEB_AUTHN' } });
    // WebAuthnMfaSettings off (the default): "passkey sign-in is available when MFA is required" only with it on.
    await expect(passkeySignIn()).rejects.toMatchObject({ name: 'NotAuthorizedException' });
    await server.admin.send(
      new AdminSetUserMFAPreferenceCommand({
        UserPoolId: pool.userPoolId,
        Username: username,
        EmailMfaSettings: { Enabled: true },
        WebAuthnMfaSettings: { Enabled: true },
      }),
    );
    expect(await passkeySignIn()).toMatchObject({ isSignedIn: true, nextStep: { signInStep: 'DONE' } });
    await auth.signOut();
    // A password sign-in still needs MFA (here: the email code).
    const pw = await auth.signIn({ username, password });
    expect(pw.nextStep.signInStep).toBe('CONFIRM_SIGN_IN_WITH_EMAIL_CODE');
  });
});

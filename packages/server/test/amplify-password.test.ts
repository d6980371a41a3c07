import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Amplify } from 'aws-amplify';
import { signUp, confirmSignUp, signIn, signOut, getCurrentUser, fetchAuthSession } from 'aws-amplify/auth';
import { JwtRsaVerifier } from 'aws-jwt-verify';
import { DIALECTS, startTestServer, type TestServer } from './helpers/harness.js';
import { createTestPool, type TestPool } from './helpers/pool.js';

// The real, unmodified aws-amplify v6 against a live server: the demonstrable, on both dialects.
describe.each(DIALECTS)('aws-amplify password flows on %s', (dialect) => {
  let server: TestServer;
  let pool: TestPool;

  beforeAll(async () => {
    server = await startTestServer(dialect);
    pool = await createTestPool(server.admin);
    Amplify.configure({
      Auth: { Cognito: { userPoolId: pool.userPoolId, userPoolClientId: pool.clientId, userPoolEndpoint: server.endpoint + '/' } },
    });
  });
  afterAll(async () => {
    await signOut().catch(() => undefined);
    await server.stop();
  });

  it('signUp → confirmSignUp (outbox code) → USER_PASSWORD_AUTH → getCurrentUser → refresh → signOut → SRP → global signOut', async () => {
    const username = `alice${dialect}`;
    const up = await signUp({ username, password: 'Passw0rdX', options: { userAttributes: { email: `${username}@example.com` } } });
    expect(up.isSignUpComplete).toBe(false);
    expect(up.nextStep.signUpStep).toBe('CONFIRM_SIGN_UP');
    const [message] = await server.services.store.listOutbox(pool.userPoolId, 1);
    expect(message!.destination).toBe(`${username}@example.com`);
    const confirmed = await confirmSignUp({ username, confirmationCode: message!.code! });
    expect(confirmed.isSignUpComplete).toBe(true);

    const r = await signIn({ username, password: 'Passw0rdX', options: { authFlowType: 'USER_PASSWORD_AUTH' } });
    expect(r).toMatchObject({ isSignedIn: true, nextStep: { signInStep: 'DONE' } });
    const me = await getCurrentUser();
    expect(me.username).toBe(username);
    const first = await fetchAuthSession();
    const refreshed = await fetchAuthSession({ forceRefresh: true });
    expect(refreshed.tokens!.accessToken.toString()).not.toBe(first.tokens!.accessToken.toString());
    expect(refreshed.userSub).toBe(me.userId);

    // A resource server verifies the tokens against the published JWKS.
    const verifier = JwtRsaVerifier.create({
      issuer: `${server.endpoint}/${pool.userPoolId}`,
      audience: null,
      jwksUri: `${server.endpoint}/${pool.userPoolId}/.well-known/jwks.json`,
    });
    // aws-jwt-verify only fetches over https; hand it the JWKS the server publishes over loopback http.
    const jwks = await (await fetch(`${server.endpoint}/${pool.userPoolId}/.well-known/jwks.json`)).json();
    verifier.cacheJwks(jwks);
    const claims = await verifier.verify(refreshed.tokens!.accessToken.toString(), {
      tokenUse: 'access',
      clientId: pool.clientId,
    } as never);
    expect(claims.sub).toBe(me.userId);
    const idVerifier = JwtRsaVerifier.create({
      issuer: `${server.endpoint}/${pool.userPoolId}`,
      audience: pool.clientId,
      jwksUri: `${server.endpoint}/${pool.userPoolId}/.well-known/jwks.json`,
      tokenUse: 'id',
    });
    idVerifier.cacheJwks(jwks);
    const idClaims = await idVerifier.verify(refreshed.tokens!.idToken!.toString());
    expect(idClaims['cognito:username']).toBe(username);
    expect(idClaims.email).toBe(`${username}@example.com`);

    const oldAccess = refreshed.tokens!.accessToken.toString();
    await signOut();
    // RevokeToken revoked the whole sign-in: the old access token no longer works.
    const revoked = await server.call('GetUser', { AccessToken: oldAccess });
    expect(revoked.json.__type).toBe('NotAuthorizedException');

    const srp = await signIn({ username, password: 'Passw0rdX' });
    expect(srp.isSignedIn).toBe(true);
    expect((await getCurrentUser()).username).toBe(username);
    const beforeGlobal = (await fetchAuthSession()).tokens!.accessToken.toString();
    await signOut({ global: true });
    const after = await server.call('GetUser', { AccessToken: beforeGlobal });
    expect(after.json.__type).toBe('NotAuthorizedException');
  });
});

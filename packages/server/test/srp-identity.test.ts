/**
 * USER_ID_FOR_SRP and USERNAME (issue 17 item 7): one value, the SRP identity the stored verifier was made
 * with — the username in a plain username pool, the internal id where users sign in with an email — the same
 * in the SRP challenge, NEW_PASSWORD_REQUIRED and the device challenges; and verifiers made before migration
 * 0007 (identity: the id, srp_identity null) keep working, and are re-made with the pool's identity (same salt)
 * at the next password sign-in or change.
 */
import { describe, expect, it } from 'vitest';
import {
  AdminCreateUserCommand,
  ChangePasswordCommand,
  InitiateAuthCommand,
  RespondToAuthChallengeCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { DIALECTS, useServerWithPool, type TestServer } from './helpers/harness.js';
import { createTestPool, type TestPool } from './helpers/pool.js';
import { accessToken, answerPasswordVerifier, createUser, initiatePasswordAuth, PASSWORD } from './helpers/latchkeyAdmin.js';
import { createSrpClientSession } from '../../client/src/internal/srp.js';
import { createVerifier } from '../src/security/srp.js';

describe.each(DIALECTS)('SRP identity on %s', (dialect) => {
  let srv: TestServer;
  let pool: TestPool;
  useServerWithPool(dialect, {}, (s, p) => {
    srv = s;
    pool = p;
  });

  const challenge = async (username: string, p = pool) => {
    const srp = createSrpClientSession();
    const out = await srv.client.send(
      new InitiateAuthCommand({ ClientId: p.clientId, AuthFlow: 'USER_SRP_AUTH', AuthParameters: { USERNAME: username, SRP_A: srp.srpA } }),
    );
    return { srp, out };
  };

  it('a verifier made before migration 0007 (identity: the id) signs in; a password sign-in re-makes it with the username', async () => {
    const user = await createUser(srv, pool, 'legacy');
    const poolName = pool.userPoolId.split('_')[1]!;
    const old = createVerifier(poolName, user.sub, PASSWORD);
    await srv.services.store.updateUser(
      pool.userPoolId,
      user.sub,
      { srpSalt: old.saltHex, srpVerifier: old.verifierHex, srpIdentity: null },
      Date.now(),
    );
    const { srp, out } = await challenge(user.username);
    expect(out.ChallengeParameters?.USER_ID_FOR_SRP).toBe(user.sub);
    expect(out.ChallengeParameters?.USERNAME).toBe(user.sub);
    expect((await answerPasswordVerifier(srv, pool, pool.clientId, out, srp, PASSWORD)).AuthenticationResult?.AccessToken).toBeTruthy();
    // SRP never reveals the password, so the verifier stays as it is …
    expect((await challenge(user.username)).out.ChallengeParameters?.USER_ID_FOR_SRP).toBe(user.sub);
    // … until a password sign-in re-makes it with the username as identity, with the same salt.
    expect((await initiatePasswordAuth(srv.client, pool.clientId, user.username)).AuthenticationResult?.AccessToken).toBeTruthy();
    const upgraded = await challenge(user.username);
    expect(upgraded.out.ChallengeParameters?.USER_ID_FOR_SRP).toBe(user.username.toLowerCase());
    expect(upgraded.out.ChallengeParameters?.SALT).toBe(out.ChallengeParameters?.SALT);
    expect((await srv.services.store.getUser(pool.userPoolId, user.sub))?.srpIdentity).toBe(user.username.toLowerCase());
    const upgradedTokens = await answerPasswordVerifier(srv, pool, pool.clientId, upgraded.out, upgraded.srp, PASSWORD);
    expect(upgradedTokens.AuthenticationResult?.AccessToken).toBeTruthy();
    expect((await initiatePasswordAuth(srv.client, pool.clientId, user.username)).AuthenticationResult?.AccessToken).toBeTruthy();
    // A new password gets the new identity: the username.
    const token = await accessToken(srv, pool.clientId, user);
    await srv.client.send(new ChangePasswordCommand({ AccessToken: token, PreviousPassword: PASSWORD, ProposedPassword: 'Passw0rdY' }));
    const after = await challenge(user.username);
    expect(after.out.ChallengeParameters?.USER_ID_FOR_SRP).toBe(user.username.toLowerCase());
    expect((await answerPasswordVerifier(srv, pool, pool.clientId, after.out, after.srp, 'Passw0rdY')).AuthenticationResult).toBeTruthy();
  });

  it('NEW_PASSWORD_REQUIRED carries the identity the next SRP challenge carries (username pool and email pool)', async () => {
    const emailPool = await createTestPool(srv.admin, { usernameAttributes: ['email'] });
    for (const [p, name] of [
      [pool, `Np-${process.pid}-${Date.now()}`],
      [emailPool, `np-${process.pid}-${Date.now()}@example.com`],
    ] as const) {
      await srv.admin.send(
        new AdminCreateUserCommand({
          UserPoolId: p.userPoolId,
          Username: name,
          TemporaryPassword: 'Temp0rary!',
          MessageAction: 'SUPPRESS',
          UserAttributes: [{ Name: 'email', Value: name.includes('@') ? name : `${name}@example.com` }],
        }),
      );
      const { srp, out } = await challenge(name, p);
      const step = await answerPasswordVerifier(srv, p, p.clientId, out, srp, 'Temp0rary!');
      expect(step.ChallengeName).toBe('NEW_PASSWORD_REQUIRED');
      const idForSrp = step.ChallengeParameters?.USER_ID_FOR_SRP;
      expect(idForSrp).toBe(out.ChallengeParameters?.USER_ID_FOR_SRP);
      await srv.client.send(
        new RespondToAuthChallengeCommand({
          ClientId: p.clientId,
          ChallengeName: 'NEW_PASSWORD_REQUIRED',
          Session: step.Session!,
          ChallengeResponses: { USERNAME: idForSrp!, NEW_PASSWORD: 'Passw0rdZ' },
        }),
      );
      const next = await challenge(name, p);
      expect(next.out.ChallengeParameters?.USER_ID_FOR_SRP).toBe(idForSrp);
      expect(next.out.ChallengeParameters?.USERNAME).toBe(idForSrp);
      if (p === pool) expect(idForSrp).toBe(name.toLowerCase());
      expect((await answerPasswordVerifier(srv, p, p.clientId, next.out, next.srp, 'Passw0rdZ')).AuthenticationResult).toBeTruthy();
    }
  });
});

/**
 * Triggers, part 2: pre token generation V1_0 (legacy PreTokenGeneration and PreTokenGenerationConfig) and V2_0 (id and
 * access claims, scopes, group override) seen by aws-jwt-verify; Cognito's fixed claims stay; refresh sends
 * TokenGeneration_RefreshTokens; NEW_PASSWORD_REQUIRED sends TokenGeneration_NewPasswordChallenge; a failing trigger issues
 * nothing (no token family written). Real AWS SDK against a real loopback receiver, SQLite and PostgreSQL.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  AdminCreateUserCommand,
  GetUserCommand,
  InitiateAuthCommand,
  RespondToAuthChallengeCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { decodeJwt } from 'jose';
import { JwtVerifier } from 'aws-jwt-verify';
import { DIALECTS } from './helpers/harness.js';
import { expectServiceError } from './helpers/errors.js';
import { PASSWORD, adminCreateConfirmedUser, initiatePasswordAuth } from './helpers/latchkeyAdmin.js';
import { startTriggerRig, type TriggerRig } from './helpers/triggerReceiver.js';

describe.each(DIALECTS)('triggers: pre token generation on %s', (dialect) => {
  let rig: TriggerRig;
  let n = 0;
  const uniq = (p: string) => `${p}${++n}${dialect}`;

  beforeAll(async () => {
    rig = await startTriggerRig(dialect);
  });
  afterAll(async () => {
    await rig?.stop();
  });

  async function verifiers() {
    const issuer = `${rig.server.endpoint}/${rig.pool.userPoolId}`;
    const jwksUri = `${issuer}/.well-known/jwks.json`;
    // aws-jwt-verify fetches only over https: hand it the JWKS the server publishes over loopback http.
    const jwks = await (await fetch(jwksUri)).json();
    const access = JwtVerifier.create({ issuer, audience: null, jwksUri });
    access.cacheJwks(jwks as never);
    const id = JwtVerifier.create({ issuer, audience: rig.pool.clientId, jwksUri, tokenUse: 'id' } as never);
    id.cacheJwks(jwks as never);
    return {
      access: (t: string) => access.verify(t, { tokenUse: 'access', clientId: rig.pool.clientId } as never) as Promise<Record<string, any>>,
      id: (t: string) => id.verify(t as never) as Promise<Record<string, any>>,
    };
  }

  const user = async () => {
    const name = uniq('u');
    await adminCreateConfirmedUser(rig.server.admin, rig.pool.userPoolId, name);
    return name;
  };

  it('V2_0: claims in both tokens (complex too), email suppressed, a scope added, groups overridden; fixed claims stay', async () => {
    const url = rig.receiver.lambda('/ptg-v2', (e) => {
      e.response.claimsAndScopeOverrideDetails = {
        idTokenGeneration: {
          claimsToAddOrOverride: { tenant: 'acme', sub: 'forged', prefs: { theme: 'dark' } },
          claimsToSuppress: ['email'],
        },
        accessTokenGeneration: {
          claimsToAddOrOverride: { tenant: 'acme', client_id: 'forged', plan: ['gold', 'beta'] },
          claimsToSuppress: ['username'],
          scopesToAdd: ['payments/read'],
        },
        groupOverrideDetails: { groupsToOverride: ['admins', 'staff'], iamRolesToOverride: [], preferredRole: null },
      };
      return e;
    });
    await rig.setTriggers({ PreTokenGenerationConfig: { LambdaArn: url, LambdaVersion: 'V2_0' } });
    const name = await user();
    const t = (await initiatePasswordAuth(rig.server.client, rig.pool.clientId, name, PASSWORD)).AuthenticationResult!;
    const v = await verifiers();
    const access = await v.access(t.AccessToken!);
    expect(access.tenant).toBe('acme');
    expect(access.plan).toEqual(['gold', 'beta']);
    expect(access.client_id).toBe(rig.pool.clientId);
    expect(access.username).toBe(name); // a fixed claim: the suppression is ignored
    expect(access.scope.split(' ').sort()).toEqual(['aws.cognito.signin.user.admin', 'payments/read']);
    expect(access['cognito:groups']).toEqual(['admins', 'staff']);
    const id = await v.id(t.IdToken!);
    expect(id.tenant).toBe('acme');
    expect(id.prefs).toEqual({ theme: 'dark' });
    expect(id.email).toBeUndefined();
    expect(id.sub).toBe(access.sub);
    expect(id.sub).not.toBe('forged');
    expect(id['cognito:groups']).toEqual(['admins', 'staff']);
    // The customised access token still works for the user's own operations.
    expect((await rig.server.client.send(new GetUserCommand({ AccessToken: t.AccessToken }))).Username).toBe(name);

    const event = rig.receiver.events['/ptg-v2']!.at(-1);
    expect(event).toMatchObject({
      version: '2',
      triggerSource: 'TokenGeneration_Authentication',
      region: rig.server.services.config.region,
      userPoolId: rig.pool.userPoolId,
      userName: name,
      callerContext: { awsSdkVersion: 'aws-sdk-unknown-unknown', clientId: rig.pool.clientId },
      request: {
        userAttributes: { sub: access.sub, email: `${name}@example.com`, 'cognito:user_status': 'CONFIRMED' },
        scopes: ['aws.cognito.signin.user.admin'],
        groupConfiguration: { groupsToOverride: [], iamRolesToOverride: [], preferredRole: null },
        clientMetadata: {},
      },
      response: { claimsAndScopeOverrideDetails: null },
    });

    const r = await rig.server.client.send(
      new InitiateAuthCommand({
        ClientId: rig.pool.clientId,
        AuthFlow: 'REFRESH_TOKEN_AUTH',
        AuthParameters: { REFRESH_TOKEN: t.RefreshToken! },
      }),
    );
    expect((await v.access(r.AuthenticationResult!.AccessToken!)).tenant).toBe('acme');
    expect(rig.receiver.events['/ptg-v2']!.at(-1).triggerSource).toBe('TokenGeneration_RefreshTokens');
  });

  it('V1_0 (legacy PreTokenGeneration): id token claims only, string values; the access token is untouched', async () => {
    const url = rig.receiver.lambda('/ptg-v1', (e) => {
      e.response.claimsOverrideDetails = { claimsToAddOrOverride: { tier: 'pro', email: 'shown@example.com' }, claimsToSuppress: ['tier'] };
      return e;
    });
    await rig.setTriggers({ PreTokenGeneration: url });
    const name = await user();
    const t = (await initiatePasswordAuth(rig.server.client, rig.pool.clientId, name, PASSWORD)).AuthenticationResult!;
    const v = await verifiers();
    const id = await v.id(t.IdToken!);
    expect(id.email).toBe('shown@example.com');
    expect(id.tier).toBeUndefined(); // suppressed and added: suppressed
    const access = await v.access(t.AccessToken!);
    expect(access.email).toBeUndefined();
    expect(access.scope).toBe('aws.cognito.signin.user.admin');
    const event = rig.receiver.events['/ptg-v1']!.at(-1);
    expect(event.version).toBe('1');
    expect(event.request.scopes).toBeUndefined();
    expect(event.response).toEqual({ claimsOverrideDetails: null });
  });

  it('V1_0 with a non-string claim value: InvalidLambdaResponseException, and no sign-in is written', async () => {
    const url = rig.receiver.lambda('/ptg-v1-bad', (e) => {
      e.response.claimsOverrideDetails = { claimsToAddOrOverride: { n: 1 } };
      return e;
    });
    await rig.setTriggers({ PreTokenGenerationConfig: { LambdaArn: url, LambdaVersion: 'V1_0' } });
    const name = await user();
    const finish = vi.spyOn(rig.server.services.store, 'finishSignIn');
    try {
      await expectServiceError(
        initiatePasswordAuth(rig.server.client, rig.pool.clientId, name, PASSWORD),
        'InvalidLambdaResponseException',
        /^Unrecognizable lambda output$/,
      );
      expect(finish).not.toHaveBeenCalled();
    } finally {
      finish.mockRestore();
    }
  });

  it('a refusing, timing-out or failing (500) trigger: Cognito errors, no token family written', async () => {
    const name = await user();
    const finish = vi.spyOn(rig.server.services.store, 'finishSignIn');
    try {
      for (const [url, type, message] of [
        [
          rig.receiver.lambda('/ptg-refuse', () => {
            throw new Error('no tokens today');
          }),
          'UserLambdaValidationException',
          /^PreTokenGeneration failed with error no tokens today\.$/,
        ],
        [rig.receiver.route('/ptg-hang', { hang: true }), 'UnexpectedLambdaException', /^PreTokenGeneration invocation failed/],
        [rig.receiver.route('/ptg-500', { status: 500, body: 'oops' }), 'UnexpectedLambdaException', /HTTP 500/],
      ] as const) {
        await rig.setTriggers({ PreTokenGenerationConfig: { LambdaArn: url, LambdaVersion: 'V2_0' } });
        await expectServiceError(initiatePasswordAuth(rig.server.client, rig.pool.clientId, name, PASSWORD), type, message);
      }
      expect(finish).not.toHaveBeenCalled();
    } finally {
      finish.mockRestore();
    }
  });

  it('NEW_PASSWORD_REQUIRED completion sends TokenGeneration_NewPasswordChallenge', async () => {
    await rig.setTriggers({ PreTokenGenerationConfig: { LambdaArn: rig.receiver.lambda('/ptg-np', (e) => e), LambdaVersion: 'V2_0' } });
    const name = uniq('np');
    await rig.server.admin.send(
      new AdminCreateUserCommand({
        UserPoolId: rig.pool.userPoolId,
        Username: name,
        TemporaryPassword: 'Temp0raryX',
        MessageAction: 'SUPPRESS',
      }),
    );
    const start = await initiatePasswordAuth(rig.server.client, rig.pool.clientId, name, 'Temp0raryX');
    expect(start.ChallengeName).toBe('NEW_PASSWORD_REQUIRED');
    const done = await rig.server.client.send(
      new RespondToAuthChallengeCommand({
        ClientId: rig.pool.clientId,
        ChallengeName: 'NEW_PASSWORD_REQUIRED',
        Session: start.Session,
        ChallengeResponses: { USERNAME: name, NEW_PASSWORD: PASSWORD },
      }),
    );
    expect(decodeJwt(done.AuthenticationResult!.IdToken!)['cognito:username']).toBe(name);
    expect(rig.receiver.events['/ptg-np']!.at(-1).triggerSource).toBe('TokenGeneration_NewPasswordChallenge');
  });
});

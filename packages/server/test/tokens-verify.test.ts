/**
 * Tokens: what the access/id tokens claim, how every AccessToken operation refuses forged, foreign,
 * expired, misused and revoked tokens, refresh (both APIs) and its limits, RevokeToken, the JWKS
 * (aws-jwt-verify, jose) and ES256 pools. Real AWS SDK v3 over the wire, on SQLite and PostgreSQL.
 */
import { createHmac, createPublicKey } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  AdminDeleteUserCommand,
  AdminDisableUserCommand,
  AdminEnableUserCommand,
  AdminUserGlobalSignOutCommand,
  CreateUserPoolClientCommand,
  DeleteUserCommand,
  DescribeUserPoolClientCommand,
  GetTokensFromRefreshTokenCommand,
  GetUserCommand,
  GlobalSignOutCommand,
  InitiateAuthCommand,
  RevokeTokenCommand,
  type AuthenticationResultType,
} from '@aws-sdk/client-cognito-identity-provider';
import {
  SignJWT,
  createLocalJWKSet,
  decodeJwt,
  decodeProtectedHeader,
  generateKeyPair,
  importJWK,
  jwtVerify,
  type JWK,
  type JWTPayload,
} from 'jose';
import { JwtVerifier } from 'aws-jwt-verify';
import { DIALECTS, useServerWithPool, type TestServer } from './helpers/harness.js';
import { createTestPool, type TestPool } from './helpers/pool.js';
import { expectServiceError } from './helpers/errors.js';
import { PASSWORD, UUID, adminCreateConfirmedUser, initiatePasswordAuth, signedCall } from './helpers/latchkeyAdmin.js';

const b64json = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');

describe.each(DIALECTS)('tokens on %s', (dialect) => {
  let server: TestServer;
  let pool: TestPool;
  let n = 0;
  const uniq = (p: string) => `${p}${++n}${dialect}`;
  /** Every credential and token the tests handle, for the log check at the end. */
  const secrets = new Set<string>([PASSWORD]);

  useServerWithPool(dialect, { checkInternalErrors: false }, (s, p) => ([server, pool] = [s, p]));

  const issuer = (p: TestPool) => `${server.endpoint}/${p.userPoolId}`;
  const jwksOf = async (p: TestPool) =>
    (await (await fetch(`${issuer(p)}/.well-known/jwks.json`)).json()) as { keys: (JWK & { kid: string })[] };

  async function user(p: TestPool = pool, name = uniq('user')) {
    await adminCreateConfirmedUser(server.admin, p.userPoolId, name);
    return name;
  }

  function keep(
    r: AuthenticationResultType,
  ): Required<Pick<AuthenticationResultType, 'AccessToken' | 'IdToken'>> & AuthenticationResultType {
    for (const t of [r.AccessToken, r.IdToken, r.RefreshToken]) if (t) secrets.add(t);
    return r as never;
  }

  async function signIn(name: string, p: TestPool = pool) {
    const r = await initiatePasswordAuth(server.client, p.clientId, name);
    expect(r.AuthenticationResult?.RefreshToken).toBeTruthy();
    return keep(r.AuthenticationResult!) as { AccessToken: string; IdToken: string; RefreshToken: string };
  }

  const getUser = (AccessToken: string) => server.client.send(new GetUserCommand({ AccessToken }));
  const refreshNew = async (RefreshToken: string, p: TestPool = pool) =>
    keep((await server.client.send(new GetTokensFromRefreshTokenCommand({ ClientId: p.clientId, RefreshToken }))).AuthenticationResult!);
  const refreshOld = async (RefreshToken: string, p: TestPool = pool) =>
    keep(
      (
        await server.client.send(
          new InitiateAuthCommand({
            ClientId: p.clientId,
            AuthFlow: 'REFRESH_TOKEN_AUTH',
            AuthParameters: { REFRESH_TOKEN: RefreshToken },
          }),
        )
      ).AuthenticationResult!,
    );

  /** Both refresh APIs refuse the token. */
  async function refreshRefused(refresh: string, p: TestPool = pool) {
    await expectServiceError(refreshNew(refresh, p), 'NotAuthorizedException');
    await expectServiceError(refreshOld(refresh, p), 'NotAuthorizedException');
  }

  it('GetUser with the access token; the claims of the access and id tokens', async () => {
    const name = await user();
    const before = Math.floor(server.clock.now() / 1000);
    const t = await signIn(name);
    const me = await getUser(t.AccessToken);
    expect(me.Username).toBe(name);
    const sub = me.UserAttributes!.find((a) => a.Name === 'sub')!.Value!;
    expect(sub).toMatch(UUID);

    const ah = decodeProtectedHeader(t.AccessToken);
    const ih = decodeProtectedHeader(t.IdToken);
    expect(ah.alg).toBe('RS256');
    expect(ah.kid).toBeTruthy();
    expect(ih).toMatchObject({ alg: 'RS256', kid: ah.kid });

    const a = decodeJwt(t.AccessToken);
    expect(a).toMatchObject({
      sub,
      iss: issuer(pool),
      client_id: pool.clientId,
      token_use: 'access',
      scope: 'aws.cognito.signin.user.admin',
      username: name,
    });
    expect(a.origin_jti).toMatch(UUID);
    expect(a.jti).toMatch(UUID);
    expect(a.event_id).toMatch(UUID);
    expect(a.aud).toBeUndefined();
    expect(a.iat).toBeGreaterThanOrEqual(before);
    expect(a.iat).toBeLessThanOrEqual(before + 5);
    expect(a.exp! - a.iat!).toBe(3600);
    expect(a.auth_time).toBe(a.iat);

    const i = decodeJwt(t.IdToken);
    expect(i).toMatchObject({
      sub,
      iss: issuer(pool),
      aud: pool.clientId,
      token_use: 'id',
      'cognito:username': name,
      email: `${name}@example.com`,
      email_verified: true,
      origin_jti: a.origin_jti,
      auth_time: a.auth_time,
      event_id: a.event_id,
    });
    expect(i.exp! - i.iat!).toBe(3600);
    expect(i.jti).toMatch(UUID);
    expect(i.jti).not.toBe(a.jti);
    expect(t.RefreshToken.split('.')).not.toHaveLength(3);
  });

  describe('forged and misused access tokens are NotAuthorizedException', () => {
    let victim: { sub: string; tokens: { AccessToken: string; IdToken: string; RefreshToken: string } };
    let attacker: { sub: string; tokens: { AccessToken: string; IdToken: string; RefreshToken: string } };

    beforeAll(async () => {
      const v = await user();
      const tv = await signIn(v);
      victim = { sub: decodeJwt(tv.AccessToken).sub!, tokens: tv };
      const a = await user();
      const ta = await signIn(a);
      attacker = { sub: decodeJwt(ta.AccessToken).sub!, tokens: ta };
    });

    it('a tampered payload (sub changed, signature kept)', async () => {
      const [h, , s] = attacker.tokens.AccessToken.split('.');
      const forged = `${h}.${b64json({ ...decodeJwt(attacker.tokens.AccessToken), sub: victim.sub })}.${s}`;
      await expectServiceError(getUser(forged), 'NotAuthorizedException');
      await expectServiceError(server.client.send(new DeleteUserCommand({ AccessToken: forged })), 'NotAuthorizedException');
      // Untouched, both still work: nothing was deleted.
      expect((await getUser(victim.tokens.AccessToken)).Username).toBeTruthy();
      expect((await getUser(attacker.tokens.AccessToken)).Username).toBeTruthy();
    });

    it("a token signed by a foreign RSA key under the pool key's kid", async () => {
      const { privateKey } = await generateKeyPair('RS256');
      const { kid } = decodeProtectedHeader(attacker.tokens.AccessToken);
      const forged = await new SignJWT({ ...decodeJwt(attacker.tokens.AccessToken), sub: victim.sub })
        .setProtectedHeader({ alg: 'RS256', kid })
        .sign(privateKey);
      await expectServiceError(getUser(forged), 'NotAuthorizedException');
      // Also with a kid nobody knows, and without a kid.
      const unknownKid = await new SignJWT(decodeJwt(attacker.tokens.AccessToken))
        .setProtectedHeader({ alg: 'RS256', kid: 'not-a-kid' })
        .sign(privateKey);
      await expectServiceError(getUser(unknownKid), 'NotAuthorizedException');
      const noKid = await new SignJWT(decodeJwt(attacker.tokens.AccessToken)).setProtectedHeader({ alg: 'RS256' }).sign(privateKey);
      await expectServiceError(getUser(noKid), 'NotAuthorizedException');
    });

    it('an alg "none" token', async () => {
      const { kid } = decodeProtectedHeader(attacker.tokens.AccessToken);
      const payload = { ...decodeJwt(attacker.tokens.AccessToken), sub: victim.sub };
      await expectServiceError(getUser(`${b64json({ alg: 'none', kid })}.${b64json(payload)}.`), 'NotAuthorizedException');
      await expectServiceError(
        getUser(`${b64json({ alg: 'none', typ: 'JWT', kid })}.${b64json(payload)}.${attacker.tokens.AccessToken.split('.')[2]}`),
        'NotAuthorizedException',
      );
    });

    it('an HS256 token keyed with the published public key', async () => {
      const { kid } = decodeProtectedHeader(attacker.tokens.AccessToken);
      const jwk = (await jwksOf(pool)).keys.find((k) => k.kid === kid)!;
      expect(jwk).toBeDefined();
      const payload = { ...decodeJwt(attacker.tokens.AccessToken), sub: victim.sub };
      const pem = createPublicKey({ key: jwk as never, format: 'jwk' }).export({ type: 'spki', format: 'pem' }) as string;
      const der = createPublicKey({ key: jwk as never, format: 'jwk' }).export({ type: 'spki', format: 'der' });
      for (const secret of [new TextEncoder().encode(pem), new Uint8Array(der), new TextEncoder().encode(JSON.stringify(jwk))]) {
        const forged = await new SignJWT(payload).setProtectedHeader({ alg: 'HS256', kid }).sign(secret);
        await expectServiceError(getUser(forged), 'NotAuthorizedException');
      }
    });

    it('an id token used as an access token', async () => {
      await expectServiceError(getUser(attacker.tokens.IdToken), 'NotAuthorizedException');
      await expectServiceError(
        server.client.send(new GlobalSignOutCommand({ AccessToken: attacker.tokens.IdToken })),
        'NotAuthorizedException',
      );
    });

    it('garbage and truncated tokens', async () => {
      await expectServiceError(getUser('not.a.jwt'), 'NotAuthorizedException');
      await expectServiceError(getUser(attacker.tokens.AccessToken.slice(0, -10)), 'NotAuthorizedException');
      await expectServiceError(getUser(attacker.tokens.AccessToken.split('.').slice(0, 2).join('.')), 'NotAuthorizedException');
    });
  });

  it("a client stored with lifetimes outside Cognito's bounds (before they were checked) issues tokens within them", async () => {
    const p = await createTestPool(server.admin);
    const rec = (await server.services.store.getClient(p.clientId))!;
    // White box: a config CreateUserPoolClient now refuses, as an older Latchkey stored it.
    await server.services.store.updateClient(
      p.clientId,
      rec.name,
      {
        ...rec.config,
        AccessTokenValidity: 1,
        IdTokenValidity: 1,
        TokenValidityUnits: { AccessToken: 'seconds', IdToken: 'seconds', RefreshToken: 'days' },
        RefreshTokenValidity: 36500,
      },
      server.clock.now(),
    );
    const name = await user(p);
    const r = await initiatePasswordAuth(server.client, p.clientId, name);
    const t = keep(r.AuthenticationResult!);
    expect(r.AuthenticationResult!.ExpiresIn).toBe(300);
    const access = decodeJwt(t.AccessToken);
    const id = decodeJwt(t.IdToken);
    expect({ access: access.exp! - access.iat!, id: id.exp! - id.iat! }).toEqual({ access: 300, id: 300 });
    server.clock.advance(3650 * 86400_000 + 60_000);
    await refreshRefused(t.RefreshToken!, p);
  });

  it('an expired access token (past 60 min) is NotAuthorizedException; just before it works', async () => {
    const name = await user();
    const t = await signIn(name);
    server.clock.advance(59 * 60_000);
    expect((await getUser(t.AccessToken)).Username).toBe(name);
    server.clock.advance(60_000 + 1000);
    await expectServiceError(getUser(t.AccessToken), 'NotAuthorizedException', 'Access Token has expired');
    // The refresh token still gets a fresh one.
    const fresh = await refreshNew(t.RefreshToken);
    expect((await getUser(fresh.AccessToken!)).Username).toBe(name);
  });

  describe('another pool', () => {
    let other: TestPool;
    beforeAll(async () => {
      other = await createTestPool(server.admin);
    });

    it("a pool B token only ever authorises pool B's user, even with the same username in pool A", async () => {
      const name = uniq('twin');
      await user(pool, name);
      await user(other, name);
      const a = await signIn(name, pool);
      const b = await signIn(name, other);
      const subA = decodeJwt(a.AccessToken).sub;
      const subB = decodeJwt(b.AccessToken).sub;
      expect(subA).not.toBe(subB);
      expect(decodeJwt(b.AccessToken).iss).toBe(issuer(other));
      expect(decodeProtectedHeader(b.AccessToken).kid).not.toBe(decodeProtectedHeader(a.AccessToken).kid);

      const viaB = await getUser(b.AccessToken);
      expect(viaB.UserAttributes!.find((x) => x.Name === 'sub')!.Value).toBe(subB);
      // Pool B's refresh token is not pool A's client's.
      await refreshRefused(b.RefreshToken, pool);
      await expectServiceError(
        server.client.send(new RevokeTokenCommand({ ClientId: pool.clientId, Token: b.RefreshToken })),
        'UnauthorizedException',
      );

      await server.client.send(new DeleteUserCommand({ AccessToken: b.AccessToken }));
      await expectServiceError(getUser(b.AccessToken), 'NotAuthorizedException');
      expect((await getUser(a.AccessToken)).UserAttributes!.find((x) => x.Name === 'sub')!.Value).toBe(subA);
    });

    it("a token signed with pool B's real key but claiming pool A's issuer and user is refused", async () => {
      const name = uniq('cross');
      await user(pool, name);
      const a = await signIn(name, pool);
      const { kid: kidB } = decodeProtectedHeader((await signIn(await user(other), other)).AccessToken);
      // White box: take pool B's private key out of the store, as an insider of pool B could.
      const rec = await server.services.store.getSigningKey(kidB!);
      const keyB = await importJWK(JSON.parse(server.services.box.open(rec!.privateKeyEnc)) as JWK, 'RS256');
      const claims: JWTPayload = decodeJwt(a.AccessToken);
      const forged = await new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: kidB }).sign(keyB);
      await expectServiceError(getUser(forged), 'NotAuthorizedException');
      // The key is fine for pool B's issuer: with pool A's user it still authorises nobody in pool A.
      const asB = await new SignJWT({ ...claims, iss: issuer(other) }).setProtectedHeader({ alg: 'RS256', kid: kidB }).sign(keyB);
      await expectServiceError(getUser(asB), 'NotAuthorizedException');
      expect((await getUser(a.AccessToken)).Username).toBe(name);
    });
  });

  it('GlobalSignOut: every access and refresh token of the user stops working; a new sign-in works', async () => {
    const name = await user();
    const s1 = await signIn(name);
    const s2 = await signIn(name);
    const r1 = await refreshNew(s1.RefreshToken);
    await server.client.send(new GlobalSignOutCommand({ AccessToken: s1.AccessToken }));
    for (const at of [s1.AccessToken, s2.AccessToken, r1.AccessToken!]) await expectServiceError(getUser(at), 'NotAuthorizedException');
    await refreshRefused(s1.RefreshToken);
    await refreshRefused(s2.RefreshToken);
    await expectServiceError(server.client.send(new GlobalSignOutCommand({ AccessToken: s1.AccessToken })), 'NotAuthorizedException');

    // Immediately afterwards (same second), a new sign-in is unaffected.
    const s3 = await signIn(name);
    expect((await getUser(s3.AccessToken)).Username).toBe(name);
    expect((await getUser((await refreshOld(s3.RefreshToken)).AccessToken!)).Username).toBe(name);
  });

  it("RevokeToken: the sign-in's access tokens (also refreshed ones) and refresh token stop; another sign-in still works", async () => {
    const name = await user();
    const s1 = await signIn(name);
    const s2 = await signIn(name);
    const r1 = await refreshNew(s1.RefreshToken);
    const revoked = await server.client.send(new RevokeTokenCommand({ ClientId: pool.clientId, Token: s1.RefreshToken }));
    expect(revoked.$metadata.httpStatusCode).toBe(200);
    await expectServiceError(getUser(s1.AccessToken), 'NotAuthorizedException');
    await expectServiceError(getUser(r1.AccessToken!), 'NotAuthorizedException');
    await refreshRefused(s1.RefreshToken);

    expect((await getUser(s2.AccessToken)).Username).toBe(name);
    expect((await getUser((await refreshNew(s2.RefreshToken)).AccessToken!)).Username).toBe(name);
    // Revoking again is harmless.
    await server.client.send(new RevokeTokenCommand({ ClientId: pool.clientId, Token: s1.RefreshToken }));
  });

  it("RevokeToken: an access token → UnsupportedTokenTypeException; another client's token → UnauthorizedException", async () => {
    const name = await user();
    const t = await signIn(name);
    await expectServiceError(
      server.client.send(new RevokeTokenCommand({ ClientId: pool.clientId, Token: t.AccessToken })),
      'UnsupportedTokenTypeException',
    );
    const second = await server.admin.send(
      new CreateUserPoolClientCommand({
        UserPoolId: pool.userPoolId,
        ClientName: 'second',
        ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
      }),
    );
    const secondId = second.UserPoolClient!.ClientId!;
    await expectServiceError(
      server.client.send(new RevokeTokenCommand({ ClientId: secondId, Token: t.RefreshToken })),
      'UnauthorizedException',
    );
    // Not revoked by the refused attempt.
    expect((await getUser(t.AccessToken)).Username).toBe(name);
  });

  it('a refresh token of another client of the same pool is NotAuthorizedException', async () => {
    const name = await user();
    const t = await signIn(name);
    const second = await server.admin.send(
      new CreateUserPoolClientCommand({
        UserPoolId: pool.userPoolId,
        ClientName: 'other',
        ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
      }),
    );
    await refreshRefused(t.RefreshToken, { userPoolId: pool.userPoolId, clientId: second.UserPoolClient!.ClientId! });
    expect((await refreshNew(t.RefreshToken)).AccessToken).toBeTruthy();
  });

  it('a confidential client: refresh needs the client secret on both APIs (ClientSecret / SECRET_HASH)', async () => {
    const conf = await createTestPool(server.admin, { generateSecret: true });
    const secret = (await server.admin.send(new DescribeUserPoolClientCommand({ UserPoolId: conf.userPoolId, ClientId: conf.clientId })))
      .UserPoolClient!.ClientSecret!;
    const name = await user(conf);
    const hash = createHmac('sha256', secret)
      .update(name + conf.clientId)
      .digest('base64');
    const t = keep((await initiatePasswordAuth(server.client, conf.clientId, name, PASSWORD, { SECRET_HASH: hash })).AuthenticationResult!);
    const refresh = t.RefreshToken!;
    await expectServiceError(
      server.client.send(new GetTokensFromRefreshTokenCommand({ ClientId: conf.clientId, RefreshToken: refresh })),
      'NotAuthorizedException',
    );
    await expectServiceError(
      server.client.send(
        new GetTokensFromRefreshTokenCommand({ ClientId: conf.clientId, RefreshToken: refresh, ClientSecret: 'x'.repeat(51) }),
      ),
      'NotAuthorizedException',
    );
    const ok = keep(
      (
        await server.client.send(
          new GetTokensFromRefreshTokenCommand({ ClientId: conf.clientId, RefreshToken: refresh, ClientSecret: secret }),
        )
      ).AuthenticationResult!,
    );
    expect((await getUser(ok.AccessToken!)).Username).toBe(name);
    // Cognito InitiateAuth REFRESH_TOKEN_AUTH: "SECRET_HASH (required if the app client is configured with a client secret)".
    await expectServiceError(
      server.client.send(
        new InitiateAuthCommand({
          ClientId: conf.clientId,
          AuthFlow: 'REFRESH_TOKEN_AUTH',
          AuthParameters: { REFRESH_TOKEN: refresh },
        }),
      ),
      'NotAuthorizedException',
    );
  });

  it('RevokeToken on a client with EnableTokenRevocation false is UnsupportedOperationException', async () => {
    const noRevoke = await server.admin.send(
      new CreateUserPoolClientCommand({
        UserPoolId: pool.userPoolId,
        ClientName: 'norevoke',
        EnableTokenRevocation: false,
        ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
      }),
    );
    const p = { userPoolId: pool.userPoolId, clientId: noRevoke.UserPoolClient!.ClientId! };
    const t = await signIn(await user(), p);
    await expectServiceError(
      server.client.send(new RevokeTokenCommand({ ClientId: p.clientId, Token: t.RefreshToken })),
      'UnsupportedOperationException',
    );
    expect((await getUser(t.AccessToken)).Username).toBeTruthy();
  });

  it('AdminUserGlobalSignOut: access and refresh tokens stop working', async () => {
    const name = await user();
    const s1 = await signIn(name);
    const s2 = await signIn(name);
    await server.admin.send(new AdminUserGlobalSignOutCommand({ UserPoolId: pool.userPoolId, Username: name }));
    await expectServiceError(getUser(s1.AccessToken), 'NotAuthorizedException');
    await expectServiceError(getUser(s2.AccessToken), 'NotAuthorizedException');
    await refreshRefused(s1.RefreshToken);
    await refreshRefused(s2.RefreshToken);
    expect((await getUser((await signIn(name)).AccessToken)).Username).toBe(name);
  });

  it('AdminDisableUser: access and refresh tokens stop working', async () => {
    const name = await user();
    const t = await signIn(name);
    await server.admin.send(new AdminDisableUserCommand({ UserPoolId: pool.userPoolId, Username: name }));
    await expectServiceError(getUser(t.AccessToken), 'NotAuthorizedException');
    await refreshRefused(t.RefreshToken);
  });

  it('AdminDisableUser revokes the tokens: they stay dead after AdminEnableUser; a new sign-in works', async () => {
    const name = await user();
    const t = await signIn(name);
    await server.admin.send(new AdminDisableUserCommand({ UserPoolId: pool.userPoolId, Username: name }));
    await server.admin.send(new AdminEnableUserCommand({ UserPoolId: pool.userPoolId, Username: name }));
    const fresh = await signIn(name);
    expect((await getUser(fresh.AccessToken)).Username).toBe(name);
    // Cognito: AdminDisableUser "deactivates a user profile and revokes all access tokens for the user".
    await expectServiceError(getUser(t.AccessToken), 'NotAuthorizedException');
    await refreshRefused(t.RefreshToken);
  });

  it('AdminDeleteUser: access and refresh tokens stop working (also for a new user with the same name)', async () => {
    const name = await user();
    const t = await signIn(name);
    await server.admin.send(new AdminDeleteUserCommand({ UserPoolId: pool.userPoolId, Username: name }));
    await expectServiceError(getUser(t.AccessToken), 'NotAuthorizedException');
    await refreshRefused(t.RefreshToken);
    await user(pool, name);
    await expectServiceError(getUser(t.AccessToken), 'NotAuthorizedException');
    await refreshRefused(t.RefreshToken);
  });

  it('refresh: same origin_jti and auth_time, new jti, no new RefreshToken (both APIs)', async () => {
    const name = await user();
    const t = await signIn(name);
    const first = decodeJwt(t.AccessToken);
    server.clock.advance(10_000);
    for (const r of [await refreshNew(t.RefreshToken), await refreshOld(t.RefreshToken)]) {
      expect(r.RefreshToken).toBeUndefined();
      expect(r.AccessToken).not.toBe(t.AccessToken);
      const a = decodeJwt(r.AccessToken!);
      const i = decodeJwt(r.IdToken!);
      expect(a.origin_jti).toBe(first.origin_jti);
      expect(i.origin_jti).toBe(first.origin_jti);
      expect(a.auth_time).toBe(first.auth_time);
      expect(a.jti).not.toBe(first.jti);
      expect(a.iat).toBeGreaterThanOrEqual(first.iat! + 10);
      expect(a.exp! - a.iat!).toBe(3600);
      expect(i['cognito:username']).toBe(name);
      expect((await getUser(r.AccessToken!)).Username).toBe(name);
    }
    // The original access token is still valid too (refresh does not revoke).
    expect((await getUser(t.AccessToken)).Username).toBe(name);
  });

  it('a refresh token works until 30 days and is NotAuthorizedException after 31', async () => {
    const name = await user();
    const t = await signIn(name);
    server.clock.advance(29 * 86400_000);
    await expectServiceError(getUser(t.AccessToken), 'NotAuthorizedException', 'Access Token has expired');
    expect((await getUser((await refreshNew(t.RefreshToken)).AccessToken!)).Username).toBe(name);
    server.clock.advance(2 * 86400_000);
    await refreshRefused(t.RefreshToken);
  });

  it('an unknown refresh token is NotAuthorizedException', async () => {
    await refreshRefused('x'.repeat(86));
  });

  it('the JWKS has the kid of every token; aws-jwt-verify accepts the tokens and refuses a tampered one', async () => {
    const name = await user();
    const t = await signIn(name);
    const r = await refreshNew(t.RefreshToken);
    const jwks = await jwksOf(pool);
    const kids = jwks.keys.map((k) => k.kid);
    for (const tok of [t.AccessToken, t.IdToken, r.AccessToken!, r.IdToken!]) expect(kids).toContain(decodeProtectedHeader(tok).kid);
    for (const k of jwks.keys) {
      expect(k).toMatchObject({ kty: 'RSA', alg: 'RS256', use: 'sig' });
      for (const priv of ['d', 'p', 'q', 'dp', 'dq', 'qi']) expect(k).not.toHaveProperty(priv);
    }

    const jwksUri = `${issuer(pool)}/.well-known/jwks.json`;
    const access = JwtVerifier.create({ issuer: issuer(pool), audience: null, jwksUri });
    access.cacheJwks(jwks as never);
    for (const tok of [t.AccessToken, r.AccessToken!]) {
      const claims = await access.verify(tok, { tokenUse: 'access', clientId: pool.clientId } as never);
      expect(claims.username).toBe(name);
    }
    const id = JwtVerifier.create({ issuer: issuer(pool), audience: pool.clientId, jwksUri, tokenUse: 'id' } as never);
    id.cacheJwks(jwks as never);
    for (const tok of [t.IdToken, r.IdToken!]) expect(((await id.verify(tok as never)) as JWTPayload)['cognito:username']).toBe(name);

    const [h, , s] = t.AccessToken.split('.');
    const tampered = `${h}.${b64json({ ...decodeJwt(t.AccessToken), username: 'someone-else' })}.${s}`;
    await expect(access.verify(tampered, { tokenUse: 'access', clientId: pool.clientId } as never)).rejects.toThrow();
  });

  it('ES256 pool (LatchkeyUpdateUserPoolSettings): new tokens are ES256 and verify; RS256 tokens issued before still do', async () => {
    const es = await createTestPool(server.admin);
    const name = await user(es);
    const old = await signIn(name, es);
    expect(decodeProtectedHeader(old.AccessToken).alg).toBe('RS256');

    const res = await signedCall(server, 'LatchkeyUpdateUserPoolSettings', {
      UserPoolId: es.userPoolId,
      Settings: { tokenSigningAlg: 'ES256' },
    });
    expect(res.status, JSON.stringify(res.json)).toBe(200);
    expect(res.json.Settings.tokenSigningAlg).toBe('ES256');
    const described = await signedCall(server, 'LatchkeyDescribeUserPoolSettings', { UserPoolId: es.userPoolId });
    expect(described.json.Settings.tokenSigningAlg).toBe('ES256');

    const fresh = await signIn(name, es);
    const fh = decodeProtectedHeader(fresh.AccessToken);
    expect(fh.alg).toBe('ES256');
    expect(decodeProtectedHeader(fresh.IdToken).alg).toBe('ES256');
    expect(fh.kid).not.toBe(decodeProtectedHeader(old.AccessToken).kid);

    const jwks = await jwksOf(es);
    const byKid = Object.fromEntries(jwks.keys.map((k) => [k.kid, k]));
    expect(byKid[fh.kid!]).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig' });
    expect(byKid[fh.kid!]).not.toHaveProperty('d');
    expect(byKid[decodeProtectedHeader(old.AccessToken).kid!]).toMatchObject({ kty: 'RSA', alg: 'RS256' });

    const set = createLocalJWKSet(jwks as never);
    const v1 = await jwtVerify(fresh.AccessToken, set, {
      issuer: issuer(es),
      algorithms: ['ES256'],
      currentDate: new Date(server.clock.now()),
    });
    expect(v1.payload.username).toBe(name);
    const v2 = await jwtVerify(fresh.IdToken, set, {
      issuer: issuer(es),
      audience: es.clientId,
      algorithms: ['ES256'],
      currentDate: new Date(server.clock.now()),
    });
    expect(v2.payload['cognito:username']).toBe(name);
    const v3 = await jwtVerify(old.AccessToken, set, {
      issuer: issuer(es),
      algorithms: ['RS256'],
      currentDate: new Date(server.clock.now()),
    });
    expect(v3.payload.username).toBe(name);
    // aws-jwt-verify handles ES256 as well.
    const awsVerifier = JwtVerifier.create({ issuer: issuer(es), audience: null, jwksUri: `${issuer(es)}/.well-known/jwks.json` });
    awsVerifier.cacheJwks(jwks as never);
    expect((await awsVerifier.verify(fresh.AccessToken, { tokenUse: 'access', clientId: es.clientId } as never)).username).toBe(name);

    // The server accepts both; refreshing the RS256-era sign-in yields ES256 tokens.
    expect((await getUser(old.AccessToken)).Username).toBe(name);
    expect((await getUser(fresh.AccessToken)).Username).toBe(name);
    const refreshed = await refreshNew(old.RefreshToken, es);
    expect(decodeProtectedHeader(refreshed.AccessToken!).alg).toBe('ES256');
    expect((await getUser(refreshed.AccessToken!)).Username).toBe(name);

    // An RS256 token forged under the ES256 kid (algorithm confusion) is refused.
    const { privateKey } = await generateKeyPair('RS256');
    const confused = await new SignJWT(decodeJwt(fresh.AccessToken)).setProtectedHeader({ alg: 'RS256', kid: fh.kid }).sign(privateKey);
    await expectServiceError(getUser(confused), 'NotAuthorizedException');

    // A day later the retired RS256 key leaves the JWKS (its tokens have long expired).
    server.clock.advance(25 * 3600_000);
    const later = await jwksOf(es);
    expect(later.keys.map((k) => k.kid)).toEqual([fh.kid]);
  });

  it('no log line contains a password, a refresh token, an access token or an id token used in these tests', () => {
    const text = server.log.text();
    expect(text.length).toBeGreaterThan(0);
    expect(secrets.size).toBeGreaterThan(20);
    for (const s of secrets) expect(text.includes(s), `a secret (${s.slice(0, 12)}…) is in the log`).toBe(false);
    // Not even a recognisable part of one (the signature).
    for (const s of secrets) {
      const sig = s.split('.')[2];
      if (sig) expect(text.includes(sig)).toBe(false);
    }
  });
});

/**
 * Admin API (pools, app clients, MFA config) and the per-pool well-known documents, over the wire
 * with the real AWS SDK v3, on SQLite and PostgreSQL.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AdminCreateUserCommand,
  AdminDeleteUserCommand,
  CreateUserPoolClientCommand,
  InitiateAuthCommand,
  CreateUserPoolCommand,
  DeleteUserPoolClientCommand,
  DeleteUserPoolCommand,
  DescribeUserPoolClientCommand,
  DescribeUserPoolCommand,
  GetUserCommand,
  GetUserPoolMfaConfigCommand,
  ListUserPoolClientsCommand,
  ListUserPoolsCommand,
  SetUserPoolMfaConfigCommand,
  UpdateUserPoolClientCommand,
  UpdateUserPoolCommand,
  type UserPoolClientDescription,
  type UserPoolDescriptionType,
} from '@aws-sdk/client-cognito-identity-provider';
import { DIALECTS, startTestServer, type TestServer } from './helpers/harness.js';
import { expectServiceError } from './helpers/errors.js';
import { createTestPool } from './helpers/pool.js';
import { accessToken, createUser, signedCall } from './helpers/latchkeyAdmin.js';

const POOL_ID = /^local_[0-9a-zA-Z]{9}$/;
const CLIENT_ID = /^[a-z0-9]{26}$/;

/** Expects the SDK call to fail with the named Cognito error (HTTP 400, with a request id). */
const rejectsWith = (p: Promise<unknown>, name: string, message?: RegExp) => expectServiceError(p, name, message, { requestId: true });

/** Every page of a listing, with the page sizes seen. */
async function allPools(srv: TestServer, max: number) {
  const pages: UserPoolDescriptionType[][] = [];
  let token: string | undefined;
  do {
    const res = await srv.admin.send(new ListUserPoolsCommand({ MaxResults: max, NextToken: token }));
    pages.push(res.UserPools ?? []);
    token = res.NextToken;
    if (pages.length > 100) throw new Error('pagination does not end');
  } while (token);
  return pages;
}

async function allClients(srv: TestServer, poolId: string, max: number) {
  const pages: UserPoolClientDescription[][] = [];
  let token: string | undefined;
  do {
    const res = await srv.admin.send(new ListUserPoolClientsCommand({ UserPoolId: poolId, MaxResults: max, NextToken: token }));
    pages.push(res.UserPoolClients ?? []);
    token = res.NextToken;
    if (pages.length > 100) throw new Error('pagination does not end');
  } while (token);
  return pages;
}

describe.each(DIALECTS)('admin API (%s)', (dialect) => {
  let srv: TestServer;

  beforeAll(async () => {
    srv = await startTestServer(dialect);
  });
  afterAll(async () => {
    // No request in this file may have hit an internal error.
    const errors = srv?.log.lines.filter((l) => l.level === 'error') ?? [];
    await srv?.stop();
    expect(errors).toEqual([]);
  });

  const createPool = async (name: string, extra: Record<string, unknown> = {}) => {
    const res = await srv.admin.send(new CreateUserPoolCommand({ PoolName: name, ...extra }));
    return res.UserPool!;
  };

  describe('user pools', () => {
    it('CreateUserPool answers the full pool: id format, policies, sign-in factors, username attributes, tier, dates', async () => {
      const before = Date.now();
      const pool = await createPool('created-pool', {
        Policies: {
          PasswordPolicy: {
            MinimumLength: 12,
            RequireUppercase: false,
            RequireLowercase: true,
            RequireNumbers: true,
            RequireSymbols: false,
            TemporaryPasswordValidityDays: 3,
          },
          SignInPolicy: { AllowedFirstAuthFactors: ['PASSWORD', 'WEB_AUTHN'] },
        },
        UsernameAttributes: ['email'],
        AutoVerifiedAttributes: ['email'],
        UserPoolTier: 'PLUS',
        UserPoolTags: { team: 'latchkey' },
      });
      expect(pool.Id).toMatch(POOL_ID);
      expect(pool.Name).toBe('created-pool');
      expect(pool.Arn).toContain(pool.Id);
      expect(pool.Policies?.PasswordPolicy).toMatchObject({
        MinimumLength: 12,
        RequireUppercase: false,
        RequireLowercase: true,
        RequireNumbers: true,
        RequireSymbols: false,
        TemporaryPasswordValidityDays: 3,
      });
      expect(pool.Policies?.SignInPolicy?.AllowedFirstAuthFactors).toEqual(['PASSWORD', 'WEB_AUTHN']);
      expect(pool.UsernameAttributes).toEqual(['email']);
      expect(pool.AliasAttributes).toBeUndefined();
      expect(pool.AutoVerifiedAttributes).toEqual(['email']);
      expect(pool.UserPoolTier).toBe('PLUS');
      expect(pool.UserPoolTags).toEqual({ team: 'latchkey' });
      expect(pool.MfaConfiguration).toBe('OFF');
      expect(pool.DeletionProtection).toBe('INACTIVE');
      // The SDK turns epoch seconds into Dates; a millisecond number would land in the year ~50000.
      expect(pool.CreationDate).toBeInstanceOf(Date);
      expect(pool.LastModifiedDate).toBeInstanceOf(Date);
      expect(pool.CreationDate!.getTime()).toBeGreaterThanOrEqual(before - 2000);
      expect(pool.CreationDate!.getTime()).toBeLessThanOrEqual(Date.now() + 2000);
    });

    it('CreateUserPool defaults: ESSENTIALS tier, PASSWORD first factor, Cognito password policy; AliasAttributes echoed', async () => {
      const pool = await createPool('alias-pool', { AliasAttributes: ['email', 'preferred_username'] });
      expect(pool.Id).toMatch(POOL_ID);
      expect(pool.AliasAttributes).toEqual(['email', 'preferred_username']);
      expect(pool.UsernameAttributes).toBeUndefined();
      expect(pool.UserPoolTier).toBe('ESSENTIALS');
      expect(pool.Policies?.SignInPolicy?.AllowedFirstAuthFactors).toEqual(['PASSWORD']);
      expect(pool.Policies?.PasswordPolicy).toMatchObject({
        MinimumLength: 8,
        RequireUppercase: true,
        RequireLowercase: true,
        RequireNumbers: true,
        RequireSymbols: true,
      });
      expect(pool.UsernameConfiguration).toEqual({ CaseSensitive: false });
    });

    it('pool ids are unique across creations', async () => {
      const ids = await Promise.all([1, 2, 3].map((i) => createPool(`unique-${i}`).then((p) => p.Id!)));
      expect(new Set(ids).size).toBe(3);
      for (const id of ids) expect(id).toMatch(POOL_ID);
    });

    it('dates are epoch seconds on the wire', async () => {
      const pool = await createPool('raw-dates');
      const res = await signedCall(srv, 'DescribeUserPool', { UserPoolId: pool.Id });
      expect(res.status).toBe(200);
      const { CreationDate, LastModifiedDate } = res.json.UserPool;
      expect(typeof CreationDate).toBe('number');
      expect(typeof LastModifiedDate).toBe('number');
      expect(Math.abs(CreationDate - Date.now() / 1000)).toBeLessThan(120);
    });

    it('DescribeUserPool returns what CreateUserPool returned', async () => {
      const created = await createPool('described', {
        Policies: {
          PasswordPolicy: { MinimumLength: 10 },
          SignInPolicy: { AllowedFirstAuthFactors: ['PASSWORD', 'EMAIL_OTP', 'WEB_AUTHN'] },
        },
        UsernameAttributes: ['email'],
        // PLUS, not LITE: Cognito requires the Essentials tier or higher for SignInPolicy (and the OTP factors).
        UserPoolTier: 'PLUS',
        DeletionProtection: 'INACTIVE',
      });
      const { UserPool: described } = await srv.admin.send(new DescribeUserPoolCommand({ UserPoolId: created.Id }));
      expect(described).toEqual(created);
      expect(described?.Policies?.PasswordPolicy?.MinimumLength).toBe(10);
      expect(described?.Policies?.SignInPolicy?.AllowedFirstAuthFactors).toEqual(['PASSWORD', 'EMAIL_OTP', 'WEB_AUTHN']);
    });

    it("DescribeUserPool counts the pool's users in EstimatedNumberOfUsers (not other pools')", async () => {
      const pool = await createPool('counted');
      const other = await createPool('counted-other');
      const estimated = async (id: string) =>
        (await srv.admin.send(new DescribeUserPoolCommand({ UserPoolId: id }))).UserPool?.EstimatedNumberOfUsers;
      expect(await estimated(pool.Id!)).toBe(0);
      for (const name of ['u1', 'u2', 'u3'])
        await srv.admin.send(new AdminCreateUserCommand({ UserPoolId: pool.Id, Username: name, MessageAction: 'SUPPRESS' }));
      await srv.admin.send(new AdminCreateUserCommand({ UserPoolId: other.Id, Username: 'elsewhere', MessageAction: 'SUPPRESS' }));
      expect(await estimated(pool.Id!)).toBe(3);
      await srv.admin.send(new AdminDeleteUserCommand({ UserPoolId: pool.Id, Username: 'u2' }));
      expect({ pool: await estimated(pool.Id!), other: await estimated(other.Id!) }).toEqual({ pool: 2, other: 1 });
    });

    it('DescribeUserPool of an unknown (well-formed) id is ResourceNotFoundException', async () => {
      await rejectsWith(srv.admin.send(new DescribeUserPoolCommand({ UserPoolId: 'local_000000000' })), 'ResourceNotFoundException');
    });

    it('UpdateUserPool applies the new settings, resets unspecified members, keeps creation-only members and the name', async () => {
      const pool = await createPool('to-update', {
        Policies: {
          PasswordPolicy: { MinimumLength: 14, RequireSymbols: false },
          SignInPolicy: { AllowedFirstAuthFactors: ['PASSWORD', 'WEB_AUTHN'] },
        },
        UsernameAttributes: ['email'],
        UsernameConfiguration: { CaseSensitive: true },
        AutoVerifiedAttributes: ['email'],
        MfaConfiguration: 'OFF',
        UserPoolTier: 'PLUS',
        EmailVerificationSubject: 'Your code',
        UserPoolTags: { a: 'b' },
      });
      const update = await signedCall(srv, 'UpdateUserPool', { UserPoolId: pool.Id, UserPoolTier: 'LITE', DeletionProtection: 'ACTIVE' });
      expect(update.status).toBe(200);
      expect(update.raw).toBe('{}');

      const { UserPool: after } = await srv.admin.send(new DescribeUserPoolCommand({ UserPoolId: pool.Id }));
      // Given now.
      expect(after?.UserPoolTier).toBe('LITE');
      expect(after?.DeletionProtection).toBe('ACTIVE');
      // Left out: back to defaults.
      expect(after?.Policies?.PasswordPolicy).toMatchObject({ MinimumLength: 8, RequireSymbols: true });
      expect(after?.Policies?.SignInPolicy?.AllowedFirstAuthFactors).toEqual(['PASSWORD']);
      expect(after?.AutoVerifiedAttributes).toBeUndefined();
      expect(after?.EmailVerificationSubject).toBeUndefined();
      expect(after?.UserPoolTags).toEqual({}); // Cognito's answer for a pool with no tags
      // Creation-only: survive.
      expect(after?.UsernameAttributes).toEqual(['email']);
      expect(after?.UsernameConfiguration).toEqual({ CaseSensitive: true });
      expect(after?.Id).toBe(pool.Id);
      expect(after?.Name).toBe('to-update');
      expect(after?.CreationDate).toEqual(pool.CreationDate);
      expect(after!.LastModifiedDate!.getTime()).toBeGreaterThanOrEqual(pool.LastModifiedDate!.getTime());

      // Clean up the protection so the pool does not block anything later.
      await srv.admin.send(new UpdateUserPoolCommand({ UserPoolId: pool.Id }));
      const { UserPool: reset } = await srv.admin.send(new DescribeUserPoolCommand({ UserPoolId: pool.Id }));
      expect(reset?.DeletionProtection).toBe('INACTIVE');
      expect(reset?.UserPoolTier).toBe('ESSENTIALS');
    });

    it("UpdateUserPool keeps the pool's WebAuthn configuration (set by SetUserPoolMfaConfig)", async () => {
      const pool = await createPool('update-keeps-webauthn');
      await srv.admin.send(
        new SetUserPoolMfaConfigCommand({
          UserPoolId: pool.Id,
          WebAuthnConfiguration: { RelyingPartyId: 'example.com', UserVerification: 'required' },
        }),
      );
      await srv.admin.send(new UpdateUserPoolCommand({ UserPoolId: pool.Id, UserPoolTier: 'PLUS' }));
      const mfa = await srv.admin.send(new GetUserPoolMfaConfigCommand({ UserPoolId: pool.Id }));
      expect(mfa.WebAuthnConfiguration).toMatchObject({ RelyingPartyId: 'example.com', UserVerification: 'required' });
    });

    // Cognito's UpdateUserPool has a PoolName member ("The updated name of your user pool", SDK
    // UpdateUserPoolRequest.PoolName). Regression: it used to be validated and then ignored.
    it('UpdateUserPool with PoolName renames the pool', async () => {
      const pool = await createPool('old-name');
      await srv.admin.send(new UpdateUserPoolCommand({ UserPoolId: pool.Id, PoolName: 'new-name' }));
      const { UserPool } = await srv.admin.send(new DescribeUserPoolCommand({ UserPoolId: pool.Id }));
      expect(UserPool?.Name).toBe('new-name');
    });

    it('UpdateUserPool of an unknown pool is ResourceNotFoundException', async () => {
      await rejectsWith(srv.admin.send(new UpdateUserPoolCommand({ UserPoolId: 'local_000000000' })), 'ResourceNotFoundException');
    });

    it('ListUserPools pages with MaxResults 2 over 5 new pools: every pool once, NextToken round-trips', async () => {
      const created = new Set<string>();
      for (let i = 0; i < 5; i++) created.add((await createPool(`paged-${i}`)).Id!);

      const pages = await allPools(srv, 2);
      const ids = pages.flat().map((p) => p.Id!);
      expect(new Set(ids).size).toBe(ids.length); // no repeats
      for (const id of created) expect(ids).toContain(id); // no skips
      for (const page of pages) expect(page.length).toBeLessThanOrEqual(2);
      for (const page of pages.slice(0, -1)) expect(page.length).toBe(2);
      expect(pages.length).toBeGreaterThanOrEqual(3);

      // Same set as one big page.
      const single = await srv.admin.send(new ListUserPoolsCommand({ MaxResults: 60 }));
      expect(single.NextToken).toBeUndefined();
      expect(new Set(ids)).toEqual(new Set(single.UserPools!.map((p) => p.Id!)));

      const item = pages.flat().find((p) => created.has(p.Id!))!;
      expect(item.Name).toMatch(/^paged-\d$/);
      expect(item.CreationDate).toBeInstanceOf(Date);
    });

    it('ListUserPools: the last page has no NextToken; a page exactly full at the end does not invent one', async () => {
      const { UserPools: everything } = await srv.admin.send(new ListUserPoolsCommand({ MaxResults: 60 }));
      const n = everything!.length;
      const exact = await srv.admin.send(new ListUserPoolsCommand({ MaxResults: n }));
      expect(exact.UserPools).toHaveLength(n);
      expect(exact.NextToken).toBeUndefined();
    });

    it('ListUserPools refuses garbage, tampered and foreign NextTokens with InvalidParameterException', async () => {
      await createPool('token-a');
      await createPool('token-b');
      await rejectsWith(srv.admin.send(new ListUserPoolsCommand({ MaxResults: 1, NextToken: 'garbage' })), 'InvalidParameterException');
      await rejectsWith(
        srv.admin.send(new ListUserPoolsCommand({ MaxResults: 1, NextToken: 'eyJhIjoieCJ9.AAAA' })),
        'InvalidParameterException',
      );

      const first = await srv.admin.send(new ListUserPoolsCommand({ MaxResults: 1 }));
      expect(first.NextToken).toBeTruthy();
      const token = first.NextToken!;
      // Change the cursor body, keep the tag.
      const [body, tag] = token.split('.');
      const forged = `${Buffer.from(JSON.stringify({ a: '' })).toString('base64url')}.${tag}`;
      expect(forged).not.toBe(token);
      await rejectsWith(srv.admin.send(new ListUserPoolsCommand({ MaxResults: 1, NextToken: forged })), 'InvalidParameterException');
      await rejectsWith(
        srv.admin.send(new ListUserPoolsCommand({ MaxResults: 1, NextToken: `${body}.${tag}x` })),
        'InvalidParameterException',
      );

      // A pool-listing token is not a client-listing token.
      const pool = await createPool('token-scope');
      await rejectsWith(
        srv.admin.send(new ListUserPoolClientsCommand({ UserPoolId: pool.Id, MaxResults: 1, NextToken: token })),
        'InvalidParameterException',
      );
    });

    it('DeleteUserPool: answers {}, then DescribeUserPool is ResourceNotFoundException and a second delete too', async () => {
      const pool = await createPool('to-delete');
      const res = await signedCall(srv, 'DeleteUserPool', { UserPoolId: pool.Id });
      expect(res.status).toBe(200);
      expect(res.raw).toBe('{}');
      await rejectsWith(srv.admin.send(new DescribeUserPoolCommand({ UserPoolId: pool.Id })), 'ResourceNotFoundException');
      await rejectsWith(srv.admin.send(new DeleteUserPoolCommand({ UserPoolId: pool.Id })), 'ResourceNotFoundException');
      const { UserPools } = await srv.admin.send(new ListUserPoolsCommand({ MaxResults: 60 }));
      expect(UserPools!.map((p) => p.Id)).not.toContain(pool.Id);
    });

    it('DeleteUserPool refuses while DeletionProtection is ACTIVE, and the pool survives', async () => {
      const pool = await createPool('protected', { DeletionProtection: 'ACTIVE' });
      expect(pool.DeletionProtection).toBe('ACTIVE');
      await rejectsWith(
        srv.admin.send(new DeleteUserPoolCommand({ UserPoolId: pool.Id })),
        'InvalidParameterException',
        /deletion protection/i,
      );
      const { UserPool } = await srv.admin.send(new DescribeUserPoolCommand({ UserPoolId: pool.Id }));
      expect(UserPool?.Id).toBe(pool.Id);
      await srv.admin.send(new UpdateUserPoolCommand({ UserPoolId: pool.Id, DeletionProtection: 'INACTIVE' }));
      await srv.admin.send(new DeleteUserPoolCommand({ UserPoolId: pool.Id }));
      await rejectsWith(srv.admin.send(new DescribeUserPoolCommand({ UserPoolId: pool.Id })), 'ResourceNotFoundException');
    });

    it("DeleteUserPool removes the pool's clients and its JWKS", async () => {
      const pool = await createPool('cascade');
      const { UserPoolClient } = await srv.admin.send(new CreateUserPoolClientCommand({ UserPoolId: pool.Id, ClientName: 'c' }));
      await srv.admin.send(new DeleteUserPoolCommand({ UserPoolId: pool.Id }));
      await rejectsWith(
        srv.admin.send(new DescribeUserPoolClientCommand({ UserPoolId: pool.Id, ClientId: UserPoolClient!.ClientId })),
        'ResourceNotFoundException',
      );
      expect(await srv.services.store.getClient(UserPoolClient!.ClientId!)).toBeUndefined();
      expect(await srv.services.store.listSigningKeys(pool.Id!, Date.now())).toEqual([]);
    });
  });

  describe('app clients', () => {
    let poolId: string;
    beforeAll(async () => {
      poolId = (await createPool('clients-pool')).Id!;
    });

    it('CreateUserPoolClient: id format, Cognito token validity defaults with units, auth flows echoed, no secret', async () => {
      const { UserPoolClient: c } = await srv.admin.send(
        new CreateUserPoolClientCommand({
          UserPoolId: poolId,
          ClientName: 'web-app',
          ExplicitAuthFlows: ['ALLOW_USER_AUTH', 'ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
        }),
      );
      expect(c?.ClientId).toMatch(CLIENT_ID);
      expect(c?.UserPoolId).toBe(poolId);
      expect(c?.ClientName).toBe('web-app');
      expect(c?.AccessTokenValidity).toBe(60);
      expect(c?.IdTokenValidity).toBe(60);
      expect(c?.RefreshTokenValidity).toBe(30);
      expect(c?.TokenValidityUnits).toEqual({ AccessToken: 'minutes', IdToken: 'minutes', RefreshToken: 'days' });
      expect(c?.ExplicitAuthFlows).toEqual(['ALLOW_USER_AUTH', 'ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH']);
      expect(c?.ClientSecret).toBeUndefined();
      expect(c?.CreationDate).toBeInstanceOf(Date);
      expect(c?.LastModifiedDate).toBeInstanceOf(Date);
      expect(Math.abs(c!.CreationDate!.getTime() - Date.now())).toBeLessThan(60_000);
    });

    it('CreateUserPoolClient with GenerateSecret returns a ClientSecret, and DescribeUserPoolClient shows it again', async () => {
      const { UserPoolClient: c } = await srv.admin.send(
        new CreateUserPoolClientCommand({ UserPoolId: poolId, ClientName: 'server-app', GenerateSecret: true }),
      );
      expect(typeof c?.ClientSecret).toBe('string');
      expect(c!.ClientSecret!.length).toBeGreaterThanOrEqual(40);
      const { UserPoolClient: d } = await srv.admin.send(new DescribeUserPoolClientCommand({ UserPoolId: poolId, ClientId: c!.ClientId }));
      expect(d?.ClientSecret).toBe(c!.ClientSecret);
      const other = await srv.admin.send(
        new CreateUserPoolClientCommand({ UserPoolId: poolId, ClientName: 'server-app-2', GenerateSecret: true }),
      );
      expect(other.UserPoolClient?.ClientSecret).not.toBe(c!.ClientSecret);
    });

    it('CreateUserPoolClient in an unknown pool is ResourceNotFoundException', async () => {
      await rejectsWith(
        srv.admin.send(new CreateUserPoolClientCommand({ UserPoolId: 'local_000000000', ClientName: 'x' })),
        'ResourceNotFoundException',
      );
    });

    it('DescribeUserPoolClient returns the client; wrong pool or unknown id is ResourceNotFoundException', async () => {
      const { UserPoolClient: c } = await srv.admin.send(
        new CreateUserPoolClientCommand({
          UserPoolId: poolId,
          ClientName: 'described',
          AccessTokenValidity: 5,
          TokenValidityUnits: { AccessToken: 'hours' },
        }),
      );
      const { UserPoolClient: d } = await srv.admin.send(new DescribeUserPoolClientCommand({ UserPoolId: poolId, ClientId: c!.ClientId }));
      expect(d).toEqual(c);
      expect(d?.AccessTokenValidity).toBe(5);
      expect(d?.TokenValidityUnits?.AccessToken).toBe('hours');

      const otherPool = await createPool('other-pool');
      await rejectsWith(
        srv.admin.send(new DescribeUserPoolClientCommand({ UserPoolId: otherPool.Id, ClientId: c!.ClientId })),
        'ResourceNotFoundException',
      );
      await rejectsWith(
        srv.admin.send(new DescribeUserPoolClientCommand({ UserPoolId: poolId, ClientId: 'a'.repeat(26) })),
        'ResourceNotFoundException',
      );
      await rejectsWith(
        srv.admin.send(new DescribeUserPoolClientCommand({ UserPoolId: 'local_000000000', ClientId: c!.ClientId })),
        'ResourceNotFoundException',
      );
    });

    // Cognito: access and id tokens 5 minutes to 1 day, refresh tokens 60 minutes to 10 years, in the
    // unit of TokenValidityUnits; outside is InvalidParameterException "Invalid range for token validity.".
    it(
      'CreateUserPoolClient and UpdateUserPoolClient refuse token ' + "lifetimes outside Cognito's bounds, accept the bounds themselves",
      async () => {
        const invalid = 'Invalid range for token validity.';
        const create = (extra: Record<string, unknown>) =>
          srv.admin.send(new CreateUserPoolClientCommand({ UserPoolId: poolId, ClientName: 'lifetimes', ...extra }));
        const refused: Record<string, unknown>[] = [
          { AccessTokenValidity: 1, TokenValidityUnits: { AccessToken: 'seconds' } },
          { AccessTokenValidity: 299, TokenValidityUnits: { AccessToken: 'seconds' } },
          { AccessTokenValidity: 1441, TokenValidityUnits: { AccessToken: 'minutes' } },
          { AccessTokenValidity: 2, TokenValidityUnits: { AccessToken: 'days' } },
          { AccessTokenValidity: 4 }, // minutes, the default unit
          { IdTokenValidity: 4, TokenValidityUnits: { IdToken: 'minutes' } },
          { IdTokenValidity: 25, TokenValidityUnits: { IdToken: 'hours' } },
          { RefreshTokenValidity: 59, TokenValidityUnits: { RefreshToken: 'minutes' } },
          { RefreshTokenValidity: 3651 },
          { RefreshTokenValidity: 87601, TokenValidityUnits: { RefreshToken: 'hours' } },
        ];
        for (const extra of refused)
          await rejectsWith(create(extra), 'InvalidParameterException', new RegExp(`^${invalid.replace('.', '\\.')}$`));

        const accepted: [
          Record<string, unknown>,
          Partial<Record<'AccessTokenValidity' | 'IdTokenValidity' | 'RefreshTokenValidity', number>>,
        ][] = [
          [
            { AccessTokenValidity: 300, IdTokenValidity: 86400, TokenValidityUnits: { AccessToken: 'seconds', IdToken: 'seconds' } },
            { AccessTokenValidity: 300, IdTokenValidity: 86400 },
          ],
          [
            { AccessTokenValidity: 1, IdTokenValidity: 24, TokenValidityUnits: { AccessToken: 'days', IdToken: 'hours' } },
            { AccessTokenValidity: 1, IdTokenValidity: 24 },
          ],
          [{ RefreshTokenValidity: 60, TokenValidityUnits: { RefreshToken: 'minutes' } }, { RefreshTokenValidity: 60 }],
          [{ RefreshTokenValidity: 3650 }, { RefreshTokenValidity: 3650 }],
        ];
        for (const [extra, expected] of accepted) expect((await create(extra)).UserPoolClient).toMatchObject(expected);
        // RefreshTokenValidity 0 means Cognito's default, 30 days, whatever the unit asked for.
        const zero = (await create({ RefreshTokenValidity: 0, TokenValidityUnits: { RefreshToken: 'minutes' } })).UserPoolClient!;
        expect({ value: zero.RefreshTokenValidity, unit: zero.TokenValidityUnits?.RefreshToken }).toEqual({ value: 30, unit: 'days' });

        // Update refuses the same and leaves the client as it was.
        const id = zero.ClientId!;
        for (const extra of refused) {
          await rejectsWith(
            srv.admin.send(new UpdateUserPoolClientCommand({ UserPoolId: poolId, ClientId: id, ...extra })),
            'InvalidParameterException',
            /^Invalid range for token validity\.$/,
          );
        }
        const { UserPoolClient: after } = await srv.admin.send(new DescribeUserPoolClientCommand({ UserPoolId: poolId, ClientId: id }));
        expect(after).toEqual(zero);
      },
    );

    // Cognito's default flows include ALLOW_CUSTOM_AUTH; Latchkey has no custom auth, so its default does not.
    it(
      'a client without ExplicitAuthFlows does not allow CUSTOM_AUTH; ' +
        "one that lists ALLOW_CUSTOM_AUTH gets Cognito's no-trigger answer",
      async () => {
        const custom = (clientId: string) =>
          srv.client.send(
            new InitiateAuthCommand({ AuthFlow: 'CUSTOM_AUTH', ClientId: clientId, AuthParameters: { USERNAME: 'someone' } }),
          );
        const { UserPoolClient: plain } = await srv.admin.send(
          new CreateUserPoolClientCommand({ UserPoolId: poolId, ClientName: 'default-flows' }),
        );
        await rejectsWith(custom(plain!.ClientId!), 'InvalidParameterException', /^CUSTOM_AUTH flow not enabled for this client$/);
        const { UserPoolClient: asked } = await srv.admin.send(
          new CreateUserPoolClientCommand({
            UserPoolId: poolId,
            ClientName: 'custom-flows',
            ExplicitAuthFlows: ['ALLOW_CUSTOM_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
          }),
        );
        expect(asked?.ExplicitAuthFlows).toEqual(['ALLOW_CUSTOM_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH']);
        await rejectsWith(
          custom(asked!.ClientId!),
          'InvalidParameterException',
          /^Custom auth lambda trigger is not configured for the user pool\.$/,
        );
      },
    );

    it('UpdateUserPoolClient applies changes, resets unspecified members, keeps the secret; wrong pool refused', async () => {
      const { UserPoolClient: c } = await srv.admin.send(
        new CreateUserPoolClientCommand({
          UserPoolId: poolId,
          ClientName: 'before',
          GenerateSecret: true,
          ExplicitAuthFlows: ['ALLOW_USER_SRP_AUTH'],
          CallbackURLs: ['https://app.example/cb'],
        }),
      );
      const { UserPoolClient: u } = await srv.admin.send(
        new UpdateUserPoolClientCommand({
          UserPoolId: poolId,
          ClientId: c!.ClientId,
          ClientName: 'after',
          AccessTokenValidity: 10,
          IdTokenValidity: 20,
          RefreshTokenValidity: 7,
          TokenValidityUnits: { AccessToken: 'minutes', IdToken: 'minutes', RefreshToken: 'days' },
          ExplicitAuthFlows: ['ALLOW_USER_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
        }),
      );
      expect(u?.ClientId).toBe(c!.ClientId);
      expect(u?.ClientName).toBe('after');
      expect(u?.AccessTokenValidity).toBe(10);
      expect(u?.IdTokenValidity).toBe(20);
      expect(u?.RefreshTokenValidity).toBe(7);
      expect(u?.ExplicitAuthFlows).toEqual(['ALLOW_USER_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH']);
      expect(u?.CallbackURLs).toBeUndefined(); // left out → reset
      expect(u?.ClientSecret).toBe(c!.ClientSecret); // never reset
      expect(u?.CreationDate).toEqual(c!.CreationDate);

      const { UserPoolClient: d } = await srv.admin.send(new DescribeUserPoolClientCommand({ UserPoolId: poolId, ClientId: c!.ClientId }));
      expect(d).toEqual(u);

      // Only the id: everything back to defaults, the name kept.
      const { UserPoolClient: bare } = await srv.admin.send(new UpdateUserPoolClientCommand({ UserPoolId: poolId, ClientId: c!.ClientId }));
      expect(bare?.ClientName).toBe('after');
      expect(bare?.AccessTokenValidity).toBe(60);
      expect(bare?.RefreshTokenValidity).toBe(30);
      expect(bare?.ExplicitAuthFlows).toBeUndefined();
      expect(bare?.ClientSecret).toBe(c!.ClientSecret);

      const otherPool = await createPool('other-pool-2');
      await rejectsWith(
        srv.admin.send(new UpdateUserPoolClientCommand({ UserPoolId: otherPool.Id, ClientId: c!.ClientId, ClientName: 'hijack' })),
        'ResourceNotFoundException',
      );
      const { UserPoolClient: still } = await srv.admin.send(
        new DescribeUserPoolClientCommand({ UserPoolId: poolId, ClientId: c!.ClientId }),
      );
      expect(still?.ClientName).toBe('after');
    });

    it('ListUserPoolClients pages with MaxResults 2 over 5 clients: each once, NextToken round-trips, scoped to the pool', async () => {
      const pool = await createPool('list-clients');
      const created = new Map<string, string>();
      for (let i = 0; i < 5; i++) {
        const { UserPoolClient } = await srv.admin.send(
          new CreateUserPoolClientCommand({ UserPoolId: pool.Id, ClientName: `client-${i}` }),
        );
        created.set(UserPoolClient!.ClientId!, `client-${i}`);
      }
      const pages = await allClients(srv, pool.Id!, 2);
      expect(pages.map((p) => p.length)).toEqual([2, 2, 1]);
      const items = pages.flat();
      expect(items.map((c) => c.ClientId).sort()).toEqual([...created.keys()].sort());
      for (const item of items) {
        expect(item.UserPoolId).toBe(pool.Id);
        expect(item.ClientName).toBe(created.get(item.ClientId!));
      }
      // Another pool's listing does not see them, and its token does not work here.
      const others = await srv.admin.send(new ListUserPoolClientsCommand({ UserPoolId: poolId, MaxResults: 60 }));
      for (const c of others.UserPoolClients ?? []) expect(created.has(c.ClientId!)).toBe(false);
      const first = await srv.admin.send(new ListUserPoolClientsCommand({ UserPoolId: pool.Id, MaxResults: 1 }));
      await rejectsWith(
        srv.admin.send(new ListUserPoolClientsCommand({ UserPoolId: poolId, MaxResults: 1, NextToken: first.NextToken })),
        'InvalidParameterException',
      );
      await rejectsWith(
        srv.admin.send(new ListUserPoolClientsCommand({ UserPoolId: pool.Id, MaxResults: 1, NextToken: 'garbage' })),
        'InvalidParameterException',
      );
      // Without MaxResults: all in one page.
      const all = await srv.admin.send(new ListUserPoolClientsCommand({ UserPoolId: pool.Id }));
      expect(all.UserPoolClients).toHaveLength(5);
      expect(all.NextToken).toBeUndefined();
    });

    it('DeleteUserPoolClient: {} then gone; wrong pool and second delete are ResourceNotFoundException', async () => {
      const { UserPoolClient: c } = await srv.admin.send(new CreateUserPoolClientCommand({ UserPoolId: poolId, ClientName: 'doomed' }));
      const otherPool = await createPool('other-pool-3');
      await rejectsWith(
        srv.admin.send(new DeleteUserPoolClientCommand({ UserPoolId: otherPool.Id, ClientId: c!.ClientId })),
        'ResourceNotFoundException',
      );
      const res = await signedCall(srv, 'DeleteUserPoolClient', { UserPoolId: poolId, ClientId: c!.ClientId });
      expect(res.status).toBe(200);
      expect(res.raw).toBe('{}');
      await rejectsWith(
        srv.admin.send(new DescribeUserPoolClientCommand({ UserPoolId: poolId, ClientId: c!.ClientId })),
        'ResourceNotFoundException',
      );
      await rejectsWith(
        srv.admin.send(new DeleteUserPoolClientCommand({ UserPoolId: poolId, ClientId: c!.ClientId })),
        'ResourceNotFoundException',
      );
      const { UserPoolClients } = await srv.admin.send(new ListUserPoolClientsCommand({ UserPoolId: poolId, MaxResults: 60 }));
      expect(UserPoolClients!.map((x) => x.ClientId)).not.toContain(c!.ClientId);
    });

    it('DeleteUserPoolClient with another pool id touches nothing of the client or its sign-ins', async () => {
      const other = await createTestPool(srv.admin);
      const user = await createUser(srv, other);
      const token = await accessToken(srv, other.clientId, user);
      await expectServiceError(
        srv.admin.send(new DeleteUserPoolClientCommand({ UserPoolId: poolId, ClientId: other.clientId })),
        'ResourceNotFoundException',
      );
      const me = await srv.client.send(new GetUserCommand({ AccessToken: token }));
      expect(me.Username).toBe(user.username);
    });
  });

  describe('MFA configuration', () => {
    it('SetUserPoolMfaConfig with WebAuthnConfiguration, then GetUserPoolMfaConfig returns it', async () => {
      const pool = await createPool('mfa-pool');
      const initial = await srv.admin.send(new GetUserPoolMfaConfigCommand({ UserPoolId: pool.Id }));
      expect(initial.MfaConfiguration).toBe('OFF');
      expect(initial.WebAuthnConfiguration).toBeUndefined();

      const set = await srv.admin.send(
        new SetUserPoolMfaConfigCommand({
          UserPoolId: pool.Id,
          WebAuthnConfiguration: { RelyingPartyId: 'example.com', UserVerification: 'required' },
        }),
      );
      expect(set.WebAuthnConfiguration).toMatchObject({ RelyingPartyId: 'example.com', UserVerification: 'required' });
      expect(set.MfaConfiguration).toBe('OFF');

      const got = await srv.admin.send(new GetUserPoolMfaConfigCommand({ UserPoolId: pool.Id }));
      expect(got.WebAuthnConfiguration).toMatchObject({ RelyingPartyId: 'example.com', UserVerification: 'required' });
      expect(got.MfaConfiguration).toBe('OFF');

      // A later call without WebAuthnConfiguration leaves it alone.
      await srv.admin.send(
        new SetUserPoolMfaConfigCommand({
          UserPoolId: pool.Id,
          MfaConfiguration: 'OPTIONAL',
          SoftwareTokenMfaConfiguration: { Enabled: true },
        }),
      );
      const again = await srv.admin.send(new GetUserPoolMfaConfigCommand({ UserPoolId: pool.Id }));
      expect(again.MfaConfiguration).toBe('OPTIONAL');
      expect(again.SoftwareTokenMfaConfiguration).toEqual({ Enabled: true });
      expect(again.WebAuthnConfiguration).toMatchObject({ RelyingPartyId: 'example.com', UserVerification: 'required' });
    });

    it('SetUserPoolMfaConfig validates WebAuthnConfiguration and unknown pools', async () => {
      const pool = await createPool('mfa-invalid');
      await rejectsWith(
        srv.admin.send(
          new SetUserPoolMfaConfigCommand({
            UserPoolId: pool.Id,
            WebAuthnConfiguration: { RelyingPartyId: 'example.com', UserVerification: 'sometimes' as never },
          }),
        ),
        'InvalidParameterException',
        /userVerification/,
      );
      await rejectsWith(srv.admin.send(new GetUserPoolMfaConfigCommand({ UserPoolId: 'local_000000000' })), 'ResourceNotFoundException');
      await rejectsWith(
        srv.admin.send(new SetUserPoolMfaConfigCommand({ UserPoolId: 'local_000000000', MfaConfiguration: 'OFF' })),
        'ResourceNotFoundException',
      );
    });
  });

  describe('well-known documents', () => {
    it("JWKS lists the pool's RSA public key (kid, RS256, sig) and nothing private", async () => {
      const pool = await createPool('jwks-pool');
      const res = await fetch(`${srv.endpoint}/${pool.Id}/.well-known/jwks.json`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/json/);
      const jwks = (await res.json()) as { keys: Record<string, unknown>[] };
      expect(jwks.keys.length).toBeGreaterThanOrEqual(1);
      const key = jwks.keys[0]!;
      expect(key).toMatchObject({ kty: 'RSA', alg: 'RS256', use: 'sig', e: 'AQAB' });
      expect(typeof key.kid).toBe('string');
      expect((key.kid as string).length).toBeGreaterThan(0);
      expect(typeof key.n).toBe('string');
      for (const secret of ['d', 'p', 'q', 'dp', 'dq', 'qi']) expect(key).not.toHaveProperty(secret);
      // Pools do not share keys.
      const other = await createPool('jwks-pool-2');
      const otherJwks = (await (await fetch(`${srv.endpoint}/${other.Id}/.well-known/jwks.json`)).json()) as { keys: { kid: string }[] };
      expect(otherJwks.keys.map((k) => k.kid)).not.toContain(key.kid);
    });

    it('openid-configuration names the issuer `${endpoint}/${poolId}` and its jwks_uri', async () => {
      const pool = await createPool('oidc-pool');
      const res = await fetch(`${srv.endpoint}/${pool.Id}/.well-known/openid-configuration`);
      expect(res.status).toBe(200);
      const doc = (await res.json()) as { issuer: string; jwks_uri: string; id_token_signing_alg_values_supported: string[] };
      expect(doc.issuer).toBe(`${srv.endpoint}/${pool.Id}`);
      expect(doc.jwks_uri).toBe(`${srv.endpoint}/${pool.Id}/.well-known/jwks.json`);
      expect(doc.id_token_signing_alg_values_supported).toContain('RS256');
      const jwks = await fetch(doc.jwks_uri);
      expect(jwks.status).toBe(200);
    });

    // Discovery once offered response types, OAuth scopes and token endpoint auth methods of endpoints
    // Latchkey does not have; every member now describes something served.
    it(
      'openid-configuration advertises only what is served: no ' + "endpoints but the JWKS, no response types, the JWKS's algorithms",
      async () => {
        const pool = await createPool('oidc-honest');
        const discovery = async () =>
          (await (await fetch(`${srv.endpoint}/${pool.Id}/.well-known/openid-configuration`)).json()) as Record<string, unknown>;
        const doc = await discovery();
        expect(Object.keys(doc).sort()).toEqual([
          'claims_supported',
          'id_token_signing_alg_values_supported',
          'issuer',
          'jwks_uri',
          'response_types_supported',
          'subject_types_supported',
        ]);
        expect(doc.response_types_supported).toEqual([]);
        expect(doc.id_token_signing_alg_values_supported).toEqual(['RS256']);
        // Every URL in the document is served.
        const urls = Object.entries(doc).filter(([k, v]) => k !== 'issuer' && typeof v === 'string' && /^https?:/.test(v));
        expect(urls.map(([k]) => k)).toEqual(['jwks_uri']);
        for (const [, url] of urls) expect((await fetch(url as string)).status).toBe(200);

        // After a switch to ES256 both algorithms have published keys, so both are listed.
        const set = await signedCall(srv, 'LatchkeyUpdateUserPoolSettings', {
          UserPoolId: pool.Id,
          Settings: { tokenSigningAlg: 'ES256' },
        });
        expect(set.status, JSON.stringify(set.json)).toBe(200);
        expect((await discovery()).id_token_signing_alg_values_supported).toEqual(['ES256', 'RS256']);
        // An ES256-only pool offers ES256 only.
        const es = await createPool('oidc-es256');
        expect(
          (await signedCall(srv, 'LatchkeyUpdateUserPoolSettings', { UserPoolId: es.Id, Settings: { tokenSigningAlg: 'ES256' } })).status,
        ).toBe(200);
        expect((await signedCall(srv, 'LatchkeyRotateSigningKey', { UserPoolId: es.Id, RetireAfterSeconds: 0 })).status).toBe(200);
        srv.clock.advance(24 * 3600_000 + 1000);
        try {
          const esDoc = (await (await fetch(`${srv.endpoint}/${es.Id}/.well-known/openid-configuration`)).json()) as Record<
            string,
            unknown
          >;
          expect(esDoc.id_token_signing_alg_values_supported).toEqual(['ES256']);
        } finally {
          srv.clock.offset = 0;
        }
      },
    );

    it('unknown pool: a JSON ResourceNotFoundException, never a 500', async () => {
      for (const doc of ['jwks.json', 'openid-configuration']) {
        const res = await fetch(`${srv.endpoint}/local_000000000/.well-known/${doc}`);
        expect(res.status).toBeGreaterThanOrEqual(400);
        expect(res.status).toBeLessThan(500);
        expect(res.headers.get('x-amzn-requestid')).toBeTruthy();
        const body = (await res.json()) as { __type: string; message: string };
        expect(body.__type).toBe('ResourceNotFoundException');
        expect(body.message).toContain('local_000000000');
      }
    });

    // A GET for a document of a pool that does not exist is a 404, like any unknown path.
    // Regression: the well-known routes used the error's own status (400).
    it('unknown pool: JWKS and openid-configuration answer HTTP 404', async () => {
      for (const doc of ['jwks.json', 'openid-configuration']) {
        const res = await fetch(`${srv.endpoint}/local_000000000/.well-known/${doc}`);
        expect(res.status).toBe(404);
      }
    });
  });
});

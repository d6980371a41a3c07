import { describe, expect, it } from 'vitest';
import { parseClientConfig, parsePoolConfig, StoredConfigError } from '../src/storage/configs.js';
import { toClient, toPool } from '../src/storage/kysely/rows.js';
import { Pool } from '../src/domain/pools.js';
import { AppClient } from '../src/domain/clients.js';
import { CLIENT_OPTIONS, LATCHKEY_SETTINGS, POOL_OPTIONS } from '../src/config/defaults.js';

const row = (config: string) => ({ id: 'local_x', pool_id: 'local_x', name: 'n', config, created_at: 1, updated_at: 2 });

describe('pool and client configs are parsed once, in the row mappers', () => {
  it('a stored pool config reads as typed members; unknown members are kept for Describe', () => {
    const rec = toPool(
      row(
        JSON.stringify({
          Policies: { PasswordPolicy: { MinimumLength: 12 }, SignInPolicy: { AllowedFirstAuthFactors: ['PASSWORD', 'WEB_AUTHN'] } },
          AliasAttributes: ['email'],
          Latchkey: { maxPasskeysPerUser: 3 },
          EmailVerificationSubject: 'Hi',
        }),
      ),
    );
    const pool = new Pool(rec);
    expect(pool.passwordPolicy).toEqual({ ...POOL_OPTIONS.PasswordPolicy.default, MinimumLength: 12 });
    expect(pool.allowedFirstAuthFactors).toEqual(['PASSWORD', 'WEB_AUTHN']);
    expect(pool.emailIsAlias).toBe(true);
    expect(pool.latchkey.maxPasskeysPerUser).toBe(3);
    expect(pool.latchkey.lockoutThreshold).toBe(LATCHKEY_SETTINGS.lockoutThreshold.default);
    expect(rec.config.EmailVerificationSubject).toBe('Hi');
    expect(rec.createdAt).toBe(1);
  });

  it('a stored value of the wrong type fails closed: the row is refused, naming the member, never defaulted', () => {
    const cases: [unknown, string][] = [
      [{ Policies: { PasswordPolicy: { MinimumLength: '12' } } }, 'Policies.PasswordPolicy.MinimumLength'],
      [{ Policies: { PasswordPolicy: { RequireSymbols: 'no' } } }, 'Policies.PasswordPolicy.RequireSymbols'],
      [{ Policies: { SignInPolicy: { AllowedFirstAuthFactors: 'PASSWORD' } } }, 'Policies.SignInPolicy.AllowedFirstAuthFactors'],
      [{ Policies: { PasswordPolicy: 8 } }, 'Policies.PasswordPolicy'],
      [{ UsernameAttributes: [1] }, 'UsernameAttributes'],
      [{ UsernameConfiguration: { CaseSensitive: 'yes' } }, 'UsernameConfiguration.CaseSensitive'],
      [
        { WebAuthnConfiguration: { RelyingPartyId: 'example.com', UserVerification: 'REQUIRED' } },
        'WebAuthnConfiguration.UserVerification',
      ],
      [{ Latchkey: { maxPasskeysPerUser: 2.5 } }, 'Latchkey.maxPasskeysPerUser'],
      [{ Latchkey: { tokenSigningAlg: 'HS256' } }, 'Latchkey.tokenSigningAlg'],
      [{ Latchkey: { lockoutThreshold: null } }, 'Latchkey.lockoutThreshold'],
      [{ MfaConfiguration: 7 }, 'MfaConfiguration'],
    ];
    for (const [doc, path] of cases) {
      expect(() => parsePoolConfig(doc)).toThrow(StoredConfigError);
      expect(() => parsePoolConfig(JSON.stringify(doc))).toThrow(`stored pool config is corrupt at ${path}:`);
    }
    // The same documents with the right types read back unchanged.
    expect(parsePoolConfig({ Latchkey: { maxPasskeysPerUser: 2, tokenSigningAlg: 'ES256' } })).toEqual({
      Latchkey: { maxPasskeysPerUser: 2, tokenSigningAlg: 'ES256' },
    });
  });

  it('a client whose secret or flows are corrupt is refused, never read as a public client or with default flows', () => {
    const bad: [object, string][] = [
      [{ ClientSecret: null }, 'ClientSecret'],
      [{ ClientSecret: 123 }, 'ClientSecret'],
      [{ ExplicitAuthFlows: ['ALLOW_USER_AUTH', null] }, 'ExplicitAuthFlows'],
      [{ PreventUserExistenceErrors: 'OFF' }, 'PreventUserExistenceErrors'],
      [{ AccessTokenValidity: '1', TokenValidityUnits: { AccessToken: 'hours' } }, 'AccessTokenValidity'],
      [{ AccessTokenValidity: 1, TokenValidityUnits: { AccessToken: 'weeks' } }, 'TokenValidityUnits.AccessToken'],
      [{ LatchkeyAllowedOrigins: 'https://a.example' }, 'LatchkeyAllowedOrigins'],
    ];
    for (const [doc, path] of bad) {
      expect(() => toClient(row(JSON.stringify(doc)))).toThrow(`stored client config is corrupt at ${path}:`);
    }
    // The message names the member, never the stored value (it may be a secret).
    try {
      parseClientConfig({ ClientSecret: ['the-secret-value'] });
      expect.unreachable();
    } catch (err) {
      expect((err as Error).message).not.toContain('the-secret-value');
    }
  });

  it('a row whose JSON is broken or not an object is refused; stored key order is kept', () => {
    expect(() => parsePoolConfig('{not json')).toThrow(StoredConfigError);
    expect(() => parsePoolConfig('[1,2]')).toThrow(StoredConfigError);
    expect(() => parseClientConfig('null')).toThrow(StoredConfigError);
    expect(() => toClient(row('"text"'))).toThrow('stored client config is corrupt at the document');
    // Stored key order is kept, so Describe answers read as they were written.
    expect(Object.keys(parsePoolConfig({ Z: 1, Policies: {}, A: 2, MfaConfiguration: 'OFF' }))).toEqual([
      'Z',
      'Policies',
      'A',
      'MfaConfiguration',
    ]);
    const client = new AppClient(toClient(row('{}')));
    expect(client.explicitAuthFlows).toEqual(CLIENT_OPTIONS.ExplicitAuthFlows.default);
    expect(client.accessValiditySec).toBe(60 * 60);
    expect(client.refreshValiditySec).toBe(30 * 86400);
    expect(client.authSessionValiditySec).toBe(3 * 60);
    expect(client.preventUserExistenceErrors).toBe(true);
    expect(client.enableTokenRevocation).toBe(true);
    expect(client.secret).toBeUndefined();
  });

  it('a stored client config reads as typed members; a unit left out is the default unit', () => {
    const client = new AppClient(
      toClient(
        row(
          JSON.stringify({
            ClientSecret: 's3cret',
            AccessTokenValidity: 2,
            TokenValidityUnits: { AccessToken: 'hours' },
            IdTokenValidity: 30,
            PreventUserExistenceErrors: 'LEGACY',
            LatchkeyAllowedOrigins: ['https://a.example'],
          }),
        ),
      ),
    );
    expect(client.secret).toBe('s3cret');
    expect(client.accessValiditySec).toBe(2 * 3600);
    expect(client.idValiditySec).toBe(30 * 60);
    expect(client.preventUserExistenceErrors).toBe(false);
    expect(client.allowedOrigins).toEqual(['https://a.example']);
  });
});

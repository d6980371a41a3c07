import { describe, expect, it } from 'vitest';
import { parseClientConfig, parsePoolConfig } from '../src/storage/configs.js';
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

  it('stored values of the wrong type are dropped, so the defaults apply (not a cast lying about them)', () => {
    const config = parsePoolConfig({
      Policies: { PasswordPolicy: { MinimumLength: '12', RequireSymbols: 'no' }, SignInPolicy: { AllowedFirstAuthFactors: 'PASSWORD' } },
      UsernameAttributes: [1],
      UsernameConfiguration: { CaseSensitive: 'yes' },
      WebAuthnConfiguration: { RelyingPartyId: 'example.com', UserVerification: 'sometimes' },
      Latchkey: { maxPasskeysPerUser: 2.5, tokenSigningAlg: 'HS256', attestation: 'direct', extra: 1 },
      MfaConfiguration: 7,
    });
    const pool = new Pool({ id: 'local_y', name: 'y', config, createdAt: 0, updatedAt: 0 });
    expect(pool.passwordPolicy).toEqual(POOL_OPTIONS.PasswordPolicy.default);
    expect(pool.allowedFirstAuthFactors).toEqual(POOL_OPTIONS.AllowedFirstAuthFactors.default);
    expect(pool.usernameAttributes).toEqual([]);
    expect(pool.caseSensitive).toBe(false);
    expect(pool.webAuthn).toEqual({ RelyingPartyId: 'example.com', UserVerification: POOL_OPTIONS.UserVerification.default });
    expect(pool.latchkey).toEqual({
      maxPasskeysPerUser: LATCHKEY_SETTINGS.maxPasskeysPerUser.default,
      registrationTimeoutMs: LATCHKEY_SETTINGS.registrationTimeoutMs.default,
      attestation: 'direct',
      signCountPolicy: LATCHKEY_SETTINGS.signCountPolicy.default,
      tokenSigningAlg: LATCHKEY_SETTINGS.tokenSigningAlg.default,
      lockoutThreshold: LATCHKEY_SETTINGS.lockoutThreshold.default,
    });
    expect(pool.mfaConfiguration).toBe('OFF');
  });

  it('a row whose JSON is broken or not an object reads as all defaults', () => {
    expect(parsePoolConfig('{not json')).toEqual({});
    expect(parsePoolConfig('[1,2]')).toEqual({});
    expect(parseClientConfig('null')).toEqual({});
    // Stored key order is kept, so Describe answers read as they were written.
    expect(Object.keys(parsePoolConfig({ Z: 1, Policies: {}, A: 2, MfaConfiguration: 'OFF' }))).toEqual([
      'Z',
      'Policies',
      'A',
      'MfaConfiguration',
    ]);
    const client = new AppClient(toClient(row('"text"')));
    expect(client.explicitAuthFlows).toEqual(CLIENT_OPTIONS.ExplicitAuthFlows.default);
    expect(client.accessValiditySec).toBe(60 * 60);
    expect(client.refreshValiditySec).toBe(30 * 86400);
    expect(client.authSessionValiditySec).toBe(3 * 60);
    expect(client.preventUserExistenceErrors).toBe(true);
    expect(client.enableTokenRevocation).toBe(true);
  });

  it('a stored client config reads as typed members; a bad unit falls back to the default unit', () => {
    const client = new AppClient(
      toClient(
        row(
          JSON.stringify({
            ClientSecret: 's3cret',
            AccessTokenValidity: 2,
            TokenValidityUnits: { AccessToken: 'hours', IdToken: 'weeks' },
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

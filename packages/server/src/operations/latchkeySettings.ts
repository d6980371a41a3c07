import { operation } from './types.js';
import { v, common } from '../protocol/validate.js';
import { loadClient, loadPool } from './shared.js';
import { isOriginAllowed } from '../security/webauthn.js';
import { InvalidParameterException } from '../protocol/errors.js';

/**
 * Latchkey-only admin operations (SigV4), for settings Cognito does not have. Same transport, target
 * `AWSCognitoIdentityProviderService.Latchkey…`; see docs/configuration.md.
 */
export const LatchkeyUpdateUserPoolSettings = operation<{ UserPoolId: string; Settings: Record<string, unknown> }, object>({
  auth: 'sigv4',
  input: {
    UserPoolId: common.userPoolId(),
    Settings: v.obj({
      maxPasskeysPerUser: v.int({ min: 1, max: 100 }),
      registrationTimeoutMs: v.int({ min: 30_000, max: 3_600_000 }),
      attestation: v.str({ enum: ['none', 'direct'] }),
      signCountPolicy: v.str({ enum: ['lenient-synced', 'strict'] }),
      tokenSigningAlg: v.str({ enum: ['RS256', 'ES256'] }),
      lockoutThreshold: v.int({ min: 1, max: 100 }),
    }, { required: true }),
  },
  async handle(s, { UserPoolId, Settings }) {
    const pool = await loadPool(s, UserPoolId);
    const config = { ...(pool.record.config as Record<string, unknown>) };
    config.Latchkey = { ...((config.Latchkey as object) ?? {}), ...Settings };
    await s.store.updatePool(pool.id, config, s.clock.now());
    if (Settings.tokenSigningAlg && Settings.tokenSigningAlg !== pool.latchkey.tokenSigningAlg) {
      // Old-algorithm keys stay in the JWKS for a day so tokens already issued keep verifying.
      await s.tokens.rotate(pool.id, Settings.tokenSigningAlg as 'RS256' | 'ES256', s.clock.now() + 24 * 3600_000);
    }
    return { Settings: config.Latchkey };
  },
});

export const LatchkeyDescribeUserPoolSettings = operation<{ UserPoolId: string }, object>({
  auth: 'sigv4',
  input: { UserPoolId: common.userPoolId() },
  async handle(s, { UserPoolId }) {
    const pool = await loadPool(s, UserPoolId);
    return { Settings: pool.latchkey };
  },
});

export const LatchkeyUpdateUserPoolClientSettings = operation<{ UserPoolId: string; ClientId: string; AllowedOrigins: string[] }, object>({
  auth: 'sigv4',
  input: { UserPoolId: common.userPoolId(), ClientId: common.clientId(), AllowedOrigins: v.list(v.str({ min: 1, max: 512 }), { required: true, max: 50 }) },
  async handle(s, { UserPoolId, ClientId, AllowedOrigins }) {
    await loadPool(s, UserPoolId);
    const client = await loadClient(s, ClientId, UserPoolId);
    for (const o of AllowedOrigins) {
      if (!/^(https:\/\/[^/\s]+|http:\/\/localhost(:\d+)?|android:apk-key-hash:[A-Za-z0-9_-]+|ios:bundle-id:[\w.-]+)$/.test(o)) {
        throw new InvalidParameterException(`Not an origin: ${o.slice(0, 64)}`);
      }
    }
    void isOriginAllowed;
    await s.store.updateClient(ClientId, client.record.name, { ...(client.record.config as object), LatchkeyAllowedOrigins: AllowedOrigins }, s.clock.now());
    return { AllowedOrigins };
  },
});

/** Rotates a pool's signing key: new tokens use the new key; the old one stays in the JWKS for `RetireAfterSeconds` (default: the longest token validity, 1 day). */
export const LatchkeyRotateSigningKey = operation<{ UserPoolId: string; RetireAfterSeconds?: number }, object>({
  auth: 'sigv4',
  input: { UserPoolId: common.userPoolId(), RetireAfterSeconds: v.int({ min: 0, max: 30 * 86400 }) },
  async handle(s, { UserPoolId, RetireAfterSeconds = 86400 }) {
    const pool = await loadPool(s, UserPoolId);
    const kid = await s.tokens.rotate(pool.id, pool.latchkey.tokenSigningAlg, s.clock.now() + RetireAfterSeconds * 1000);
    return { KeyId: kid };
  },
});

import { operation } from './types.js';
import { v, common } from '../protocol/validate.js';
import { loadClient, loadPool } from './shared.js';
import { InvalidParameterException, ResourceNotFoundException } from '../protocol/errors.js';
import type { LatchkeyPoolSettings } from '../domain/pools.js';
import type { Services } from '../services.js';

// Latchkey-only operations have no SDK model: their answers are defined here, once.
export interface LatchkeyUserPoolSettingsResponse {
  Settings: Partial<LatchkeyPoolSettings> & { webhookSecret?: string };
}
export interface LatchkeyUpdateUserPoolClientSettingsResponse {
  AllowedOrigins: string[];
}
export interface LatchkeyRotateSigningKeyResponse {
  KeyId: string;
}
import { FIXED } from '../config/defaults.js';
import { webhookSecret } from '../domain/webhookSecret.js';

/**
 * Latchkey-only admin operations (SigV4), for settings Cognito does not have. Same transport, target
 * `AWSCognitoIdentityProviderService.Latchkey…`; see docs/configuration.md.
 */
export const LatchkeyUpdateUserPoolSettings = operation({
  auth: 'sigv4',
  input: {
    UserPoolId: common.userPoolId(),
    Settings: v.obj(
      {
        maxPasskeysPerUser: v.int({ min: 1, max: 100 }),
        registrationTimeoutMs: v.int({ min: 30_000, max: 3_600_000 }),
        attestation: v.str({ enum: ['none', 'direct'] }),
        signCountPolicy: v.str({ enum: ['lenient-synced', 'strict'] }),
        tokenSigningAlg: v.str({ enum: ['RS256', 'ES256'] }),
        lockoutThreshold: v.int({ min: 1, max: 100 }),
        rotateWebhookSecret: v.bool(),
        eventWebhookUrl: v.str({ max: 2048 }),
        passkeyChangeEmail: v.bool(),
      },
      { required: true },
    ),
  },
  async handle(
    s: Pick<Services, 'store' | 'clock' | 'tokens' | 'box'>,
    { UserPoolId, Settings: { rotateWebhookSecret, ...changes } },
  ): Promise<LatchkeyUserPoolSettingsResponse> {
    const pool = await loadPool(s, UserPoolId, { fresh: true });
    if (changes.eventWebhookUrl !== undefined && changes.eventWebhookUrl !== '' && !isEventWebhookUrl(changes.eventWebhookUrl))
      throw new InvalidParameterException('eventWebhookUrl must be an https:// URL (http:// only on a loopback host)');
    const config = { ...(pool.record.config as Record<string, unknown>) };
    const settings: Partial<LatchkeyPoolSettings> = { ...((config.Latchkey as Partial<LatchkeyPoolSettings>) ?? {}), ...changes };
    if (rotateWebhookSecret) settings.webhookSecretVersion = pool.latchkey.webhookSecretVersion + 1;
    config.Latchkey = settings;
    if (!(await s.store.updatePool(pool.id, config, s.clock.now())))
      throw new ResourceNotFoundException(`User pool ${pool.id} does not exist.`);
    if (changes.tokenSigningAlg && changes.tokenSigningAlg !== pool.latchkey.tokenSigningAlg) {
      // Old-algorithm keys stay in the JWKS for a day so tokens already issued keep verifying.
      await s.tokens.rotate(pool.id, changes.tokenSigningAlg, s.clock.now() + FIXED.keyRetirementMs.default);
    }
    return { Settings: { ...settings, webhookSecret: s.box.webhookSecret(pool.id, settings.webhookSecretVersion ?? 0) } };
  },
});

export const LatchkeyDescribeUserPoolSettings = operation({
  auth: 'sigv4',
  input: { UserPoolId: common.userPoolId() },
  async handle(s: Pick<Services, 'store' | 'box'>, { UserPoolId }): Promise<LatchkeyUserPoolSettingsResponse> {
    const pool = await loadPool(s, UserPoolId);
    return { Settings: { ...pool.latchkey, webhookSecret: webhookSecret(s, pool) } };
  },
});

export const LatchkeyUpdateUserPoolClientSettings = operation({
  auth: 'sigv4',
  input: {
    UserPoolId: common.userPoolId(),
    ClientId: common.clientId(),
    AllowedOrigins: v.list(v.str({ min: 1, max: 512 }), { required: true, max: 50 }),
  },
  async handle(
    s: Pick<Services, 'store' | 'clock'>,
    { UserPoolId, ClientId, AllowedOrigins },
  ): Promise<LatchkeyUpdateUserPoolClientSettingsResponse> {
    await loadPool(s, UserPoolId);
    const client = await loadClient(s, ClientId, UserPoolId, { fresh: true });
    // Stored in the exact form browsers put in clientDataJSON (lower-case host, no default port), so
    // the verbatim comparison at verification time can match.
    const origins = AllowedOrigins.map(normalizeOrigin);
    const updated = await s.store.updateClient(
      ClientId,
      client.record.name,
      { ...(client.record.config as object), LatchkeyAllowedOrigins: origins },
      s.clock.now(),
    );
    if (!updated) throw new ResourceNotFoundException(`User pool client ${ClientId} does not exist.`);
    return { AllowedOrigins: origins };
  },
});

/**
 * Rotates a pool's signing key: new tokens use the new key; the old one stays in the JWKS for `RetireAfterSeconds` (default: the longest
 * token validity, 1 day).
 */
export const LatchkeyRotateSigningKey = operation({
  auth: 'sigv4',
  input: { UserPoolId: common.userPoolId(), RetireAfterSeconds: v.int({ min: 0, max: 30 * 86400 }) },
  async handle(
    s: Pick<Services, 'store' | 'tokens' | 'clock'>,
    { UserPoolId, RetireAfterSeconds = FIXED.keyRetirementMs.default / 1000 },
  ): Promise<LatchkeyRotateSigningKeyResponse> {
    const pool = await loadPool(s, UserPoolId);
    const kid = await s.tokens.rotate(pool.id, pool.latchkey.tokenSigningAlg, s.clock.now() + RetireAfterSeconds * 1000);
    return { KeyId: kid };
  },
});

/** An https:// URL, or http:// to a loopback host (development); no fragment. */
export function isEventWebhookUrl(u: string): boolean {
  let url: URL;
  try {
    url = new URL(u);
  } catch {
    return false;
  }
  if (url.hash) return false;
  if (url.protocol === 'https:') return true;
  const host = url.hostname;
  const loopback = host === 'localhost' || host.endsWith('.localhost') || /^127(\.\d{1,3}){3}$/.test(host) || host === '[::1]';
  return url.protocol === 'http:' && loopback;
}

/**
 * An allowed origin as a browser serialises it: `https://host[:port]`, `http://localhost[:port]`, or an
 * app origin (`android:apk-key-hash:…`, `ios:bundle-id:…`) kept verbatim.
 * @throws InvalidParameterException for anything else.
 */
function normalizeOrigin(o: string): string {
  if (/^(android:apk-key-hash:[A-Za-z0-9_+/=-]+|ios:bundle-id:[\w.-]+)$/.test(o)) return o;
  let url: URL;
  try {
    url = new URL(o);
  } catch {
    throw new InvalidParameterException(`Not an origin: ${o.slice(0, 64)}`);
  }
  const origin = url.origin;
  const isHttps = url.protocol === 'https:';
  const isLocalHttp = url.protocol === 'http:' && (url.hostname === 'localhost' || url.hostname.endsWith('.localhost'));
  if (
    (!isHttps && !isLocalHttp) ||
    origin === 'null' ||
    url.username ||
    url.password ||
    (url.pathname !== '/' && url.pathname !== '') ||
    url.search ||
    url.hash ||
    !/^https?:\/\/[^/]+$/.test(o.replace(/\/$/, ''))
  ) {
    throw new InvalidParameterException(`Not an origin: ${o.slice(0, 64)}`);
  }
  return origin;
}

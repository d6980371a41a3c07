/**
 * Token cache, storage layout and refresh (Amplify's TokenStore + TokenOrchestrator, docs/wire-contract.md §3.5–3.7).
 *
 * Storage keys are Amplify's, so an app can switch libraries without signing users out:
 *   CognitoIdentityServiceProvider.<clientId>.LastAuthUser
 *   CognitoIdentityServiceProvider.<clientId>.<username>.{accessToken,idToken,refreshToken,clockDrift,signInDetails}
 */
import { getConfig, peekConfig, type ResolvedConfig } from './config.js';
import { AuthError, toNamedError, unauthenticatedError } from './errors.js';
import { emit } from './events.js';
import { decodeBase64urlLenient } from '@latchkey/wire';
import { callUserPool } from './transport.js';
import { getDeviceMetadata } from './internal/devices.js';
import type { ClientMetadata, CognitoAuthSignInDetails, JWT, JwtPayload } from './types.js';

const PREFIX = 'CognitoIdentityServiceProvider';
const TOKEN_KEYS = ['accessToken', 'idToken', 'refreshToken', 'clockDrift', 'signInDetails', 'oauthMetadata'] as const;

export interface StoredTokens {
  accessToken: JWT;
  idToken?: JWT;
  refreshToken?: string;
  /** ms; `iat*1000 − local now` at sign-in/refresh. */
  clockDrift: number;
  username: string;
  signInDetails?: CognitoAuthSignInDetails;
}

/** Cognito `AuthenticationResult`. */
export interface AuthenticationResult {
  AccessToken?: string;
  IdToken?: string;
  RefreshToken?: string;
  ExpiresIn?: number;
  TokenType?: string;
  NewDeviceMetadata?: unknown;
}

/**
 * Decodes a JWT's payload (3 dot-separated parts, base64url JSON). Does NOT verify the signature —
 * like Amplify's `decodeJWT`; verify tokens on your server (e.g. with aws-jwt-verify).
 */
export function decodeJWT(token: string): JWT {
  const parts = token.split('.');
  if (parts.length !== 3) throw new Error('Invalid token');
  try {
    const payload = JSON.parse(new TextDecoder().decode(decodeBase64urlLenient(parts[1]!))) as JwtPayload;
    return { payload, toString: () => token };
  } catch {
    throw new Error('Invalid token payload');
  }
}

function lastAuthUserKey({ cognito }: ResolvedConfig): string {
  return `${PREFIX}.${cognito.userPoolClientId}.LastAuthUser`;
}

function keyFor({ cognito }: ResolvedConfig, username: string, key: (typeof TOKEN_KEYS)[number]): string {
  return `${PREFIX}.${cognito.userPoolClientId}.${username}.${key}`;
}

async function lastAuthUser(config: ResolvedConfig): Promise<string> {
  // Amplify falls back to the literal 'username' when LastAuthUser is missing.
  return (await config.storage.getItem(lastAuthUserKey(config))) ?? 'username';
}

/** Reads the stored tokens; null when there is no (decodable) access token. */
export async function loadTokens(config: ResolvedConfig | undefined = peekConfig()): Promise<StoredTokens | null> {
  if (!config) return null;
  try {
    const { storage } = config;
    const username = await lastAuthUser(config);
    const access = await storage.getItem(keyFor(config, username, 'accessToken'));
    if (!access) return null;
    const id = await storage.getItem(keyFor(config, username, 'idToken'));
    const refresh = await storage.getItem(keyFor(config, username, 'refreshToken'));
    const drift = await storage.getItem(keyFor(config, username, 'clockDrift'));
    const details = await storage.getItem(keyFor(config, username, 'signInDetails'));
    return {
      accessToken: decodeJWT(access),
      idToken: id ? decodeJWT(id) : undefined,
      refreshToken: refresh ?? undefined,
      clockDrift: Number.parseInt(drift ?? '0', 10) || 0,
      username,
      signInDetails: details ? (JSON.parse(details) as CognitoAuthSignInDetails) : undefined,
    };
  } catch {
    return null;
  }
}

async function storeTokens(config: ResolvedConfig, tokens: StoredTokens): Promise<void> {
  const { storage } = config;
  const key = (k: (typeof TOKEN_KEYS)[number]) => keyFor(config, tokens.username, k);
  await storage.setItem(lastAuthUserKey(config), tokens.username);
  await storage.setItem(key('accessToken'), tokens.accessToken.toString());
  if (tokens.idToken) await storage.setItem(key('idToken'), tokens.idToken.toString());
  else await storage.removeItem(key('idToken'));
  if (tokens.refreshToken) await storage.setItem(key('refreshToken'), tokens.refreshToken);
  else await storage.removeItem(key('refreshToken'));
  if (tokens.signInDetails) await storage.setItem(key('signInDetails'), JSON.stringify(tokens.signInDetails));
  else await storage.removeItem(key('signInDetails'));
  await storage.setItem(key('clockDrift'), String(tokens.clockDrift));
}

/** Removes the current user's tokens and LastAuthUser (other keys in the storage are untouched). */
export async function clearTokens(config: ResolvedConfig | undefined = peekConfig()): Promise<void> {
  if (!config) return;
  const username = await lastAuthUser(config);
  await Promise.all([
    ...TOKEN_KEYS.map((k) => config.storage.removeItem(keyFor(config, username, k))),
    config.storage.removeItem(lastAuthUserKey(config)),
  ]);
}

function driftFrom(accessToken: JWT): number {
  const iat = accessToken.payload.iat;
  return iat ? iat * 1000 - Date.now() : 0;
}

/** Stores a sign-in's `AuthenticationResult` (Amplify `cacheCognitoTokens`). */
export async function cacheAuthenticationResult(
  result: AuthenticationResult,
  username: string,
  signInDetails: CognitoAuthSignInDetails | undefined,
): Promise<void> {
  if (!result.AccessToken) {
    throw new AuthError({
      name: 'InvalidTokens',
      message: 'Invalid tokens',
      recoverySuggestion: 'Check Cognito UserPool settings',
    });
  }
  const accessToken = decodeJWT(result.AccessToken);
  await storeTokens(getConfig(), {
    accessToken,
    idToken: result.IdToken ? decodeJWT(result.IdToken) : undefined,
    refreshToken: result.RefreshToken,
    clockDrift: driftFrom(accessToken),
    username,
    signInDetails,
  });
}

/** Amplify `isTokenExpired` with its 5 s tolerance; a missing `exp` counts as expired. */
function isExpired(token: JWT, clockDrift: number): boolean {
  const exp = typeof token.payload.exp === 'number' ? token.payload.exp : 0;
  return Date.now() + clockDrift + 5000 > exp * 1000;
}

let inflightRefresh: Promise<StoredTokens | null> | undefined;

/**
 * The current tokens, refreshed first when the access or id token is expired or `forceRefresh` is set.
 * Resolves null when signed out (including after a refresh rejected with `NotAuthorizedException`).
 */
export async function getTokens(options: { forceRefresh?: boolean; clientMetadata?: ClientMetadata } = {}): Promise<StoredTokens | null> {
  const config = peekConfig();
  if (!config) return null;
  const tokens = await loadTokens(config);
  if (!tokens) return null;
  const expired = isExpired(tokens.accessToken, tokens.clockDrift) || (!!tokens.idToken && isExpired(tokens.idToken, tokens.clockDrift));
  if (!options.forceRefresh && !expired) return tokens;
  // De-duplicated: concurrent callers share one GetTokensFromRefreshToken request.
  inflightRefresh ??= refresh(config, tokens, options.clientMetadata).finally(() => {
    inflightRefresh = undefined;
  });
  return inflightRefresh;
}

const SIGN_OUT_ON_REFRESH_ERRORS = [
  'NotAuthorizedException',
  'TokenRevokedException',
  'UserNotFoundException',
  'PasswordResetRequiredException',
  'UserNotConfirmedException',
  'RefreshTokenReuseException',
];

async function refresh(
  config: ResolvedConfig,
  tokens: StoredTokens,
  clientMetadata: ClientMetadata | undefined,
): Promise<StoredTokens | null> {
  try {
    if (!tokens.refreshToken) {
      throw new AuthError({
        name: 'TokenRefreshException',
        message: 'The tokens have expired and no refresh token is stored.',
        recoverySuggestion: 'Sign in again.',
      });
    }
    const { AuthenticationResult: result } = await callUserPool<{ AuthenticationResult?: AuthenticationResult }>(
      'GetTokensFromRefreshToken',
      {
        ClientId: config.cognito.userPoolClientId,
        RefreshToken: tokens.refreshToken,
        DeviceKey: (await getDeviceMetadata(tokens.username))?.deviceKey,
        ClientMetadata: clientMetadata,
      },
    );
    const accessToken = decodeJWT(result?.AccessToken ?? '');
    if (!accessToken.payload.iat) {
      throw new AuthError({ name: 'iatNotFoundException', message: 'iat not found in access token' });
    }
    const next: StoredTokens = {
      accessToken,
      idToken: result?.IdToken ? decodeJWT(result.IdToken) : undefined,
      refreshToken: result?.RefreshToken ?? tokens.refreshToken,
      clockDrift: driftFrom(accessToken),
      username: tokens.username,
      signInDetails: tokens.signInDetails,
    };
    await storeTokens(config, next);
    emit({ event: 'tokenRefresh' });
    return next;
  } catch (caught) {
    const error = toNamedError(caught);
    if (SIGN_OUT_ON_REFRESH_ERRORS.some((n) => error.name.startsWith(n))) await clearTokens(config);
    emit({ event: 'tokenRefresh_failure', data: { error } });
    if (error.name.startsWith('NotAuthorizedException')) return null;
    throw error;
  }
}

/** Amplify's `fetchAuthSession()` + `assertAuthTokens()`: the (refreshed) access token or UserUnAuthenticatedException. */
export async function requireAccessToken(): Promise<string> {
  getConfig();
  const tokens = await getTokens();
  if (!tokens) throw unauthenticatedError();
  return tokens.accessToken.toString();
}

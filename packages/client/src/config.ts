import { AuthError } from './errors.js';
import type { CognitoUserPoolConfig, ConfigureOptions, ResourcesConfig, TokenStorage } from './types.js';
import { createMemoryStorage, defaultStorage } from './storage.js';

/** What every API reads: the validated user-pool config plus library options. */
export interface ResolvedConfig {
  cognito: CognitoUserPoolConfig;
  options: ConfigureOptions;
  storage: TokenStorage;
}

// The module-level singleton (like Amplify's). Plain `let`: no work happens at import time.
let current: ResolvedConfig | undefined;

/** The subset of Amplify Gen 2 `amplify_outputs.json` that is read (`auth.*`). */
export interface AmplifyOutputsLike {
  version: string;
  auth?: {
    user_pool_id: string;
    user_pool_client_id: string;
    passwordless?: {
      email_otp_enabled?: boolean;
      sms_otp_enabled?: boolean;
      web_authn?: { relying_party_id?: string; user_verification?: string };
      preferred_challenge?: 'EMAIL_OTP' | 'SMS_OTP' | 'WEB_AUTHN';
    };
    [key: string]: unknown;
  };
  [key: string]: unknown;
}

/**
 * Configures the library. Accepts Amplify's `{ Auth: { Cognito: {...} } }` resources object (e.g. the
 * object you already pass to `Amplify.configure`), the bare `Auth.Cognito` object, or a Gen 2
 * `amplify_outputs.json` (which has no field for a custom endpoint: use one of the other forms for Latchkey).
 *
 * ```ts
 * configure({ Auth: { Cognito: { userPoolId: 'local_Pool42', userPoolClientId: 'abc',
 *   userPoolEndpoint: 'https://auth.example.com/' } } });
 * ```
 * The second argument selects the token storage (default `localStorage`, else memory), the `fetch`
 * implementation, extra request headers and the retry policy. Calling it again replaces everything
 * (tokens stay in storage; a different client id simply sees its own keys).
 */
export function configure(config: ResourcesConfig | CognitoUserPoolConfig | AmplifyOutputsLike, options: ConfigureOptions = {}): void {
  const cognito = isOutputs(config) ? fromOutputs(config) : isResourcesConfig(config) ? config.Auth?.Cognito : config;
  if (!cognito) {
    current = undefined;
    return;
  }
  current = {
    cognito: { ...cognito },
    options,
    storage: options.storage ?? defaultStorage() ?? createMemoryStorage(),
  };
}

function isResourcesConfig(config: object): config is ResourcesConfig {
  return 'Auth' in config;
}

function isOutputs(config: object): config is AmplifyOutputsLike {
  return typeof (config as { version?: unknown }).version === 'string' && 'auth' in config;
}

function fromOutputs({ auth }: AmplifyOutputsLike): CognitoUserPoolConfig | undefined {
  if (!auth) return undefined;
  const pwl = auth.passwordless;
  return {
    userPoolId: auth.user_pool_id,
    userPoolClientId: auth.user_pool_client_id,
    passwordless: pwl && {
      emailOtpEnabled: pwl.email_otp_enabled,
      smsOtpEnabled: pwl.sms_otp_enabled,
      webAuthn: pwl.web_authn && {
        relyingPartyId: pwl.web_authn.relying_party_id,
        userVerification: pwl.web_authn.user_verification,
      },
      preferredChallenge: pwl.preferred_challenge,
    },
  };
}

/** Returns the configuration, or throws Amplify's `AuthUserPoolException` if unconfigured. */
export function getConfig(): ResolvedConfig {
  if (!current || !current.cognito.userPoolId || !current.cognito.userPoolClientId) {
    throw new AuthError({
      name: 'AuthUserPoolException',
      message: 'Auth UserPool not configured.',
      recoverySuggestion: 'Make sure to call configure in your app with userPoolId and userPoolClientId.',
    });
  }
  return current;
}

/** The configuration if present, without throwing (used where Amplify silently returns "signed out"). */
export function peekConfig(): ResolvedConfig | undefined {
  return current && current.cognito.userPoolId && current.cognito.userPoolClientId ? current : undefined;
}

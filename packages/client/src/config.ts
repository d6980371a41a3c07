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

/**
 * Configures the library. Accepts Amplify's `{ Auth: { Cognito: {...} } }` resources object (e.g. the
 * object you already pass to `Amplify.configure`) or the bare `Auth.Cognito` object.
 *
 * ```ts
 * configure({ Auth: { Cognito: { userPoolId: 'local_Pool42', userPoolClientId: 'abc',
 *   userPoolEndpoint: 'https://auth.example.com/' } } });
 * ```
 * The second argument selects the token storage (default `localStorage`, else memory), the `fetch`
 * implementation, extra request headers and the retry policy. Calling it again replaces everything
 * (tokens stay in storage; a different client id simply sees its own keys).
 */
export function configure(config: ResourcesConfig | CognitoUserPoolConfig, options: ConfigureOptions = {}): void {
  const cognito = isResourcesConfig(config) ? config.Auth?.Cognito : config;
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

function isResourcesConfig(config: ResourcesConfig | CognitoUserPoolConfig): config is ResourcesConfig {
  return typeof config === 'object' && config !== null && 'Auth' in config;
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

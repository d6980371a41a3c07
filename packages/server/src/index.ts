/** @latchkey/server public API. */
export { startServer, type StartOptions, type RunningServer } from './server.js';
export { loadConfig, ConfigError } from './config/load.js';
export { StartupError } from './startupError.js';
export type { Config } from './config/defaults.js';
export { openStore, type StoreOptions } from './storage/open.js';
export type { Store } from './storage/store.js';
export { ServiceError } from './protocol/errors.js';
export * as errors from './protocol/errors.js';
export {
  verifyRegistration,
  verifyAuthentication,
  peekAssertion,
  isOriginAllowed,
  randomChallenge,
  type VerifyRegistrationInput,
  type VerifiedRegistration,
  type VerifyAuthenticationInput,
  type VerifiedAuthentication,
} from './security/webauthn.js';
/** Passkey provider name for an AAGUID (docs/verification-api.md); never throws. */
export { friendlyName } from './domain/aaguids.js';

/** @latchkey/server public API. */
export { startServer, type StartOptions, type RunningServer } from './server.js';
export { loadConfig, ConfigError } from './config/load.js';
export { StartupError } from './startupError.js';
export type { Config } from './config/defaults.js';
export { openStore, type StoreOptions } from './storage/open.js';
export type { Store } from './storage/store.js';
export { ServiceError } from './protocol/errors.js';
export * as errors from './protocol/errors.js';
/**
 * WebAuthn verification (docs/verification-api.md). Every failure is a `WebAuthnVerificationError`
 * whose `code` is one of `WEBAUTHN_ERROR_CODES`; `webAuthnServiceError` gives the Cognito error the
 * Latchkey server answers with for it.
 */
export {
  verifyRegistration,
  verifyAuthentication,
  peekAssertion,
  isOriginAllowed,
  randomChallenge,
  WebAuthnVerificationError,
  WEBAUTHN_ERROR_CODES,
  type WebAuthnErrorCode,
  type VerifyRegistrationInput,
  type VerifiedRegistration,
  type VerifyAuthenticationInput,
  type VerifiedAuthentication,
} from './security/webauthn/index.js';
export { webAuthnServiceError, type WebAuthnCeremony } from './auth/securityErrors.js';
/** Passkey provider name for an AAGUID (docs/verification-api.md); never throws. */
export { friendlyName } from './domain/aaguids.js';
/**
 * Signed webhooks (docs/sms-webhook.md): `verifyWebhookSignature` is for receivers of Latchkey's webhooks
 * (SMS delivery); it throws `WebhookSignatureError` with one of `WEBHOOK_SIGNATURE_ERROR_CODES`.
 */
export {
  verifyWebhookSignature,
  signWebhook,
  WebhookSignatureError,
  WEBHOOK_SIGNATURE_ERROR_CODES,
  WEBHOOK_SIGNATURE_HEADER,
  type WebhookSignatureErrorCode,
} from './security/webhookSignature.js';
/** Triggers (docs/triggers/README.md): run an existing Cognito Lambda trigger handler behind Latchkey's signed HTTP call. */
export { lambdaHttpAdapter, type LambdaHandler } from './triggers/adapter.js';

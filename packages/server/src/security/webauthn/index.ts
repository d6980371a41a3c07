/**
 * WebAuthn verification core: registration (attestation) and authentication (assertion) responses,
 * and the strict parsers under them. Every failure is a `WebAuthnVerificationError` with a `code`;
 * which Cognito error a code becomes is decided outside security/ (auth/securityErrors.ts).
 */
export { isOriginAllowed } from '../origins.js';
export { WEBAUTHN_ERROR_CODES, WebAuthnVerificationError, type WebAuthnErrorCode } from './errors.js';
export { decodeBase64Url } from './base64url.js';
export { decodeCborAll, decodeCborFirst, type CborValue } from './cbor.js';
export { parseAuthenticatorData, type ParsedAuthenticatorData } from './authenticatorData.js';
export { SUPPORTED_ALGORITHMS } from './coseKey.js';
export { parseCredentialId } from './credential.js';
export { randomChallenge } from './challenge.js';
export type { UserVerificationSetting } from './options.js';
export { peekAssertion, peekRegistration } from './peek.js';
export { verifyRegistration, type VerifiedRegistration, type VerifyRegistrationInput } from './verifyRegistration.js';
export {
  verifyAuthentication,
  type StoredCredential,
  type VerifiedAuthentication,
  type VerifyAuthenticationInput,
} from './verifyAuthentication.js';

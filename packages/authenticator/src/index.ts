/**
 * @latchkey/virtual-authenticator — a software FIDO2/WebAuthn authenticator for tests.
 *
 * - `VirtualAuthenticator`: JSON-level ceremonies (options JSON in, response JSON out).
 * - `installVirtualAuthenticator`: browser-style `navigator.credentials` + `PublicKeyCredential`
 *   globals backed by an authenticator (for aws-amplify and other browser code running in Node).
 */
export { VirtualAuthenticator, DEFAULT_ORIGIN, DEFAULT_PACKED_AAGUID } from './authenticator.js';
export { installVirtualAuthenticator, type InstallOptions } from './install.js';
export {
  VirtualPublicKeyCredential,
  VirtualAuthenticatorResponse,
  VirtualAuthenticatorAttestationResponse,
  VirtualAuthenticatorAssertionResponse,
} from './credential.js';
export { encodeCBOR, decodeCBOR, decodeCBORFirst, type CBORValue } from './cbor.js';
export { COSE_ALGORITHM, encodeCOSEPublicKey, publicKeyFromCOSE } from './cose.js';
export { toBase64url, fromBase64url } from './base64url.js';
export { createSelfSignedCertificate, type SelfSignedCertificateOptions, type CertificateSubject } from './x509.js';
export type {
  Algorithm,
  AttestationFormat,
  AuthenticatorAttachment,
  AuthenticatorOptions,
  StoredCredential,
  CeremonyOverrides,
  Base64URLString,
  PublicKeyCredentialDescriptorJSON,
  PublicKeyCredentialCreationOptionsJSON,
  PublicKeyCredentialRequestOptionsJSON,
  AuthenticationExtensionsClientInputsJSON,
  AuthenticationExtensionsClientOutputsJSON,
  AuthenticatorAttestationResponseJSON,
  AuthenticatorAssertionResponseJSON,
  RegistrationResponseJSON,
  AuthenticationResponseJSON,
} from './types.js';

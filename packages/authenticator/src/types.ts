/**
 * Public types of @latchkey/virtual-authenticator.
 *
 * The JSON shapes follow WebAuthn Level 3 (`PublicKeyCredentialCreationOptionsJSON`,
 * `RegistrationResponseJSON`, ...) with every binary field base64url-encoded without padding,
 * and are structurally compatible with the types of @simplewebauthn/server.
 */

/** Signature algorithm of a credential: COSE -7 (ES256), -8 (EdDSA / Ed25519), -257 (RS256). */
export type Algorithm = 'ES256' | 'EdDSA' | 'RS256';

/**
 * Attestation statement format produced on registration.
 * - `none`: empty attestation statement
 * - `packed`: self attestation (no x5c), signed with the credential's own key
 * - `fido-u2f`: ES256 only; signed by a generated P-256 attestation key whose self-signed
 *   certificate is sent in `x5c` (the AAGUID is all-zero, as the format requires)
 */
export type AttestationFormat = 'none' | 'packed' | 'fido-u2f';

export type Base64URLString = string;

export type AuthenticatorAttachment = 'platform' | 'cross-platform';

export interface AuthenticatorOptions {
  /** Preference order; the first one also present in `pubKeyCredParams` is used. Default `['ES256','EdDSA','RS256']`. */
  algorithms?: Algorithm[];
  /** Attestation format, default `'none'`. Emitted regardless of the RP's `attestation` preference. */
  attestation?: AttestationFormat;
  /** AAGUID as a UUID string. Default all-zero for `none` and `fido-u2f`, a fixed made-up UUID for `packed`. */
  aaguid?: string;
  /** Default `'platform'`. */
  attachment?: AuthenticatorAttachment;
  /** Default `['internal','hybrid']` for platform, `['usb']` for cross-platform. */
  transports?: string[];
  /** Whether the authenticator performs user verification (UV flag set). Default `true`. */
  userVerification?: boolean;
  /** Whether the user consents to ceremonies. `false` makes every ceremony fail with NotAllowedError. Default `true`. */
  userPresence?: boolean;
  /** BE flag for new credentials, default `false`. */
  backupEligible?: boolean;
  /** BS flag, default `false`. */
  backupState?: boolean;
  /** `'increment'` (default): counter starts at 0 on registration and each assertion adds 1. `'zero'`: always 0. */
  signCount?: 'increment' | 'zero';
  /** Origin of the "page" the ceremonies run in, default `'http://localhost:3000'`. */
  origin?: string;
}

/** A credential held by the authenticator (a snapshot; mutate with the authenticator's methods). */
export interface StoredCredential {
  /** Credential id, base64url */
  readonly id: Base64URLString;
  readonly rpId: string;
  /** user.id given at registration, base64url */
  readonly userHandle: Base64URLString;
  readonly userName: string;
  readonly userDisplayName: string;
  readonly algorithm: Algorithm;
  /** COSE algorithm identifier (-7, -8, -257) */
  readonly publicKeyAlgorithm: number;
  /** COSE_Key encoding of the public key (what a server stores as `credential.publicKey`) */
  readonly publicKey: Uint8Array<ArrayBuffer>;
  /** Current signature counter */
  readonly signCount: number;
  /** Always `true`: credentials created here are discoverable (resident). */
  readonly discoverable: boolean;
  readonly backupEligible: boolean;
  readonly backupState: boolean;
  readonly transports: readonly string[];
  /** Creation time, ms since epoch */
  readonly createdAt: number;
}

/**
 * Per-ceremony knobs for negative tests: each one produces a well-formed response that a
 * correct relying party must reject (or, for `credentialId`/`userHandle`, selects what is used).
 */
export interface CeremonyOverrides {
  /** Write this origin into clientDataJSON (the rp.id/origin check still uses the real origin). */
  origin?: string;
  /** base64url challenge written into clientDataJSON instead of the real one */
  challenge?: string;
  /** clientDataJSON.type instead of `webauthn.create` / `webauthn.get` */
  type?: string;
  /** Hash this rpId into authenticatorData instead of the real one */
  rpId?: string;
  /** Set/clear the UP flag */
  userPresence?: boolean;
  /** Set/clear the UV flag */
  userVerification?: boolean;
  /** Set/clear the BE flag */
  backupEligible?: boolean;
  /** Set/clear the BS flag */
  backupState?: boolean;
  /**
   * Counter written into authenticatorData. On registration it also becomes the credential's
   * stored counter; on assertion the stored counter is left unchanged.
   */
  signCount?: number;
  /** Registration: id (base64url) for the new credential. Assertion: use this held credential. */
  credentialId?: string;
  /** Flip a bit of the signature (assertion, or packed/fido-u2f attestation statement). */
  corruptSignature?: boolean;
  /** Sign with a fresh unrelated key of the same algorithm. */
  signWith?: 'other-key';
  /** clientDataJSON.crossOrigin */
  crossOrigin?: boolean;
  /** clientDataJSON.topOrigin (only written when given) */
  topOrigin?: string;
  /** Assertion userHandle: base64url to send instead of the stored one, `null` to omit it. */
  userHandle?: string | null;
}

export interface PublicKeyCredentialDescriptorJSON {
  id: Base64URLString;
  type: string;
  transports?: string[];
}

export interface PublicKeyCredentialCreationOptionsJSON {
  rp: { id?: string; name: string };
  user: { id: Base64URLString; name: string; displayName: string };
  challenge: Base64URLString;
  pubKeyCredParams: { type: string; alg: number }[];
  timeout?: number;
  excludeCredentials?: PublicKeyCredentialDescriptorJSON[];
  authenticatorSelection?: {
    authenticatorAttachment?: string;
    residentKey?: string;
    requireResidentKey?: boolean;
    userVerification?: string;
  };
  hints?: string[];
  attestation?: string;
  attestationFormats?: string[];
  extensions?: AuthenticationExtensionsClientInputsJSON | Record<string, unknown>;
}

export interface PublicKeyCredentialRequestOptionsJSON {
  challenge: Base64URLString;
  timeout?: number;
  rpId?: string;
  allowCredentials?: PublicKeyCredentialDescriptorJSON[];
  userVerification?: string;
  hints?: string[];
  extensions?: AuthenticationExtensionsClientInputsJSON | Record<string, unknown>;
}

/** Only `credProps` is acted upon; other extension inputs are accepted and ignored. */
export interface AuthenticationExtensionsClientInputsJSON {
  credProps?: boolean;
  appid?: string;
}

export interface AuthenticationExtensionsClientOutputsJSON {
  credProps?: { rk?: boolean };
}

export interface AuthenticatorAttestationResponseJSON {
  clientDataJSON: Base64URLString;
  attestationObject: Base64URLString;
  authenticatorData: Base64URLString;
  transports: string[];
  publicKeyAlgorithm: number;
  /** SubjectPublicKeyInfo DER of the credential public key */
  publicKey?: Base64URLString;
}

export interface RegistrationResponseJSON {
  id: Base64URLString;
  rawId: Base64URLString;
  type: 'public-key';
  response: AuthenticatorAttestationResponseJSON;
  authenticatorAttachment: AuthenticatorAttachment;
  clientExtensionResults: AuthenticationExtensionsClientOutputsJSON;
}

export interface AuthenticatorAssertionResponseJSON {
  clientDataJSON: Base64URLString;
  authenticatorData: Base64URLString;
  signature: Base64URLString;
  userHandle?: Base64URLString;
}

export interface AuthenticationResponseJSON {
  id: Base64URLString;
  rawId: Base64URLString;
  type: 'public-key';
  response: AuthenticatorAssertionResponseJSON;
  authenticatorAttachment: AuthenticatorAttachment;
  clientExtensionResults: AuthenticationExtensionsClientOutputsJSON;
}

/**
 * WebAuthn ceremony glue: JSON options (base64url) → `navigator.credentials.create/get` → JSON
 * (docs/wire-contract.md §2.1.2, §2.1.3, §3.4, §5.3, §5.4), with DOMException → PasskeyError mapping (§2.5).
 */
import { PasskeyError, passkeyError } from '../errors.js';
import { decodeBase64urlLenient, encodeBase64url } from '@latchkey/wire';

/** `CredentialCreationOptions` as sent by StartWebAuthnRegistration (binary members base64url). */
export interface PasskeyCreateOptionsJson {
  challenge: string;
  rp: { id?: string; name: string };
  user: { id: string; name: string; displayName: string };
  pubKeyCredParams: { type: string; alg: number }[];
  timeout?: number;
  excludeCredentials?: { type: string; id: string; transports?: string[] }[];
  authenticatorSelection?: Record<string, unknown>;
  attestation?: string;
  extensions?: Record<string, unknown>;
  [member: string]: unknown;
}

/** `CREDENTIAL_REQUEST_OPTIONS` of a WEB_AUTHN challenge, after JSON.parse. */
export interface PasskeyGetOptionsJson {
  challenge: string;
  rpId?: string;
  timeout?: number;
  allowCredentials?: { type: string; id: string; transports?: string[] }[];
  userVerification?: string;
  [member: string]: unknown;
}

/** W3C RegistrationResponseJSON (the `Credential` of CompleteWebAuthnRegistration). */
export interface PasskeyRegistrationJson {
  type: string;
  id: string;
  rawId: string;
  clientExtensionResults: unknown;
  response: {
    clientDataJSON: string;
    attestationObject: string;
    transports?: string[];
    publicKeyAlgorithm?: number;
    authenticatorData?: string;
    publicKey?: string;
  };
  authenticatorAttachment?: string;
}

/** W3C AuthenticationResponseJSON (stringified into the `CREDENTIAL` challenge response). */
export interface PasskeyAuthenticationJson {
  id: string;
  rawId: string;
  type: string;
  clientExtensionResults: unknown;
  response: { clientDataJSON: string; authenticatorData: string; signature: string; userHandle?: string };
  authenticatorAttachment?: string;
}

/**
 * Whether WebAuthn can be attempted here: `navigator.credentials` and `PublicKeyCredential` exist and
 * the context is not known to be insecure. (Amplify additionally requires `window.document`; this
 * library does not, so a software authenticator installed on `globalThis` works in Node too.)
 */
export function isPasskeySupported(): boolean {
  const g = globalThis as { navigator?: Navigator; PublicKeyCredential?: unknown; isSecureContext?: boolean };
  return (
    typeof g.navigator !== 'undefined' &&
    !!g.navigator.credentials &&
    typeof g.PublicKeyCredential === 'function' &&
    g.isSecureContext !== false
  );
}

type Bytes = ArrayBuffer | ArrayBufferView;
const b64 = (value: Bytes) => encodeBase64url(value);
const fromB64 = (text: string): ArrayBuffer => decodeBase64urlLenient(text).buffer;
const isBytes = (value: unknown): value is Bytes => value instanceof ArrayBuffer || ArrayBuffer.isView(value);

/**
 * How a ceremony is mediated (Credential Management): `conditional` is autofill for `get` and the automatic
 * passkey upgrade for `create`; `signal` aborts it (an aborted ceremony rejects with `PasskeyOperationAborted`).
 */
export interface CeremonyOptions {
  mediation?: 'conditional' | 'optional' | 'required' | 'silent';
  signal?: AbortSignal;
}

/** Runs `navigator.credentials.create` and returns the registration JSON. Throws {@link PasskeyError}. */
export async function registerPasskey(options: PasskeyCreateOptionsJson, ceremony: CeremonyOptions = {}): Promise<PasskeyRegistrationJson> {
  try {
    if (!isPasskeySupported()) throw passkeyError('PasskeyNotSupported');
    const publicKey = {
      ...options,
      challenge: fromB64(options.challenge),
      user: { ...options.user, id: fromB64(options.user.id) },
      excludeCredentials: (options.excludeCredentials ?? []).map((c) => ({ ...c, id: fromB64(c.id) })),
    } as unknown as PublicKeyCredentialCreationOptions;
    const credential = (await navigator.credentials.create({
      publicKey,
      ...mediated(ceremony),
    } as CredentialCreationOptions)) as PublicKeyCredential | null;
    const response = credential?.response as AuthenticatorAttestationResponse | undefined;
    if (!credential || !response || !isBytes(response.attestationObject) || !isBytes(response.clientDataJSON)) {
      throw passkeyError('PasskeyRegistrationFailed');
    }
    const json: PasskeyRegistrationJson = {
      type: credential.type,
      id: credential.id,
      rawId: b64(credential.rawId),
      clientExtensionResults: credential.getClientExtensionResults?.() ?? {},
      response: {
        clientDataJSON: b64(response.clientDataJSON),
        attestationObject: b64(response.attestationObject),
        transports: response.getTransports?.() ?? [],
        publicKeyAlgorithm: response.getPublicKeyAlgorithm?.(),
      },
    };
    const authenticatorData = response.getAuthenticatorData?.();
    if (authenticatorData) json.response.authenticatorData = b64(authenticatorData);
    const publicKeyDer = response.getPublicKey?.();
    if (publicKeyDer) json.response.publicKey = b64(publicKeyDer);
    if (credential.authenticatorAttachment) json.authenticatorAttachment = credential.authenticatorAttachment;
    return json;
  } catch (error) {
    throw toPasskeyError(error, 'registration');
  }
}

/** Runs `navigator.credentials.get` and returns the assertion JSON. Throws {@link PasskeyError}. */
export async function getPasskey(options: PasskeyGetOptionsJson, ceremony: CeremonyOptions = {}): Promise<PasskeyAuthenticationJson> {
  try {
    if (!isPasskeySupported()) throw passkeyError('PasskeyNotSupported');
    const publicKey = {
      ...options,
      challenge: fromB64(options.challenge),
      allowCredentials: (options.allowCredentials ?? []).map((c) => ({ ...c, id: fromB64(c.id) })),
    } as unknown as PublicKeyCredentialRequestOptions;
    const credential = (await navigator.credentials.get({
      publicKey,
      ...mediated(ceremony),
    } as CredentialRequestOptions)) as PublicKeyCredential | null;
    const response = credential?.response as AuthenticatorAssertionResponse | undefined;
    if (
      !credential ||
      !response ||
      !isBytes(response.signature) ||
      !isBytes(response.authenticatorData) ||
      !isBytes(response.clientDataJSON)
    ) {
      throw passkeyError('PasskeyRetrievalFailed');
    }
    const json: PasskeyAuthenticationJson = {
      id: credential.id,
      rawId: b64(credential.rawId),
      type: credential.type,
      clientExtensionResults: credential.getClientExtensionResults?.() ?? {},
      response: {
        clientDataJSON: b64(response.clientDataJSON),
        authenticatorData: b64(response.authenticatorData),
        signature: b64(response.signature),
      },
    };
    if (response.userHandle) json.response.userHandle = b64(response.userHandle);
    if (credential.authenticatorAttachment) json.authenticatorAttachment = credential.authenticatorAttachment;
    return json;
  } catch (error) {
    throw toPasskeyError(error, 'authentication');
  }
}

/** Only the members that were given, so an unmediated ceremony passes exactly `{ publicKey }` as before. */
function mediated({ mediation, signal }: CeremonyOptions): { mediation?: string; signal?: AbortSignal } {
  return { ...(mediation ? { mediation } : {}), ...(signal ? { signal } : {}) };
}

/**
 * DOMException names from `navigator.credentials` → {@link PasskeyError} names (docs/wire-contract.md §2.5):
 * InvalidStateError → PasskeyAlreadyExists (registration), NotAllowedError → Passkey{Registration,
 * Authentication}Canceled, AbortError → PasskeyOperationAborted, SecurityError → RelyingPartyMismatch,
 * anything else → Unknown (the original in `underlyingError`).
 */
export function toPasskeyError(error: unknown, ceremony: 'registration' | 'authentication'): PasskeyError {
  if (error instanceof PasskeyError) return error;
  const name = typeof error === 'object' && error !== null ? (error as { name?: unknown }).name : undefined;
  switch (name) {
    case 'InvalidStateError':
      if (ceremony === 'registration') return passkeyError('PasskeyAlreadyExists', error);
      break;
    case 'NotAllowedError':
      return passkeyError(ceremony === 'registration' ? 'PasskeyRegistrationCanceled' : 'PasskeyAuthenticationCanceled', error);
    case 'AbortError':
      return passkeyError('PasskeyOperationAborted', error);
    case 'SecurityError':
      return passkeyError('RelyingPartyMismatch', error);
  }
  return passkeyError('Unknown', error);
}

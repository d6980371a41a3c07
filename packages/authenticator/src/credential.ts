/**
 * Browser-style credential objects (`PublicKeyCredential`, `AuthenticatorAttestationResponse`,
 * `AuthenticatorAssertionResponse`) wrapping the JSON responses, with ArrayBuffer fields.
 * installVirtualAuthenticator() installs these classes as globals so `instanceof` checks pass.
 */
import { fromBase64url } from './base64url.js';
import type {
  AuthenticationExtensionsClientOutputsJSON,
  AuthenticationResponseJSON,
  PublicKeyCredentialCreationOptionsJSON,
  PublicKeyCredentialRequestOptionsJSON,
  RegistrationResponseJSON,
} from './types.js';

const CONSTRUCT = Symbol('construct');

/** fromBase64url already returns bytes over a fresh, exactly-sized buffer. */
function buffer(b64url: string): ArrayBuffer {
  return fromBase64url(b64url).buffer;
}

function illegal(token: unknown): void {
  if (token !== CONSTRUCT) throw new TypeError('Illegal constructor');
}

/** Base class, as in the DOM. */
class AuthenticatorResponse {
  readonly clientDataJSON: ArrayBuffer;
  constructor(token: unknown, clientDataJSON: ArrayBuffer) {
    illegal(token);
    this.clientDataJSON = clientDataJSON;
  }
}

class AuthenticatorAttestationResponse extends AuthenticatorResponse {
  readonly attestationObject: ArrayBuffer;
  readonly #json: RegistrationResponseJSON['response'];
  constructor(token: unknown, json: RegistrationResponseJSON['response']) {
    super(token, buffer(json.clientDataJSON));
    this.attestationObject = buffer(json.attestationObject);
    this.#json = json;
  }
  getTransports(): string[] {
    return [...this.#json.transports];
  }
  getPublicKeyAlgorithm(): number {
    return this.#json.publicKeyAlgorithm;
  }
  getAuthenticatorData(): ArrayBuffer {
    return buffer(this.#json.authenticatorData);
  }
  /** SubjectPublicKeyInfo DER, or null when the key is not expressible as SPKI. */
  getPublicKey(): ArrayBuffer | null {
    return this.#json.publicKey ? buffer(this.#json.publicKey) : null;
  }
  toJSON(): RegistrationResponseJSON['response'] {
    return { ...this.#json, transports: [...this.#json.transports] };
  }
}

class AuthenticatorAssertionResponse extends AuthenticatorResponse {
  readonly authenticatorData: ArrayBuffer;
  readonly signature: ArrayBuffer;
  readonly userHandle: ArrayBuffer | null;
  readonly #json: AuthenticationResponseJSON['response'];
  constructor(token: unknown, json: AuthenticationResponseJSON['response']) {
    super(token, buffer(json.clientDataJSON));
    this.authenticatorData = buffer(json.authenticatorData);
    this.signature = buffer(json.signature);
    this.userHandle = json.userHandle !== undefined ? buffer(json.userHandle) : null;
    this.#json = json;
  }
  toJSON(): AuthenticationResponseJSON['response'] {
    return { ...this.#json };
  }
}

class PublicKeyCredential {
  readonly id: string;
  readonly rawId: ArrayBuffer;
  readonly type = 'public-key' as const;
  readonly response: AuthenticatorAttestationResponse | AuthenticatorAssertionResponse;
  readonly authenticatorAttachment: string | null;
  readonly #json: RegistrationResponseJSON | AuthenticationResponseJSON;

  constructor(token: unknown, json: RegistrationResponseJSON | AuthenticationResponseJSON) {
    illegal(token);
    this.id = json.id;
    this.rawId = buffer(json.rawId);
    this.response =
      'attestationObject' in json.response
        ? new AuthenticatorAttestationResponse(token, json.response)
        : new AuthenticatorAssertionResponse(token, json.response);
    this.authenticatorAttachment = json.authenticatorAttachment ?? null;
    this.#json = json;
  }

  getClientExtensionResults(): AuthenticationExtensionsClientOutputsJSON {
    return structuredClone(this.#json.clientExtensionResults);
  }

  toJSON(): RegistrationResponseJSON | AuthenticationResponseJSON {
    return structuredClone(this.#json);
  }

  /** The virtual authenticator is a user-verifying platform authenticator while installed. */
  static isUserVerifyingPlatformAuthenticatorAvailable(): Promise<boolean> {
    return Promise.resolve(true);
  }

  static isConditionalMediationAvailable(): Promise<boolean> {
    return Promise.resolve(true);
  }

  static getClientCapabilities(): Promise<Record<string, boolean>> {
    return Promise.resolve({
      conditionalCreate: false,
      conditionalGet: true,
      hybridTransport: false,
      passkeyPlatformAuthenticator: true,
      userVerifyingPlatformAuthenticator: true,
      relatedOrigins: false,
      signalAllAcceptedCredentials: false,
      signalCurrentUserDetails: false,
      signalUnknownCredential: false,
    });
  }

  /** WebAuthn L3: JSON options → options with ArrayBuffers. */
  static parseCreationOptionsFromJSON(options: PublicKeyCredentialCreationOptionsJSON): Record<string, unknown> {
    return {
      ...options,
      challenge: buffer(options.challenge),
      user: { ...options.user, id: buffer(options.user.id) },
      ...(options.excludeCredentials ? { excludeCredentials: options.excludeCredentials.map((c) => ({ ...c, id: buffer(c.id) })) } : {}),
    };
  }

  static parseRequestOptionsFromJSON(options: PublicKeyCredentialRequestOptionsJSON): Record<string, unknown> {
    return {
      ...options,
      challenge: buffer(options.challenge),
      ...(options.allowCredentials ? { allowCredentials: options.allowCredentials.map((c) => ({ ...c, id: buffer(c.id) })) } : {}),
    };
  }
}

/** @internal Wrap a JSON-level response into browser-style objects. */
export function wrapCredential(json: RegistrationResponseJSON | AuthenticationResponseJSON): PublicKeyCredential {
  return new PublicKeyCredential(CONSTRUCT, json);
}

export {
  PublicKeyCredential as VirtualPublicKeyCredential,
  AuthenticatorResponse as VirtualAuthenticatorResponse,
  AuthenticatorAttestationResponse as VirtualAuthenticatorAttestationResponse,
  AuthenticatorAssertionResponse as VirtualAuthenticatorAssertionResponse,
};

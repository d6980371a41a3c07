/**
 * The software authenticator + client: turns WebAuthn JSON options into signed JSON responses.
 * What it builds on is in files of their own: attestation statements (attestation.ts), clientDataJSON
 * (client-data.ts), the credential store's records (records.ts).
 */
import { randomBytes } from 'node:crypto';
import { createAttestationKey, buildAttestationObject, type AttestationKey } from './attestation.js';
import { bytesEqual, concatBytes, fromBase64url, normalizeBase64url, toBase64url } from './base64url.js';
import { clientDataJSON } from './client-data.js';
import { COSE_ALGORITHM, algorithmFromCOSE, encodeCOSEPublicKey } from './cose.js';
import { buildAuthenticatorData, parseAaguid, sha256 } from './authenticator-data.js';
import { webauthnError } from './errors.js';
import { corruptSignature, generateKeyPair, signData } from './keys.js';
import { assertRpIdAllowed, hostOfOrigin } from './origin.js';
import { snapshot, type CredentialRecord } from './records.js';
import type {
  Algorithm,
  AttestationFormat,
  AuthenticationExtensionsClientOutputsJSON,
  AuthenticationResponseJSON,
  AuthenticatorAttachment,
  AuthenticatorOptions,
  CeremonyOverrides,
  PublicKeyCredentialCreationOptionsJSON,
  PublicKeyCredentialRequestOptionsJSON,
  RegistrationResponseJSON,
  StoredCredential,
} from './types.js';

const ALL_ALGORITHMS: readonly Algorithm[] = ['ES256', 'EdDSA', 'RS256'];
const ZERO_AAGUID = '00000000-0000-0000-0000-000000000000';
/** Made-up AAGUID reported by default with `packed` attestation. */
export const DEFAULT_PACKED_AAGUID = '6c61746b-6579-4f00-8000-76697274756e';
export const DEFAULT_ORIGIN = 'http://localhost:3000';

type Ceremony<O, R> = (authenticator: VirtualAuthenticator, options: O, overrides: CeremonyOverrides, pageOrigin: string) => Promise<R>;
let internalCreate!: Ceremony<PublicKeyCredentialCreationOptionsJSON, RegistrationResponseJSON>;
let internalGet!: Ceremony<PublicKeyCredentialRequestOptionsJSON, AuthenticationResponseJSON>;

/** @internal Run a registration as if on a page with origin `pageOrigin` (used by installVirtualAuthenticator). */
export function createCredentialAt(
  authenticator: VirtualAuthenticator,
  options: PublicKeyCredentialCreationOptionsJSON,
  overrides: CeremonyOverrides,
  pageOrigin: string,
): Promise<RegistrationResponseJSON> {
  return internalCreate(authenticator, options, overrides, pageOrigin);
}

/** @internal Run an authentication as if on a page with origin `pageOrigin`. */
export function getAssertionAt(
  authenticator: VirtualAuthenticator,
  options: PublicKeyCredentialRequestOptionsJSON,
  overrides: CeremonyOverrides,
  pageOrigin: string,
): Promise<AuthenticationResponseJSON> {
  return internalGet(authenticator, options, overrides, pageOrigin);
}

function requireBase64url(value: unknown, what: string): Uint8Array {
  if (typeof value !== 'string') throw new TypeError(`${what} must be a base64url string`);
  return fromBase64url(value);
}

/**
 * A software FIDO2/WebAuthn authenticator (together with the client-side checks a browser makes).
 * Keys, CBOR and signatures are real: responses verify with any conforming RP library.
 * Every created credential is discoverable and remembers its user handle.
 */
export class VirtualAuthenticator {
  readonly algorithms: readonly Algorithm[];
  readonly attestation: AttestationFormat;
  readonly aaguid: string;
  readonly attachment: AuthenticatorAttachment;
  readonly transports: readonly string[];
  readonly userVerification: boolean;
  readonly userPresence: boolean;
  readonly backupEligible: boolean;
  readonly backupState: boolean;
  readonly signCountMode: 'increment' | 'zero';
  /** Origin of the page ceremonies run in (clientDataJSON.origin, and the rp.id check). */
  readonly origin: string;

  #records: CredentialRecord[] = [];
  #seq = 0;
  #aaguidBytes: Uint8Array;
  #attestationKey: AttestationKey | undefined;

  static {
    internalCreate = (a, options, overrides, pageOrigin) => a.#register(options, overrides, pageOrigin);
    internalGet = (a, options, overrides, pageOrigin) => a.#assert(options, overrides, pageOrigin);
  }

  /**
   * @throws TypeError for invalid options (unknown algorithm, empty algorithm list, `fido-u2f`
   * without ES256, malformed AAGUID or origin).
   */
  constructor(options: AuthenticatorOptions = {}) {
    const algorithms = options.algorithms ?? [...ALL_ALGORITHMS];
    if (!Array.isArray(algorithms) || algorithms.length === 0) throw new TypeError('algorithms must be a non-empty array');
    for (const a of algorithms) {
      if (!ALL_ALGORITHMS.includes(a)) throw new TypeError(`Unsupported algorithm ${String(a)}`);
    }
    const attestation = options.attestation ?? 'none';
    if (!['none', 'packed', 'fido-u2f'].includes(attestation)) {
      throw new TypeError(`Unsupported attestation format ${String(attestation)}`);
    }
    if (attestation === 'fido-u2f' && !algorithms.includes('ES256')) {
      throw new TypeError('fido-u2f attestation requires the ES256 algorithm');
    }
    this.algorithms = Object.freeze([...algorithms]);
    this.attestation = attestation;
    this.aaguid = options.aaguid ?? (attestation === 'packed' ? DEFAULT_PACKED_AAGUID : ZERO_AAGUID);
    this.#aaguidBytes = parseAaguid(this.aaguid);
    this.attachment = options.attachment ?? 'platform';
    if (this.attachment !== 'platform' && this.attachment !== 'cross-platform') {
      throw new TypeError(`attachment must be 'platform' or 'cross-platform'`);
    }
    this.transports = Object.freeze([...(options.transports ?? (this.attachment === 'platform' ? ['internal', 'hybrid'] : ['usb']))]);
    this.userVerification = options.userVerification ?? true;
    this.userPresence = options.userPresence ?? true;
    this.backupEligible = options.backupEligible ?? false;
    this.backupState = options.backupState ?? false;
    this.signCountMode = options.signCount ?? 'increment';
    this.origin = options.origin ?? DEFAULT_ORIGIN;
    hostOfOrigin(this.origin);
  }

  /** Snapshots of the credentials held, oldest first. */
  get credentials(): ReadonlyArray<StoredCredential> {
    return Object.freeze(this.#records.map(snapshot));
  }

  /**
   * Registration: W3C `PublicKeyCredentialCreationOptionsJSON` in (binary fields base64url),
   * `RegistrationResponseJSON` out. The new credential is stored and is discoverable.
   *
   * @throws DOMException `InvalidStateError` if `excludeCredentials` lists a credential held here for the rp.id.
   * @throws DOMException `NotAllowedError` if no algorithm of `pubKeyCredParams` is supported, the user
   *   refuses (`userPresence: false`), UV is required but the authenticator does not do UV, or the RP
   *   requires the other authenticator attachment.
   * @throws DOMException `SecurityError` if rp.id is not the origin's host nor a registrable suffix of it.
   * @throws TypeError for malformed options (e.g. non-base64url challenge or user.id).
   */
  createCredential(options: PublicKeyCredentialCreationOptionsJSON, overrides: CeremonyOverrides = {}): Promise<RegistrationResponseJSON> {
    return this.#register(options, overrides, this.origin);
  }

  /**
   * Authentication: `PublicKeyCredentialRequestOptionsJSON` in, `AuthenticationResponseJSON` out.
   * With a non-empty `allowCredentials`, the first listed credential held here for the rp.id is
   * used; otherwise the most recently created discoverable credential for the rp.id (or
   * `overrides.credentialId`).
   *
   * @throws DOMException `NotAllowedError` if no usable credential is held (none of `allowCredentials`,
   *   no credential for the rp.id, unknown `overrides.credentialId`), the user refuses
   *   (`userPresence: false`), or UV is required but the authenticator does not do UV.
   * @throws DOMException `SecurityError` if rpId is not the origin's host nor a registrable suffix of it.
   * @throws TypeError for malformed options.
   */
  getAssertion(options: PublicKeyCredentialRequestOptionsJSON, overrides: CeremonyOverrides = {}): Promise<AuthenticationResponseJSON> {
    return this.#assert(options, overrides, this.origin);
  }

  /**
   * Set a credential's stored signature counter.
   * @throws DOMException `NotFoundError` for an unknown credential id; RangeError if `n` is not a uint32.
   */
  setSignCount(credentialId: string, n: number): void {
    if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) throw new RangeError('signCount must be a uint32');
    const record = this.#find(credentialId);
    if (!record) throw webauthnError('NotFoundError', `No credential ${credentialId}`);
    record.signCount = n;
  }

  /** Forget a credential. Unknown ids are ignored. */
  removeCredential(credentialId: string): void {
    const record = this.#find(credentialId);
    if (record) this.#records = this.#records.filter((r) => r !== record);
  }

  #find(credentialId: string): CredentialRecord | undefined {
    let id: Uint8Array;
    try {
      id = fromBase64url(credentialId);
    } catch {
      return undefined;
    }
    return this.#records.find((r) => bytesEqual(r.id, id));
  }

  #checkConsent(requestedUV: unknown): void {
    if (!this.userPresence) throw webauthnError('NotAllowedError', 'The user did not consent to the operation');
    if (requestedUV === 'required' && !this.userVerification) {
      throw webauthnError('NotAllowedError', 'User verification was required but this authenticator does not verify users');
    }
  }

  async #register(
    options: PublicKeyCredentialCreationOptionsJSON,
    overrides: CeremonyOverrides,
    pageOrigin: string,
  ): Promise<RegistrationResponseJSON> {
    if (!options || typeof options !== 'object') throw new TypeError('options are required');
    if (!options.rp || typeof options.rp !== 'object') throw new TypeError('options.rp is required');
    if (!options.user || typeof options.user !== 'object') throw new TypeError('options.user is required');
    const challenge = toBase64url(requireBase64url(options.challenge, 'challenge'));
    const userId = requireBase64url(options.user.id, 'user.id');
    if (userId.byteLength < 1 || userId.byteLength > 64) throw new TypeError('user.id must be 1 to 64 bytes');
    if (!Array.isArray(options.pubKeyCredParams)) throw new TypeError('pubKeyCredParams must be an array');

    const rpId = options.rp.id ?? hostOfOrigin(pageOrigin);
    assertRpIdAllowed(rpId, pageOrigin);

    const selection = options.authenticatorSelection ?? {};
    if (selection.authenticatorAttachment && selection.authenticatorAttachment !== this.attachment) {
      throw webauthnError('NotAllowedError', `No ${selection.authenticatorAttachment} authenticator is available`);
    }

    // Choose an algorithm: our preference order, restricted to what the RP accepts.
    const params = options.pubKeyCredParams.filter((p) => p && p.type === 'public-key');
    const offered =
      options.pubKeyCredParams.length === 0
        ? [COSE_ALGORITHM.ES256, COSE_ALGORITHM.RS256] // WebAuthn §5.1.3 step 10 default
        : params.map((p) => p.alg);
    const usable = this.attestation === 'fido-u2f' ? this.algorithms.filter((a) => a === 'ES256') : this.algorithms;
    const algorithm = usable.find((a) => offered.includes(COSE_ALGORITHM[a]));
    if (!algorithm) {
      const names = offered.map((n) => algorithmFromCOSE(n) ?? String(n)).join(', ');
      throw webauthnError('NotAllowedError', `None of the requested algorithms (${names}) is supported by this authenticator`);
    }

    for (const descriptor of options.excludeCredentials ?? []) {
      const id = requireBase64url(descriptor?.id, 'excludeCredentials[].id');
      if (this.#records.some((r) => r.rpId === rpId && bytesEqual(r.id, id))) {
        throw webauthnError('InvalidStateError', 'The authenticator already holds a credential listed in excludeCredentials');
      }
    }

    this.#checkConsent(selection.userVerification);

    const { privateKey, publicKey } = await generateKeyPair(algorithm);
    const credentialId =
      overrides.credentialId !== undefined
        ? requireBase64url(overrides.credentialId, 'overrides.credentialId')
        : new Uint8Array(randomBytes(32));
    const cosePublicKey = encodeCOSEPublicKey(publicKey, algorithm);
    const signCount = overrides.signCount ?? 0;

    const authData = buildAuthenticatorData({
      rpId: overrides.rpId ?? rpId,
      userPresent: overrides.userPresence ?? true,
      userVerified: overrides.userVerification ?? this.userVerification,
      backupEligible: overrides.backupEligible ?? this.backupEligible,
      backupState: overrides.backupState ?? this.backupState,
      signCount,
      attestedCredentialData: { aaguid: this.#aaguidBytes, credentialId, cosePublicKey },
    });
    const clientData = clientDataJSON('webauthn.create', challenge, pageOrigin, overrides);
    const clientDataHash = sha256(clientData);

    const attestationObject = await buildAttestationObject({
      format: this.attestation,
      algorithm,
      credentialPrivateKey: privateKey,
      credentialPublicKey: publicKey,
      authData,
      clientDataHash,
      credentialId,
      rpId: overrides.rpId ?? rpId,
      overrides,
      attestationKey: () => (this.#attestationKey ??= createAttestationKey()),
    });

    const record: CredentialRecord = {
      id: credentialId,
      idB64: toBase64url(credentialId),
      rpId,
      userHandle: toBase64url(userId),
      userName: String(options.user.name ?? ''),
      userDisplayName: String(options.user.displayName ?? ''),
      algorithm,
      privateKey,
      publicKey,
      cosePublicKey,
      signCount,
      backupEligible: this.backupEligible,
      backupState: this.backupState,
      transports: [...this.transports],
      createdAt: Date.now(),
      seq: ++this.#seq,
    };
    // Re-registering an id we already hold replaces that credential.
    this.#records = this.#records.filter((r) => !bytesEqual(r.id, credentialId));
    this.#records.push(record);

    const clientExtensionResults: AuthenticationExtensionsClientOutputsJSON = {};
    if (options.extensions?.credProps) clientExtensionResults.credProps = { rk: true };

    return {
      id: record.idB64,
      rawId: record.idB64,
      type: 'public-key',
      response: {
        clientDataJSON: toBase64url(clientData),
        attestationObject: toBase64url(attestationObject),
        transports: [...this.transports],
        publicKeyAlgorithm: COSE_ALGORITHM[algorithm],
        authenticatorData: toBase64url(authData),
        publicKey: toBase64url(publicKey.export({ type: 'spki', format: 'der' })),
      },
      authenticatorAttachment: this.attachment,
      clientExtensionResults,
    };
  }

  async #assert(
    options: PublicKeyCredentialRequestOptionsJSON,
    overrides: CeremonyOverrides,
    pageOrigin: string,
  ): Promise<AuthenticationResponseJSON> {
    if (!options || typeof options !== 'object') throw new TypeError('options are required');
    const challenge = toBase64url(requireBase64url(options.challenge, 'challenge'));
    const rpId = options.rpId ?? hostOfOrigin(pageOrigin);
    assertRpIdAllowed(rpId, pageOrigin);

    let record: CredentialRecord | undefined;
    if (overrides.credentialId !== undefined) {
      record = this.#find(overrides.credentialId);
      if (!record)
        throw webauthnError('NotAllowedError', `overrides.credentialId ${overrides.credentialId} is not held by this authenticator`);
    } else if (options.allowCredentials && options.allowCredentials.length > 0) {
      for (const descriptor of options.allowCredentials) {
        const id = requireBase64url(descriptor?.id, 'allowCredentials[].id');
        record = this.#records.find((r) => r.rpId === rpId && bytesEqual(r.id, id));
        if (record) break;
      }
      if (!record) throw webauthnError('NotAllowedError', 'None of allowCredentials is held by this authenticator for this rp.id');
    } else {
      record = this.#records
        .filter((r) => r.rpId === rpId)
        .reduce<CredentialRecord | undefined>((latest, r) => (!latest || r.seq > latest.seq ? r : latest), undefined);
      if (!record) throw webauthnError('NotAllowedError', `No discoverable credential for rp.id ${rpId}`);
    }

    this.#checkConsent(options.userVerification);

    let signCount: number;
    if (overrides.signCount !== undefined) {
      signCount = overrides.signCount;
    } else if (this.signCountMode === 'increment') {
      record.signCount = (record.signCount + 1) >>> 0;
      signCount = record.signCount;
    } else {
      signCount = 0;
    }

    const authData = buildAuthenticatorData({
      rpId: overrides.rpId ?? rpId,
      userPresent: overrides.userPresence ?? true,
      userVerified: overrides.userVerification ?? this.userVerification,
      backupEligible: overrides.backupEligible ?? record.backupEligible,
      backupState: overrides.backupState ?? record.backupState,
      signCount,
    });
    const clientData = clientDataJSON('webauthn.get', challenge, pageOrigin, overrides);
    const key = overrides.signWith === 'other-key' ? (await generateKeyPair(record.algorithm)).privateKey : record.privateKey;
    let signature = signData(record.algorithm, key, concatBytes(authData, sha256(clientData)));
    if (overrides.corruptSignature) signature = corruptSignature(signature);

    const userHandle =
      overrides.userHandle === undefined
        ? record.userHandle
        : overrides.userHandle === null
          ? undefined
          : normalizeBase64url(overrides.userHandle);

    return {
      id: record.idB64,
      rawId: record.idB64,
      type: 'public-key',
      response: {
        clientDataJSON: toBase64url(clientData),
        authenticatorData: toBase64url(authData),
        signature: toBase64url(signature),
        ...(userHandle !== undefined ? { userHandle } : {}),
      },
      authenticatorAttachment: this.attachment,
      clientExtensionResults: {},
    };
  }
}

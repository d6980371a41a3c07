/**
 * Install a VirtualAuthenticator behind browser-style globals (`navigator.credentials`,
 * `PublicKeyCredential`, ...) so unmodified browser code — e.g. aws-amplify v6 passkey APIs —
 * runs in Node.
 */
import { createCredentialAt, getAssertionAt, type VirtualAuthenticator } from './authenticator.js';
import { toBase64url } from './base64url.js';
import {
  VirtualAuthenticatorAssertionResponse,
  VirtualAuthenticatorAttestationResponse,
  VirtualAuthenticatorResponse,
  VirtualPublicKeyCredential,
  wrapCredential,
} from './credential.js';
import { webauthnError } from './errors.js';
import type {
  PublicKeyCredentialCreationOptionsJSON,
  PublicKeyCredentialDescriptorJSON,
  PublicKeyCredentialRequestOptionsJSON,
} from './types.js';

export interface InstallOptions {
  /**
   * Origin written into clientDataJSON and used for the rp.id check. Default: `location.origin` of the target if it has one, else the
   * authenticator's `origin`.
   */
  origin?: string;
  /** Global object to patch, default `globalThis`. */
  target?: typeof globalThis;
}

type Bag = Record<string | symbol, unknown>;
type BufferSourceLike = ArrayBuffer | ArrayBufferView;

interface DescriptorLike {
  id: BufferSourceLike;
  type?: string;
  transports?: string[];
}

interface CreationOptionsLike {
  rp: { id?: string; name: string };
  user: { id: BufferSourceLike; name: string; displayName: string };
  challenge: BufferSourceLike;
  pubKeyCredParams: { type: string; alg: number }[];
  timeout?: number;
  excludeCredentials?: DescriptorLike[];
  authenticatorSelection?: PublicKeyCredentialCreationOptionsJSON['authenticatorSelection'];
  hints?: string[];
  attestation?: string;
  attestationFormats?: string[];
  extensions?: Record<string, unknown>;
}

interface RequestOptionsLike {
  challenge: BufferSourceLike;
  timeout?: number;
  rpId?: string;
  allowCredentials?: DescriptorLike[];
  userVerification?: string;
  hints?: string[];
  extensions?: Record<string, unknown>;
}

interface CredentialOptionsLike<P> {
  publicKey?: P;
  signal?: AbortSignal;
  mediation?: string;
}

function b64(value: unknown, what: string): string {
  if (!(value instanceof ArrayBuffer) && !ArrayBuffer.isView(value)) {
    throw new TypeError(`${what} must be an ArrayBuffer or ArrayBufferView`);
  }
  return toBase64url(value);
}

function descriptors(list: DescriptorLike[] | undefined, what: string): PublicKeyCredentialDescriptorJSON[] | undefined {
  if (list === undefined) return undefined;
  if (!Array.isArray(list)) throw new TypeError(`${what} must be an array`);
  return list.map((d, i) => ({
    ...d,
    type: d.type ?? 'public-key',
    id: b64(d.id, `${what}[${i}].id`),
  }));
}

function extensionsToJSON(ext: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
  if (!ext) return undefined;
  // Keep JSON-representable inputs; binary extension inputs (prf, largeBlob) are not supported.
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(ext)) {
    if (v === null || ['boolean', 'string', 'number'].includes(typeof v)) out[k] = v;
  }
  return out;
}

/** @internal Browser-form creation options (BufferSources) → JSON form. */
export function creationOptionsToJSON(pk: CreationOptionsLike): PublicKeyCredentialCreationOptionsJSON {
  if (!pk || typeof pk !== 'object') throw new TypeError('publicKey options are required');
  if (!pk.user || typeof pk.user !== 'object') throw new TypeError('publicKey.user is required');
  const json: PublicKeyCredentialCreationOptionsJSON = {
    ...(pk as unknown as PublicKeyCredentialCreationOptionsJSON),
    rp: { ...pk.rp },
    user: { ...pk.user, id: b64(pk.user.id, 'publicKey.user.id') },
    challenge: b64(pk.challenge, 'publicKey.challenge'),
    pubKeyCredParams: pk.pubKeyCredParams,
  };
  const exclude = descriptors(pk.excludeCredentials, 'publicKey.excludeCredentials');
  if (exclude) json.excludeCredentials = exclude;
  const ext = extensionsToJSON(pk.extensions);
  if (ext) json.extensions = ext;
  return json;
}

/** @internal Browser-form request options → JSON form. */
export function requestOptionsToJSON(pk: RequestOptionsLike): PublicKeyCredentialRequestOptionsJSON {
  if (!pk || typeof pk !== 'object') throw new TypeError('publicKey options are required');
  const json: PublicKeyCredentialRequestOptionsJSON = {
    ...(pk as unknown as PublicKeyCredentialRequestOptionsJSON),
    challenge: b64(pk.challenge, 'publicKey.challenge'),
  };
  const allow = descriptors(pk.allowCredentials, 'publicKey.allowCredentials');
  if (allow) json.allowCredentials = allow;
  const ext = extensionsToJSON(pk.extensions);
  if (ext) json.extensions = ext;
  return json;
}

function checkSignal(signal: AbortSignal | undefined): void {
  if (signal?.aborted) {
    throw signal.reason instanceof Error ? signal.reason : webauthnError('AbortError', 'The operation was aborted');
  }
}

function minimalDocument(): Bag {
  const events = new EventTarget();
  return {
    visibilityState: 'visible',
    hidden: false,
    readyState: 'complete',
    cookie: '',
    addEventListener: events.addEventListener.bind(events),
    removeEventListener: events.removeEventListener.bind(events),
    dispatchEvent: events.dispatchEvent.bind(events),
    querySelector: () => null,
    querySelectorAll: () => [],
    getElementById: () => null,
    getElementsByTagName: () => [],
  };
}

/**
 * Make `target` (default `globalThis`) look like a secure browser window whose
 * `navigator.credentials` is backed by `authenticator`.
 *
 * Always (re)defined, so `instanceof` checks against the globals pass: `navigator.credentials`
 * (`create`/`get`), `PublicKeyCredential`, `AuthenticatorResponse`,
 * `AuthenticatorAttestationResponse`, `AuthenticatorAssertionResponse`, `isSecureContext = true`.
 * Defined only if absent: `window` (= target), `document` (a minimal stub with
 * `visibilityState`, event methods and empty `querySelector*`), `addEventListener`/
 * `removeEventListener`/`dispatchEvent` on the window, and `navigator` itself. `localStorage`
 * is not provided (aws-amplify falls back to in-memory storage without it).
 *
 * `navigator.credentials.create/get` take the browser form (`{ publicKey: {...BufferSources} }`),
 * resolve to VirtualPublicKeyCredential objects, and reject with real DOMExceptions:
 * `InvalidStateError`, `NotAllowedError`, `SecurityError` (see VirtualAuthenticator), `AbortError`
 * for an aborted `signal`, `NotSupportedError` without `publicKey`; TypeError for malformed options.
 *
 * @returns an uninstall function restoring every property it changed (idempotent).
 * @throws TypeError if a needed global cannot be redefined (nothing is left patched).
 */
export function installVirtualAuthenticator(authenticator: VirtualAuthenticator, options: InstallOptions = {}): () => void {
  const target = (options.target ?? globalThis) as unknown as Bag;
  const restores: (() => void)[] = [];

  const define = (obj: Bag, key: string, value: unknown) => {
    const previous = Object.getOwnPropertyDescriptor(obj, key);
    Object.defineProperty(obj, key, {
      value,
      configurable: true,
      writable: true,
      enumerable: previous?.enumerable ?? false,
    });
    restores.push(() => {
      if (previous) Object.defineProperty(obj, key, previous);
      else delete obj[key];
    });
  };

  const resolveOrigin = (): string => {
    if (options.origin) return options.origin;
    const location = (target.location ?? (target.window as Bag | undefined)?.location) as { origin?: unknown } | undefined;
    const origin = location?.origin;
    if (typeof origin === 'string' && origin !== 'null' && /^https?:/.test(origin)) return origin;
    return authenticator.origin;
  };

  const credentials = {
    async create(credentialOptions?: CredentialOptionsLike<CreationOptionsLike>) {
      if (!credentialOptions?.publicKey) throw webauthnError('NotSupportedError', 'Only publicKey credentials are supported');
      checkSignal(credentialOptions.signal);
      const json = await createCredentialAt(authenticator, creationOptionsToJSON(credentialOptions.publicKey), {}, resolveOrigin());
      checkSignal(credentialOptions.signal);
      return wrapCredential(json);
    },
    async get(credentialOptions?: CredentialOptionsLike<RequestOptionsLike>) {
      if (!credentialOptions?.publicKey) throw webauthnError('NotSupportedError', 'Only publicKey credentials are supported');
      checkSignal(credentialOptions.signal);
      const json = await getAssertionAt(authenticator, requestOptionsToJSON(credentialOptions.publicKey), {}, resolveOrigin());
      checkSignal(credentialOptions.signal);
      return wrapCredential(json);
    },
    async store(): Promise<never> {
      throw webauthnError('NotSupportedError', 'navigator.credentials.store is not supported');
    },
    async preventSilentAccess(): Promise<void> {},
  };

  const uninstall = () => {
    while (restores.length) restores.pop()!();
  };

  try {
    if (typeof target.window === 'undefined') define(target, 'window', target);
    const win = target.window as Bag;
    const globals = win === target ? [target] : [target, win];

    for (const g of globals) {
      if (typeof g.document === 'undefined') define(g, 'document', minimalDocument());
    }
    if (typeof win.addEventListener !== 'function') {
      const events = new EventTarget();
      define(win, 'addEventListener', events.addEventListener.bind(events));
      define(win, 'removeEventListener', events.removeEventListener.bind(events));
      define(win, 'dispatchEvent', events.dispatchEvent.bind(events));
    }
    for (const g of globals) {
      define(g, 'isSecureContext', true);
      define(g, 'PublicKeyCredential', VirtualPublicKeyCredential);
      define(g, 'AuthenticatorResponse', VirtualAuthenticatorResponse);
      define(g, 'AuthenticatorAttestationResponse', VirtualAuthenticatorAttestationResponse);
      define(g, 'AuthenticatorAssertionResponse', VirtualAuthenticatorAssertionResponse);
    }

    const navigators = new Set<Bag>();
    for (const g of globals) {
      let nav = g.navigator as Bag | undefined;
      if (nav === undefined || nav === null) {
        nav = {
          userAgent: `Node.js/${process.versions.node} (virtual-authenticator)`,
          language: 'en-US',
          languages: ['en-US'],
        };
        define(g, 'navigator', nav);
      }
      navigators.add(nav);
    }
    for (const nav of navigators) define(nav, 'credentials', credentials);
  } catch (err) {
    uninstall();
    throw new TypeError(`Could not install the virtual authenticator: ${(err as Error).message}`);
  }

  return uninstall;
}

import { isPasskeySupported } from '../internal/passkey.js';

/** Result of {@link getPasskeySupport}. */
export interface PasskeySupport {
  /** WebAuthn is usable here (navigator.credentials + PublicKeyCredential, not an insecure context). */
  supported: boolean;
  /** A built-in, user-verifying authenticator (Touch ID, Windows Hello, …) is available. */
  platformAuthenticator: boolean;
  /** The browser supports passkey autofill (`mediation: 'conditional'`). */
  conditionalMediation: boolean;
  /** The browser can create a passkey without a prompt after a password sign-in (`getClientCapabilities().conditionalCreate`). */
  conditionalCreate: boolean;
  /** The browser has the Signal API (`signalUnknownCredential` and the others). */
  signals: boolean;
}

/**
 * Extension (not in Amplify): what this environment can do with passkeys, to decide whether to offer
 * "Sign in with a passkey" / "Create a passkey". Never throws.
 */
export async function getPasskeySupport(): Promise<PasskeySupport> {
  const supported = isPasskeySupported();
  if (!supported) return { supported, platformAuthenticator: false, conditionalMediation: false, conditionalCreate: false, signals: false };
  const pkc = (globalThis as { PublicKeyCredential?: unknown }).PublicKeyCredential as {
    isUserVerifyingPlatformAuthenticatorAvailable?: () => Promise<boolean>;
    isConditionalMediationAvailable?: () => Promise<boolean>;
    getClientCapabilities?: () => Promise<Record<string, boolean>>;
    signalUnknownCredential?: unknown;
  };
  const ask = async (fn: (() => Promise<boolean>) | undefined) => {
    try {
      return fn ? await fn.call(pkc) : false;
    } catch {
      return false;
    }
  };
  return {
    supported,
    platformAuthenticator: await ask(pkc.isUserVerifyingPlatformAuthenticatorAvailable),
    conditionalMediation: await ask(pkc.isConditionalMediationAvailable),
    conditionalCreate: await ask(async () => (await pkc.getClientCapabilities?.call(pkc))?.conditionalCreate === true),
    signals: typeof pkc.signalUnknownCredential === 'function',
  };
}

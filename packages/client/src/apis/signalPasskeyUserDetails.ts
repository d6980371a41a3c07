import { getTokens } from '../tokens.js';
import { knownRpId, signalCurrentUserDetails } from '../internal/signals.js';

export interface SignalPasskeyUserDetailsInput {
  /** The name passkey providers show (default: the signed-in username). */
  name?: string;
  /**
   * The display name (default: as StartWebAuthnRegistration sets it, from the id token: the `name` attribute,
   * else `email`, else the username).
   */
  displayName?: string;
  /** The RP ID (default: the one of the last passkey listing or ceremony, else this page's host). */
  rpId?: string;
}

/**
 * Extension (not in Amplify): after a change of username or display name — and after a sign-in, so that a change
 * made elsewhere reaches this device too — tells the user's passkey provider the current names
 * (`PublicKeyCredential.signalCurrentUserDetails`), so its passkey picker shows them. Resolves
 * `true` when the signal was given, `false` when the browser lacks the Signal API, nobody is signed in or the
 * provider refused it. Never rejects.
 */
export async function signalPasskeyUserDetails(input: SignalPasskeyUserDetailsInput = {}): Promise<boolean> {
  let tokens: Awaited<ReturnType<typeof getTokens>>;
  try {
    tokens = await getTokens();
  } catch {
    return false;
  }
  const sub = tokens?.accessToken.payload.sub;
  const rpId = input.rpId ?? knownRpId();
  if (typeof sub !== 'string' || !rpId || !tokens) return false;
  const name = input.name ?? tokens.username;
  const claims = tokens.idToken?.payload ?? {};
  const claim = (k: string) => (typeof claims[k] === 'string' && claims[k] ? (claims[k] as string) : undefined);
  return signalCurrentUserDetails(rpId, sub, name, input.displayName ?? claim('name') ?? claim('email') ?? name);
}

/**
 * The WebAuthn Signal API (Latchkey extension, docs/wire-contract.md §10.4): tells the user's passkey provider
 * which credentials the server still accepts, so a device stops offering a passkey the server deleted, and shows
 * current names. Feature-detected: where `PublicKeyCredential` lacks a method nothing happens, and a failure of a
 * signal (a provider that refuses it) never fails the operation that sent it.
 */
import { encodeBase64url } from '@latchkey/wire';

type SignalMethod = 'signalUnknownCredential' | 'signalAllAcceptedCredentials' | 'signalCurrentUserDetails';

function signalApi(method: SignalMethod): ((options: Record<string, unknown>) => Promise<void>) | undefined {
  const pkc = (globalThis as unknown as { PublicKeyCredential?: Record<string, unknown> }).PublicKeyCredential;
  const fn = pkc?.[method];
  return typeof fn === 'function' ? (fn as (o: Record<string, unknown>) => Promise<void>).bind(pkc) : undefined;
}

/** Whether the browser has this Signal API method (the account page shows what it could do). */
export function hasSignal(method: SignalMethod): boolean {
  return signalApi(method) !== undefined;
}

async function send(method: SignalMethod, options: Record<string, unknown>): Promise<boolean> {
  const fn = signalApi(method);
  if (!fn) return false;
  try {
    await fn(options);
    return true;
  } catch {
    return false;
  }
}

/** The WebAuthn user handle of a user: base64url of the UTF-8 `sub`, as StartWebAuthnRegistration's `user.id`. */
export const userHandleOf = (sub: string) => encodeBase64url(new TextEncoder().encode(sub));

/** `signalUnknownCredential`: the server does not know this credential (any more). */
export function signalUnknownCredential(rpId: string, credentialId: string): Promise<boolean> {
  return send('signalUnknownCredential', { rpId, credentialId });
}

/** `signalAllAcceptedCredentials`: the complete list of the user's credential ids the server accepts. */
export function signalAllAcceptedCredentials(rpId: string, sub: string, credentialIds: string[]): Promise<boolean> {
  return send('signalAllAcceptedCredentials', { rpId, userId: userHandleOf(sub), allAcceptedCredentialIds: credentialIds });
}

/** `signalCurrentUserDetails`: the user's current name and display name. */
export function signalCurrentUserDetails(rpId: string, sub: string, name: string, displayName: string): Promise<boolean> {
  return send('signalCurrentUserDetails', { rpId, userId: userHandleOf(sub), name, displayName });
}

let lastRpId: string | undefined;
/** The RP ID last seen in a listing or a ceremony: what a signal after an empty listing is for. */
export function rememberRpId(rpId: string | undefined): void {
  if (rpId) lastRpId = rpId;
}
export function knownRpId(): string | undefined {
  return lastRpId ?? (globalThis as { location?: { hostname?: string } }).location?.hostname;
}

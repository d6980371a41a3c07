import { InvalidParameterException } from '../protocol/errors.js';

/**
 * Reads the challenge out of an untrusted registration response's clientDataJSON, so the server
 * can find (and consume) the pending challenge before full verification.
 * @throws InvalidParameterException when the credential or its clientDataJSON is malformed.
 */
export function peekRegistrationChallenge(credential: unknown): { challenge: string; credentialId: string } {
  const c = credential as { id?: unknown; rawId?: unknown; response?: { clientDataJSON?: unknown } } | null;
  if (!c || typeof c !== 'object' || typeof c.id !== 'string' || !c.response || typeof c.response !== 'object' || typeof c.response.clientDataJSON !== 'string') {
    throw new InvalidParameterException('Credential is not a valid RegistrationResponseJSON.');
  }
  if (!/^[A-Za-z0-9_-]+={0,2}$/.test(c.response.clientDataJSON) || !/^[A-Za-z0-9_-]{1,1366}$/.test(c.id)) {
    throw new InvalidParameterException('Credential is not valid base64url.');
  }
  let parsed: { challenge?: unknown };
  try {
    parsed = JSON.parse(Buffer.from(c.response.clientDataJSON, 'base64url').toString('utf8'));
  } catch {
    throw new InvalidParameterException('clientDataJSON is not valid JSON.');
  }
  if (!parsed || typeof parsed.challenge !== 'string' || parsed.challenge.length === 0 || parsed.challenge.length > 1024) {
    throw new InvalidParameterException('clientDataJSON has no challenge.');
  }
  return { challenge: parsed.challenge, credentialId: c.id };
}

/** clientDataJSON: what the browser says the ceremony was (type, challenge, origin, framing). */
import { isOriginAllowed } from '../origins.js';
import { decodeBase64Url } from './base64url.js';
import { isPlainObject } from './credential.js';
import { WebAuthnVerificationError, describe, malformed } from './errors.js';

export interface ClientData {
  type: string;
  challenge: string;
  origin: string;
  crossOrigin?: boolean;
  topOrigin?: string;
}

const TOKEN_BINDING_STATUSES = ['present', 'supported', 'not-supported', 'notSupported'];

/**
 * Decode and shape-check `response.clientDataJSON`; `raw` is kept because the assertion signs its hash.
 * @throws WebAuthnVerificationError `ERR_WEBAUTHN_INVALID_BASE64URL` | `ERR_WEBAUTHN_MALFORMED_CLIENT_DATA`.
 */
export function parseClientData(field: unknown): { clientData: ClientData; raw: Uint8Array } {
  const invalid = (message: string, detail?: string) => malformed('ERR_WEBAUTHN_MALFORMED_CLIENT_DATA', message, detail);
  const raw = decodeBase64Url(field, 'clientDataJSON');
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(raw);
  } catch {
    throw invalid('clientDataJSON is not valid UTF-8.');
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw invalid('clientDataJSON is not valid JSON.', `clientDataJSON: ${describe(err)}`);
  }
  if (!isPlainObject(parsed)) throw invalid('clientDataJSON must be a JSON object.');
  const { type, challenge, origin, crossOrigin, topOrigin } = parsed;
  if (typeof type !== 'string') throw invalid('clientDataJSON.type is missing.');
  if (typeof challenge !== 'string') throw invalid('clientDataJSON.challenge is missing.');
  if (typeof origin !== 'string') throw invalid('clientDataJSON.origin is missing.');
  if (crossOrigin !== undefined && typeof crossOrigin !== 'boolean') throw invalid('clientDataJSON.crossOrigin must be a boolean.');
  if (topOrigin !== undefined && typeof topOrigin !== 'string') throw invalid('clientDataJSON.topOrigin must be a string.');
  const tokenBinding = parsed.tokenBinding;
  if (tokenBinding !== undefined) {
    if (!isPlainObject(tokenBinding) || !TOKEN_BINDING_STATUSES.includes(tokenBinding.status as string)) {
      throw invalid('clientDataJSON.tokenBinding is malformed.');
    }
  }
  return { clientData: { type, challenge, origin, crossOrigin, topOrigin }, raw };
}

/**
 * The ceremony ran top-level on an allowed origin. Framed ceremonies are refused outright: an iframe
 * would let another site drive the user's authenticator for this RP.
 * @throws WebAuthnVerificationError `ERR_WEBAUTHN_CROSS_ORIGIN` | `ERR_WEBAUTHN_ORIGIN_NOT_ALLOWED`.
 */
export function checkOrigin(clientData: ClientData, rpId: string, expectedOrigins: readonly string[]): void {
  if (clientData.crossOrigin === true) {
    throw new WebAuthnVerificationError(
      'ERR_WEBAUTHN_CROSS_ORIGIN',
      `cross-origin ceremony (origin ${clientData.origin}, topOrigin ${clientData.topOrigin ?? 'n/a'})`,
    );
  }
  if (clientData.topOrigin !== undefined) {
    throw new WebAuthnVerificationError('ERR_WEBAUTHN_CROSS_ORIGIN', `topOrigin ${clientData.topOrigin} is not supported`);
  }
  if (!isOriginAllowed(clientData.origin, rpId, expectedOrigins)) {
    throw new WebAuthnVerificationError(
      'ERR_WEBAUTHN_ORIGIN_NOT_ALLOWED',
      // Logged only (the wire error is Cognito's fixed message): which origin came, and which would have passed.
      `origin ${JSON.stringify(clientData.origin)} is not allowed for RP ID ${rpId}; allowed: https://${rpId} and its subdomains` +
        `${rpId === 'localhost' ? ', http://localhost[:port]' : ''}${expectedOrigins.length ? `, ${expectedOrigins.join(', ')}` : ''}`,
    );
  }
}

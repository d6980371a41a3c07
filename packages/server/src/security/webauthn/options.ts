/** The caller's side of a ceremony: validated before the untrusted credential is looked at. */
import { normalizeRpId } from '../origins.js';
import { WebAuthnVerificationError } from './errors.js';

export type UserVerificationSetting = 'required' | 'preferred';

/** The caller passed something unusable: a bug or misconfiguration on the server, not a client fault. */
export function invalidOptions(msg: string): WebAuthnVerificationError {
  return new WebAuthnVerificationError('ERR_WEBAUTHN_INVALID_OPTIONS', `webauthn options: ${msg}`);
}

/**
 * Options common to both ceremonies; returns the RP ID. Checked at run time too, because library
 * users may call from JavaScript or with values read from configuration.
 * @throws WebAuthnVerificationError `ERR_WEBAUTHN_INVALID_OPTIONS`.
 */
export function checkOptions(input: {
  expectedChallenge: unknown;
  expectedOrigins: unknown;
  rpId: unknown;
  userVerification: unknown;
}): string {
  if (typeof input.expectedChallenge !== 'string' || input.expectedChallenge.length === 0)
    throw invalidOptions('expectedChallenge must be a non-empty string');
  if (!Array.isArray(input.expectedOrigins) || !input.expectedOrigins.every((o) => typeof o === 'string'))
    throw invalidOptions('expectedOrigins must be a string array');
  if (typeof input.rpId !== 'string' || normalizeRpId(input.rpId) === undefined)
    throw invalidOptions(`invalid rpId ${JSON.stringify(input.rpId)}`);
  if (input.userVerification !== 'required' && input.userVerification !== 'preferred')
    throw invalidOptions(`invalid userVerification ${JSON.stringify(input.userVerification)}`);
  return input.rpId;
}

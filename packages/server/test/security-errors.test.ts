/**
 * auth/securityErrors.ts, the one table from security/'s error codes to the wire: every code of every
 * verifier has an answer, in each WebAuthn ceremony, and every answer is a Cognito-shaped error
 * (a class of protocol/errors.ts, `__type` equal to its name, HTTP 400 or 500, a non-empty message).
 */
import { describe, expect, it } from 'vitest';
import * as wire from '../src/protocol/errors.js';
import { ServiceError } from '../src/protocol/errors.js';
import {
  SIGV4_WIRE_ERRORS,
  TOKEN_WIRE_ERRORS,
  WEBAUTHN_WIRE_ERRORS,
  sigV4ServiceError,
  tokenServiceError,
  webAuthnServiceError,
  withWebAuthnErrors,
} from '../src/auth/securityErrors.js';
import { WEBAUTHN_ERROR_CODES, WebAuthnVerificationError } from '../src/security/webauthn/index.js';
import { TOKEN_ERROR_CODES, TokenVerificationError } from '../src/security/tokens.js';
import { SIGV4_ERROR_CODES, SigV4Error } from '../src/security/sigv4.js';
import * as library from '@latchkey/server';

/** The wire classes, by name: a mapped error must be one of them, not merely a ServiceError. */
const WIRE_CLASSES = new Map(
  Object.values(wire)
    .filter((v): v is typeof ServiceError => typeof v === 'function' && v.prototype instanceof ServiceError)
    .map((cls) => [cls.name, cls]),
);

function expectCognitoShaped(err: ServiceError, reason: string): void {
  expect(err).toBeInstanceOf(ServiceError);
  expect(WIRE_CLASSES.get(err.name), `${err.name} is not a wire class`).toBeDefined();
  expect(err).toBeInstanceOf(WIRE_CLASSES.get(err.name)!);
  expect(err.type).toBe(err.name);
  expect(err.name).toMatch(/^[A-Z][A-Za-z]+Exception$/);
  expect([400, 500]).toContain(err.status);
  expect(err.message.length).toBeGreaterThan(0);
  // The verifier's reason always reaches the log: as the detail, or as the (client-safe) message itself.
  expect([err.detail, err.message]).toContain(reason);
}

describe('WebAuthn codes → wire', () => {
  it('the table has exactly the codes of the union', () => {
    expect(Object.keys(WEBAUTHN_WIRE_ERRORS).sort()).toEqual([...WEBAUTHN_ERROR_CODES].sort());
    expect(new Set(WEBAUTHN_ERROR_CODES).size).toBe(WEBAUTHN_ERROR_CODES.length);
  });

  it.each(WEBAUTHN_ERROR_CODES.flatMap((code) => (['registration', 'authentication'] as const).map((c) => [code, c] as const)))(
    '%s (%s) maps to a Cognito error',
    (code, ceremony) => {
      const reason = `reason for ${code}`;
      expectCognitoShaped(webAuthnServiceError(new WebAuthnVerificationError(code, reason), ceremony), reason);
    },
  );

  it('the answers documented in docs/verification-api.md', () => {
    const name = (code: (typeof WEBAUTHN_ERROR_CODES)[number], ceremony: 'registration' | 'authentication') =>
      webAuthnServiceError(new WebAuthnVerificationError(code, 'x'), ceremony).name;
    expect(name('ERR_WEBAUTHN_CHALLENGE_MISMATCH', 'registration')).toBe('WebAuthnChallengeNotFoundException');
    expect(name('ERR_WEBAUTHN_CHALLENGE_MISMATCH', 'authentication')).toBe('NotAuthorizedException');
    expect(name('ERR_WEBAUTHN_USER_VERIFICATION_MISSING', 'registration')).toBe('WebAuthnCredentialNotSupportedException');
    expect(name('ERR_WEBAUTHN_USER_VERIFICATION_MISSING', 'authentication')).toBe('NotAuthorizedException');
    expect(name('ERR_WEBAUTHN_ORIGIN_NOT_ALLOWED', 'authentication')).toBe('WebAuthnOriginNotAllowedException');
    expect(name('ERR_WEBAUTHN_INVALID_OPTIONS', 'registration')).toBe('InternalErrorException');
    expect(name('ERR_WEBAUTHN_MALFORMED_CREDENTIAL', 'authentication')).toBe('InvalidParameterException');
  });

  it('malformed input keeps its field-naming message and logs the precise detail', () => {
    const err = webAuthnServiceError(
      new WebAuthnVerificationError('ERR_WEBAUTHN_INVALID_BASE64URL', 'signature is not valid base64url.', {
        detail: 'signature: bad padding',
      }),
      'authentication',
    );
    expect({ name: err.name, message: err.message, detail: err.detail, status: err.status }).toEqual({
      name: 'InvalidParameterException',
      message: 'signature is not valid base64url.',
      detail: 'signature: bad padding',
      status: 400,
    });
  });

  it('withWebAuthnErrors maps verification failures and passes anything else through', async () => {
    const failed = withWebAuthnErrors('registration', () => {
      throw new WebAuthnVerificationError('ERR_WEBAUTHN_RP_ID_MISMATCH', 'rpIdHash …');
    });
    await expect(failed).rejects.toBeInstanceOf(wire.WebAuthnRelyingPartyMismatchException);
    const other = new Error('store down');
    await expect(withWebAuthnErrors('registration', () => Promise.reject(other))).rejects.toBe(other);
    await expect(withWebAuthnErrors('authentication', () => 42)).resolves.toBe(42);
  });

  it('the library exports the error class and codes, and the mapping, but no verifier throws a wire class', () => {
    expect(library.WebAuthnVerificationError).toBe(WebAuthnVerificationError);
    expect(library.WEBAUTHN_ERROR_CODES).toBe(WEBAUTHN_ERROR_CODES);
    expect(library.webAuthnServiceError).toBe(webAuthnServiceError);
    expect(() => library.peekAssertion({})).toThrow(WebAuthnVerificationError);
    expect(() => library.peekAssertion({})).not.toThrow(ServiceError);
  });
});

describe('access token codes → wire', () => {
  it('the table has exactly the codes of the union', () => {
    expect(Object.keys(TOKEN_WIRE_ERRORS).sort()).toEqual([...TOKEN_ERROR_CODES].sort());
  });

  it.each(TOKEN_ERROR_CODES)('%s maps to NotAuthorizedException with Cognito’s message', (code) => {
    const err = tokenServiceError(new TokenVerificationError(code, `reason for ${code}`));
    expectCognitoShaped(err, `reason for ${code}`);
    expect(err.name).toBe('NotAuthorizedException');
    const message =
      code === 'ERR_TOKEN_EXPIRED'
        ? 'Access Token has expired'
        : code === 'ERR_TOKEN_MISSING_SCOPE'
          ? 'Access Token does not have required scopes'
          : 'Invalid Access Token';
    expect(err.message).toBe(message);
  });
});

describe('SigV4 codes → wire', () => {
  it('the table has exactly the codes of the union', () => {
    expect(Object.keys(SIGV4_WIRE_ERRORS).sort()).toEqual([...SIGV4_ERROR_CODES].sort());
  });

  it.each(SIGV4_ERROR_CODES)('%s maps to an AWS error', (code) => {
    const err = sigV4ServiceError(new SigV4Error(code, `reason for ${code}`));
    expectCognitoShaped(err, `reason for ${code}`);
    const expected =
      code === 'ERR_SIGV4_MISSING_AUTHORIZATION'
        ? 'MissingAuthenticationTokenException'
        : code === 'ERR_SIGV4_UNKNOWN_ACCESS_KEY'
          ? 'UnrecognizedClientException'
          : 'InvalidSignatureException';
    expect(err.name).toBe(expected);
    // What is malformed is told to the signer; an unknown key or a wrong signature is not explained.
    const quiet = ['ERR_SIGV4_MISSING_AUTHORIZATION', 'ERR_SIGV4_UNKNOWN_ACCESS_KEY', 'ERR_SIGV4_SIGNATURE_MISMATCH'].includes(code);
    expect(err.message === `reason for ${code}`).toBe(!quiet);
  });
});

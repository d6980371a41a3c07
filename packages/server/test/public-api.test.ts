/**
 * What docs/verification-api.md promises `@latchkey/server` exports: the two verification functions
 * and the helpers next to them, friendlyName() among them.
 */
import { describe, expect, it } from 'vitest';
import * as server from '@latchkey/server';

describe('@latchkey/server public API (docs/verification-api.md)', () => {
  it('exports the verifiers and their helpers, friendlyName, the error class and its Cognito mapping', () => {
    for (const name of [
      'verifyRegistration',
      'verifyAuthentication',
      'peekAssertion',
      'randomChallenge',
      'isOriginAllowed',
      'friendlyName',
      'WebAuthnVerificationError',
      'webAuthnServiceError',
      'verifyWebhookSignature',
      'signWebhook',
      'WebhookSignatureError',
      'lambdaHttpAdapter',
    ] as const) {
      expect(typeof server[name], name).toBe('function');
    }
  });

  it('friendlyName names known providers and falls back to "Platform passkey" / "Roaming passkey"', () => {
    expect(server.friendlyName('ea9b8d66-4d01-1d21-3ce4-b6b48cb575d4', 'platform')).toBe('Google Password Manager');
    expect(server.friendlyName('08987058-cadc-4b81-b6e1-30de50dcbe96')).toBe('Windows Hello');
    expect(server.friendlyName('00000000-0000-0000-0000-000000000000', 'platform')).toBe('Platform passkey');
    expect(server.friendlyName('not-an-aaguid', 'cross-platform')).toBe('Roaming passkey');
    expect(server.friendlyName('00000000-0000-0000-0000-000000000000')).toBe('Roaming passkey');
  });

  it("randomChallenge is 22 base64url characters by default, as Cognito's", () => {
    const a = server.randomChallenge();
    expect(a).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(server.randomChallenge()).not.toBe(a);
  });
});

/** Ceremony challenges: generated here, and compared the way WebAuthn JSON encodes them. */
import { randomBytes } from 'node:crypto';
import { encodeBase64Url, stripPadding } from './base64url.js';

/**
 * Random challenge, base64url without padding (16 bytes → 22 characters, as Cognito).
 * @throws RangeError for sizes outside 16..64 bytes (a programming error, not a verification failure).
 */
export function randomChallenge(bytes = 16): string {
  if (!Number.isInteger(bytes) || bytes < 16 || bytes > 64) throw new RangeError('challenge size must be 16..64 bytes');
  return encodeBase64Url(randomBytes(bytes));
}

/** Whether clientDataJSON's challenge is the expected one; browsers differ on padding, so it is ignored. */
export function challengeMatches(received: string, expected: string): boolean {
  return stripPadding(received) === stripPadding(expected);
}

/**
 * base64url: the strict decoder against the server's WebAuthn rule, the lenient one against what the
 * client and the virtual authenticator accepted before they shared it, and round trips against Buffer.
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { Base64urlError, decodeBase64urlLenient, decodeBase64urlStrict, encodeBase64url, type Base64urlFault } from '@latchkey/wire';

// Reference copies of the three decoders as they were before @latchkey/wire existed, verbatim but for the
// error type. They are the oracles the shared decoders must agree with, input for input.

/** packages/server/src/security/webauthn.ts `decodeBase64Url`, without its length cap and empty-field rule. */
function serverStrict(value: string): { bytes: Uint8Array } | { fault: Base64urlFault } {
  if (!/^[A-Za-z0-9_-]*={0,2}$/.test(value)) return { fault: 'illegal character' };
  const body = value.replace(/=+$/, '');
  if (body.length !== value.length && value.length % 4 !== 0) return { fault: 'bad padding' };
  if (body.length % 4 === 1) return { fault: 'impossible length' };
  const bytes = Buffer.from(body, 'base64url');
  if (bytes.toString('base64url') !== body) return { fault: 'non-canonical encoding' };
  return { bytes: new Uint8Array(bytes) };
}

/** packages/client/src/internal/base64url.ts `base64UrlToArrayBuffer` (atob-based, as Amplify). */
function clientLenient(input: string): Uint8Array | undefined {
  try {
    const binary = atob(input.replace(/-/g, '+').replace(/_/g, '/').replace(/=+$/, ''));
    return Uint8Array.from(binary, (c) => c.charCodeAt(0));
  } catch {
    return undefined;
  }
}

/** packages/authenticator/src/base64url.ts `fromBase64url`. */
function authenticatorLenient(text: string): Uint8Array | undefined {
  if (!/^[A-Za-z0-9\-_+/]*={0,2}$/.test(text) || text.replace(/=+$/, '').length % 4 === 1) return undefined;
  return new Uint8Array(Buffer.from(text.replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_'), 'base64url'));
}

function strictOutcome(value: string): { bytes: Uint8Array } | { fault: Base64urlFault } {
  try {
    return { bytes: decodeBase64urlStrict(value) };
  } catch (error) {
    expect(error).toBeInstanceOf(Base64urlError);
    expect(error).toBeInstanceOf(TypeError);
    return { fault: (error as Base64urlError).fault };
  }
}

function lenientOutcome(value: string): Uint8Array | undefined {
  try {
    return decodeBase64urlLenient(value);
  } catch (error) {
    expect(error).toBeInstanceOf(TypeError);
    return undefined;
  }
}

/** Short strings over an alphabet that hits every rule: both alphabets, padding, whitespace, junk. */
function* corpus(): Generator<string> {
  const chars = ['A', 'Q', 'g', 'w', '8', '9', '-', '_', '+', '/', '=', ' ', '\n', '\t', '!', '.'];
  for (const a of chars) {
    yield a;
    for (const b of chars) yield a + b;
  }
  let seed = 7;
  const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
  for (let i = 0; i < 20_000; i++) {
    let s = '';
    const length = next() % 12;
    for (let j = 0; j < length; j++) s += chars[next() % chars.length];
    yield s;
  }
  for (let i = 0; i < 200; i++) {
    const b64 = randomBytes(i % 40).toString('base64url');
    yield b64;
    yield b64.padEnd(Math.ceil(b64.length / 4) * 4, '=');
    yield `${b64}=`;
    yield b64.replace(/-/g, '+').replace(/_/g, '/');
  }
}

describe('encodeBase64url', () => {
  it('matches Buffer for every length 0…70 and for views into larger buffers', () => {
    for (let n = 0; n <= 70; n++) {
      const bytes = randomBytes(n);
      expect(encodeBase64url(bytes)).toBe(bytes.toString('base64url'));
      expect(encodeBase64url(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + n))).toBe(bytes.toString('base64url'));
    }
    const big = new Uint8Array([1, 2, 3, 0xfb, 0xff, 9]);
    expect(encodeBase64url(big.subarray(3, 5))).toBe('-_8');
    expect(encodeBase64url(new DataView(big.buffer, 3, 2))).toBe('-_8');
  });
});

describe('decodeBase64urlStrict', () => {
  it('agrees with the server rule on every input of the corpus: same bytes, same fault', () => {
    let accepted = 0;
    for (const value of corpus()) {
      const want = serverStrict(value);
      const got = strictOutcome(value);
      expect(got, JSON.stringify(value)).toEqual(want);
      if ('bytes' in got) accepted++;
    }
    expect(accepted).toBeGreaterThan(500);
  });

  it.each([
    ['padding where none belongs', 'aGVsbG8==', 'bad padding'],
    ['padding inside', 'aGV=sbG8', 'illegal character'],
    ["'+'", 'a+b_', 'illegal character'],
    ["'/'", 'a/b_', 'illegal character'],
    ['a space', 'aGVs bG8', 'illegal character'],
    ['a newline', 'aGVs\nbG8', 'illegal character'],
    ['an impossible length', 'aGVsb', 'impossible length'],
    ['non-canonical trailing bits (3 characters)', 'aGVsbG9', 'non-canonical encoding'],
    ['non-canonical trailing bits (2 characters)', 'QR', 'non-canonical encoding'],
  ] as const)('refuses %s', (_what, value, fault) => {
    expect(strictOutcome(value)).toEqual({ fault });
  });

  it('accepts canonical text with or without correct padding', () => {
    expect(Buffer.from(decodeBase64urlStrict('aGVsbG8')).toString()).toBe('hello');
    expect(Buffer.from(decodeBase64urlStrict('aGVsbG8=')).toString()).toBe('hello');
    expect([...decodeBase64urlStrict('_-8')]).toEqual([0xff, 0xef]);
    expect(decodeBase64urlStrict('')).toHaveLength(0);
  });

  it('refuses a non-string with fault "not a string"', () => {
    expect(strictOutcome(12 as unknown as string)).toEqual({ fault: 'not a string' });
  });

  it('round-trips every encoding', () => {
    for (let n = 0; n <= 70; n++) {
      const bytes = new Uint8Array(randomBytes(n));
      expect(decodeBase64urlStrict(encodeBase64url(bytes))).toEqual(bytes);
    }
  });
});

describe('decodeBase64urlLenient', () => {
  it('accepts exactly what the client accepted (atob) and decodes it to the same bytes', () => {
    let accepted = 0;
    for (const value of corpus()) {
      const want = clientLenient(value);
      const got = lenientOutcome(value);
      expect(got && [...got], JSON.stringify(value)).toEqual(want && [...want]);
      if (got) accepted++;
    }
    expect(accepted).toBeGreaterThan(1000);
  });

  it('accepts everything the virtual authenticator accepted, with the same bytes', () => {
    for (const value of corpus()) {
      const before = authenticatorLenient(value);
      if (before) expect(lenientOutcome(value), JSON.stringify(value)).toEqual(before);
    }
  });

  it('takes both alphabets, optional padding and whitespace; drops non-canonical trailing bits', () => {
    expect([...decodeBase64urlLenient('-_8')]).toEqual([0xfb, 0xff]);
    expect([...decodeBase64urlLenient('+/8=')]).toEqual([0xfb, 0xff]);
    expect(Buffer.from(decodeBase64urlLenient('aGVs bG8\n')).toString()).toBe('hello');
    expect(Buffer.from(decodeBase64urlLenient('aGVsbG9')).toString()).toBe('hello');
  });

  it.each(['a$b', 'abcde', 'a=b', 'not base64url!'])('refuses %j with a TypeError', (value) => {
    expect(() => decodeBase64urlLenient(value)).toThrow(TypeError);
  });

  it('round-trips every encoding, padded or not, in either alphabet', () => {
    for (let n = 0; n <= 70; n++) {
      const bytes = randomBytes(n);
      expect(decodeBase64urlLenient(encodeBase64url(bytes))).toEqual(new Uint8Array(bytes));
      expect(decodeBase64urlLenient(bytes.toString('base64'))).toEqual(new Uint8Array(bytes));
    }
  });
});

/**
 * base64url (RFC 4648 §5) in pure code, so the browser client needs neither Buffer nor atob/btoa.
 *
 * One encoder and two decoders, one per strictness:
 * - {@link decodeBase64urlStrict} is what the server demands of WebAuthn fields: one text per byte string.
 * - {@link decodeBase64urlLenient} is what Amplify's converters (atob-based) accept, used where we read
 *   what a server or relying party sent and being picky would only break interoperability.
 */

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** Why the strict decoder refused its input; the server logs it as the error detail. */
export type Base64urlFault = 'not a string' | 'illegal character' | 'bad padding' | 'impossible length' | 'non-canonical encoding';

/**
 * Thrown by the strict decoder. A TypeError, as browsers throw for malformed WebAuthn JSON, so code that
 * emulates or wraps them needs no special case; `fault` says which rule was broken.
 */
export class Base64urlError extends TypeError {
  // `declare`: a class field would pull a define-property helper into es2020 browser bundles.
  declare readonly fault: Base64urlFault;
  constructor(fault: Base64urlFault, message: string) {
    super(message);
    this.fault = fault;
  }
}

/** Bytes → base64url without padding. Never throws. */
export function encodeBase64url(data: ArrayBuffer | ArrayBufferView): string {
  const bytes = ArrayBuffer.isView(data) ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength) : new Uint8Array(data);
  // A bit accumulator rather than 3-byte groups: the browser bundle pays for every byte of this code.
  let out = '';
  let acc = 0;
  let bits = 0;
  for (const byte of bytes) {
    acc = ((acc << 8) | byte) & 0xfff;
    bits += 8;
    while (bits >= 6) out += ALPHABET[(acc >> (bits -= 6)) & 63];
  }
  return bits > 0 ? out + ALPHABET[(acc << (6 - bits)) & 63] : out;
}

/** Value of one character of either alphabet (`-_` or `+/`), or -1. */
function sextet(char: string): number {
  return ALPHABET.indexOf(char === '+' ? '-' : char === '/' ? '_' : char);
}

/** Decodes unpadded text whose characters are already known to be in an alphabet; leftover bits are dropped. */
function decodeBody(body: string): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array((body.length * 3) >> 2);
  let acc = 0;
  let bits = 0;
  let o = 0;
  for (const char of body) {
    acc = ((acc << 6) | sextet(char)) & 0xfff;
    bits += 6;
    if (bits >= 8) out[o++] = acc >> (bits -= 8);
  }
  return out;
}

/**
 * The server's WebAuthn rule: alphabet `A-Z a-z 0-9 - _` only, `=` padding optional but correct when
 * present, no impossible length, and canonical trailing bits — so exactly one text decodes to any byte
 * string, and a credential id cannot be spelled two ways. The empty string decodes to no bytes; limits
 * on length or emptiness are the caller's.
 *
 * @throws Base64urlError (a TypeError) naming the broken rule in `fault`.
 */
export function decodeBase64urlStrict(value: unknown): Uint8Array<ArrayBuffer> {
  if (typeof value !== 'string') throw new Base64urlError('not a string', 'Expected a base64url string');
  const refuse = (fault: Base64urlFault) => new Base64urlError(fault, `Not valid base64url: ${fault}`);
  if (!/^[A-Za-z0-9_-]*={0,2}$/.test(value)) throw refuse('illegal character');
  const body = value.replace(/=+$/, '');
  if (body.length !== value.length && value.length % 4 !== 0) throw refuse('bad padding');
  if (body.length % 4 === 1) throw refuse('impossible length');
  // The last character may carry bits beyond the final byte: 4 of them after 2 characters, 2 after 3.
  const spare = [0, 0, 15, 3][body.length % 4]!;
  if (body.length > 0 && (sextet(body[body.length - 1]!) & spare) !== 0) throw refuse('non-canonical encoding');
  return decodeBody(body);
}

/**
 * What the client has always accepted (Amplify's `atob`-based converters): either alphabet, `=` padding
 * optional and unchecked, ASCII whitespace ignored, non-canonical trailing bits dropped. Only characters
 * outside both alphabets and lengths that leave a lone character (4n + 1) are refused.
 *
 * @throws TypeError for anything else. A plain one, without a `fault`: callers only ever pass it on, and
 *   the browser bundle need not carry {@link Base64urlError}.
 */
export function decodeBase64urlLenient(text: string): Uint8Array<ArrayBuffer> {
  // The order follows the old `atob(text.replace(/=+$/, ''))`: trailing `=` first, then whitespace, then
  // atob's own "one or two `=` on a multiple of four". A non-string becomes '!', which the alphabet test refuses.
  let body = typeof text === 'string' ? text.replace(/=+$/, '').replace(/[\t\n\f\r ]/g, '') : '!';
  if (body.length % 4 === 0) body = body.replace(/={1,2}$/, '');
  if (!/^[A-Za-z0-9+/_-]*$/.test(body) || body.length % 4 === 1) throw new TypeError(`Not a base64url string: ${JSON.stringify(text)}`);
  return decodeBody(body);
}

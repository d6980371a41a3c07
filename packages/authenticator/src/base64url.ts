/**
 * base64url helpers (RFC 4648 §5, no padding) and BufferSource conversion. The codec itself is
 * @latchkey/wire's lenient one, the same the @latchkey/auth client reads relying-party options with.
 */
import { decodeBase64urlLenient, encodeBase64url } from '@latchkey/wire';

/** A view of the same bytes as a plain Uint8Array (not a Buffer). */
export function toBytes(source: ArrayBuffer | ArrayBufferView | ArrayLike<number>): Uint8Array {
  if (ArrayBuffer.isView(source)) {
    return new Uint8Array(source.buffer, source.byteOffset, source.byteLength);
  }
  if (source instanceof ArrayBuffer || Object.prototype.toString.call(source) === '[object ArrayBuffer]') {
    return new Uint8Array(source as ArrayBuffer);
  }
  if (typeof (source as ArrayLike<number>).length === 'number') {
    return Uint8Array.from(source as ArrayLike<number>);
  }
  throw new TypeError('Expected a BufferSource (ArrayBuffer or ArrayBufferView)');
}

/**
 * Encode bytes as unpadded base64url.
 * @throws TypeError if `data` is not a BufferSource.
 */
export function toBase64url(data: ArrayBuffer | ArrayBufferView): string {
  return encodeBase64url(toBytes(data));
}

/**
 * Decode base64url leniently, as browsers' JSON parsers and Amplify do: padding optional, standard
 * base64 `+` `/` and ASCII whitespace accepted. Returns bytes over a fresh, exactly-sized buffer.
 * @throws TypeError (a plain one) on characters outside both alphabets or an impossible length. Deliberately as
 * lenient as the @latchkey/auth client (the same decoder): this reads options, it never decides who a credential is.
 */
export function fromBase64url(text: string): Uint8Array<ArrayBuffer> {
  return decodeBase64urlLenient(text);
}

/**
 * Canonicalise a base64url string (decode, re-encode without padding).
 * @throws TypeError as {@link fromBase64url}.
 */
export function normalizeBase64url(text: string): string {
  return toBase64url(fromBase64url(text));
}

export function concatBytes(...parts: Uint8Array[]): Uint8Array<ArrayBuffer> {
  const total = parts.reduce((n, p) => n + p.byteLength, 0);
  const out = new Uint8Array(total);
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.byteLength;
  }
  return out;
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.byteLength !== b.byteLength) return false;
  for (let i = 0; i < a.byteLength; i++) if (a[i] !== b[i]) return false;
  return true;
}

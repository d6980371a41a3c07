/**
 * base64url helpers (RFC 4648 §5, no padding) and BufferSource conversion.
 */

const BASE64ISH = /^[A-Za-z0-9\-_+/]*={0,2}$/;

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

/** Encode bytes as unpadded base64url. */
export function toBase64url(data: ArrayBuffer | ArrayBufferView): string {
  const bytes = toBytes(data);
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64url');
}

/**
 * Decode base64url (padding optional; standard base64 `+` `/` also accepted, as browsers'
 * JSON parsers do). Throws a TypeError on characters outside the alphabet.
 */
export function fromBase64url(text: string): Uint8Array<ArrayBuffer> {
  if (typeof text !== 'string' || !BASE64ISH.test(text) || text.replace(/=+$/, '').length % 4 === 1) {
    throw new TypeError(`Not a base64url string: ${JSON.stringify(text)}`);
  }
  const normalized = text.replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_');
  const buf = Buffer.from(normalized, 'base64url');
  return new Uint8Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
}

/** Canonicalise a base64url string (decode, re-encode without padding). */
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

/**
 * A tiny ASN.1 DER encoder: just the types an X.509 certificate needs.
 */
import { concatBytes } from './base64url.js';

const utf8 = new TextEncoder();

function encodeLength(length: number): Uint8Array {
  if (length < 0x80) return Uint8Array.of(length);
  const bytes: number[] = [];
  let n = length;
  while (n > 0) {
    bytes.unshift(n & 0xff);
    n = Math.floor(n / 256);
  }
  return Uint8Array.of(0x80 | bytes.length, ...bytes);
}

/** Tag-length-value with a single-byte tag. */
export function tlv(tag: number, content: Uint8Array): Uint8Array<ArrayBuffer> {
  return concatBytes(Uint8Array.of(tag), encodeLength(content.byteLength), content);
}

export function sequence(...items: Uint8Array[]): Uint8Array<ArrayBuffer> {
  return tlv(0x30, concatBytes(...items));
}

export function set(...items: Uint8Array[]): Uint8Array {
  // DER SET OF: elements sorted by their encodings
  const sorted = [...items].sort((a, b) => {
    const n = Math.min(a.byteLength, b.byteLength);
    for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i] - b[i];
    return a.byteLength - b.byteLength;
  });
  return tlv(0x31, concatBytes(...sorted));
}

export function boolean(value: boolean): Uint8Array {
  return tlv(0x01, Uint8Array.of(value ? 0xff : 0x00));
}

/** INTEGER from a non-negative number/bigint or from big-endian unsigned magnitude bytes. */
export function integer(value: number | bigint | Uint8Array): Uint8Array {
  let bytes: Uint8Array;
  if (value instanceof Uint8Array) {
    bytes = value;
  } else {
    let n = BigInt(value);
    if (n < 0n) throw new RangeError('Only non-negative DER integers are supported');
    const out: number[] = [];
    do {
      out.unshift(Number(n & 0xffn));
      n >>= 8n;
    } while (n > 0n);
    bytes = Uint8Array.from(out);
  }
  let start = 0;
  while (start < bytes.byteLength - 1 && bytes[start] === 0) start++;
  bytes = bytes.subarray(start);
  if (bytes.byteLength === 0) bytes = Uint8Array.of(0);
  if (bytes[0] & 0x80) bytes = concatBytes(Uint8Array.of(0), bytes);
  return tlv(0x02, bytes);
}

export function bitString(content: Uint8Array, unusedBits = 0): Uint8Array {
  return tlv(0x03, concatBytes(Uint8Array.of(unusedBits), content));
}

export function octetString(content: Uint8Array): Uint8Array {
  return tlv(0x04, content);
}

export function nullValue(): Uint8Array {
  return Uint8Array.of(0x05, 0x00);
}

export function objectIdentifier(oid: string): Uint8Array {
  const arcs = oid.split('.').map((a) => BigInt(a));
  if (arcs.length < 2) throw new TypeError(`Bad OID ${oid}`);
  const out: number[] = [];
  const encodeArc = (arc: bigint) => {
    const tmp: number[] = [Number(arc & 0x7fn)];
    arc >>= 7n;
    while (arc > 0n) {
      tmp.unshift(Number(arc & 0x7fn) | 0x80);
      arc >>= 7n;
    }
    out.push(...tmp);
  };
  encodeArc(arcs[0] * 40n + arcs[1]);
  for (const arc of arcs.slice(2)) encodeArc(arc);
  return tlv(0x06, Uint8Array.from(out));
}

export function utf8String(value: string): Uint8Array {
  return tlv(0x0c, utf8.encode(value));
}

export function printableString(value: string): Uint8Array {
  if (!/^[A-Za-z0-9 '()+,\-./:=?]*$/.test(value)) throw new TypeError(`Not a PrintableString: ${value}`);
  return tlv(0x13, utf8.encode(value));
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

/** UTCTime for 1950–2049, GeneralizedTime otherwise (RFC 5280 §4.1.2.5). */
export function time(date: Date): Uint8Array {
  const y = date.getUTCFullYear();
  const fields = [date.getUTCMonth() + 1, date.getUTCDate(), date.getUTCHours(), date.getUTCMinutes(), date.getUTCSeconds()];
  const rest = `${fields.map((n) => pad(n)).join('')}Z`;
  if (y >= 1950 && y < 2050) return tlv(0x17, utf8.encode(`${pad(y % 100)}${rest}`));
  return tlv(0x18, utf8.encode(`${pad(y, 4)}${rest}`));
}

/** Context-specific constructed tag, e.g. `[0] EXPLICIT`. */
export function explicit(tagNumber: number, content: Uint8Array): Uint8Array {
  return tlv(0xa0 | tagNumber, content);
}

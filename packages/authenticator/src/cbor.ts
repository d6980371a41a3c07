/**
 * A small CBOR (RFC 8949) encoder/decoder covering what WebAuthn needs.
 *
 * Encoding is deterministic in the CTAP2 canonical form: integers and lengths use the
 * shortest head, map keys are sorted by their encoded bytes (shorter first, then
 * bytewise), no indefinite lengths. Plain objects encode as maps with text keys.
 */

export type CBORValue =
  | number
  | bigint
  | string
  | boolean
  | null
  | undefined
  | Uint8Array
  | ArrayBuffer
  | CBORValue[]
  | Map<CBORValue, CBORValue>
  | { [key: string]: CBORValue };

const MT_UNSIGNED = 0;
const MT_NEGATIVE = 1;
const MT_BYTES = 2;
const MT_TEXT = 3;
const MT_ARRAY = 4;
const MT_MAP = 5;
const MT_TAG = 6;
const MT_SIMPLE = 7;

const textEncoder = new TextEncoder();
const textDecoder = new TextDecoder('utf-8', { fatal: true });

class Writer {
  private chunks: Uint8Array[] = [];
  private length = 0;
  push(bytes: Uint8Array): void {
    this.chunks.push(bytes);
    this.length += bytes.byteLength;
  }
  byte(b: number): void {
    this.push(Uint8Array.of(b));
  }
  result(): Uint8Array<ArrayBuffer> {
    const out = new Uint8Array(this.length);
    let off = 0;
    for (const c of this.chunks) {
      out.set(c, off);
      off += c.byteLength;
    }
    return out;
  }
}

function writeHead(w: Writer, major: number, arg: number | bigint): void {
  const n = BigInt(arg);
  if (n < 0n || n > 0xffffffffffffffffn) throw new RangeError(`CBOR argument out of range: ${n}`);
  const m = major << 5;
  if (n < 24n) {
    w.byte(m | Number(n));
  } else if (n <= 0xffn) {
    w.push(Uint8Array.of(m | 24, Number(n)));
  } else if (n <= 0xffffn) {
    const b = new Uint8Array(3);
    b[0] = m | 25;
    new DataView(b.buffer).setUint16(1, Number(n));
    w.push(b);
  } else if (n <= 0xffffffffn) {
    const b = new Uint8Array(5);
    b[0] = m | 26;
    new DataView(b.buffer).setUint32(1, Number(n));
    w.push(b);
  } else {
    const b = new Uint8Array(9);
    b[0] = m | 27;
    new DataView(b.buffer).setBigUint64(1, n);
    w.push(b);
  }
}

function compareEncodedKeys(a: Uint8Array, b: Uint8Array): number {
  if (a.byteLength !== b.byteLength) return a.byteLength - b.byteLength;
  for (let i = 0; i < a.byteLength; i++) {
    if (a[i] !== b[i]) return a[i] - b[i];
  }
  return 0;
}

function writeValue(w: Writer, value: CBORValue): void {
  if (value === false) return w.byte(0xf4);
  if (value === true) return w.byte(0xf5);
  if (value === null) return w.byte(0xf6);
  if (value === undefined) return w.byte(0xf7);
  if (typeof value === 'number') {
    if (Number.isSafeInteger(value)) {
      return value >= 0 ? writeHead(w, MT_UNSIGNED, value) : writeHead(w, MT_NEGATIVE, -1 - value);
    }
    if (Number.isNaN(value) || !Number.isFinite(value) || Math.fround(value) === value) {
      const b = new Uint8Array(5);
      b[0] = 0xfa;
      new DataView(b.buffer).setFloat32(1, value);
      return w.push(b);
    }
    const b = new Uint8Array(9);
    b[0] = 0xfb;
    new DataView(b.buffer).setFloat64(1, value);
    return w.push(b);
  }
  if (typeof value === 'bigint') {
    return value >= 0n ? writeHead(w, MT_UNSIGNED, value) : writeHead(w, MT_NEGATIVE, -1n - value);
  }
  if (typeof value === 'string') {
    const bytes = textEncoder.encode(value);
    writeHead(w, MT_TEXT, bytes.byteLength);
    return w.push(bytes);
  }
  if (value instanceof Uint8Array) {
    writeHead(w, MT_BYTES, value.byteLength);
    return w.push(new Uint8Array(value));
  }
  if (value instanceof ArrayBuffer) {
    writeHead(w, MT_BYTES, value.byteLength);
    return w.push(new Uint8Array(value.slice(0)));
  }
  if (Array.isArray(value)) {
    writeHead(w, MT_ARRAY, value.length);
    for (const item of value) writeValue(w, item);
    return;
  }
  const entries: [CBORValue, CBORValue][] =
    value instanceof Map ? [...value.entries()] : Object.entries(value as Record<string, CBORValue>);
  const encoded = entries.map(([k, v]) => [encodeCBOR(k), v] as const);
  encoded.sort((a, b) => compareEncodedKeys(a[0], b[0]));
  for (let i = 1; i < encoded.length; i++) {
    if (compareEncodedKeys(encoded[i - 1][0], encoded[i][0]) === 0) {
      throw new TypeError('CBOR map has duplicate keys');
    }
  }
  writeHead(w, MT_MAP, encoded.length);
  for (const [k, v] of encoded) {
    w.push(k);
    writeValue(w, v);
  }
}

/** Encode a value as canonical CBOR. Throws TypeError for unsupported values/duplicate map keys. */
export function encodeCBOR(value: CBORValue): Uint8Array<ArrayBuffer> {
  if (
    typeof value === 'object' &&
    value !== null &&
    !(value instanceof Uint8Array) &&
    !(value instanceof ArrayBuffer) &&
    !Array.isArray(value) &&
    !(value instanceof Map) &&
    Object.getPrototypeOf(value) !== Object.prototype &&
    Object.getPrototypeOf(value) !== null
  ) {
    throw new TypeError(`Cannot CBOR-encode ${Object.prototype.toString.call(value)}`);
  }
  if (typeof value === 'function' || typeof value === 'symbol') {
    throw new TypeError(`Cannot CBOR-encode a ${typeof value}`);
  }
  const w = new Writer();
  writeValue(w, value);
  return w.result();
}

class Reader {
  offset = 0;
  private view: DataView;
  constructor(private bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  need(n: number): void {
    if (this.offset + n > this.bytes.byteLength) throw new RangeError('CBOR input truncated');
  }
  u8(): number {
    this.need(1);
    return this.bytes[this.offset++];
  }
  take(n: number): Uint8Array {
    this.need(n);
    const out = this.bytes.slice(this.offset, this.offset + n);
    this.offset += n;
    return out;
  }
  arg(info: number): bigint {
    if (info < 24) return BigInt(info);
    switch (info) {
      case 24:
        return BigInt(this.u8());
      case 25: {
        this.need(2);
        const v = this.view.getUint16(this.offset);
        this.offset += 2;
        return BigInt(v);
      }
      case 26: {
        this.need(4);
        const v = this.view.getUint32(this.offset);
        this.offset += 4;
        return BigInt(v);
      }
      case 27: {
        this.need(8);
        const v = this.view.getBigUint64(this.offset);
        this.offset += 8;
        return v;
      }
      default:
        throw new TypeError(`Unsupported CBOR additional info ${info} (indefinite lengths are not supported)`);
    }
  }
  float(size: 2 | 4 | 8): number {
    this.need(size);
    let v: number;
    if (size === 2) {
      const h = this.view.getUint16(this.offset);
      const exp = (h >> 10) & 0x1f;
      const frac = h & 0x3ff;
      const sign = h & 0x8000 ? -1 : 1;
      if (exp === 0) v = sign * 2 ** -14 * (frac / 1024);
      else if (exp === 31) v = frac ? NaN : sign * Infinity;
      else v = sign * 2 ** (exp - 15) * (1 + frac / 1024);
    } else if (size === 4) {
      v = this.view.getFloat32(this.offset);
    } else {
      v = this.view.getFloat64(this.offset);
    }
    this.offset += size;
    return v;
  }
}

function toNumberIfSafe(n: bigint): number | bigint {
  return n <= BigInt(Number.MAX_SAFE_INTEGER) && n >= BigInt(Number.MIN_SAFE_INTEGER) ? Number(n) : n;
}

function readValue(r: Reader, depth: number): CBORValue {
  if (depth > 64) throw new RangeError('CBOR nesting too deep');
  const initial = r.u8();
  const major = initial >> 5;
  const info = initial & 0x1f;
  switch (major) {
    case MT_UNSIGNED:
      return toNumberIfSafe(r.arg(info));
    case MT_NEGATIVE:
      return toNumberIfSafe(-1n - r.arg(info));
    case MT_BYTES:
      return r.take(Number(r.arg(info)));
    case MT_TEXT:
      return textDecoder.decode(r.take(Number(r.arg(info))));
    case MT_ARRAY: {
      const n = Number(r.arg(info));
      const out: CBORValue[] = [];
      for (let i = 0; i < n; i++) out.push(readValue(r, depth + 1));
      return out;
    }
    case MT_MAP: {
      const n = Number(r.arg(info));
      const out = new Map<CBORValue, CBORValue>();
      for (let i = 0; i < n; i++) {
        const key = readValue(r, depth + 1);
        if (typeof key !== 'string' && typeof key !== 'number' && typeof key !== 'bigint') {
          throw new TypeError('Only text and integer CBOR map keys are supported');
        }
        if (out.has(key)) throw new TypeError('CBOR map has duplicate keys');
        out.set(key, readValue(r, depth + 1));
      }
      return out;
    }
    case MT_TAG:
      throw new TypeError('CBOR tags are not supported');
    case MT_SIMPLE:
    default:
      switch (info) {
        case 20:
          return false;
        case 21:
          return true;
        case 22:
          return null;
        case 23:
          return undefined;
        case 25:
          return r.float(2);
        case 26:
          return r.float(4);
        case 27:
          return r.float(8);
        default:
          throw new TypeError(`Unsupported CBOR simple value ${info}`);
      }
  }
}

/**
 * Decode the first CBOR item in `bytes`; returns the value and the number of bytes consumed.
 * Maps decode to `Map`, byte strings to `Uint8Array`, integers to `number` (or `bigint` if unsafe).
 */
export function decodeCBORFirst(bytes: Uint8Array): [CBORValue, number] {
  const r = new Reader(bytes);
  const value = readValue(r, 0);
  return [value, r.offset];
}

/** Decode exactly one CBOR item. Throws if the input is malformed or has trailing bytes. */
export function decodeCBOR(bytes: Uint8Array): CBORValue {
  const [value, used] = decodeCBORFirst(bytes);
  if (used !== bytes.byteLength) throw new TypeError(`Trailing bytes after CBOR item (${bytes.byteLength - used})`);
  return value;
}

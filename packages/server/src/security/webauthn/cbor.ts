/**
 * Minimal strict CBOR (RFC 8949 subset used by WebAuthn: definite lengths only). Strict because
 * attestation objects and COSE keys are attacker-supplied: anything a lenient decoder would guess at
 * (indefinite lengths, tags, duplicate keys, trailing bytes) is refused instead.
 */

export type CborValue = number | bigint | string | boolean | null | undefined | Uint8Array | CborValue[] | Map<CborValue, CborValue>;

/** Malformed CBOR; callers turn it into the WebAuthn error of the structure that held it. */
export class CborError extends Error {}

const MAX_CBOR_DEPTH = 16;
const MAX_CBOR_ITEMS = 10_000;

/**
 * Decode the first CBOR item in `data`; returns the value and the number of bytes it used.
 * @throws CborError for anything outside the strict subset.
 */
export function decodeCborFirst(data: Uint8Array): { value: CborValue; length: number } {
  let pos = 0;
  let items = 0;
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);

  const need = (n: number) => {
    if (pos + n > data.length) throw new CborError('unexpected end of CBOR data');
  };
  const readArg = (info: number): number | bigint => {
    if (info < 24) return info;
    if (info === 24) {
      need(1);
      return data[pos++];
    }
    if (info === 25) {
      need(2);
      const v = view.getUint16(pos);
      pos += 2;
      return v;
    }
    if (info === 26) {
      need(4);
      const v = view.getUint32(pos);
      pos += 4;
      return v;
    }
    if (info === 27) {
      need(8);
      const v = view.getBigUint64(pos);
      pos += 8;
      return v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
    }
    throw new CborError(info === 31 ? 'indefinite-length CBOR items are not allowed' : `reserved CBOR additional info ${info}`);
  };
  const readLen = (info: number): number => {
    const n = readArg(info);
    if (typeof n !== 'number') throw new CborError('CBOR length too large');
    return n;
  };
  const item = (depth: number): CborValue => {
    if (depth > MAX_CBOR_DEPTH) throw new CborError('CBOR nesting too deep');
    if (++items > MAX_CBOR_ITEMS) throw new CborError('too many CBOR items');
    need(1);
    const initial = data[pos++];
    const major = initial >> 5;
    const info = initial & 0x1f;
    switch (major) {
      case 0:
        return readArg(info);
      case 1: {
        const n = readArg(info);
        return typeof n === 'number' ? -1 - n : -1n - n;
      }
      case 2: {
        const len = readLen(info);
        need(len);
        const out = data.slice(pos, pos + len);
        pos += len;
        return out;
      }
      case 3: {
        const len = readLen(info);
        need(len);
        let text: string;
        try {
          text = new TextDecoder('utf-8', { fatal: true }).decode(data.subarray(pos, pos + len));
        } catch {
          throw new CborError('invalid UTF-8 in CBOR text string');
        }
        pos += len;
        return text;
      }
      case 4: {
        const len = readLen(info);
        // Checked before allocating: a declared length cannot make us build more than the data holds.
        if (len > data.length - pos) throw new CborError('CBOR array longer than the data');
        const arr: CborValue[] = [];
        for (let i = 0; i < len; i++) arr.push(item(depth + 1));
        return arr;
      }
      case 5: {
        const len = readLen(info);
        if (len * 2 > data.length - pos) throw new CborError('CBOR map longer than the data');
        const map = new Map<CborValue, CborValue>();
        for (let i = 0; i < len; i++) {
          const key = item(depth + 1);
          if (typeof key !== 'number' && typeof key !== 'string' && typeof key !== 'bigint') {
            throw new CborError('CBOR map keys must be integers or text');
          }
          if (map.has(key)) throw new CborError('duplicate CBOR map key');
          map.set(key, item(depth + 1));
        }
        return map;
      }
      case 6:
        throw new CborError('CBOR tags are not allowed');
      default: {
        // major 7: simple values and floats
        if (info === 20) return false;
        if (info === 21) return true;
        if (info === 22) return null;
        if (info === 23) return undefined;
        if (info === 25) {
          need(2);
          const v = halfToFloat(view.getUint16(pos));
          pos += 2;
          return v;
        }
        if (info === 26) {
          need(4);
          const v = view.getFloat32(pos);
          pos += 4;
          return v;
        }
        if (info === 27) {
          need(8);
          const v = view.getFloat64(pos);
          pos += 8;
          return v;
        }
        throw new CborError(`unsupported CBOR simple value ${info}`);
      }
    }
  };
  const value = item(0);
  return { value, length: pos };
}

function halfToFloat(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const f = h & 0x3ff;
  if (e === 0) return s * 2 ** -14 * (f / 1024);
  if (e === 31) return f ? NaN : s * Infinity;
  return s * 2 ** (e - 15) * (1 + f / 1024);
}

/**
 * Decode exactly one CBOR item that fills `data`.
 * @throws CborError for malformed CBOR or trailing bytes.
 */
export function decodeCborAll(data: Uint8Array): CborValue {
  const { value, length } = decodeCborFirst(data);
  if (length !== data.length) throw new CborError(`${data.length - length} trailing bytes after CBOR item`);
  return value;
}

// A minimal encoder: just enough to rewrite an attestation object as fmt "none" (attestationObject.ts).

/** The head of a CBOR item: major type and argument (lengths up to 2^32 - 1). */
export function cborHead(major: number, n: number): Uint8Array {
  if (n < 24) return Uint8Array.of((major << 5) | n);
  if (n < 0x100) return Uint8Array.of((major << 5) | 24, n);
  if (n < 0x10000) return Uint8Array.of((major << 5) | 25, n >> 8, n & 0xff);
  return Uint8Array.of((major << 5) | 26, (n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff);
}

/** A CBOR text string. */
export function cborText(s: string): Uint8Array {
  const b = Buffer.from(s, 'utf8');
  return Buffer.concat([cborHead(3, b.length), b]);
}

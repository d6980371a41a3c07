import {
  createCipheriv,
  createDecipheriv,
  createHash,
  createHmac,
  randomBytes,
  randomInt,
  randomUUID,
  timingSafeEqual,
  hkdfSync,
} from 'node:crypto';

/** Random bytes as base64url. */
export function randomToken(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

export function randomId(): string {
  return randomUUID();
}

/** n random characters of `alphabet` (uniform: crypto.randomInt). */
export function randomString(n: number, alphabet: string): string {
  let s = '';
  for (let i = 0; i < n; i++) s += alphabet[randomInt(alphabet.length)];
  return s;
}

/** A numeric code of `digits` digits (six by default; sign-in codes have eight). */
export function randomCode(digits = 6): string {
  return String(randomInt(0, 10 ** digits)).padStart(digits, '0');
}

/** SHA-256 hex: how refresh tokens, sessions and codes are stored (never the value itself). */
export function sha256Hex(value: string | Uint8Array): string {
  return createHash('sha256').update(value).digest('hex');
}

/** Keyed hash for short secrets such as 6-digit codes, so a database dump cannot brute-force them offline. */
export function hmacHex(key: Uint8Array, value: string): string {
  return createHmac('sha256', key).update(value).digest('hex');
}

/** Constant-time string equality (lengths may leak, contents do not). */
export function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  if (x.length !== y.length) {
    // Compare anyway so the time spent does not depend on where the strings differ.
    timingSafeEqual(x, x);
    return false;
  }
  return timingSafeEqual(x, y);
}

/**
 * Encrypts secrets at rest (signing keys) with AES-256-GCM under a key derived from the server secret.
 * Format: `v1.<iv>.<tag>.<ciphertext>` in base64url.
 */
export class SecretBox {
  private readonly key: Buffer;
  /** Key for HMAC of short codes, derived from the same server secret. */
  readonly macKey: Buffer;
  /** Key the per-pool webhook secrets are derived from (webhookSecret). */
  private readonly webhookKey: Buffer;

  constructor(serverSecret: string | Uint8Array) {
    const ikm = typeof serverSecret === 'string' ? Buffer.from(serverSecret, 'utf8') : Buffer.from(serverSecret);
    this.key = Buffer.from(hkdfSync('sha256', ikm, Buffer.from('latchkey'), Buffer.from('signing-key-encryption'), 32));
    this.macKey = Buffer.from(hkdfSync('sha256', ikm, Buffer.from('latchkey'), Buffer.from('code-mac'), 32));
    this.webhookKey = Buffer.from(hkdfSync('sha256', ikm, Buffer.from('latchkey'), Buffer.from('webhook-secret'), 32));
  }

  /**
   * A pool's webhook secret (the key of x-latchkey-signature on trigger calls and lifecycle events): derived, not
   * stored, so every instance computes the same value without a write race; rotating bumps `version`.
   */
  webhookSecret(poolId: string, version: number): string {
    return 'whsec_' + createHmac('sha256', this.webhookKey).update(`${poolId}:${version}`).digest('base64url');
  }

  seal(plaintext: string): string {
    const iv = randomBytes(12);
    const c = createCipheriv('aes-256-gcm', this.key, iv);
    const body = Buffer.concat([c.update(plaintext, 'utf8'), c.final()]);
    return ['v1', iv.toString('base64url'), c.getAuthTag().toString('base64url'), body.toString('base64url')].join('.');
  }

  /** @throws Error when the box was sealed under another key or was tampered with. */
  open(sealed: string): string {
    const [v, iv, tag, body] = sealed.split('.');
    if (v !== 'v1' || !iv || !tag || body === undefined) throw new Error('unsupported sealed secret');
    const d = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64url'));
    d.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([d.update(Buffer.from(body, 'base64url')), d.final()]).toString('utf8');
  }
}

/** A new random server secret (for the generated key file). */
export function newServerSecret(): string {
  return randomBytes(32).toString('base64url');
}

/** HMAC-SHA256 tag (base64url) for tamper-proof opaque tokens such as pagination cursors. */
export function macToken(key: Uint8Array, payload: string): string {
  return createHmac('sha256', key).update(payload).digest('base64url');
}

/** Cognito's SECRET_HASH: base64(HMAC-SHA256(key = client secret, message = username + client id)). */
export function secretHash(clientSecret: string, username: string, clientId: string): string {
  return createHmac('sha256', clientSecret)
    .update(username + clientId)
    .digest('base64');
}

/** Random bytes as standard base64 (SRP's SECRET_BLOCK must be plain base64 for the client). */
export function randomBytesB64(bytes: number): string {
  return randomBytes(bytes).toString('base64');
}

/**
 * Deterministic pseudo-random bytes for a label under a server key: the same input always gives the
 * same output, and nobody without the key can tell it from random (used for stand-ins of unknown users).
 */
export function derivedBytes(key: Uint8Array, label: string, bytes: number): Buffer {
  // Block 0 is HMAC(label) (so every value of up to 32 bytes stays what it always was); block i > 0 is
  // HMAC(label + "\n#" + i).
  const blocks = [createHmac('sha256', key).update(label).digest()];
  for (let i = 1; i * 32 < bytes; i++) blocks.push(createHmac('sha256', key).update(`${label}\n#${i}`).digest());
  return Buffer.concat(blocks).subarray(0, bytes);
}

/** A UUID-shaped (version 4 layout) id derived from a label under a server key. */
export function derivedUuid(key: Uint8Array, label: string): string {
  const b = Buffer.from(derivedBytes(key, label, 16));
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

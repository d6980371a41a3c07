import { generateKeyPairSync, createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { SignJWT, jwtVerify, decodeProtectedHeader, errors as joseErrors, type JWTPayload } from 'jose';
import type { SigningKeyRecord, Store } from '../storage/store.js';
import { randomId, type SecretBox } from './secrets.js';
import { FIXED } from '../config/defaults.js';

export type TokenAlg = 'RS256' | 'ES256';

/** Claims of a verified access token, as Cognito issues them. */
export interface AccessClaims {
  sub: string;
  iss: string;
  client_id: string;
  origin_jti: string;
  event_id: string;
  token_use: 'access';
  scope: string;
  auth_time: number;
  exp: number;
  iat: number;
  jti: string;
  username: string;
  /** The device the sign-in was made on (remembered devices), as Cognito's access tokens carry it. */
  device_key?: string;
}

/** How long an instance may keep signing with the key it last read. */
const SIGNING_KEY_CACHE_MS = FIXED.signingKeyCacheMs.default;

/**
 * How long a verification key's record (retirement, expiry) may be reused without re-reading it, at
 * most: an emergency retirement (`RetireAfterSeconds: 0`) must stop verification on every instance
 * within 2 s, whatever `cacheMs` says. The imported public key itself is kept (it never changes).
 */
const VERIFICATION_RECORD_MAX_AGE_MS = FIXED.verificationRecordMaxAgeMs.default;
const UNKNOWN_KID_CACHE_MS = FIXED.unknownKidCacheMs.default;
const UNKNOWN_KIDS_MAX = 10_000;

/** Every way an access token fails verification here; auth/securityErrors.ts decides what the client hears. */
export const TOKEN_ERROR_CODES = [
  /** The JOSE header cannot be decoded. */
  'ERR_TOKEN_MALFORMED',
  /** No kid, a kid we never issue, or one with no key record. */
  'ERR_TOKEN_UNKNOWN_KEY',
  /** The signing key is past its retirement grace (`expiresAt`). */
  'ERR_TOKEN_KEY_EXPIRED',
  /** `exp` has passed. */
  'ERR_TOKEN_EXPIRED',
  /** A verified token that is not an access token (`token_use`). */
  'ERR_TOKEN_WRONG_USE',
  /** A verified access token without the `aws.cognito.signin.user.admin` scope. */
  'ERR_TOKEN_MISSING_SCOPE',
  /** Anything else jose refused: signature, algorithm, issuer, a missing or mistyped required claim. */
  'ERR_TOKEN_INVALID',
] as const;

export type TokenErrorCode = (typeof TOKEN_ERROR_CODES)[number];

/** Thrown by `TokenService.verifyAccessSignature`; `message` is the reason, for logs. */
export class TokenVerificationError extends Error {
  constructor(
    readonly code: TokenErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'TokenVerificationError';
  }
}

/** What `randomId()` produces for a kid; anything else is unknown without a lookup. */
const KID = /^[0-9a-f-]{36}$/;

interface CachedKey {
  record: SigningKeyRecord;
  key: KeyObject;
  loadedAt: number;
}

export interface IssueInput {
  poolId: string;
  clientId: string;
  sub: string;
  username: string;
  /** Claims for the id token: email, email_verified, phone_number, custom attributes… */
  idClaims: Record<string, unknown>;
  /** Extra claims for the access token (`cognito:groups`); they cannot replace the standard ones. */
  accessClaims?: Record<string, unknown>;
  originJti: string;
  /** iat in unix seconds; a fresh sign-in passes its authTime, so auth_time equals iat even when the commit took long. */
  issuedAt?: number;
  authTime: number;
  accessValiditySec: number;
  idValiditySec: number;
  alg: TokenAlg;
  /** Set when the sign-in is bound to a device: the access token's `device_key` claim. */
  deviceKey?: string;
  /** The pre token generation trigger's rewrite of each token's claims (triggers/preToken.ts), applied last. */
  edit?: (use: 'id' | 'access', claims: Record<string, unknown>) => Record<string, unknown>;
}

/**
 * Issues and verifies Cognito-shaped JWTs with per-pool keys kept in the store (encrypted at rest).
 * Keys are cached in memory: a key is immutable once written, so the only staleness is retirement and
 * expiry, bounded by `cacheMs` and never more than 1 s (0 = every verification re-reads the key record).
 */
export class TokenService {
  private readonly cache = new Map<string, CachedKey>();
  private readonly active = new Map<string, CachedKey>();
  private readonly loading = new Map<string, Promise<CachedKey>>();
  /** kid → when it was last looked up and not found. */
  private readonly unknownKids = new Map<string, number>();

  constructor(
    private readonly store: Store,
    private readonly box: SecretBox,
    private readonly publicUrl: () => string,
    private readonly now: () => number,
    private readonly cacheMs: number,
  ) {}

  issuer(poolId: string): string {
    return `${this.publicUrl()}/${poolId}`;
  }

  /** Generates a new signing key for a pool; the previous ones stay published until `retiredExpireAt`. */
  async rotate(poolId: string, alg: TokenAlg, retiredExpireAt: number): Promise<string> {
    const kid = randomId();
    const { privateKey, publicKey } =
      alg === 'RS256' ? generateKeyPairSync('rsa', { modulusLength: 2048 }) : generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const publicJwk = { ...publicKey.export({ format: 'jwk' }), kid, alg, use: 'sig' };
    const now = this.now();
    await this.store.rotateSigningKey(
      {
        kid,
        poolId,
        alg,
        createdAt: now,
        retiredAt: null,
        expiresAt: null,
        privateKeyEnc: this.box.seal(JSON.stringify(privateKey.export({ format: 'jwk' }))),
        publicJwk,
      },
      now,
      retiredExpireAt,
    );
    this.active.delete(poolId);
    return kid;
  }

  /** The pool's JWKS document (active and retired-but-unexpired keys). */
  async jwks(poolId: string): Promise<{ keys: object[] }> {
    const keys = await this.store.listSigningKeys(poolId, this.now());
    return { keys: keys.map((k) => k.publicJwk) };
  }

  private async signingKey(poolId: string, alg: TokenAlg): Promise<{ record: SigningKeyRecord; key: KeyObject }> {
    const cached = this.active.get(poolId);
    // The signing key is re-read at least every second, so a rotation on another instance takes
    // effect within 1 s everywhere (docs/deployment.md), whatever the verification cache bound.
    if (cached && cached.record.alg === alg && this.now() - cached.loadedAt <= SIGNING_KEY_CACHE_MS) return cached;
    // Concurrent requests of one process share one reload (and at most one first-use key creation).
    const inflight = `${poolId}\n${alg}`;
    let loading = this.loading.get(inflight);
    if (!loading) {
      loading = this.loadSigningKey(poolId, alg, cached).finally(() => this.loading.delete(inflight));
      this.loading.set(inflight, loading);
    }
    return loading;
  }

  private async loadSigningKey(poolId: string, alg: TokenAlg, cached: CachedKey | undefined): Promise<CachedKey> {
    let current = (await this.store.listSigningKeys(poolId, this.now())).find((k) => k.retiredAt === null && k.alg === alg);
    if (!current) {
      // First use of this algorithm for the pool: create its key (old-alg keys stay published a day).
      await this.rotate(poolId, alg, this.now() + FIXED.keyRetirementMs.default);
      current = (await this.store.listSigningKeys(poolId, this.now())).find((k) => k.retiredAt === null && k.alg === alg)!;
    }
    // The key itself is immutable: decrypt and import it only when the active kid changed.
    const key =
      cached?.record.kid === current.kid
        ? cached.key
        : createPrivateKey({ key: JSON.parse(this.box.open(current.privateKeyEnc)), format: 'jwk' });
    const entry = { record: current, key, loadedAt: this.now() };
    this.active.set(poolId, entry);
    return entry;
  }

  /** Signs an access token and an id token for one sign-in (`originJti` ties them to the refresh token). */
  async issue(input: IssueInput): Promise<{ accessToken: string; idToken: string }> {
    const { record, key } = await this.signingKey(input.poolId, input.alg);
    const iat = input.issuedAt ?? Math.floor(this.now() / 1000);
    const iss = this.issuer(input.poolId);
    const header = { alg: record.alg, kid: record.kid };
    const access = {
      sub: input.sub,
      ...input.accessClaims,
      iss,
      client_id: input.clientId,
      origin_jti: input.originJti,
      event_id: randomId(),
      token_use: 'access',
      scope: 'aws.cognito.signin.user.admin',
      auth_time: input.authTime,
      exp: iat + input.accessValiditySec,
      iat,
      jti: randomId(),
      username: input.username,
      ...(input.deviceKey ? { device_key: input.deviceKey } : {}),
    };
    const id = {
      sub: input.sub,
      ...input.idClaims,
      iss,
      'cognito:username': input.username,
      origin_jti: input.originJti,
      aud: input.clientId,
      event_id: access.event_id,
      token_use: 'id',
      auth_time: input.authTime,
      exp: iat + input.idValiditySec,
      iat,
      jti: randomId(),
    };
    const edit = input.edit ?? ((_use: 'id' | 'access', c: Record<string, unknown>) => c);
    const [accessToken, idToken] = await Promise.all([
      new SignJWT(edit('access', access)).setProtectedHeader(header).sign(key),
      new SignJWT(edit('id', id)).setProtectedHeader(header).sign(key),
    ]);
    return { accessToken, idToken };
  }

  private async verificationKey(kid: string): Promise<CachedKey | undefined> {
    const cached = this.cache.get(kid);
    const now = this.now();
    if (cached && now - cached.loadedAt <= Math.min(this.cacheMs, VERIFICATION_RECORD_MAX_AGE_MS)) return cached;
    // A kid no key had a moment ago (forged tokens, mostly) is refused without a database read for a second.
    const missing = this.unknownKids.get(kid);
    if (missing !== undefined && now - missing <= UNKNOWN_KID_CACHE_MS) return undefined;
    const record = await this.store.getSigningKey(kid);
    if (!record) {
      this.cache.delete(kid);
      // Attacker-chosen kids: bounded, forgotten wholesale when full.
      if (this.unknownKids.size >= UNKNOWN_KIDS_MAX) this.unknownKids.clear();
      this.unknownKids.set(kid, now);
      return undefined;
    }
    this.unknownKids.delete(kid);
    const entry = { record, key: cached?.key ?? createPublicKey({ key: record.publicJwk as never, format: 'jwk' }), loadedAt: now };
    this.cache.set(kid, entry);
    return entry;
  }

  /**
   * Verifies signature (explicit algorithm list, known kid), issuer, token_use=access and expiry.
   * Revocation, client and user checks are the caller's (auth/accessToken.ts).
   * @throws TokenVerificationError `ERR_TOKEN_MALFORMED` | `ERR_TOKEN_UNKNOWN_KEY` | `ERR_TOKEN_KEY_EXPIRED` |
   *   `ERR_TOKEN_EXPIRED` | `ERR_TOKEN_WRONG_USE` | `ERR_TOKEN_MISSING_SCOPE` | `ERR_TOKEN_INVALID`.
   */
  async verifyAccessSignature(token: string): Promise<{ claims: AccessClaims; poolId: string }> {
    let kid: string | undefined;
    try {
      const header = decodeProtectedHeader(token);
      kid = typeof header.kid === 'string' ? header.kid : undefined;
    } catch {
      throw new TokenVerificationError('ERR_TOKEN_MALFORMED', 'malformed token header');
    }
    // The kid is attacker-chosen until the signature is checked: only a well-formed one is looked up.
    const entry = kid !== undefined && KID.test(kid) ? await this.verificationKey(kid) : undefined;
    if (!entry) throw new TokenVerificationError('ERR_TOKEN_UNKNOWN_KEY', 'unknown kid');
    const { record, key } = entry;
    if (record.expiresAt !== null && record.expiresAt <= this.now())
      throw new TokenVerificationError('ERR_TOKEN_KEY_EXPIRED', 'key expired');
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, key, {
        algorithms: [record.alg],
        issuer: this.issuer(record.poolId),
        currentDate: new Date(this.now()),
        clockTolerance: 0,
        requiredClaims: ['exp', 'iat', 'sub', 'client_id', 'token_use', 'origin_jti'],
      }));
    } catch (err) {
      if (err instanceof joseErrors.JWTExpired) throw new TokenVerificationError('ERR_TOKEN_EXPIRED', 'exp');
      throw new TokenVerificationError('ERR_TOKEN_INVALID', (err as Error).message);
    }
    if (payload.token_use !== 'access') throw new TokenVerificationError('ERR_TOKEN_WRONG_USE', `token_use ${String(payload.token_use)}`);
    if (typeof payload.scope !== 'string' || !payload.scope.split(' ').includes('aws.cognito.signin.user.admin')) {
      throw new TokenVerificationError('ERR_TOKEN_MISSING_SCOPE', 'scope');
    }
    return { claims: payload as unknown as AccessClaims, poolId: record.poolId };
  }
}

/* eslint-disable @typescript-eslint/no-explicit-any -- recorded JSON bodies are inspected freely in tests */
/**
 * Test helpers: a tiny node:http stand-in that plays Cognito's JSON 1.1 wire (records every request,
 * answers with per-operation handlers), unsigned JWTs, and a fake WebAuthn authenticator.
 */
import { SRP_G, SRP_N, TARGET_PREFIX, pad, srpHkdfInfo } from '@latchkey/wire';
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { configure, createMemoryStorage, signIn, type ConfigureOptions, type TokenStorage } from '@latchkey/auth';

export interface RecordedRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  target: string;
  operation: string;
  rawBody: string;
  body: Record<string, any>;
}

export interface Reply {
  status?: number;
  headers?: Record<string, string>;
  /** An object is JSON-encoded; a string is sent verbatim. */
  body?: unknown;
}

export type Handler = (body: Record<string, any>, request: RecordedRequest) => Reply | Promise<Reply>;

export interface FakeCognito {
  url: string;
  requests: RecordedRequest[];
  /** Requests for one operation. */
  calls(operation: string): RecordedRequest[];
  on(operation: string, handler: Handler): void;
  reset(): void;
  close(): Promise<void>;
}

export async function startFakeCognito(path = '/'): Promise<FakeCognito> {
  const requests: RecordedRequest[] = [];
  let handlers = new Map<string, Handler>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c) => chunks.push(c as Buffer));
    req.on('end', async () => {
      const rawBody = Buffer.concat(chunks).toString('utf8');
      const target = String(req.headers['x-amz-target'] ?? '');
      const operation = target.replace(TARGET_PREFIX, '');
      let body: Record<string, any> = {};
      try {
        body = rawBody ? JSON.parse(rawBody) : {};
      } catch {
        // recorded as {}
      }
      const recorded: RecordedRequest = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        target,
        operation,
        rawBody,
        body,
      };
      requests.push(recorded);
      const handler = handlers.get(operation);
      let reply: Reply;
      try {
        reply = handler
          ? await handler(body, recorded)
          : { status: 400, body: { __type: 'UnknownOperationException', message: `no handler for ${operation}` } };
      } catch (error) {
        reply = { status: 500, body: { __type: 'InternalErrorException', message: String(error) } };
      }
      const status = reply.status ?? 200;
      const payload = typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body ?? {});
      res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1', ...reply.headers });
      res.end(payload);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${path}`,
    requests,
    calls: (operation) => requests.filter((r) => r.operation === operation),
    on: (operation, handler) => void handlers.set(operation, handler),
    reset: () => {
      requests.length = 0;
      handlers = new Map();
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A Cognito-style service error reply. */
export function serviceError(type: string, message = `${type} message`, status = 400, headers: Record<string, string> = {}): Reply {
  return {
    status,
    headers: { 'x-amzn-errortype': `${type}:`, 'x-amzn-requestid': 'req-123', ...headers },
    body: { __type: type, message },
  };
}

export const b64url = (data: string | Uint8Array) =>
  Buffer.from(typeof data === 'string' ? Buffer.from(data, 'utf8') : data).toString('base64url');

/** An unsigned 3-part JWT with the given claims (the client never verifies signatures). */
export function jwt(claims: Record<string, unknown>): string {
  return `${b64url(JSON.stringify({ alg: 'RS256', kid: 'test' }))}.${b64url(JSON.stringify(claims))}.c2ln`;
}

export interface TokenSetOptions {
  username?: string;
  sub?: string;
  /** seconds from now until expiry (negative = already expired) */
  expiresIn?: number;
  originJti?: string | null;
  refreshToken?: string | null;
  tag?: string;
}

/** A Cognito `AuthenticationResult` with access + id token (+ refresh token). */
export function authenticationResult({
  username = 'alice',
  sub = '4b0fa273-f691-42cc-af53-06c07c0afab4',
  expiresIn = 3600,
  originJti = 'origin-jti-1',
  refreshToken = 'refresh-token-1',
  tag = 'a',
}: TokenSetOptions = {}) {
  const now = Math.floor(Date.now() / 1000);
  const common = { sub, iat: now, auth_time: now, exp: now + expiresIn, ...(originJti ? { origin_jti: originJti } : {}) };
  return {
    AccessToken: jwt({
      ...common,
      token_use: 'access',
      client_id: 'client123',
      username,
      scope: 'aws.cognito.signin.user.admin',
      jti: `access-${tag}`,
    }),
    IdToken: jwt({ ...common, token_use: 'id', aud: 'client123', 'cognito:username': username, jti: `id-${tag}` }),
    ...(refreshToken ? { RefreshToken: refreshToken } : {}),
    ExpiresIn: expiresIn,
    TokenType: 'Bearer',
  };
}

// ------------------------------------------------------------------ fake authenticator

export class FakePublicKeyCredential {
  static isUserVerifyingPlatformAuthenticatorAvailable = async () => true;
  static isConditionalMediationAvailable = async () => false;
  constructor(
    public id: string,
    public rawId: ArrayBuffer,
    public response: unknown,
    public authenticatorAttachment: string | null = 'platform',
    public type = 'public-key',
  ) {}
  getClientExtensionResults() {
    return { credProps: { rk: true } };
  }
}

const buf = (s: string) => new Uint8Array(Buffer.from(s, 'utf8')).buffer;

export interface FakeAuthenticator {
  createCalls: any[];
  getCalls: any[];
  /** throw this from the next create/get */
  failWith?: unknown;
}

/**
 * Installs `navigator.credentials` + `PublicKeyCredential` on globalThis. `create`/`get` record their
 * arguments (ArrayBuffers and all) and return deterministic credentials.
 */
export function installFakeAuthenticator(): FakeAuthenticator {
  const state: FakeAuthenticator = { createCalls: [], getCalls: [] };
  const rawId = new Uint8Array([1, 2, 3, 4, 250, 251, 252]).buffer;
  const id = b64url(new Uint8Array(rawId));
  const credentials = {
    async create(options: any) {
      state.createCalls.push(options);
      if (state.failWith) throw state.failWith;
      const challenge = b64url(new Uint8Array(options.publicKey.challenge));
      return new FakePublicKeyCredential(id, rawId, {
        clientDataJSON: buf(JSON.stringify({ type: 'webauthn.create', challenge, origin: 'https://app.example.com' })),
        attestationObject: buf('attestation-object'),
        getTransports: () => ['internal', 'hybrid'],
        getPublicKeyAlgorithm: () => -7,
        getAuthenticatorData: () => buf('authenticator-data'),
        getPublicKey: () => buf('spki-public-key'),
      });
    },
    async get(options: any) {
      state.getCalls.push(options);
      if (state.failWith) throw state.failWith;
      const challenge = b64url(new Uint8Array(options.publicKey.challenge));
      return new FakePublicKeyCredential(id, rawId, {
        clientDataJSON: buf(JSON.stringify({ type: 'webauthn.get', challenge, origin: 'https://app.example.com' })),
        authenticatorData: buf('authenticator-data'),
        signature: buf('signature'),
        userHandle: buf('user-handle'),
      });
    },
  };
  const g = globalThis as any;
  savedNavigator ??= Object.getOwnPropertyDescriptor(g, 'navigator') ?? null;
  Object.defineProperty(g, 'navigator', { value: { credentials }, configurable: true, writable: true });
  g.PublicKeyCredential = FakePublicKeyCredential;
  return state;
}

let savedNavigator: PropertyDescriptor | null | undefined;

export function uninstallFakeAuthenticator(): void {
  const g = globalThis as any;
  delete g.PublicKeyCredential;
  if (savedNavigator) Object.defineProperty(g, 'navigator', savedNavigator);
  else delete g.navigator;
  savedNavigator = undefined;
}

// ------------------------------------------------------------------ Cognito test setup

export const POOL_ID = 'local_Pool42';
export const CLIENT_ID = 'client123';

/** Configures the client against the fake server with a fresh in-memory storage and a 1 ms backoff. */
export function configureFor(
  cognito: FakeCognito,
  options: ConfigureOptions = {},
  cognitoExtra: Record<string, unknown> = {},
): TokenStorage {
  const storage = options.storage ?? createMemoryStorage();
  configure(
    { Auth: { Cognito: { userPoolId: POOL_ID, userPoolClientId: CLIENT_ID, userPoolEndpoint: cognito.url, ...cognitoExtra } } },
    { retry: { baseDelayMs: 1, jitterMs: 1 }, ...options, storage },
  );
  return storage;
}

/** Signs in with USER_PASSWORD_AUTH, the server answering with the given tokens. */
export async function signInWithTokens(cognito: FakeCognito, tokens: TokenSetOptions = {}) {
  const result = authenticationResult(tokens);
  cognito.on('InitiateAuth', () => ({ body: { ChallengeParameters: {}, AuthenticationResult: result } }));
  await signIn({ username: tokens.username ?? 'alice', password: 'Passw0rd!', options: { authFlowType: 'USER_PASSWORD_AUTH' } });
  return result;
}

// ------------------------------------------------------------------ server-side SRP (docs/wire-contract.md §3.2 reference code)

const N = SRP_N;
const g = SRP_G;
const modPow = (b: bigint, e: bigint, m: bigint) => {
  b %= m;
  let r = 1n;
  while (e > 0n) {
    if (e & 1n) r = (r * b) % m;
    b = (b * b) % m;
    e >>= 1n;
  }
  return r;
};
const padHex = pad;
const H = (buf: Buffer | string) => createHash('sha256').update(buf).digest('hex');
const Hh = (hex: string) => H(Buffer.from(hex, 'hex'));
const hmac = (key: Buffer, msg: Buffer) => createHmac('sha256', key).update(msg).digest();
const k = BigInt(`0x${Hh(padHex(N) + padHex(g))}`);

/** Server half of Cognito SRP for one user: produces SRP_B and checks PASSWORD_CLAIM_SIGNATURE. */
export function srpServer(poolName: string, userIdForSrp: string, password: string) {
  const salt = BigInt(`0x${randomBytes(16).toString('hex')}`);
  const x = BigInt(`0x${Hh(padHex(salt) + H(`${poolName}${userIdForSrp}:${password}`))}`);
  const v = modPow(g, x, N);
  const b = BigInt(`0x${randomBytes(128).toString('hex')}`);
  const B = (k * v + modPow(g, b, N)) % N;
  return {
    SALT: salt.toString(16),
    SRP_B: B.toString(16),
    expectedSignature(srpA: string, secretBlock: string, timestamp: string): string {
      const A = BigInt(`0x${srpA}`);
      const u = BigInt(`0x${Hh(padHex(A) + padHex(B))}`);
      const S = modPow((A * modPow(v, u, N)) % N, b, N);
      const prk = hmac(Buffer.from(padHex(u), 'hex'), Buffer.from(padHex(S), 'hex'));
      const K = hmac(prk, Buffer.from(srpHkdfInfo())).subarray(0, 16);
      return hmac(
        K,
        Buffer.concat([Buffer.from(poolName), Buffer.from(userIdForSrp), Buffer.from(secretBlock, 'base64'), Buffer.from(timestamp)]),
      ).toString('base64');
    },
  };
}

/**
 * Writes a session into storage exactly as aws-amplify v6 lays it out (a user returning to the app),
 * without any request. Returns the AuthenticationResult it stored.
 */
export async function seedSession(storage: TokenStorage, options: TokenSetOptions = {}) {
  const username = options.username ?? 'alice';
  const result = authenticationResult(options);
  const key = (name: string) => `CognitoIdentityServiceProvider.${CLIENT_ID}.${username}.${name}`;
  await storage.setItem(`CognitoIdentityServiceProvider.${CLIENT_ID}.LastAuthUser`, username);
  await storage.setItem(key('accessToken'), result.AccessToken);
  await storage.setItem(key('idToken'), result.IdToken);
  if (result.RefreshToken) await storage.setItem(key('refreshToken'), result.RefreshToken);
  await storage.setItem(key('clockDrift'), '0');
  await storage.setItem(key('signInDetails'), JSON.stringify({ loginId: username, authFlowType: 'USER_PASSWORD_AUTH' }));
  return result;
}

import { randomId } from './security/secrets.js';
import type { Services, RequestContext } from './services.js';
import type { AnyOperation } from './operations/types.js';
import { validate } from './protocol/validate.js';
import { SigV4Error, verifySigV4 } from './security/sigv4.js';
import { sigV4ServiceError } from './auth/securityErrors.js';
import {
  InternalErrorException,
  ResourceNotFoundException,
  SerializationException,
  ServiceError,
  UnknownOperationException,
  RequestEntityTooLargeException,
} from './protocol/errors.js';

import { TARGET_PREFIX } from '@latchkey/wire';

export interface WireRequest {
  method: string;
  rawUrl: string;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  /** The peer's address (the HTTP adapter's view: the socket, or the proxy's client when trusted). */
  remoteAddress?: string;
}

export interface WireResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** Members whose values never reach a log line. */
const SECRET_MEMBERS = new RegExp(
  '^(AccessToken|RefreshToken|IdToken|Session|Password|PreviousPassword|ProposedPassword|TemporaryPassword|Credential|' +
    'ConfirmationCode|Token|ClientSecret|SecretHash|SECRET_HASH|PASSWORD|NEW_PASSWORD|REFRESH_TOKEN|CREDENTIAL|SRP_A|' +
    'PASSWORD_CLAIM_SIGNATURE|PASSWORD_CLAIM_SECRET_BLOCK|ANSWER|Code)$',
);

/** A copy of a request body safe to log. */
export function redact(value: unknown, depth = 0): unknown {
  if (value === null || typeof value !== 'object') return value;
  // Deeper subtrees are cut, never returned as they are: they could hold secrets.
  if (depth > 4) return '[truncated]';
  if (Array.isArray(value)) return value.slice(0, 20).map((v) => redact(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = SECRET_MEMBERS.test(k) ? '[redacted]' : redact(v, depth + 1);
  return out;
}

function header(h: WireRequest['headers'], name: string): string | undefined {
  const v = h[name];
  return Array.isArray(v) ? v[0] : v;
}

/**
 * The admin access key id a SigV4-signed request was signed with.
 * @throws MissingAuthenticationTokenException | UnrecognizedClientException | InvalidSignatureException, per
 *   SigV4Error code (auth/securityErrors.ts).
 */
function verifyAdminSignature(services: Services, req: WireRequest): string {
  try {
    return verifySigV4(req, (id) => services.adminKeys.get(id), new Date(services.clock.now())).accessKeyId;
  } catch (err) {
    throw err instanceof SigV4Error ? sigV4ServiceError(err) : err;
  }
}

export function errorResponse(err: ServiceError, requestId: string): WireResponse {
  return {
    status: err.status,
    headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-errortype': `${err.type}:`, 'x-amzn-requestid': requestId },
    // The extra member is one of a closed set of constants, after Cognito's two: it can never replace them.
    body: JSON.stringify({ __type: err.type, message: err.message, ...(err.latchkeyReason ? { LatchkeyReason: err.latchkeyReason } : {}) }),
  };
}

/**
 * The whole protocol without a socket: target lookup, JSON parsing, SigV4 for admin operations,
 * schema validation, the handler, and the error envelope. Never throws.
 */
export async function dispatch(
  services: Services,
  registry: Readonly<Record<string, AnyOperation>>,
  req: WireRequest,
): Promise<WireResponse> {
  const requestId = randomId();
  const started = performance.now();
  const target = header(req.headers, 'x-amz-target') ?? '';
  const name = target.startsWith(TARGET_PREFIX) ? target.slice(TARGET_PREFIX.length) : '';
  let input: unknown;
  try {
    const op = Object.hasOwn(registry, name) ? registry[name] : undefined;
    if (!op) throw new UnknownOperationException(target ? `Unknown operation ${target.slice(0, 128)}` : 'Missing X-Amz-Target header');
    if (req.body.length > services.config.bodyLimit)
      throw new RequestEntityTooLargeException(`Request body exceeds ${services.config.bodyLimit} bytes`);
    const ctx: RequestContext = {
      requestId,
      origin: header(req.headers, 'origin'),
      sourceIp: req.remoteAddress,
      userAgent: header(req.headers, 'user-agent')?.slice(0, 512),
    };
    if (op.auth === 'sigv4') {
      ctx.adminAccessKeyId = verifyAdminSignature(services, req);
    }
    try {
      input = req.body.length === 0 ? {} : JSON.parse(req.body.toString('utf8'));
    } catch {
      throw new SerializationException('Start of structure or map found where not expected.');
    }
    if (Array.isArray(input)) throw new SerializationException('Start of list found where not expected');
    if (typeof input !== 'object' || input === null) throw new SerializationException('Start of structure or map expected');
    const valid = validate(op.input, input);
    const output = await op.handle(services, valid, ctx);
    services.log.debug({ requestId, op: name, ms: +(performance.now() - started).toFixed(2) }, 'ok');
    return {
      status: 200,
      headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': requestId },
      body: JSON.stringify(output ?? {}),
    };
  } catch (err) {
    if (err instanceof ServiceError && !(err instanceof InternalErrorException)) {
      services.log.info({ requestId, op: name, error: err.type, detail: err.detail }, 'client error');
      return errorResponse(err, requestId);
    }
    if (isForeignKeyViolation(err)) {
      // A write into a pool or client another instance deleted a moment ago (this one's cache still had it).
      services.log.warn({ requestId, op: name, err }, 'write refers to a deleted pool, client or user');
      return errorResponse(new ResourceNotFoundException('The user pool, app client or user no longer exists.'), requestId);
    }
    services.log.error({ requestId, op: name, err, input: redact(input) }, 'internal error');
    return errorResponse(new InternalErrorException(), requestId);
  }
}

/** A foreign-key violation on either store (SQLite's extended code, PostgreSQL's SQLSTATE). */
function isForeignKeyViolation(err: unknown): boolean {
  const code = (err as { code?: unknown })?.code;
  return code === 'SQLITE_CONSTRAINT_FOREIGNKEY' || code === '23503';
}

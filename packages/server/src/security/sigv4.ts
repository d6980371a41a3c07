/**
 * AWS Signature Version 4 verification for the admin API (header-signed requests only).
 *
 * Mirrors what the AWS SDK v3 (`@smithy/signature-v4`) and the AWS CLI (botocore) sign for a
 * non-S3 service: the path is normalised and URI-encoded once more (so `%20` on the wire becomes
 * `%2520` in the canonical request), the query is decoded, re-encoded and sorted, header values are
 * trimmed with runs of whitespace collapsed. Spec:
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { sha256Hex } from './secrets.js';
import { FIXED } from '../config/defaults.js';

export interface SignedRequest {
  method: string;
  /** Path and query exactly as received, e.g. `/?a=b`. */
  rawUrl: string;
  /** Lower-case header names, as Node gives them. */
  headers: Record<string, string | string[] | undefined>;
  /** The raw body bytes. */
  body: Buffer;
}

export interface SigV4Options {
  /** Service name required in the credential scope. Default `cognito-idp`. */
  service?: string;
  /** Largest allowed distance between the request time and `now`. Default 5 minutes. */
  maxSkewMs?: number;
}

/**
 * Every way a request fails SigV4 verification. auth/securityErrors.ts maps them to AWS's answers,
 * where every code but the last three has a message that is safe (and useful) to tell the client.
 */
export const SIGV4_ERROR_CODES = [
  /** More than one Authorization header, or one whose Credential, SignedHeaders or Signature is malformed. */
  'ERR_SIGV4_MALFORMED_AUTHORIZATION',
  /** A header that must be signed (host, x-amz-target, the date header) is not in SignedHeaders. */
  'ERR_SIGV4_HEADER_NOT_SIGNED',
  /** A header named in SignedHeaders is not in the request. */
  'ERR_SIGV4_SIGNED_HEADER_MISSING',
  /** No X-Amz-Date or Date header, or one that is not a real time. */
  'ERR_SIGV4_MALFORMED_DATE',
  /** The request time is more than the allowed skew before now. */
  'ERR_SIGV4_REQUEST_EXPIRED',
  /** The request time is more than the allowed skew after now. */
  'ERR_SIGV4_REQUEST_NOT_YET_VALID',
  /** The credential scope names another service or another day than the request time. */
  'ERR_SIGV4_SCOPE_MISMATCH',
  /** X-Amz-Content-Sha256 is not the hash of the body. */
  'ERR_SIGV4_PAYLOAD_HASH_MISMATCH',
  /** The query string has malformed percent-encoding. */
  'ERR_SIGV4_MALFORMED_QUERY',
  /** No Authorization header, or one for another scheme than AWS4-HMAC-SHA256. */
  'ERR_SIGV4_MISSING_AUTHORIZATION',
  /** The access key id is not one of ours. */
  'ERR_SIGV4_UNKNOWN_ACCESS_KEY',
  /** Everything is well formed, and the signature is not the one the secret makes. */
  'ERR_SIGV4_SIGNATURE_MISMATCH',
] as const;

export type SigV4ErrorCode = (typeof SIGV4_ERROR_CODES)[number];

/** Thrown by `verifySigV4`; `message` says what is wrong with the request. */
export class SigV4Error extends Error {
  constructor(
    readonly code: SigV4ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'SigV4Error';
  }
}

const ALGORITHM = 'AWS4-HMAC-SHA256';
const TERMINATOR = 'aws4_request';
const DEFAULT_SERVICE = 'cognito-idp';

/**
 * Verifies the `Authorization: AWS4-HMAC-SHA256 …` header of `req`.
 * Returns the verified access key id and the region of the credential scope.
 * Pure: no side effects.
 * @throws SigV4Error, any of `SIGV4_ERROR_CODES` (`ERR_SIGV4_MISSING_AUTHORIZATION`, `ERR_SIGV4_UNKNOWN_ACCESS_KEY`,
 *   `ERR_SIGV4_SIGNATURE_MISMATCH`, or one naming what is malformed).
 */
export function verifySigV4(
  req: SignedRequest,
  lookupSecret: (accessKeyId: string) => string | undefined,
  now: Date,
  options: SigV4Options = {},
): { accessKeyId: string; region: string } {
  const service = options.service ?? DEFAULT_SERVICE;
  const maxSkewMs = options.maxSkewMs ?? FIXED.sigv4MaxSkewMs.default;

  const authorization = req.headers['authorization'];
  if (authorization === undefined || authorization === '') {
    throw new SigV4Error('ERR_SIGV4_MISSING_AUTHORIZATION', 'no Authorization header');
  }
  if (typeof authorization !== 'string') throw new SigV4Error('ERR_SIGV4_MALFORMED_AUTHORIZATION', 'more than one Authorization header');
  if (!authorization.startsWith(`${ALGORITHM} `)) {
    throw new SigV4Error('ERR_SIGV4_MISSING_AUTHORIZATION', 'Authorization is not AWS4-HMAC-SHA256');
  }
  const auth = parseAuthorization(authorization.slice(ALGORITHM.length + 1));

  // Headers that must be covered by the signature.
  const signed = new Set(auth.signedHeaders);
  const mustSign = (name: string) => {
    if (!signed.has(name)) throw new SigV4Error('ERR_SIGV4_HEADER_NOT_SIGNED', `'${name}' must be a signed header`);
  };
  mustSign('host');
  if (req.headers['x-amz-target'] !== undefined) mustSign('x-amz-target');
  for (const name of auth.signedHeaders) {
    // Own properties only: a signed header called `constructor` must not find Object.prototype's.
    if (!Object.hasOwn(req.headers, name) || req.headers[name] === undefined) {
      throw new SigV4Error('ERR_SIGV4_SIGNED_HEADER_MISSING', `signed header '${name}' is missing from the request`);
    }
  }

  // Request time: X-Amz-Date wins over Date (as in AWS).
  let amzDate: string;
  if (req.headers['x-amz-date'] !== undefined) {
    mustSign('x-amz-date');
    amzDate = headerValue(req.headers['x-amz-date']);
    if (parseAmzDate(amzDate) === undefined) throw badDate(`malformed X-Amz-Date '${amzDate}'`);
  } else if (req.headers['date'] !== undefined) {
    mustSign('date');
    const ms = Date.parse(headerValue(req.headers['date']));
    if (Number.isNaN(ms)) throw badDate('malformed Date header');
    amzDate = formatAmzDate(new Date(ms));
  } else {
    throw badDate('missing X-Amz-Date or Date header');
  }
  const requestMs = parseAmzDate(amzDate);
  if (requestMs === undefined) throw badDate('malformed X-Amz-Date header');
  const nowMs = now.getTime();
  if (requestMs < nowMs - maxSkewMs) {
    throw new SigV4Error(
      'ERR_SIGV4_REQUEST_EXPIRED',
      `Signature expired: ${amzDate} is now earlier than ${formatAmzDate(new Date(nowMs - maxSkewMs))} ` +
        `(${formatAmzDate(now)} - ${maxSkewMs / 60000} min.)`,
    );
  }
  if (requestMs > nowMs + maxSkewMs) {
    throw new SigV4Error(
      'ERR_SIGV4_REQUEST_NOT_YET_VALID',
      `Signature not yet current: ${amzDate} is still later than ${formatAmzDate(new Date(nowMs + maxSkewMs))} ` +
        `(${formatAmzDate(now)} + ${maxSkewMs / 60000} min.)`,
    );
  }

  // Credential scope.
  const { accessKeyId, date, region } = auth.credential;
  if (auth.credential.service !== service) {
    throw new SigV4Error('ERR_SIGV4_SCOPE_MISMATCH', `credential should be scoped to correct service: '${service}'`);
  }
  if (date !== amzDate.slice(0, 8)) {
    throw new SigV4Error('ERR_SIGV4_SCOPE_MISMATCH', `credential should be scoped to a valid date: '${date}' != '${amzDate.slice(0, 8)}'`);
  }

  // Payload: the body hash, which X-Amz-Content-Sha256 (if sent) must agree with.
  const payloadHash = sha256Hex(req.body);
  const claimedHash = req.headers['x-amz-content-sha256'];
  if (claimedHash !== undefined && headerValue(claimedHash) !== payloadHash) {
    throw new SigV4Error('ERR_SIGV4_PAYLOAD_HASH_MISMATCH', "The provided 'x-amz-content-sha256' header does not match what was computed.");
  }

  const secret = lookupSecret(accessKeyId);
  if (secret === undefined) throw new SigV4Error('ERR_SIGV4_UNKNOWN_ACCESS_KEY', `unknown access key id ${accessKeyId}`);

  const queryStart = req.rawUrl.indexOf('?');
  const rawPath = queryStart === -1 ? req.rawUrl : req.rawUrl.slice(0, queryStart);
  const rawQuery = queryStart === -1 ? '' : req.rawUrl.slice(queryStart + 1);
  const canonicalRequest = [
    req.method.toUpperCase(),
    canonicalPath(rawPath),
    canonicalQuery(rawQuery),
    ...auth.signedHeaders.map((name) => `${name}:${canonicalHeaderValue(req.headers[name]!)}`),
    '',
    auth.signedHeaders.join(';'),
    payloadHash,
  ].join('\n');
  const scope = `${date}/${region}/${service}/${TERMINATOR}`;
  const stringToSign = [ALGORITHM, amzDate, scope, sha256Hex(canonicalRequest)].join('\n');

  let key: Buffer = hmac(`AWS4${secret}`, date);
  for (const part of [region, service, TERMINATOR]) key = hmac(key, part);
  const expected = hmac(key, stringToSign);
  const provided = Buffer.from(auth.signature, 'hex');
  if (!timingSafeEqual(expected, provided)) {
    throw new SigV4Error('ERR_SIGV4_SIGNATURE_MISMATCH', 'signature mismatch');
  }

  return { accessKeyId, region };
}

interface ParsedAuthorization {
  credential: { accessKeyId: string; date: string; region: string; service: string };
  signedHeaders: string[];
  signature: string;
}

/** Parses `Credential=…, SignedHeaders=…, Signature=…` (each exactly once, any order). */
function parseAuthorization(params: string): ParsedAuthorization {
  const fields = new Map<string, string>();
  for (const part of params.split(',')) {
    const match = /^\s*(Credential|SignedHeaders|Signature)=(\S+)\s*$/.exec(part);
    if (!match) throw invalid(`malformed Authorization component '${part.trim()}'`);
    if (fields.has(match[1])) throw invalid(`duplicate Authorization component '${match[1]}'`);
    fields.set(match[1], match[2]);
  }
  const credential = fields.get('Credential');
  const signedHeaders = fields.get('SignedHeaders');
  const signature = fields.get('Signature');
  if (credential === undefined || signedHeaders === undefined || signature === undefined) {
    throw invalid('Authorization must contain Credential, SignedHeaders and Signature');
  }

  const scope = credential.split('/');
  if (scope.length !== 5 || scope.slice(0, 4).some((s) => s === '') || scope[4] !== TERMINATOR) {
    throw invalid(`malformed Credential '${credential}'`);
  }
  const [accessKeyId, date, region, service] = scope;
  if (!/^\d{8}$/.test(date)) throw invalid(`malformed credential date '${date}'`);

  const names = signedHeaders.split(';');
  names.forEach((name, i) => {
    if (!/^[a-z0-9!#$%&'*+.^_`|~-]+$/.test(name)) throw invalid(`malformed SignedHeaders '${signedHeaders}'`);
    if (i > 0 && names[i - 1] >= name) throw invalid(`SignedHeaders must be sorted and unique: '${signedHeaders}'`);
  });

  if (!/^[0-9a-f]{64}$/i.test(signature)) throw invalid('malformed Signature');
  return { credential: { accessKeyId, date, region, service }, signedHeaders: names, signature };
}

/** RFC 3986 encoding: everything but unreserved characters (what SDKs call `escapeUri`). */
function uriEncode(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** Dot segments and empty segments removed, then encoded once more (the received path is not decoded). */
function canonicalPath(rawPath: string): string {
  const segments: string[] = [];
  for (const segment of rawPath.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') segments.pop();
    else segments.push(segment);
  }
  const trailing = segments.length > 0 && rawPath.endsWith('/') ? '/' : '';
  return `/${segments.map(uriEncode).join('/')}${trailing}`;
}

/** Each name and value percent-decoded then re-encoded; pairs sorted by name, then value. */
function canonicalQuery(rawQuery: string): string {
  if (rawQuery === '') return '';
  const pairs = rawQuery
    .split('&')
    .filter((p) => p !== '')
    .map((p) => {
      const eq = p.indexOf('=');
      const [name, value] = eq === -1 ? [p, ''] : [p.slice(0, eq), p.slice(eq + 1)];
      return [uriEncode(decode(name)), uriEncode(decode(value))] as const;
    });
  pairs.sort(([n1, v1], [n2, v2]) => (n1 < n2 ? -1 : n1 > n2 ? 1 : v1 < v2 ? -1 : v1 > v2 ? 1 : 0));
  return pairs.map(([n, v]) => `${n}=${v}`).join('&');
}

function decode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    throw new SigV4Error('ERR_SIGV4_MALFORMED_QUERY', 'malformed percent-encoding in the query string');
  }
}

/** Multiple values joined by ','; each trimmed with runs of spaces/tabs/newlines collapsed to one space. */
function canonicalHeaderValue(value: string | string[]): string {
  return (Array.isArray(value) ? value : [value]).map((v) => v.replace(/[ \t\r\n]+/g, ' ').trim()).join(',');
}

function headerValue(value: string | string[]): string {
  return Array.isArray(value) ? value.join(',') : value;
}

/** `YYYYMMDDTHHMMSSZ` to epoch ms, or undefined if malformed or not a real date. */
function parseAmzDate(s: string): number | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(s);
  if (!m) return undefined;
  const ms = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]);
  return formatAmzDate(new Date(ms)) === s ? ms : undefined;
}

function formatAmzDate(d: Date): string {
  return d.toISOString().replace(/[-:]|\.\d{3}/g, '');
}

function hmac(key: string | Buffer, data: string): Buffer {
  return createHmac('sha256', key).update(data, 'utf8').digest();
}

/** A malformed Authorization header: the reason is safe to tell the client. */
function invalid(message: string): SigV4Error {
  return new SigV4Error('ERR_SIGV4_MALFORMED_AUTHORIZATION', message);
}

function badDate(message: string): SigV4Error {
  return new SigV4Error('ERR_SIGV4_MALFORMED_DATE', message);
}

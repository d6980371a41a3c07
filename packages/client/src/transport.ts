/**
 * The only module that knows the wire: AWS JSON 1.1 over `POST <endpoint>` with `X-Amz-Target`,
 * Cognito's error envelope, and Amplify's retry policy (docs/wire-contract.md §1).
 */
import { TARGET_PREFIX } from '@latchkey/wire';
import { getConfig } from './config.js';
import { AmplifyError, AuthError } from './errors.js';
import type { CognitoUserPoolConfig } from './types.js';

export const LIBRARY_VERSION = '0.1.0';

/** Amplify's `AuthAction` ids, sent in `x-amz-user-agent` as `auth/<id>` (informational only). */
export const AuthAction = {
  SignUp: 1,
  ConfirmSignUp: 2,
  ResendSignUpCode: 3,
  SignIn: 4,
  FetchMFAPreference: 6,
  UpdateMFAPreference: 7,
  SetUpTOTP: 10,
  VerifyTOTPSetup: 11,
  ConfirmSignIn: 12,
  DeleteUser: 16,
  SignOut: 26,
  UpdatePassword: 27,
  RememberDevice: 32,
  ForgetDevice: 33,
  FetchDevices: 34,
  ResetPassword: 28,
  ConfirmResetPassword: 29,
  StartWebAuthnRegistration: 37,
  CompleteWebAuthnRegistration: 38,
  ListWebAuthnCredentials: 39,
  DeleteWebAuthnCredential: 40,
} as const;

/** Error names retried like throttling (Amplify core `THROTTLING_ERROR_CODES`). */
const THROTTLING_ERROR_CODES = [
  'BandwidthLimitExceeded',
  'EC2ThrottledException',
  'LimitExceededException',
  'PriorRequestNotComplete',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'RequestThrottledException',
  'SlowDown',
  'ThrottledException',
  'Throttling',
  'ThrottlingException',
  'TooManyRequestsException',
];
const TIMEOUT_ERROR_CODES = ['TimeoutError', 'RequestTimeout', 'RequestTimeoutException'];
const CLOCK_SKEW_ERROR_CODES = [
  'AuthFailure',
  'InvalidSignatureException',
  'RequestExpired',
  'RequestInTheFuture',
  'RequestTimeTooSkewed',
  'SignatureDoesNotMatch',
  'BadRequestException',
];
const RETRYABLE_STATUS = [429, 500, 502, 503, 504];

export interface CallOptions {
  /** AuthAction id for the user-agent header. */
  action?: number;
}

/** Amplify's region parser: `<region>_<name>`; throws `InvalidUserPoolId` otherwise. */
export function regionOf(userPoolId: string | undefined): string {
  const region = userPoolId?.split('_')[0];
  if (!userPoolId || !userPoolId.includes('_') || !region) {
    throw new AuthError({ name: 'InvalidUserPoolId', message: 'Invalid user pool id provided.' });
  }
  return region;
}

/** The POST target: `userPoolEndpoint` verbatim, else the regional Amazon Cognito endpoint. */
export function endpointOf(cognito: CognitoUserPoolConfig): string {
  const region = regionOf(cognito.userPoolId);
  const raw = cognito.userPoolEndpoint
    ? cognito.userPoolEndpoint
    : `https://cognito-idp.${region}.${region.startsWith('cn-') ? 'amazonaws.com.cn' : 'amazonaws.com'}`;
  try {
    return new URL(raw).toString();
  } catch (error) {
    throw new AuthError({
      name: 'Unknown',
      message: `userPoolEndpoint must be an absolute URL, got "${raw}".`,
      underlyingError: error,
    });
  }
}

/**
 * Calls a Cognito user-pool operation and returns its parsed JSON output.
 * Throws `AuthError{name: <service __type>}` for service errors, `AuthError{name:'NetworkError'}` when
 * the request could not be sent after all attempts.
 */
export async function callUserPool<Output extends object = Record<string, unknown>>(
  operation: string,
  input: object,
  { action }: CallOptions = {},
): Promise<Output> {
  const { cognito, options } = getConfig();
  const url = endpointOf(cognito);
  const doFetch = options.fetch ?? globalThis.fetch;
  const maxAttempts = Math.max(1, options.retry?.maxAttempts ?? 3);
  const baseDelayMs = options.retry?.baseDelayMs ?? 100;
  const jitterMs = options.retry?.jitterMs ?? 100;
  const headersProvider = options.headers ?? options.Auth?.headers;
  const body = JSON.stringify(input); // undefined members are dropped, as Amplify does
  const invocationId = uuid();

  for (let attempt = 1; ; attempt++) {
    const headers: Record<string, string> = {
      'content-type': 'application/x-amz-json-1.1',
      'x-amz-target': `${TARGET_PREFIX}${operation}`,
      'x-amz-user-agent': `latchkey-auth/${LIBRARY_VERSION}${action ? ` auth/${action}` : ''}`,
      'amz-sdk-invocation-id': invocationId,
      'amz-sdk-request': `attempt=${attempt}; max=${maxAttempts}`,
      'cache-control': 'no-store',
      ...(headersProvider ? await headersProvider() : undefined),
    };
    let outcome: { output: Output } | { error: AmplifyError; retryable: boolean };
    try {
      const response = await doFetch(url, {
        method: 'POST',
        headers,
        body,
        cache: 'no-store',
        credentials: 'same-origin',
      });
      outcome = await readResponse<Output>(response);
    } catch (error) {
      if (!(error instanceof TypeError)) throw error; // e.g. AbortError: not retried, passed through
      outcome = {
        error: new AuthError({ name: 'NetworkError', message: 'A network error has occurred.', underlyingError: error }),
        retryable: true,
      };
    }
    if ('output' in outcome) return outcome.output;
    if (!outcome.retryable || attempt >= maxAttempts) throw outcome.error;
    await sleep(2 ** attempt * baseDelayMs + jitterMs * Math.random());
  }
}

async function readResponse<Output>(response: Response): Promise<{ output: Output } | { error: AmplifyError; retryable: boolean }> {
  const text = await response.text();
  const metadata = {
    httpStatusCode: response.status,
    requestId:
      response.headers.get('x-amzn-requestid') ??
      response.headers.get('x-amzn-request-id') ??
      response.headers.get('x-amz-request-id') ??
      undefined,
    extendedRequestId: response.headers.get('x-amz-id-2') ?? undefined,
  };
  let parsed: Record<string, unknown> | undefined;
  try {
    // Real services send `{}` for empty outputs; an empty body is tolerated as `{}` too.
    parsed = text.trim() === '' ? {} : (JSON.parse(text) as Record<string, unknown>);
  } catch (error) {
    if (response.status < 300) {
      return {
        error: new AuthError({
          name: 'Unknown',
          message: 'The service returned a response body that is not JSON.',
          underlyingError: error,
          metadata,
        }),
        retryable: false,
      };
    }
  }
  if (response.status < 300) {
    return { output: (parsed && typeof parsed === 'object' ? parsed : {}) as Output };
  }
  const body = parsed && typeof parsed === 'object' ? parsed : {};
  const raw = response.headers.get('x-amzn-errortype') ?? body.code ?? body.__type ?? 'UnknownError';
  const name = errorName(String(raw));
  const message = String(body.message ?? body.Message ?? 'Unknown error');
  const retryable =
    RETRYABLE_STATUS.includes(response.status) ||
    THROTTLING_ERROR_CODES.includes(name) ||
    TIMEOUT_ERROR_CODES.includes(name) ||
    CLOCK_SKEW_ERROR_CODES.includes(name);
  const error = new AuthError({ name, message, metadata });
  if (typeof body.LatchkeyReason === 'string') error.latchkeyReason = body.LatchkeyReason;
  return { error, retryable };
}

/** `"com.amazonaws.x#Foo:http://…"` → `"Foo"` (Amplify `parseJsonError` sanitising). */
export function errorName(raw: string): string {
  const [clean = ''] = raw.split(/[,:]+/);
  return clean.includes('#') ? (clean.split('#')[1] ?? '') : clean;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function uuid(): string {
  const c = globalThis.crypto;
  if (typeof c?.randomUUID === 'function') return c.randomUUID();
  const b = new Uint8Array(16);
  if (typeof c?.getRandomValues === 'function') c.getRandomValues(b);
  else for (let i = 0; i < 16; i++) b[i] = Math.floor(Math.random() * 256);
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const h = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

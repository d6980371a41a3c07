import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  AuthError,
  configure,
  createMemoryStorage,
  deleteWebAuthnCredential,
  listWebAuthnCredentials,
  resetPassword,
} from '@latchkey/auth';
import { configureFor, serviceError, signInWithTokens, startFakeCognito, type FakeCognito } from './helpers.js';

let cognito: FakeCognito;
beforeAll(async () => {
  cognito = await startFakeCognito('/some/base/path?tenant=acme');
});
afterAll(() => cognito.close());
beforeEach(() => {
  cognito.reset();
  configureFor(cognito);
});

const forgot = () => resetPassword({ username: 'alice' });
const catchError = async (p: Promise<unknown>) => {
  try {
    await p;
  } catch (error) {
    return error as AuthError;
  }
  throw new Error('expected a rejection');
};

describe('request', () => {
  it('POSTs JSON 1.1 to the endpoint verbatim with the Amplify headers', async () => {
    cognito.on('ForgotPassword', () => ({
      body: { CodeDeliveryDetails: { Destination: 'a***@e***', DeliveryMedium: 'EMAIL', AttributeName: 'email' } },
    }));
    await forgot();
    const [req] = cognito.requests;
    expect(req!.method).toBe('POST');
    expect(req!.url).toBe('/some/base/path?tenant=acme');
    expect(req!.headers['content-type']).toBe('application/x-amz-json-1.1');
    expect(req!.headers['x-amz-target']).toBe('AWSCognitoIdentityProviderService.ForgotPassword');
    expect(req!.headers['amz-sdk-request']).toBe('attempt=1; max=3');
    expect(req!.headers['amz-sdk-invocation-id']).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(req!.headers['cache-control']).toBe('no-store');
    expect(req!.headers['x-amz-user-agent']).toMatch(/^latchkey-auth\/\d+\.\d+\.\d+ auth\/28$/);
    expect(req!.headers.authorization).toBeUndefined();
    // undefined members (ClientMetadata) are dropped, not sent as null
    expect(JSON.parse(req!.rawBody)).toEqual({ Username: 'alice', ClientId: 'client123' });
  });

  it('adds custom headers from options.headers and from Amplify-style options.Auth.headers', async () => {
    cognito.on('ForgotPassword', () => ({ body: {} }));
    configureFor(cognito, { headers: async () => ({ 'x-tenant': 'acme' }) });
    await forgot();
    configureFor(cognito, { Auth: { headers: async () => ({ 'x-tenant': 'globex' }) } });
    await forgot();
    expect(cognito.requests.map((r) => r.headers['x-tenant'])).toEqual(['acme', 'globex']);
  });

  it('uses https://cognito-idp.<region>.amazonaws.com/ without userPoolEndpoint, and a custom fetch', async () => {
    const seen: { url: string; init: RequestInit }[] = [];
    const fakeFetch = (async (url: string, init: RequestInit) => {
      seen.push({ url, init });
      return new Response('{}', { status: 200 });
    }) as unknown as typeof fetch;
    configure({ userPoolId: 'eu-west-1_AbC', userPoolClientId: 'c' }, { storage: createMemoryStorage(), fetch: fakeFetch });
    await forgot();
    expect(seen[0]!.url).toBe('https://cognito-idp.eu-west-1.amazonaws.com/');
    expect(seen[0]!.init).toMatchObject({ method: 'POST', cache: 'no-store', credentials: 'same-origin' });
  });

  it('accepts a Gen 2 amplify_outputs.json', async () => {
    const seen: { url: string; body: string }[] = [];
    const fakeFetch = (async (url: string, init: RequestInit) => {
      seen.push({ url, body: String(init.body) });
      return new Response('{}', { status: 200 });
    }) as unknown as typeof fetch;
    configure(
      { version: '1.3', auth: { aws_region: 'ap-south-1', user_pool_id: 'ap-south-1_Xy', user_pool_client_id: 'gen2client' } },
      { storage: createMemoryStorage(), fetch: fakeFetch },
    );
    await forgot();
    expect(seen[0]!.url).toBe('https://cognito-idp.ap-south-1.amazonaws.com/');
    expect(JSON.parse(seen[0]!.body)).toEqual({ Username: 'alice', ClientId: 'gen2client' });
  });

  it('rejects an invalid pool id (InvalidUserPoolId) and a relative endpoint before any request', async () => {
    configure({ userPoolId: 'nounderscore', userPoolClientId: 'c', userPoolEndpoint: cognito.url });
    expect((await catchError(forgot())).name).toBe('InvalidUserPoolId');
    configure({ userPoolId: 'local_P', userPoolClientId: 'c', userPoolEndpoint: '/cognito' });
    const error = await catchError(forgot());
    expect(error).toBeInstanceOf(AuthError);
    expect(error.name).toBe('Unknown');
    expect(error.underlyingError).toBeInstanceOf(TypeError);
    expect(cognito.requests).toHaveLength(0);
  });

  it('throws AuthUserPoolException when not configured', async () => {
    configure({});
    expect((await catchError(forgot())).name).toBe('AuthUserPoolException');
  });
});

describe('responses', () => {
  it('accepts {} and an empty body for operations without output', async () => {
    await signInWithTokens(cognito);
    cognito.on('DeleteWebAuthnCredential', () => ({ body: {} }));
    await expect(deleteWebAuthnCredential({ credentialId: 'abc' })).resolves.toBeUndefined();
    cognito.on('DeleteWebAuthnCredential', () => ({ body: '' }));
    await expect(deleteWebAuthnCredential({ credentialId: 'abc' })).resolves.toBeUndefined();
  });

  it('a non-JSON success body is an AuthError, not a raw SyntaxError', async () => {
    cognito.on('ForgotPassword', () => ({ body: '<html>' }));
    const error = await catchError(forgot());
    expect(error).toBeInstanceOf(AuthError);
    expect(error.underlyingError).toBeInstanceOf(SyntaxError);
  });
});

describe('error parsing', () => {
  const withReply = async (reply: Parameters<FakeCognito['on']>[1]) => {
    cognito.on('ForgotPassword', reply);
    return catchError(forgot());
  };

  it('uses the x-amzn-errortype header first and strips ":suffix"', async () => {
    const error = await withReply(() => ({
      status: 400,
      headers: { 'x-amzn-errortype': 'UserNotFoundException:http://internal.amazon.com/', 'x-amzn-requestid': 'rid-1' },
      body: { __type: 'Other', code: 'AlsoOther', message: 'User does not exist.' },
    }));
    expect(error).toBeInstanceOf(AuthError);
    expect(error.name).toBe('UserNotFoundException');
    expect(error.message).toBe('User does not exist.');
    expect(error.metadata).toEqual({ httpStatusCode: 400, requestId: 'rid-1', extendedRequestId: undefined });
  });

  it('then body.code, then body.__type (with a "#" namespace stripped), then UnknownError', async () => {
    expect((await withReply(() => ({ status: 400, body: { code: 'CodeMismatchException', __type: 'X' } }))).name).toBe(
      'CodeMismatchException',
    );
    const ns = await withReply(() => ({
      status: 400,
      body: { __type: 'com.amazonaws.cognito.identity.idp.model#InvalidParameterException', Message: 'capital M' },
    }));
    expect(ns.name).toBe('InvalidParameterException');
    expect(ns.message).toBe('capital M');
    const unknown = await withReply(() => ({ status: 403, body: {} }));
    expect(unknown.name).toBe('UnknownError');
    expect(unknown.message).toBe('Unknown error');
    expect(unknown.metadata?.httpStatusCode).toBe(403);
  });

  it('a non-JSON error body still yields a named AuthError', async () => {
    const error = await withReply(() => ({ status: 400, headers: { 'x-amzn-errortype': 'ForbiddenException' }, body: 'Forbidden' }));
    expect(error.name).toBe('ForbiddenException');
  });
});

describe('retries', () => {
  it('retries a 500 three times with one invocation id, then throws', async () => {
    cognito.on('ForgotPassword', () => serviceError('InternalErrorException', 'boom', 500));
    const error = await catchError(forgot());
    expect(error.name).toBe('InternalErrorException');
    const calls = cognito.calls('ForgotPassword');
    expect(calls).toHaveLength(3);
    expect(calls.map((c) => c.headers['amz-sdk-request'])).toEqual(['attempt=1; max=3', 'attempt=2; max=3', 'attempt=3; max=3']);
    expect(new Set(calls.map((c) => c.headers['amz-sdk-invocation-id'])).size).toBe(1);
    expect(new Set(calls.map((c) => c.rawBody)).size).toBe(1);
  });

  it.each(['LimitExceededException', 'TooManyRequestsException', 'ThrottlingException', 'RequestTimeoutException', 'BadRequestException'])(
    'retries %s (400) three times',
    async (name) => {
      cognito.on('ForgotPassword', () => serviceError(name));
      expect((await catchError(forgot())).name).toBe(name);
      expect(cognito.calls('ForgotPassword')).toHaveLength(3);
    },
  );

  it.each([502, 503, 504])('retries HTTP %i', async (status) => {
    cognito.on('ForgotPassword', () => ({ status, body: { __type: 'ServiceUnavailable' } }));
    await catchError(forgot());
    expect(cognito.calls('ForgotPassword')).toHaveLength(3);
  });

  it('does not retry WebAuthnNotEnabledException or NotAuthorizedException', async () => {
    await signInWithTokens(cognito);
    cognito.on('ListWebAuthnCredentials', () => serviceError('WebAuthnNotEnabledException'));
    expect((await catchError(listWebAuthnCredentials())).name).toBe('WebAuthnNotEnabledException');
    expect(cognito.calls('ListWebAuthnCredentials')).toHaveLength(1);
    cognito.on('ForgotPassword', () => serviceError('NotAuthorizedException'));
    await catchError(forgot());
    expect(cognito.calls('ForgotPassword')).toHaveLength(1);
  });

  it('429 then 200 → two requests and success', async () => {
    let n = 0;
    cognito.on('ForgotPassword', () => (n++ === 0 ? { status: 429, body: { __type: 'TooManyRequestsException' } } : { body: {} }));
    await expect(forgot()).resolves.toMatchObject({ isPasswordReset: false });
    expect(cognito.calls('ForgotPassword')).toHaveLength(2);
  });

  it('network errors are retried and surface as NetworkError', async () => {
    let attempts = 0;
    const failing = (async () => {
      attempts++;
      throw new TypeError('fetch failed');
    }) as unknown as typeof fetch;
    configureFor(cognito, { fetch: failing });
    const error = await catchError(forgot());
    expect(error.name).toBe('NetworkError');
    expect(error.underlyingError).toBeInstanceOf(TypeError);
    expect(attempts).toBe(3);
  });

  it('honours retry.maxAttempts and waits with exponential backoff', async () => {
    cognito.on('ForgotPassword', () => serviceError('InternalErrorException', 'boom', 500));
    configureFor(cognito, { retry: { maxAttempts: 2, baseDelayMs: 40, jitterMs: 0 } });
    const started = Date.now();
    await catchError(forgot());
    expect(cognito.calls('ForgotPassword')).toHaveLength(2);
    expect(Date.now() - started).toBeGreaterThanOrEqual(75); // 2^1 × 40 ms before attempt 2
  });
});

/**
 * The JSON 1.1 protocol edge (docs/wire-contract.md §1): every malformed, unauthenticated or invalid request
 * gets Cognito's error envelope (HTTP 400, `__type`, `x-amzn-errortype`, `x-amzn-requestid`), the
 * server stays healthy afterwards, and nothing here is ever answered with a 500.
 */
import { TARGET_PREFIX as PREFIX } from '@latchkey/wire';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  CognitoIdentityProviderClient,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  DescribeUserPoolCommand,
  ListUserPoolsCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { DIALECTS, startTestServer, type TestServer } from './helpers/harness.js';
import { expectServiceError, type SdkError } from './helpers/errors.js';
import { signJsonRequest, type Credentials, type SignOptions as WireSignOptions } from './helpers/latchkeyAdmin.js';
import { redact } from '../src/dispatch.js';

const ALL_SDK_HEADERS = ['content-type', 'x-amz-target', 'x-amz-user-agent', 'amz-sdk-invocation-id', 'amz-sdk-request', 'cache-control'];

interface Reply {
  status: number;
  headers: Headers;
  text: string;
  json: any;
}

/** Every status this file saw from the server (raw calls and SDK calls). */
const statuses: { status: number; what: string }[] = [];

async function http(url: string, init: RequestInit = {}, what = `${init.method ?? 'GET'} ${url}`): Promise<Reply> {
  const res = await fetch(url, init);
  const text = await res.text();
  statuses.push({ status: res.status, what });
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json };
}

interface SignOptions extends WireSignOptions {
  credentials?: Credentials;
}

/** Signs a request like the SDK does (SigV4, service cognito-idp) and returns what to put on the wire. */
function signRequest(srv: TestServer, target: string | undefined, body: string, o: SignOptions = {}) {
  const { credentials, ...rest } = o;
  return signJsonRequest(srv.endpoint, credentials ?? srv.adminCredentials, target, body, rest);
}

async function signed(srv: TestServer, target: string | undefined, body: string, o: SignOptions = {}) {
  const { url, init } = await signRequest(srv, target, body, o);
  return http(url, init, `signed ${target} ${url}`);
}

async function unsigned(
  srv: TestServer,
  target: string | undefined,
  body: string,
  o: { path?: string; headers?: Record<string, string> } = {},
) {
  return http(
    srv.endpoint + (o.path ?? '/'),
    {
      method: 'POST',
      headers: {
        'content-type': 'application/x-amz-json-1.1',
        ...(target !== undefined ? { 'x-amz-target': `${PREFIX}${target}` } : {}),
        ...o.headers,
      },
      body,
    },
    `unsigned ${target}`,
  );
}

/** Cognito's error envelope, docs/wire-contract.md §1.6. */
function expectCognitoError(res: Reply, type: string, message?: RegExp | string) {
  expect(res.status, res.text).toBe(400);
  expect(res.headers.get('content-type')).toMatch(/^application\/(x-amz-json-1\.1|json)/);
  expect(res.json, res.text).toBeTypeOf('object');
  expect(res.json.__type).toBe(type);
  expect(typeof res.json.message).toBe('string');
  expect(res.json).not.toHaveProperty('code'); // would win over __type in Amplify's parser
  expect(res.headers.get('x-amzn-errortype')?.split(/[,:]/)[0]).toBe(type);
  expect(res.headers.get('x-amzn-requestid')).toMatch(/\S{8,}/);
  if (message instanceof RegExp) expect(res.json.message).toMatch(message);
  else if (message !== undefined) expect(res.json.message).toContain(message);
}

/** An SDK call that must fail with the named error (HTTP 400, with a request id); its status is recorded. */
async function sdkRejects(p: Promise<unknown>, name: string, message?: RegExp) {
  await expectServiceError(
    p.catch((e: unknown) => {
      statuses.push({ status: (e as SdkError).$metadata?.httpStatusCode ?? -1, what: `sdk ${name}` });
      throw e;
    }),
    name,
    message,
    { requestId: true },
  );
}

describe.each(DIALECTS)('protocol errors (%s)', (dialect) => {
  let srv: TestServer;
  let errorLinesBefore = 0;
  const sdk = (credentials: { accessKeyId: string; secretAccessKey: string }, endpoint = srv.endpoint) =>
    new CognitoIdentityProviderClient({ endpoint, region: 'us-east-1', credentials, maxAttempts: 1 });

  const poolCount = async () => (await srv.admin.send(new ListUserPoolsCommand({ MaxResults: 60 }))).UserPools!.length;

  /** The server still answers: health and a real signed admin call. */
  async function expectHealthy() {
    const health = await http(`${srv.endpoint}/health`);
    expect(health.status).toBe(200);
    expect(health.json).toEqual({ status: 'ok' });
    const res = await srv.admin.send(new ListUserPoolsCommand({ MaxResults: 1 }));
    expect(res.$metadata.httpStatusCode).toBe(200);
    expect(Array.isArray(res.UserPools)).toBe(true);
  }

  beforeAll(async () => {
    srv = await startTestServer(dialect);
    await srv.admin.send(new CreateUserPoolCommand({ PoolName: 'existing-pool' }));
  });
  afterAll(async () => {
    await srv?.stop();
  });
  beforeEach(() => {
    statuses.length = 0;
    errorLinesBefore = srv.log.lines.filter((l) => l.level === 'error').length;
  });
  afterEach(() => {
    // No request in this file is ever answered with a 5xx or logged as an internal error.
    expect(statuses.filter((s) => s.status >= 500)).toEqual([]);
    expect(
      srv.log.lines
        .filter((l) => l.level === 'error')
        .slice(errorLinesBefore)
        .map((l) => l.msg),
    ).toEqual([]);
  });

  describe('target and body', () => {
    it('unknown operation → UnknownOperationException', async () => {
      expectCognitoError(await unsigned(srv, 'NoSuchOperation', '{}'), 'UnknownOperationException');
      expectCognitoError(await signed(srv, 'NoSuchOperation', '{}'), 'UnknownOperationException');
      await expectHealthy();
    });

    it('operation names from Object.prototype and odd targets are unknown operations, not crashes', async () => {
      for (const name of ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf', '', 'listUserPools']) {
        expectCognitoError(await unsigned(srv, name, '{}'), 'UnknownOperationException');
      }
      for (const target of ['ListUserPools', 'AWSCognitoIdentityService.ListUserPools', `${PREFIX}ListUserPools.extra`, 'x'.repeat(5000)]) {
        expectCognitoError(await unsigned(srv, undefined, '{}', { headers: { 'x-amz-target': target } }), 'UnknownOperationException');
      }
      await expectHealthy();
    });

    it('missing X-Amz-Target → UnknownOperationException', async () => {
      expectCognitoError(await unsigned(srv, undefined, '{"MaxResults":1}'), 'UnknownOperationException');
      expectCognitoError(await signed(srv, undefined, '{"MaxResults":1}'), 'UnknownOperationException');
      await expectHealthy();
    });

    it('malformed JSON → SerializationException', async () => {
      for (const body of [
        '{',
        '{"MaxResults":',
        '{"MaxResults":1,}',
        'not json',
        '{"MaxResults":1}}',
        "{'MaxResults':1}",
        '\ufeff{"MaxResults":1}',
      ]) {
        expectCognitoError(await signed(srv, 'ListUserPools', body), 'SerializationException');
      }
      await expectHealthy();
    });

    it('a JSON array (or other non-object) body → a 400 Cognito error, never a 500', async () => {
      for (const body of ['[]', '[{"MaxResults":1}]', 'null', '"text"', '42', 'true']) {
        const res = await signed(srv, 'ListUserPools', body);
        expect(res.status).toBe(400);
        expect(['SerializationException', 'InvalidParameterException']).toContain(res.json.__type);
        expectCognitoError(res, res.json.__type);
      }
      await expectHealthy();
    });

    // AWS JSON 1.1 services (Coral) reject a body whose top level is not an object while
    // deserializing: `{"__type":"SerializationException","message":"Start of list found where not
    // expected"}` (as measured on DynamoDB and Athena by emulator authors). Regression: this used to
    // be InvalidParameterException.
    it('a JSON array body → SerializationException "Start of list found where not expected"', async () => {
      const res = await signed(srv, 'ListUserPools', '[]');
      expectCognitoError(res, 'SerializationException', /Start of list found where not expected/);
    });

    it('an empty body is an empty input: required members are reported missing', async () => {
      expectCognitoError(
        await signed(srv, 'ListUserPools', ''),
        'InvalidParameterException',
        "Value null at 'maxResults' failed to satisfy constraint: Member must not be null",
      );
      await expectHealthy();
    });

    it('a 1 MiB body → RequestEntityTooLargeException (400, JSON), signed or not', async () => {
      const big = JSON.stringify({ MaxResults: 1, Padding: 'x'.repeat(1024 * 1024) });
      expectCognitoError(await unsigned(srv, 'ListUserPools', big), 'RequestEntityTooLargeException');
      expectCognitoError(await signed(srv, 'ListUserPools', big), 'RequestEntityTooLargeException');
      expectCognitoError(await unsigned(srv, 'NoSuchOperation', big, { path: '/some/base/path' }), 'RequestEntityTooLargeException');
      await expectHealthy();
    });

    it('a body just under the limit is read and validated', async () => {
      const body = JSON.stringify({ MaxResults: 1, Padding: 'x'.repeat(200 * 1024) });
      const res = await signed(srv, 'ListUserPools', body);
      expect(res.status).toBe(200);
      await expectHealthy();
    });

    it('deeply nested JSON in an ignored member does not break anything', async () => {
      const deep = '['.repeat(100_000) + ']'.repeat(100_000);
      const res = await signed(srv, 'ListUserPools', `{"MaxResults":1,"Unknown":${deep}}`);
      // Either ignored (200) or refused as a client error; never a 500.
      if (res.status !== 200) expectCognitoError(res, res.json?.__type);
      expect(['SerializationException', 'InvalidParameterException', undefined]).toContain(res.json?.__type);
      await expectHealthy();
    });

    // A client's input must never yield a 500 (and a retrying client such as Amplify repeats a 500
    // three times, §1.4). Regression: measuring a document member with JSON.stringify threw
    // RangeError (Maximum call stack size exceeded) and the request ended as InternalErrorException.
    it('deeply nested JSON in a document member (LambdaConfig) → 400', async () => {
      const deep = '['.repeat(100_000) + ']'.repeat(100_000);
      const before = await poolCount();
      for (const member of ['LambdaConfig', 'AccountRecoverySetting', 'VerificationMessageTemplate']) {
        const res = await signed(srv, 'CreateUserPool', `{"PoolName":"deep","${member}":${deep}}`);
        expect(['InvalidParameterException', 'SerializationException']).toContain(res.json?.__type);
        expectCognitoError(res, res.json.__type);
      }
      expect(await poolCount()).toBe(before);
      await expectHealthy();
    });

    it('__proto__ in the body is not a setting and pollutes nothing', async () => {
      const res = await signed(
        srv,
        'CreateUserPool',
        '{"PoolName":"proto-pool","__proto__":{"DeletionProtection":"ACTIVE","PoolName":"evil"}}',
      );
      expect(res.status).toBe(200);
      expect(res.json.UserPool.Name).toBe('proto-pool');
      expect(res.json.UserPool.DeletionProtection).toBe('INACTIVE');
      expect(({} as Record<string, unknown>).DeletionProtection).toBeUndefined();
      const del = await signed(srv, 'DeleteUserPool', JSON.stringify({ UserPoolId: res.json.UserPool.Id }));
      expect(del.status).toBe(200);
      await expectHealthy();
    });
  });

  describe('validation', () => {
    it('missing required parameter → InvalidParameterException, "Member must not be null", lowerCamel member', async () => {
      const res = await signed(srv, 'DescribeUserPool', '{}');
      expectCognitoError(
        res,
        'InvalidParameterException',
        "1 validation error detected: Value null at 'userPoolId' failed to satisfy constraint: Member must not be null",
      );
      const nullValue = await signed(srv, 'DescribeUserPool', '{"UserPoolId":null}');
      expectCognitoError(
        nullValue,
        'InvalidParameterException',
        "Value null at 'userPoolId' failed to satisfy constraint: Member must not be null",
      );
      const clientMissing = await signed(srv, 'CreateUserPoolClient', '{"UserPoolId":"local_000000000"}');
      expectCognitoError(
        clientMissing,
        'InvalidParameterException',
        "Value null at 'clientName' failed to satisfy constraint: Member must not be null",
      );
      await sdkRejects(srv.admin.send(new DescribeUserPoolCommand({} as never)), 'InvalidParameterException', /Member must not be null/);
      await expectHealthy();
    });

    it('several violations are all reported, nested members with a dotted lowerCamel path', async () => {
      const res = await signed(
        srv,
        'CreateUserPool',
        JSON.stringify({ UsernameConfiguration: {}, Policies: { PasswordPolicy: { MinimumLength: 2 } } }),
      );
      expectCognitoError(res, 'InvalidParameterException', /^3 validation errors detected: /);
      expect(res.json.message).toContain("Value null at 'poolName' failed to satisfy constraint: Member must not be null");
      expect(res.json.message).toContain("at 'usernameConfiguration.caseSensitive' failed to satisfy constraint: Member must not be null");
      expect(res.json.message).toContain(
        "at 'policies.passwordPolicy.minimumLength' failed to satisfy constraint: Member must have value greater than or equal to 6",
      );
      await expectHealthy();
    });

    it('over-long parameter (PoolName of 129 characters) → InvalidParameterException; 128 is fine', async () => {
      const res = await signed(srv, 'CreateUserPool', JSON.stringify({ PoolName: 'p'.repeat(129) }));
      expectCognitoError(
        res,
        'InvalidParameterException',
        "at 'poolName' failed to satisfy constraint: Member must have length less than or equal to 128",
      );
      await sdkRejects(srv.admin.send(new CreateUserPoolCommand({ PoolName: 'q'.repeat(129) })), 'InvalidParameterException', /poolName/);
      const ok = await srv.admin.send(new CreateUserPoolCommand({ PoolName: 'p'.repeat(128) }));
      expect(ok.UserPool?.Name).toHaveLength(128);
      await expectHealthy();
    });

    it('empty and pattern-violating strings → InvalidParameterException', async () => {
      expectCognitoError(
        await signed(srv, 'CreateUserPool', '{"PoolName":""}'),
        'InvalidParameterException',
        /poolName.*length greater than or equal to 1/,
      );
      expectCognitoError(
        await signed(srv, 'CreateUserPool', '{"PoolName":"bad/name"}'),
        'InvalidParameterException',
        /poolName.*regular expression pattern/,
      );
      expectCognitoError(
        await signed(srv, 'DescribeUserPool', '{"UserPoolId":"no-underscore"}'),
        'InvalidParameterException',
        /userPoolId/,
      );
      await expectHealthy();
    });

    it('wrong type → a 400 Cognito error naming the member, never a 500', async () => {
      for (const [target, body, member] of [
        ['ListUserPools', '{"MaxResults":"10"}', 'maxResults'],
        ['ListUserPools', '{"MaxResults":1.5}', 'maxResults'],
        ['CreateUserPool', '{"PoolName":123}', 'poolName'],
        ['CreateUserPool', '{"PoolName":"t","Policies":[]}', 'policies'],
        ['CreateUserPool', '{"PoolName":"t","AutoVerifiedAttributes":"email"}', 'autoVerifiedAttributes'],
        ['CreateUserPool', '{"PoolName":"t","DeletionProtection":true}', 'deletionProtection'],
        ['CreateUserPool', '{"PoolName":"t","UserPoolTags":{"a":1}}', 'userPoolTags'],
      ] as const) {
        const res = await signed(srv, target, body);
        expect(res.status, body).toBe(400);
        expect(['InvalidParameterException', 'SerializationException']).toContain(res.json.__type);
        expectCognitoError(res, res.json.__type);
        if (res.json.__type === 'InvalidParameterException') expect(res.json.message).toContain(`'${member}`);
      }
      await expectHealthy();
    });

    // Coral's JSON deserializer rejects a value of the wrong JSON type before validation, e.g.
    // `SerializationException: STRING_VALUE can not be converted to an Integer` (seen from real
    // AWS JSON 1.1 services). Regression: this used to be InvalidParameterException.
    it('wrong JSON type → SerializationException', async () => {
      const res = await signed(srv, 'ListUserPools', '{"MaxResults":"10"}');
      expectCognitoError(res, 'SerializationException');
    });

    it('enum violation → InvalidParameterException listing the allowed values', async () => {
      const res = await signed(srv, 'CreateUserPool', JSON.stringify({ PoolName: 'enum', MfaConfiguration: 'SOMETIMES' }));
      expectCognitoError(
        res,
        'InvalidParameterException',
        "Value 'SOMETIMES' at 'mfaConfiguration' failed to satisfy constraint: Member must satisfy enum value set: [OFF, ON, OPTIONAL]",
      );
      const listItem = await signed(srv, 'CreateUserPool', JSON.stringify({ PoolName: 'enum', UsernameAttributes: ['email', 'nickname'] }));
      expectCognitoError(listItem, 'InvalidParameterException', /'usernameAttributes\.2\.member'.*enum value set/);
      await sdkRejects(
        srv.admin.send(new CreateUserPoolCommand({ PoolName: 'enum', UserPoolTier: 'GOLD' as never })),
        'InvalidParameterException',
        /userPoolTier/,
      );
      await expectHealthy();
    });
    it('integers out of range → InvalidParameterException with the bound', async () => {
      expectCognitoError(
        await signed(srv, 'ListUserPools', '{"MaxResults":0}'),
        'InvalidParameterException',
        "Value '0' at 'maxResults' failed to satisfy constraint: Member must have value greater than or equal to 1",
      );
      expectCognitoError(
        await signed(srv, 'ListUserPools', '{"MaxResults":61}'),
        'InvalidParameterException',
        "Value '61' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 60",
      );
      await expectHealthy();
    });
  });

  describe('authentication of admin calls', () => {
    it('unsigned admin call → MissingAuthenticationTokenException', async () => {
      expectCognitoError(await unsigned(srv, 'ListUserPools', '{"MaxResults":1}'), 'MissingAuthenticationTokenException');
      // Authentication comes before parsing and validation: nothing about the body leaks.
      expectCognitoError(await unsigned(srv, 'ListUserPools', '{not json'), 'MissingAuthenticationTokenException');
      expectCognitoError(await unsigned(srv, 'DescribeUserPool', '{}'), 'MissingAuthenticationTokenException');
      expectCognitoError(
        await unsigned(srv, 'ListUserPools', '{"MaxResults":1}', { headers: { authorization: 'Bearer abc' } }),
        'MissingAuthenticationTokenException',
      );
      await expectHealthy();
    });

    it('unknown access key (SDK with other credentials) → UnrecognizedClientException', async () => {
      const stranger = sdk({ accessKeyId: 'AKIAUNKNOWNKEY000000', secretAccessKey: 'whatever-secret' });
      try {
        await sdkRejects(stranger.send(new ListUserPoolsCommand({ MaxResults: 1 })), 'UnrecognizedClientException');
      } finally {
        stranger.destroy();
      }
      await expectHealthy();
    });

    it('right key, wrong secret → InvalidSignatureException', async () => {
      const wrong = sdk({ accessKeyId: srv.adminCredentials.accessKeyId, secretAccessKey: `${srv.adminCredentials.secretAccessKey}x` });
      try {
        await sdkRejects(wrong.send(new ListUserPoolsCommand({ MaxResults: 1 })), 'InvalidSignatureException');
      } finally {
        wrong.destroy();
      }
      await expectHealthy();
    });

    it('a body changed after signing → InvalidSignatureException', async () => {
      const { url, init } = await signRequest(srv, 'ListUserPools', '{"MaxResults":1}');
      expectCognitoError(await http(url, { ...init, body: '{"MaxResults":2}' }), 'InvalidSignatureException');
      await expectHealthy();
    });

    it('signed 10 minutes ago, or 10 minutes ahead → InvalidSignatureException', async () => {
      const past = await signed(srv, 'ListUserPools', '{"MaxResults":1}', { signingDate: new Date(Date.now() - 10 * 60_000) });
      expectCognitoError(past, 'InvalidSignatureException', /expired/i);
      const future = await signed(srv, 'ListUserPools', '{"MaxResults":1}', { signingDate: new Date(Date.now() + 10 * 60_000) });
      expectCognitoError(future, 'InvalidSignatureException', /not yet current/i);
      // Inside the 5-minute window is fine.
      const recent = await signed(srv, 'ListUserPools', '{"MaxResults":1}', { signingDate: new Date(Date.now() - 2 * 60_000) });
      expect(recent.status).toBe(200);
      await expectHealthy();
    });

    it('a captured request replayed outside the time window → InvalidSignatureException', async () => {
      const { url, init } = await signRequest(srv, 'ListUserPools', '{"MaxResults":1}');
      const first = await http(url, init);
      expect(first.status).toBe(200);
      srv.clock.advance(10 * 60_000);
      try {
        expectCognitoError(await http(url, init), 'InvalidSignatureException', /expired/i);
      } finally {
        srv.clock.advance(-10 * 60_000);
      }
      await expectHealthy();
    });

    it('rejected admin calls have no side effect', async () => {
      const before = await poolCount();
      const body = JSON.stringify({ PoolName: 'must-not-exist' });
      expectCognitoError(await unsigned(srv, 'CreateUserPool', body), 'MissingAuthenticationTokenException');
      expectCognitoError(
        await signed(srv, 'CreateUserPool', body, { credentials: { accessKeyId: 'AKIAUNKNOWNKEY000000', secretAccessKey: 's' } }),
        'UnrecognizedClientException',
      );
      expectCognitoError(
        await signed(srv, 'CreateUserPool', body, {
          credentials: { accessKeyId: srv.adminCredentials.accessKeyId, secretAccessKey: 'wrong' },
        }),
        'InvalidSignatureException',
      );
      expectCognitoError(
        await signed(srv, 'CreateUserPool', body, { signingDate: new Date(Date.now() - 10 * 60_000) }),
        'InvalidSignatureException',
      );
      expectCognitoError(
        await signed(srv, 'CreateUserPool', JSON.stringify({ PoolName: 'must-not-exist', MfaConfiguration: 'NOPE' })),
        'InvalidParameterException',
      );
      expectCognitoError(await signed(srv, 'CreateUserPool', '{"PoolName":"must-not-exist"'), 'SerializationException');
      const { url, init } = await signRequest(srv, 'CreateUserPool', body);
      expectCognitoError(await http(url, { ...init, body: JSON.stringify({ PoolName: 'must-not-exist-2' }) }), 'InvalidSignatureException');
      // Deleting with a bad signature does not delete either.
      const { UserPools } = await srv.admin.send(new ListUserPoolsCommand({ MaxResults: 60 }));
      const victim = UserPools![0]!.Id!;
      expectCognitoError(
        await unsigned(srv, 'DeleteUserPool', JSON.stringify({ UserPoolId: victim })),
        'MissingAuthenticationTokenException',
      );
      expectCognitoError(
        await signed(srv, 'DeleteUserPool', JSON.stringify({ UserPoolId: victim }), {
          credentials: { accessKeyId: srv.adminCredentials.accessKeyId, secretAccessKey: 'wrong' },
        }),
        'InvalidSignatureException',
      );

      expect(await poolCount()).toBe(before);
      const names = (await srv.admin.send(new ListUserPoolsCommand({ MaxResults: 60 }))).UserPools!.map((p) => p.Name);
      expect(names).not.toContain('must-not-exist');
      expect(names).not.toContain('must-not-exist-2');
      expect((await srv.admin.send(new DescribeUserPoolCommand({ UserPoolId: victim }))).UserPool?.Id).toBe(victim);
      await expectHealthy();
    });
  });

  describe('transport', () => {
    it('POST works on any path: the SDK with a base path, a trailing slash with a query string', async () => {
      const based = sdk(srv.adminCredentials, `${srv.endpoint}/some/base/path`);
      const paths: string[] = [];
      based.middlewareStack.add(
        (next) => async (args) => {
          paths.push((args.request as { path: string }).path);
          return next(args);
        },
        { step: 'finalizeRequest', name: 'recordPath' },
      );
      try {
        const res = await based.send(new ListUserPoolsCommand({ MaxResults: 1 }));
        expect(res.$metadata.httpStatusCode).toBe(200);
        // The AWS SDK appends a slash to an endpoint's path; Amplify posts it verbatim (signed call below).
        expect(paths).toEqual(['/some/base/path/']);
      } finally {
        based.destroy();
      }
      const base = await signed(srv, 'ListUserPools', '{"MaxResults":1}', { path: '/some/base/path' });
      expect(base.status).toBe(200);
      const query = await signed(srv, 'ListUserPools', '{"MaxResults":1}', { path: '/x/', query: { q: '1' } });
      expect(query.status, query.text).toBe(200);
      expect(Array.isArray(query.json.UserPools)).toBe(true);
      // Errors on those paths are the same envelope.
      expectCognitoError(await unsigned(srv, 'NoSuchOperation', '{}', { path: '/some/base/path' }), 'UnknownOperationException');
      expectCognitoError(await unsigned(srv, 'ListUserPools', '{}', { path: '/x/?q=1' }), 'MissingAuthenticationTokenException');
      await expectHealthy();
    });

    it('Content-Type application/json works like application/x-amz-json-1.1', async () => {
      const res = await signed(srv, 'ListUserPools', '{"MaxResults":2}', { contentType: 'application/json' });
      expect(res.status).toBe(200);
      expect(Array.isArray(res.json.UserPools)).toBe(true);
      const create = await signed(srv, 'CreateUserPool', '{"PoolName":"json-content-type"}', {
        contentType: 'application/json; charset=utf-8',
      });
      expect(create.status).toBe(200);
      expect(create.json.UserPool.Name).toBe('json-content-type');
    });

    it('successful responses carry x-amzn-requestid, a fresh one each time', async () => {
      const a = await signed(srv, 'ListUserPools', '{"MaxResults":1}');
      const b = await signed(srv, 'ListUserPools', '{"MaxResults":1}');
      expect(a.headers.get('x-amzn-requestid')).toBeTruthy();
      expect(a.headers.get('x-amzn-requestid')).not.toBe(b.headers.get('x-amzn-requestid'));
      expect(a.headers.get('x-amzn-errortype')).toBeNull();
      expect(a.headers.get('content-type')).toMatch(/^application\/x-amz-json-1\.1/);
    });

    it('empty outputs are {} (never an empty body)', async () => {
      const pool = await srv.admin.send(new CreateUserPoolCommand({ PoolName: 'empty-outputs' }));
      const poolId = pool.UserPool!.Id!;
      const client = await srv.admin.send(new CreateUserPoolClientCommand({ UserPoolId: poolId, ClientName: 'c' }));
      for (const [target, body] of [
        ['UpdateUserPool', { UserPoolId: poolId }],
        ['DeleteUserPoolClient', { UserPoolId: poolId, ClientId: client.UserPoolClient!.ClientId }],
        ['DeleteUserPool', { UserPoolId: poolId }],
      ] as const) {
        const res = await signed(srv, target, JSON.stringify(body));
        expect(res.status, `${target}: ${res.text}`).toBe(200);
        expect(res.text).toBe('{}');
      }
    });

    it('CORS preflight answers the origin, POST and every header the SDKs send', async () => {
      for (const path of ['/', '/some/base/path', '/x/?q=1']) {
        const res = await http(`${srv.endpoint}${path}`, {
          method: 'OPTIONS',
          headers: {
            origin: 'https://app.example',
            'access-control-request-method': 'POST',
            'access-control-request-headers': ALL_SDK_HEADERS.join(','),
          },
        });
        expect(res.status).toBeGreaterThanOrEqual(200);
        expect(res.status).toBeLessThan(300);
        expect(['*', 'https://app.example']).toContain(res.headers.get('access-control-allow-origin'));
        expect(res.headers.get('access-control-allow-methods')?.split(/\s*,\s*/)).toContain('POST');
        const allowed = (res.headers.get('access-control-allow-headers') ?? '').toLowerCase().split(/\s*,\s*/);
        for (const h of ALL_SDK_HEADERS) expect(allowed).toContain(h);
      }
      // Without Access-Control-Request-Headers the default list still names them.
      const bare = await http(`${srv.endpoint}/`, {
        method: 'OPTIONS',
        headers: { origin: 'https://app.example', 'access-control-request-method': 'POST' },
      });
      expect(bare.status).toBeLessThan(300);
      const allowed = (bare.headers.get('access-control-allow-headers') ?? '').toLowerCase().split(/\s*,\s*/);
      for (const h of ALL_SDK_HEADERS) expect(allowed).toContain(h);
      await expectHealthy();
    });

    it('cross-origin responses expose x-amzn-errortype and x-amzn-requestid, on errors and successes', async () => {
      const origin = { origin: 'https://app.example' };
      const err = await unsigned(srv, 'ListUserPools', '{}', { headers: origin });
      expectCognitoError(err, 'MissingAuthenticationTokenException');
      const ok = await signed(srv, 'ListUserPools', '{"MaxResults":1}', { headers: origin });
      expect(ok.status).toBe(200);
      for (const res of [err, ok]) {
        expect(['*', 'https://app.example']).toContain(res.headers.get('access-control-allow-origin'));
        const exposed = (res.headers.get('access-control-expose-headers') ?? '').toLowerCase().split(/\s*,\s*/);
        expect(exposed).toContain('x-amzn-errortype');
        expect(exposed).toContain('x-amzn-requestid');
      }
    });

    it.runIf(dialect === 'sqlite')('with LATCHKEY_CORS_ORIGINS set, only listed origins are allowed (and Vary: Origin)', async () => {
      // CORS is HTTP-layer only, so one dialect is enough.
      const listed = await startTestServer(dialect, { env: { LATCHKEY_CORS_ORIGINS: 'https://app.example, https://other.example' } });
      try {
        const pre = await http(`${listed.endpoint}/`, {
          method: 'OPTIONS',
          headers: { origin: 'https://app.example', 'access-control-request-method': 'POST' },
        });
        expect(pre.status).toBeLessThan(300);
        expect(pre.headers.get('access-control-allow-origin')).toBe('https://app.example');
        expect(pre.headers.get('vary')?.toLowerCase()).toContain('origin');
        const stranger = await http(`${listed.endpoint}/`, {
          method: 'OPTIONS',
          headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
        });
        expect(stranger.headers.get('access-control-allow-origin')).toBeNull();
        const post = await unsigned(listed, 'ListUserPools', '{}', { headers: { origin: 'https://other.example' } });
        expectCognitoError(post, 'MissingAuthenticationTokenException');
        expect(post.headers.get('access-control-allow-origin')).toBe('https://other.example');
        const evil = await unsigned(listed, 'ListUserPools', '{}', { headers: { origin: 'https://evil.example' } });
        expect(evil.headers.get('access-control-allow-origin')).toBeNull();
      } finally {
        await listed.stop();
      }
    });

    it('unknown GET paths and other methods → a JSON error, not a 500', async () => {
      for (const [method, path] of [
        ['GET', '/nope'],
        ['GET', '/'],
        ['PUT', '/'],
        ['DELETE', '/some/base/path'],
        ['GET', '/local_000000000/.well-known/nothing'],
      ] as const) {
        const res = await http(`${srv.endpoint}${path}`, { method, ...(method === 'PUT' ? { body: '{}' } : {}) });
        expect(res.status, `${method} ${path}`).toBeGreaterThanOrEqual(400);
        expect(res.status).toBeLessThan(500);
        expect(res.json?.__type).toBeTypeOf('string');
        expect(res.headers.get('x-amzn-requestid')).toBeTruthy();
      }
      await expectHealthy();
    });

    it('a POST without Content-Type is answered with a Cognito error, not a 500', async () => {
      const res = await http(`${srv.endpoint}/`, {
        method: 'POST',
        headers: { 'x-amz-target': `${PREFIX}ListUserPools` },
        body: '{"MaxResults":1}',
      });
      expect(res.status).toBe(400);
      expect(res.json.__type).toBeTypeOf('string');
      await expectHealthy();
    });

    it('many bad requests in parallel leave the server healthy', async () => {
      const bad = await Promise.all([
        ...Array.from({ length: 10 }, () => unsigned(srv, 'ListUserPools', '{"MaxResults":1}')),
        ...Array.from({ length: 10 }, () => signed(srv, 'ListUserPools', '{')),
        ...Array.from({ length: 10 }, () => unsigned(srv, 'Nope', '{}')),
      ]);
      for (const res of bad) expect(res.status).toBe(400);
      await expectHealthy();
    });
  });
});

describe('request logging', () => {
  it('redact() hides secret members at the depths real operations use', () => {
    const out = JSON.stringify(
      redact({
        Password: 'p1',
        AuthParameters: { PASSWORD: 'p2', USERNAME: 'u' },
        ChallengeResponses: { ANSWER: 'p3' },
        UserAttributes: [{ Name: 'email', Value: 'e' }],
      }),
    );
    for (const secret of ['p1', 'p2', 'p3']) expect(out).not.toContain(`"${secret}"`);
    expect(out).toContain('"u"');
  });

  // The internal-error log line carries `input: redact(input)`. Regression: past its depth limit
  // redact() used to return the untouched subtree, secrets (and arbitrarily deep input) included.
  it('redact() does not return secrets nested deeper than its depth limit', () => {
    const out = JSON.stringify(redact({ a: { b: { c: { d: { e: { Password: 'hunter2' } } } } } }));
    expect(out).not.toContain('hunter2');
  });
});

/**
 * Protocol fuzz (issue 10, item 5): EVERY registered operation (operations/registry.ts) with malformed
 * input — wrong JSON types, NUL characters and lone surrogates (PostgreSQL refuses both in text, SQLite
 * stores them), huge strings, deep nesting, missing members, bogus tokens — on SQLite and PostgreSQL.
 * Not one reply may be a 5xx, every refusal is Cognito's envelope, nothing is logged at level error,
 * and the server is healthy afterwards (GET /health, a new pool, a new user, a sign-in).
 *
 * The inputs are derived from each operation's own input shape, so a new operation is fuzzed without
 * editing this file. Admin (SigV4) operations are signed, so the inputs reach validation and handlers.
 */
import { TARGET_PREFIX as PREFIX } from '@latchkey/wire';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GetUserCommand, InitiateAuthCommand } from '@aws-sdk/client-cognito-identity-provider';
import { registry } from '../src/operations/registry.js';
import type { Rule, Shape } from '../src/protocol/validate.js';
import { DIALECTS, startTestServer, type TestServer } from './helpers/harness.js';
import { createTestPool, type TestPool } from './helpers/pool.js';
import { expectNoInternalErrors, expectRawError } from './helpers/errors.js';
import { PASSWORD, createUser, passwordTokens, signJsonRequest, type TestUser } from './helpers/latchkeyAdmin.js';

const b64json = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');

/** Access/refresh-token-shaped garbage: not JWTs, unsigned JWTs, unknown and hostile kids. */
const BOGUS_TOKENS = [
  'a.b.c',
  'not-a-token',
  `${b64json({ alg: 'none' })}.${b64json({ sub: 'x', token_use: 'access' })}.`,
  `${b64json({ alg: 'RS256', kid: '00000000-0000-0000-0000-000000000000' })}.${b64json({ sub: 'x' })}.${'A'.repeat(342)}`,
  // A kid is read from the unverified header: these must not reach the store as they are.
  `${b64json({ alg: 'RS256', kid: 'k\u0000' })}.${b64json({ sub: 'x' })}.${'A'.repeat(342)}`,
  `${b64json({ alg: 'RS256', kid: '\ud800' })}.${b64json({ sub: 'x' })}.${'A'.repeat(342)}`,
  `${b64json({ alg: 'RS256', kid: 'x'.repeat(5000) })}.${b64json({ sub: 'x' })}.${'A'.repeat(342)}`,
  `${b64json({ alg: 'RS256', kid: 7 })}.${b64json({ sub: 'x' })}.${'A'.repeat(342)}`,
];
const TOKEN_MEMBERS = /^(AccessToken|RefreshToken|Token|Session|NextToken|PaginationToken|REFRESH_TOKEN)$/;

/** A marker replaced in the serialised body by raw JSON text (deep nesting is built as text). */
const RAW = '\u0001raw\u0001';

interface Case {
  op: string;
  what: string;
  body: string;
}

interface Fixture {
  pool: TestPool;
  user: TestUser;
  accessToken: string;
  refreshToken: string;
}

/** A plausible value for a member: the fixture's ids, user and tokens where the name says so. */
function plausible(name: string, rule: Rule, f: Fixture): unknown {
  switch (rule.kind) {
    case 'string':
      if (rule.enum) return name === 'AuthFlow' ? 'USER_PASSWORD_AUTH' : name === 'ChallengeName' ? 'PASSWORD_VERIFIER' : rule.enum[0];
      if (name === 'UserPoolId') return f.pool.userPoolId;
      if (name === 'ClientId') return f.pool.clientId;
      if (name === 'Username') return f.user.username;
      if (name === 'AccessToken') return f.accessToken;
      if (name === 'RefreshToken' || name === 'Token') return f.refreshToken;
      if (/Password$/.test(name)) return PASSWORD;
      if (/Code$/.test(name)) return '123456';
      if (name === 'AttributeName') return 'email';
      if (name === 'Filter') return `username = "${f.user.username}"`;
      if (name === 'CredentialId') return 'AAAAAAAAAAAAAAAAAAAAAA';
      return 'fuzz';
    case 'int':
      return Math.max(rule.min ?? 1, Math.min(rule.max ?? 10, 10));
    case 'bool':
      return false;
    case 'map':
      return name === 'AuthParameters' ? { USERNAME: f.user.username, PASSWORD } : {};
    case 'list':
      return [plausible(name, rule.of, f)];
    case 'object':
      return baseInput(rule.fields, f);
    case 'document':
      return {};
  }
}

/** The required members of a shape, with plausible values. */
function baseInput(shape: Shape, f: Fixture): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, rule] of Object.entries(shape)) if (rule.required) out[name] = plausible(name, rule, f);
  return out;
}

/** Values of the wrong JSON type for a rule (a document member takes any JSON, so it has none). */
function wrongTypes(rule: Rule): [string, unknown][] {
  switch (rule.kind) {
    case 'string':
      return [
        ['number', 12345],
        ['object', { a: 'b' }],
      ];
    case 'int':
      return [
        ['string', '10'],
        ['float', 1.5],
        ['1e308', 1e308],
      ];
    case 'bool':
      return [
        ['string', 'true'],
        ['number', 1],
      ];
    case 'map':
      return [
        ['array', ['x']],
        ['number value', { USERNAME: 1 }],
      ];
    case 'list':
      return [
        ['object', { a: 'b' }],
        ['list of nulls', [null, null]],
      ];
    case 'object':
      return [
        ['array', ['x']],
        ['string', 'x'],
      ];
    case 'document':
      return [];
  }
}

/**
 * Malformed values for one member: wrong types, NUL and lone surrogates where a string can go, a huge
 * string, deep nesting, and bogus tokens for token members. Kept to a few per member: the admin
 * operations that create keys (CreateUserPool) make every accepted input expensive.
 */
function malformed(name: string, rule: Rule): [string, unknown][] {
  const values: [string, unknown][] = [...wrongTypes(rule), ['huge string', 'x'.repeat(140_000)], ['deep nesting', RAW]];
  switch (rule.kind) {
    case 'string':
      values.push(['NUL', 'alice\u0000'], ['lone high surrogate', 'a\ud800'], ['lone low surrogate', '\udc00z'], ['empty string', '']);
      break;
    case 'int':
      values.push(['negative', -1]);
      break;
    case 'map':
      values.push(
        ['NUL value', { USERNAME: 'alice\u0000', PASSWORD: 'p\u0000' }],
        ['NUL key', { 'US\u0000ER': 'x' }],
        ['surrogate value', { USERNAME: '\ud800' }],
      );
      break;
    case 'list':
      values.push(
        ['NUL member', ['x\u0000']],
        ['surrogate member', ['\udfff']],
        ['10000 members', Array.from({ length: 10_000 }, () => 'x')],
      );
      break;
    case 'object':
      values.push(['NUL members', Object.fromEntries(Object.keys(rule.fields).map((k) => [k, 'x\u0000']))]);
      break;
    case 'document':
      values.push(['NUL inside', { a: ['b', { c: 'd\u0000' }] }], ['NUL key inside', { ['k\u0000']: 1 }]);
      break;
    case 'bool':
      break;
  }
  if (TOKEN_MEMBERS.test(name)) BOGUS_TOKENS.forEach((t, i) => values.push([`bogus token ${i}`, t]));
  return values;
}

function serialise(input: Record<string, unknown>): string {
  const nested = '['.repeat(2000) + ']'.repeat(2000);
  return JSON.stringify(input).replace(JSON.stringify(RAW), nested);
}

/** Every case of one operation: missing members, then each member malformed with the rest plausible. */
function casesOf(opName: string, shape: Shape, f: Fixture): Case[] {
  const base = baseInput(shape, f);
  const cases: Case[] = [
    { op: opName, what: 'empty object', body: '{}' },
    { op: opName, what: 'empty body', body: '' },
    { op: opName, what: 'every member null', body: JSON.stringify(Object.fromEntries(Object.keys(shape).map((k) => [k, null]))) },
    { op: opName, what: 'unknown members with NUL', body: JSON.stringify({ ...base, ['Un\u0000known']: 'v\u0000' }) },
    { op: opName, what: 'deep nesting at the top', body: `{"${Object.keys(shape)[0]}":${'['.repeat(50_000)}${']'.repeat(50_000)}}` },
    { op: opName, what: 'deep objects at the top', body: `${'{"a":'.repeat(20_000)}1${'}'.repeat(20_000)}` },
  ];
  for (const name of Object.keys(base)) {
    const { [name]: _dropped, ...rest } = base;
    cases.push({ op: opName, what: `without ${name}`, body: JSON.stringify(rest) });
  }
  for (const [name, rule] of Object.entries(shape)) {
    for (const [what, value] of malformed(name, rule)) {
      cases.push({ op: opName, what: `${name}: ${what}`, body: serialise({ ...base, [name]: value }) });
    }
  }
  // Every sign-in flow with a NUL in USERNAME (the reported 500 on PostgreSQL).
  if (shape.AuthFlow?.kind === 'string' && shape.AuthFlow.enum) {
    for (const flow of shape.AuthFlow.enum) {
      const params = {
        USERNAME: 'alice\u0000',
        PASSWORD,
        SRP_A: 'ab'.repeat(192),
        REFRESH_TOKEN: f.refreshToken,
        PREFERRED_CHALLENGE: 'PASSWORD',
      };
      cases.push({
        op: opName,
        what: `${flow} with NUL in USERNAME`,
        body: JSON.stringify({ ...base, AuthFlow: flow, AuthParameters: params }),
      });
    }
  }
  return cases;
}

interface Reply {
  status: number;
  text: string;
}

describe.each(DIALECTS)('protocol fuzz on %s', (dialect) => {
  let srv: TestServer;
  let f: Fixture;

  beforeAll(async () => {
    srv = await startTestServer(dialect);
    const pool = await createTestPool(srv.admin);
    const user = await createUser(srv, pool, 'fuzz');
    const tokens = await passwordTokens(srv, pool.clientId, user);
    f = { pool, user, accessToken: tokens.AccessToken!, refreshToken: tokens.RefreshToken! };
  });
  afterAll(async () => {
    await srv?.stop();
  });

  async function send(op: string, body: string, sign: boolean): Promise<Reply> {
    const headers = { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': PREFIX + op };
    let res: Response;
    if (sign) {
      const { url, init } = await signJsonRequest(srv.endpoint, srv.adminCredentials, op, body);
      res = await fetch(url, init);
    } else {
      res = await fetch(`${srv.endpoint}/`, { method: 'POST', headers, body });
    }
    return { status: res.status, text: await res.text() };
  }

  /** Runs the cases a few at a time; returns every reply that is a 5xx or not Cognito's envelope. */
  async function run(cases: Case[], sign: (c: Case) => boolean): Promise<string[]> {
    const bad: string[] = [];
    let next = 0;
    const worker = async () => {
      while (next < cases.length) {
        const c = cases[next++]!;
        const r = await send(c.op, c.body, sign(c));
        let envelope = r.status === 200;
        if (r.status !== 200) {
          try {
            const json = JSON.parse(r.text) as { __type?: unknown; message?: unknown };
            envelope = typeof json.__type === 'string' && typeof json.message === 'string';
          } catch {
            envelope = false;
          }
        }
        if (r.status >= 500 || !envelope) bad.push(`${c.op} [${c.what}] → ${r.status} ${r.text.slice(0, 200)}`);
      }
    };
    await Promise.all(Array.from({ length: 6 }, worker));
    return bad;
  }

  it('every operation × malformed input: no 5xx, always the error envelope, nothing logged as an internal error', async () => {
    const cases = Object.entries(registry).flatMap(([name, op]) => casesOf(name, op.input, f));
    expect(cases.length).toBeGreaterThan(1000);
    const bad = await run(cases, (c) => registry[c.op]!.auth === 'sigv4');
    // Admin operations again without a signature: refused before anything else, never a 500.
    const unsigned = cases.filter(
      (c) => registry[c.op]!.auth === 'sigv4' && /^(empty object|unknown members with NUL|UserPoolId: NUL)$/.test(c.what),
    );
    bad.push(...(await run(unsigned, () => false)));
    expect(bad).toEqual([]);
    expectNoInternalErrors(srv);
  }, 60_000);

  it(
    'the reported inputs: NUL in USERNAME (every flow), CredentialId and ' +
      'Filter is InvalidParameterException; a NUL kid is an invalid token',
    async () => {
      const flows = (registry.InitiateAuth!.input.AuthFlow as { enum: readonly string[] }).enum;
      for (const flow of flows) {
        const r = await srv.call('InitiateAuth', {
          AuthFlow: flow,
          ClientId: f.pool.clientId,
          AuthParameters: { USERNAME: 'alice\u0000', PASSWORD, SRP_A: 'ab'.repeat(192), REFRESH_TOKEN: f.refreshToken },
        });
        expectRawError(r, 'InvalidParameterException');
      }
      expectRawError(
        await srv.call('DeleteWebAuthnCredential', { AccessToken: f.accessToken, CredentialId: 'AAAA\u0000' }),
        'InvalidParameterException',
      );
      const { url, init } = await signJsonRequest(
        srv.endpoint,
        srv.adminCredentials,
        'ListUsers',
        JSON.stringify({ UserPoolId: f.pool.userPoolId, Filter: 'username = "alice\u0000"' }),
      );
      const listed = await fetch(url, init);
      expectRawError({ status: listed.status, json: await listed.json() }, 'InvalidParameterException');
      // Lone surrogates as well, in a nested member name and in a value.
      const surrogate = await srv.call('SignUp', {
        ClientId: f.pool.clientId,
        Username: 'bob',
        Password: PASSWORD,
        UserAttributes: [{ Name: 'email', Value: 'b\ud800@example.com' }],
      });
      expectRawError(surrogate, 'InvalidParameterException');
      expect(surrogate.json.message).toBe(
        "1 validation error detected: Value at 'userAttributes.1.member.value' failed to " +
          'satisfy constraint: Member must not contain NUL characters or unpaired surrogates',
      );
      for (const token of BOGUS_TOKENS.slice(4, 6)) {
        expectRawError(await srv.call('GetUser', { AccessToken: token }), 'NotAuthorizedException');
      }
      expectNoInternalErrors(srv);
    },
  );

  it(
    'well-known documents of a pool id with a NUL are 404 ' + 'ResourceNotFoundException; an undecodable one 400, an over-long one 404',
    async () => {
      const get = async (id: string, doc: string) => {
        const res = await fetch(`${srv.endpoint}/${id}/.well-known/${doc}`);
        return { id, doc, status: res.status, type: (JSON.parse(await res.text()) as { __type?: string }).__type };
      };
      for (const doc of ['jwks.json', 'openid-configuration']) {
        for (const id of ['%00', `${f.pool.userPoolId}%00`, 'a%00_b']) {
          expect(await get(id, doc)).toEqual({ id, doc, status: 404, type: 'ResourceNotFoundException' });
        }
        // A lone surrogate cannot be percent-encoded as UTF-8; its bytes do not decode at all.
        for (const id of ['%ED%A0%80', '%ZZ']) expect(await get(id, doc)).toEqual({ id, doc, status: 400, type: 'SerializationException' });
        expect(await get('a'.repeat(600), doc)).toEqual({ id: 'a'.repeat(600), doc, status: 404, type: 'ResourceNotFoundException' });
      }
      expectNoInternalErrors(srv);
    },
  );

  it('afterwards the server is healthy: /health, a new pool, a new user and a sign-in', async () => {
    const health = await fetch(`${srv.endpoint}/health`);
    expect(health.status).toBe(200);
    const pool = await createTestPool(srv.admin);
    const user = await createUser(srv, pool, 'after');
    const r = await srv.client.send(
      new InitiateAuthCommand({
        AuthFlow: 'USER_PASSWORD_AUTH',
        ClientId: pool.clientId,
        AuthParameters: { USERNAME: user.username, PASSWORD },
      }),
    );
    const me = await srv.client.send(new GetUserCommand({ AccessToken: r.AuthenticationResult!.AccessToken! }));
    expect(me.Username).toBe(user.username);
    expectNoInternalErrors(srv);
  });
});

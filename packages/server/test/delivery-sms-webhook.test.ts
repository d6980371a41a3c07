/**
 * SMS delivery by signed webhook (LATCHKEY_SMS_WEBHOOK_URL): a real node:http receiver on loopback,
 * signatures checked with the exported verifyWebhookSignature, retries, timeouts, and a log that never
 * holds a code or the secret.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import {
  AdminCreateUserCommand,
  ConfirmSignUpCommand,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  ForgotPasswordCommand,
  InitiateAuthCommand,
  ResendConfirmationCodeCommand,
  RespondToAuthChallengeCommand,
  SignUpCommand,
  type CognitoIdentityProviderClient,
} from '@aws-sdk/client-cognito-identity-provider';
import { verifyWebhookSignature, WEBHOOK_SIGNATURE_HEADER } from '@latchkey/server';
import { startTestServer, type TestServer } from './helpers/harness.js';
import { createTestPool } from './helpers/pool.js';
import { expectServiceError } from './helpers/errors.js';
import { freePort } from './helpers/processes.js';
import { loadConfig } from '../src/config/load.js';

const SECRET = 'sms-webhook-secret-0123456789-abcdefghij';

interface Received {
  headers: IncomingMessage['headers'];
  raw: string;
  body: Record<string, unknown>;
  at: number;
}

/** What the receiver does with the next request: answer with a status, or never answer ('hang'). */
type Step = number | 'hang';

/** A webhook receiver on 127.0.0.1 that records each request and answers from a script (then 200). */
async function receiver() {
  const received: Received[] = [];
  const script: Step[] = [];
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      received.push({ headers: req.headers, raw, body: JSON.parse(raw) as Record<string, unknown>, at: Date.now() });
      const step = script.shift() ?? 200;
      if (step === 'hang') return;
      // An answer that echoes the body: the sender must not log it.
      res.writeHead(step, { 'content-type': 'application/json' }).end(raw);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}/sms`,
    received,
    script,
    close: () => {
      server.closeAllConnections();
      return new Promise((r) => server.close(r));
    },
  };
}

/** A pool that verifies phone numbers at sign-up (codes go by SMS) and its public client. */
async function phonePool(admin: CognitoIdentityProviderClient) {
  const pool = await admin.send(new CreateUserPoolCommand({ PoolName: `sms-${Date.now()}`, AutoVerifiedAttributes: ['phone_number'] }));
  const userPoolId = pool.UserPool!.Id!;
  const client = await admin.send(
    new CreateUserPoolClientCommand({ UserPoolId: userPoolId, ClientName: 'web', ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH'] }),
  );
  return { userPoolId, clientId: client.UserPoolClient!.ClientId! };
}

const signUp = (srv: TestServer, clientId: string, username: string, phone: string) =>
  srv.client.send(
    new SignUpCommand({
      ClientId: clientId,
      Username: username,
      Password: 'Passw0rd!X',
      UserAttributes: [{ Name: 'phone_number', Value: phone }],
    }),
  );

describe('SMS delivery by webhook', () => {
  let sink: Awaited<ReturnType<typeof receiver>>;
  let srv: TestServer;
  const codes: string[] = [];

  beforeAll(async () => {
    sink = await receiver();
    srv = await startTestServer('sqlite', {
      env: { LATCHKEY_SMS_WEBHOOK_URL: sink.url, LATCHKEY_SMS_WEBHOOK_SECRET: SECRET, LATCHKEY_SMS_WEBHOOK_TIMEOUT_MS: '400' },
    });
  });
  beforeEach(() => {
    sink.received.length = 0;
    sink.script.length = 0;
  });
  afterAll(async () => {
    await srv.stop();
    await sink.close();
  });

  it('SignUp with a phone number POSTs a signed message to the receiver; its code confirms the user', async () => {
    const pool = await phonePool(srv.admin);
    const r = await signUp(srv, pool.clientId, 'smsuser', '+15555550100');
    expect(r.CodeDeliveryDetails).toEqual({ Destination: '+*******0100', DeliveryMedium: 'SMS', AttributeName: 'phone_number' });
    expect(sink.received).toHaveLength(1);
    const [req] = sink.received;
    expect(req!.headers['content-type']).toBe('application/json');
    const { timestamp } = verifyWebhookSignature(SECRET, req!.headers[WEBHOOK_SIGNATURE_HEADER] as string, req!.raw);
    expect(Math.abs(timestamp - Date.now() / 1000)).toBeLessThan(10);
    const body = req!.body;
    expect(body).toEqual({
      type: 'sms',
      to: '+15555550100',
      message: expect.stringMatching(/^Your code is \d{6}$/),
      code: expect.stringMatching(/^\d{6}$/),
      purpose: 'signup',
      poolId: pool.userPoolId,
      messageId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      createdAt: expect.any(Number),
    });
    expect(body.message).toBe(`Your code is ${String(body.code)}`);
    codes.push(String(body.code));
    // Not in the outbox: the outbox is development delivery.
    expect(await srv.services.store.listOutbox(pool.userPoolId, 10)).toHaveLength(0);
    await srv.client.send(new ConfirmSignUpCommand({ ClientId: pool.clientId, Username: 'smsuser', ConfirmationCode: String(body.code) }));
    const user = await srv.services.store.getUser(pool.userPoolId, r.UserSub!);
    expect(user?.attributes.phone_number_verified).toBe('true');
    expect(srv.log.text()).toContain(String(body.messageId));
  });

  it('a signature made with another secret, or over another body, does not verify at the receiver', async () => {
    const pool = await phonePool(srv.admin);
    await signUp(srv, pool.clientId, 'smsother', '+15555550101');
    const [req] = sink.received;
    codes.push(String(req!.body.code));
    const header = req!.headers[WEBHOOK_SIGNATURE_HEADER] as string;
    expect(() => verifyWebhookSignature(SECRET.replace('0', '1'), header, req!.raw)).toThrow(/does not match/);
    expect(() => verifyWebhookSignature(SECRET, header, req!.raw.replace('+15555550101', '+15555550199'))).toThrow(/does not match/);
  });

  it('email keeps going to the outbox on the same server', async () => {
    const pool = await createTestPool(srv.admin);
    await srv.client.send(
      new SignUpCommand({
        ClientId: pool.clientId,
        Username: 'mailuser',
        Password: 'Passw0rdX',
        UserAttributes: [{ Name: 'email', Value: 'mailuser@example.com' }],
      }),
    );
    expect(sink.received).toHaveLength(0);
    const outbox = await srv.services.store.listOutbox(pool.userPoolId, 10);
    expect(outbox.map((m) => m.destination)).toEqual(['mailuser@example.com']);
  });

  it('503, 503, then 200: delivered once, one messageId across 3 attempts, each freshly and validly signed', async () => {
    sink.script.push(503, 503);
    const pool = await phonePool(srv.admin);
    await signUp(srv, pool.clientId, 'retryuser', '+15555550102');
    expect(sink.received).toHaveLength(3);
    const ids = new Set(sink.received.map((r) => r.body.messageId));
    expect(ids.size).toBe(1);
    expect(new Set(sink.received.map((r) => r.raw)).size).toBe(1);
    for (const r of sink.received) verifyWebhookSignature(SECRET, r.headers[WEBHOOK_SIGNATURE_HEADER] as string, r.raw);
    // Backoff between attempts: 250 ms, then 500 ms.
    expect(sink.received[1]!.at - sink.received[0]!.at).toBeGreaterThanOrEqual(200);
    expect(sink.received[2]!.at - sink.received[1]!.at).toBeGreaterThanOrEqual(450);
    const code = String(sink.received[0]!.body.code);
    codes.push(code);
    const [id] = [...ids] as string[];
    const lines = srv.log.lines.filter((l) => JSON.stringify(l.obj).includes(id!));
    expect(lines.map((l) => [l.level, (l.obj as { attempt: number }).attempt, (l.obj as { status: number }).status])).toEqual([
      ['warn', 1, 503],
      ['warn', 2, 503],
      ['info', 3, 200],
    ]);
    await srv.client.send(new ConfirmSignUpCommand({ ClientId: pool.clientId, Username: 'retryuser', ConfirmationCode: code }));
  });

  it('429 is retried like a 5xx', async () => {
    sink.script.push(429);
    const pool = await phonePool(srv.admin);
    await signUp(srv, pool.clientId, 'throttled', '+15555550103');
    expect(sink.received.map((r) => r.body.messageId)).toEqual([sink.received[0]!.body.messageId, sink.received[0]!.body.messageId]);
    codes.push(String(sink.received[0]!.body.code));
  });

  it('400: no retry; SignUp answers CodeDeliveryFailureException and the failure is logged without the code', async () => {
    sink.script.push(400);
    const pool = await phonePool(srv.admin);
    await expectServiceError(signUp(srv, pool.clientId, 'refused', '+15555550104'), 'CodeDeliveryFailureException');
    expect(sink.received).toHaveLength(1);
    const { code, messageId } = sink.received[0]!.body as { code: string; messageId: string };
    codes.push(code);
    const failed = srv.log.lines.find((l) => l.msg === 'SMS webhook delivery failed' && JSON.stringify(l.obj).includes(messageId));
    expect(failed?.obj).toMatchObject({ status: 400, attempt: 1, retrying: false });
    expect(srv.log.text()).toContain('code delivery failed');
  });

  it('every attempt failing (5xx): 3 attempts, then CodeDeliveryFailureException', async () => {
    sink.script.push(500, 502, 503);
    const pool = await phonePool(srv.admin);
    await expectServiceError(signUp(srv, pool.clientId, 'alldown', '+15555550105'), 'CodeDeliveryFailureException');
    expect(sink.received).toHaveLength(3);
    codes.push(String(sink.received[0]!.body.code));
  });

  it('a receiver that does not answer within the timeout is retried', async () => {
    sink.script.push('hang');
    const pool = await phonePool(srv.admin);
    const started = Date.now();
    await signUp(srv, pool.clientId, 'slowuser', '+15555550106');
    expect(Date.now() - started).toBeGreaterThanOrEqual(400);
    expect(sink.received).toHaveLength(2);
    expect(sink.received[1]!.body.messageId).toBe(sink.received[0]!.body.messageId);
    codes.push(String(sink.received[0]!.body.code));
    const id = String(sink.received[0]!.body.messageId);
    const timedOut = srv.log.lines.find((l) => JSON.stringify(l.obj).includes(id) && l.level === 'warn');
    expect((timedOut?.obj as { reason: string }).reason).toBe('timed out after 400 ms');
  });

  it('ForgotPassword for a user whose verified channel is the phone: the reset code goes by webhook', async () => {
    const pool = await phonePool(srv.admin);
    await signUp(srv, pool.clientId, 'forgetful', '+15555550107');
    const signupCode = String(sink.received[0]!.body.code);
    codes.push(signupCode);
    await srv.client.send(new ConfirmSignUpCommand({ ClientId: pool.clientId, Username: 'forgetful', ConfirmationCode: signupCode }));
    const r = await srv.client.send(new ForgotPasswordCommand({ ClientId: pool.clientId, Username: 'forgetful' }));
    expect(r.CodeDeliveryDetails).toMatchObject({ DeliveryMedium: 'SMS', AttributeName: 'phone_number' });
    const deadline = Date.now() + 5000;
    while (sink.received.length < 2 && Date.now() < deadline) await new Promise((res) => setTimeout(res, 20));
    expect(sink.received[1]!.body).toMatchObject({ purpose: 'forgot', to: '+15555550107' });
    codes.push(String(sink.received[1]!.body.code));
  });

  it('an AdminCreateUser invitation to a phone-only user goes by webhook; the temporary password is never logged', async () => {
    const pool = await phonePool(srv.admin);
    await srv.admin.send(
      new AdminCreateUserCommand({
        UserPoolId: pool.userPoolId,
        Username: 'invited',
        TemporaryPassword: 'Temp0rary!Pass',
        UserAttributes: [{ Name: 'phone_number', Value: '+15555550108' }],
      }),
    );
    expect(sink.received).toHaveLength(1);
    expect(sink.received[0]!.body).toMatchObject({ purpose: 'invitation', to: '+15555550108', code: 'Temp0rary!Pass' });
    expect(sink.received[0]!.body.message).toContain('Temp0rary!Pass');
    expect(srv.log.text()).not.toContain('Temp0rary!Pass');
  });

  it('an SMS_OTP sign-in code goes by webhook (purpose signin), never to the outbox, and signs in', async () => {
    const created = await srv.admin.send(
      new CreateUserPoolCommand({
        PoolName: `sms-otp-${Date.now()}`,
        AutoVerifiedAttributes: ['phone_number'],
        Policies: { SignInPolicy: { AllowedFirstAuthFactors: ['PASSWORD', 'SMS_OTP'] } },
      }),
    );
    const userPoolId = created.UserPool!.Id!;
    const client = await srv.admin.send(
      new CreateUserPoolClientCommand({ UserPoolId: userPoolId, ClientName: 'web', ExplicitAuthFlows: ['ALLOW_USER_AUTH'] }),
    );
    const clientId = client.UserPoolClient!.ClientId!;
    await signUp(srv, clientId, 'otpsms', '+15555550109');
    const signupCode = String(sink.received[0]!.body.code);
    codes.push(signupCode);
    await srv.client.send(new ConfirmSignUpCommand({ ClientId: clientId, Username: 'otpsms', ConfirmationCode: signupCode }));
    const challenge = await srv.client.send(
      new InitiateAuthCommand({
        ClientId: clientId,
        AuthFlow: 'USER_AUTH',
        AuthParameters: { USERNAME: 'otpsms', PREFERRED_CHALLENGE: 'SMS_OTP' },
      }),
    );
    expect(challenge.ChallengeName).toBe('SMS_OTP');
    expect(challenge.ChallengeParameters).toMatchObject({ CODE_DELIVERY_DELIVERY_MEDIUM: 'SMS' });
    // With PreventUserExistenceErrors the code is sent after the answer: wait (bounded) for the receiver.
    const deadline = Date.now() + 5000;
    while (sink.received.length < 2 && Date.now() < deadline) await new Promise((res) => setTimeout(res, 20));
    const sent = sink.received[1]!;
    verifyWebhookSignature(SECRET, sent.headers[WEBHOOK_SIGNATURE_HEADER] as string, sent.raw);
    expect(sent.body).toMatchObject({ type: 'sms', purpose: 'signin', to: '+15555550109', code: expect.stringMatching(/^\d{8}$/) });
    codes.push(String(sent.body.code));
    expect(await srv.services.store.listOutbox(userPoolId, 10)).toHaveLength(0);
    const done = await srv.client.send(
      new RespondToAuthChallengeCommand({
        ClientId: clientId,
        ChallengeName: 'SMS_OTP',
        Session: challenge.Session,
        ChallengeResponses: { USERNAME: 'otpsms', SMS_OTP_CODE: String(sent.body.code) },
      }),
    );
    expect(done.AuthenticationResult?.AccessToken).toBeTruthy();
  });

  it('the server log never contains a code, a message body or the secret', () => {
    expect(codes.length).toBeGreaterThanOrEqual(9);
    const log = srv.log.text();
    expect(log).toContain('SMS sent by webhook');
    // Word-bounded, so that six digits inside a timestamp or an id cannot fail the test by chance.
    for (const code of codes) expect(log).not.toMatch(new RegExp(`(?<![0-9])${code}(?![0-9])`));
    expect(log).not.toContain('Your code is');
    expect(log).not.toContain(SECRET);
    expect(log).not.toContain(sink.url);
  });

  it('the send budget: SignUp and 4 resends text 5 times; the 6th is refused and texts nothing; an hour later it goes', async () => {
    const pool = await phonePool(srv.admin);
    await signUp(srv, pool.clientId, 'smsbudget', '+15555550130');
    const resend = () => srv.client.send(new ResendConfirmationCodeCommand({ ClientId: pool.clientId, Username: 'smsbudget' }));
    // With existence errors prevented a resend is texted after the answer: wait (bounded) for the receiver.
    const texts = async (n: number) => {
      for (let i = 0; i < 100 && sink.received.length < n; i++) await new Promise((r) => setTimeout(r, 20));
      return sink.received.filter((r) => r.body.to === '+15555550130').length;
    };
    for (let i = 0; i < 4; i++) await resend();
    expect(await texts(5)).toBe(5);
    await expectServiceError(resend(), 'LimitExceededException', 'Attempt limit exceeded, please try after some time.');
    try {
      srv.clock.advance(3600_000);
      await resend();
      // Six texts in all: the refused request sent none (it would be a seventh).
      expect(await texts(7)).toBe(6);
    } finally {
      srv.clock.offset = 0;
    }
  });
});

describe('a receiver that is down', () => {
  it('connection refused is retried, then SignUp answers CodeDeliveryFailureException; the log names the reason', async () => {
    const closed = await freePort();
    const srv = await startTestServer('sqlite', {
      env: { LATCHKEY_SMS_WEBHOOK_URL: `http://127.0.0.1:${closed}/sms`, LATCHKEY_SMS_WEBHOOK_SECRET: SECRET },
    });
    try {
      const pool = await phonePool(srv.admin);
      await expectServiceError(signUp(srv, pool.clientId, 'nobodyhome', '+15555550120'), 'CodeDeliveryFailureException');
      const attempts = srv.log.lines.filter((l) => l.msg?.startsWith('SMS webhook'));
      expect(attempts.map((l) => [(l.obj as { attempt: number }).attempt, (l.obj as { reason: string }).reason])).toEqual([
        [1, 'unreachable (ECONNREFUSED)'],
        [2, 'unreachable (ECONNREFUSED)'],
        [3, 'unreachable (ECONNREFUSED)'],
      ]);
      expect(srv.log.text()).not.toContain(SECRET);
      expect(srv.log.text()).not.toContain('Your code is');
    } finally {
      await srv.stop();
    }
  });
});

describe('without LATCHKEY_SMS_WEBHOOK_URL (as before the webhook)', () => {
  it('a phone sign-up code goes to the development outbox', async () => {
    const srv = await startTestServer('sqlite');
    try {
      const pool = await phonePool(srv.admin);
      const r = await signUp(srv, pool.clientId, 'outboxsms', '+15555550109');
      expect(r.CodeDeliveryDetails).toMatchObject({ DeliveryMedium: 'SMS' });
      const [m] = await srv.services.store.listOutbox(pool.userPoolId, 10);
      expect(m).toMatchObject({ destination: '+15555550109', body: `Your code is ${m!.code}` });
      await srv.client.send(new ConfirmSignUpCommand({ ClientId: pool.clientId, Username: 'outboxsms', ConfirmationCode: m!.code! }));
    } finally {
      await srv.stop();
    }
  });
});

describe('LATCHKEY_SMS_WEBHOOK_* options', () => {
  const env = (url: string, secret: string | null = SECRET) => ({
    LATCHKEY_SMS_WEBHOOK_URL: url,
    ...(secret === null ? {} : { LATCHKEY_SMS_WEBHOOK_SECRET: secret }),
  });

  it('https:// anywhere and http:// on loopback are accepted; timeout and attempts default to 5 s and 3', () => {
    for (const url of ['https://sms.example.com/hook', 'http://127.0.0.1:8080/x', 'http://[::1]:9/', 'http://localhost:1/a']) {
      expect(loadConfig({}, env(url)).smsWebhookUrl, url).toBe(new URL(url).href);
    }
    expect(loadConfig({}, env('https://sms.example.com/'))).toMatchObject({ smsWebhookTimeoutMs: 5000, smsWebhookAttempts: 3 });
    expect(loadConfig({}, {}).smsWebhookUrl).toBeUndefined();
  });

  it('http:// to another host, another scheme, credentials in the URL or no URL at all are refused without echoing it', () => {
    const urls = ['http://sms.example.com/hook?token=hunter2', 'http://10.0.0.1/hunter2', 'ftp://127.0.0.1/hunter2', 'hunter2'];
    // fetch() refuses credentials in a URL, so user:token@ could never deliver: refused at start-up instead.
    urls.push('https://api:hunter2@sms.example.com/hook', 'http://hunter2@127.0.0.1/hook');
    for (const url of urls) {
      expect(() => loadConfig({}, env(url)), url).toThrow(/^LATCHKEY_SMS_WEBHOOK_URL must be an https:\/\/ URL/);
      expect(() => loadConfig({}, env(url)), url).not.toThrow(/hunter2/);
    }
  });

  it('the secret is required with the URL and must be ≥ 32 characters; timeout and attempts are bounded', () => {
    expect(() => loadConfig({}, env('https://sms.example.com/', null))).toThrow(/needs LATCHKEY_SMS_WEBHOOK_SECRET/);
    expect(() => loadConfig({}, env('https://sms.example.com/', 'short'))).toThrow(/at least 32 characters/);
    const base = env('https://sms.example.com/');
    expect(() => loadConfig({}, { ...base, LATCHKEY_SMS_WEBHOOK_TIMEOUT_MS: '50' })).toThrow(/100\.\.60000/);
    expect(() => loadConfig({}, { ...base, LATCHKEY_SMS_WEBHOOK_ATTEMPTS: '0' })).toThrow(/1\.\.10/);
  });
});

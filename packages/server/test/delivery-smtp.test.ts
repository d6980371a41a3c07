import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:net';
import { ForgotPasswordCommand, SignUpCommand } from '@aws-sdk/client-cognito-identity-provider';
import { startTestServer, type TestServer } from './helpers/harness.js';
import { createTestPool } from './helpers/pool.js';
import { adminCreateConfirmedUser } from './helpers/latchkeyAdmin.js';
import { freePort } from './helpers/processes.js';

/** A minimal SMTP server on loopback that records what it receives. */
function smtpSink(): Promise<{ server: Server; port: number; messages: string[] }> {
  const messages: string[] = [];
  const server = createServer((socket) => {
    let data = false;
    let body = '';
    socket.write('220 sink ESMTP\r\n');
    let buffer = '';
    socket.on('data', (chunk) => {
      buffer += chunk.toString('utf8');
      let i: number;
      while ((i = buffer.indexOf('\r\n')) >= 0) {
        const line = buffer.slice(0, i);
        buffer = buffer.slice(i + 2);
        if (data) {
          if (line === '.') {
            data = false;
            messages.push(body);
            body = '';
            socket.write('250 OK queued\r\n');
          } else body += line + '\n';
          continue;
        }
        const cmd = line.slice(0, 4).toUpperCase();
        if (cmd === 'EHLO' || cmd === 'HELO') socket.write('250-sink\r\n250 8BITMIME\r\n');
        else if (cmd === 'MAIL' || cmd === 'RCPT' || cmd === 'RSET' || cmd === 'NOOP') socket.write('250 OK\r\n');
        else if (cmd === 'DATA') {
          data = true;
          socket.write('354 go ahead\r\n');
        } else if (cmd === 'QUIT') {
          socket.end('221 bye\r\n');
        } else socket.write('502 not implemented\r\n');
      }
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve({ server, port: (server.address() as { port: number }).port, messages })),
  );
}

describe('SMTP delivery of codes', () => {
  let sink: Awaited<ReturnType<typeof smtpSink>>;
  let server: TestServer;

  beforeAll(async () => {
    sink = await smtpSink();
    server = await startTestServer('sqlite', {
      env: { LATCHKEY_SMTP_URL: `smtp://127.0.0.1:${sink.port}`, LATCHKEY_SMTP_FROM: 'auth@example.com' },
    });
  });
  afterAll(async () => {
    await server.stop();
    sink.server.close();
  });

  it('sends the sign-up code by mail, not to the outbox, and never logs it', async () => {
    const pool = await createTestPool(server.admin);
    await server.client.send(
      new SignUpCommand({
        ClientId: pool.clientId,
        Username: 'mailuser',
        Password: 'Passw0rdX',
        UserAttributes: [{ Name: 'email', Value: 'mailuser@example.com' }],
      }),
    );
    expect(sink.messages).toHaveLength(1);
    const mail = sink.messages[0]!;
    expect(mail).toMatch(/To: mailuser@example.com/i);
    expect(mail).toMatch(/From: auth@example.com/i);
    const code = /Your code is (\d{6})/.exec(mail)?.[1];
    expect(code).toMatch(/^\d{6}$/);
    expect(await server.services.store.listOutbox(pool.userPoolId, 10)).toHaveLength(0);
    expect(server.log.text()).not.toContain(code);
  });

  it('ForgotPassword (existence errors prevented) answers without waiting for the mail server; the mail follows', async () => {
    const pool = await createTestPool(server.admin);
    await adminCreateConfirmedUser(server.admin, pool.userPoolId, 'resetuser');
    const before = sink.messages.length;
    const r = await server.client.send(new ForgotPasswordCommand({ ClientId: pool.clientId, Username: 'resetuser' }));
    expect(r.CodeDeliveryDetails?.Destination).toBe('r***@e***');
    const deadline = Date.now() + 5000;
    while (sink.messages.length === before && Date.now() < deadline) await new Promise((res) => setTimeout(res, 20));
    expect(sink.messages.slice(before).join('\n')).toMatch(/To: resetuser@example.com/i);
  });

  it('an EMAIL_OTP sign-in code goes by mail (8 digits, not to the outbox, never logged) and signs in', async () => {
    const pool = await createTestPool(server.admin, { factors: ['PASSWORD', 'EMAIL_OTP'] });
    await adminCreateConfirmedUser(server.admin, pool.userPoolId, 'otpmail');
    const before = sink.messages.length;
    const r = await server.call('InitiateAuth', {
      ClientId: pool.clientId,
      AuthFlow: 'USER_AUTH',
      AuthParameters: { USERNAME: 'otpmail', PREFERRED_CHALLENGE: 'EMAIL_OTP' },
    });
    expect(r.json.ChallengeParameters).toEqual({ CODE_DELIVERY_DELIVERY_MEDIUM: 'EMAIL', CODE_DELIVERY_DESTINATION: 'o***@e***' });
    // Existence errors are prevented (the test pool's default): the mail follows the answer.
    const deadline = Date.now() + 5000;
    while (sink.messages.length === before && Date.now() < deadline) await new Promise((res) => setTimeout(res, 20));
    const mail = sink.messages.slice(before).join('\n');
    expect(mail).toMatch(/To: otpmail@example.com/i);
    const code = /Your sign-in code is (\d{8})/.exec(mail)?.[1];
    expect(code).toMatch(/^\d{8}$/);
    expect(await server.services.store.listOutbox(pool.userPoolId, 10)).toHaveLength(0);
    expect(server.log.text()).not.toContain(code);
    const done = await server.call('RespondToAuthChallenge', {
      ClientId: pool.clientId,
      ChallengeName: 'EMAIL_OTP',
      Session: r.json.Session,
      ChallengeResponses: { USERNAME: 'otpmail', EMAIL_OTP_CODE: code },
    });
    expect(done.json.AuthenticationResult?.AccessToken).toBeTruthy();
  });

  it(
    "a mail server that is down: a real user's ForgotPassword answers like an " +
      "unknown name's (no CodeDeliveryFailureException); the failure is logged",
    async () => {
      const closed = await freePort();
      const down = await startTestServer('sqlite', { env: { LATCHKEY_SMTP_URL: `smtp://127.0.0.1:${closed}` } });
      try {
        const pool = await createTestPool(down.admin);
        await adminCreateConfirmedUser(down.admin, pool.userPoolId, 'downuser');
        const known = await down.client.send(new ForgotPasswordCommand({ ClientId: pool.clientId, Username: 'downuser' }));
        const unknown = await down.client.send(new ForgotPasswordCommand({ ClientId: pool.clientId, Username: 'nobody-here' }));
        expect(known.CodeDeliveryDetails).toEqual({ Destination: 'd***@e***', DeliveryMedium: 'EMAIL', AttributeName: 'email' });
        expect(unknown.CodeDeliveryDetails).toMatchObject({ DeliveryMedium: 'EMAIL', AttributeName: 'email' });
        const deadline = Date.now() + 10_000;
        while (!down.log.text().includes('code delivery failed (background)') && Date.now() < deadline)
          await new Promise((res) => setTimeout(res, 50));
        expect(down.log.text()).toContain('code delivery failed (background)');
      } finally {
        await down.stop();
      }
    },
  );
});

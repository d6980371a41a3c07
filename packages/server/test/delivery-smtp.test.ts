import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:net';
import { SignUpCommand } from '@aws-sdk/client-cognito-identity-provider';
import { startTestServer, type TestServer } from './helpers/harness.js';
import { createTestPool } from './helpers/pool.js';

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
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, port: (server.address() as { port: number }).port, messages })));
}

describe('SMTP delivery of codes', () => {
  let sink: Awaited<ReturnType<typeof smtpSink>>;
  let server: TestServer;

  beforeAll(async () => {
    sink = await smtpSink();
    server = await startTestServer('sqlite', { env: { LATCHKEY_SMTP_URL: `smtp://127.0.0.1:${sink.port}`, LATCHKEY_SMTP_FROM: 'auth@example.com' } });
  });
  afterAll(async () => {
    await server.stop();
    sink.server.close();
  });

  it('sends the sign-up code by mail, not to the outbox, and never logs it', async () => {
    const pool = await createTestPool(server.admin);
    await server.client.send(new SignUpCommand({ ClientId: pool.clientId, Username: 'mailuser', Password: 'Passw0rdX', UserAttributes: [{ Name: 'email', Value: 'mailuser@example.com' }] }));
    expect(sink.messages).toHaveLength(1);
    const mail = sink.messages[0]!;
    expect(mail).toMatch(/To: mailuser@example.com/i);
    expect(mail).toMatch(/From: auth@example.com/i);
    const code = /Your code is (\d{6})/.exec(mail)?.[1];
    expect(code).toMatch(/^\d{6}$/);
    expect(await server.services.store.listOutbox(pool.userPoolId, 10)).toHaveLength(0);
    expect(server.log.text()).not.toContain(code);
  });
});

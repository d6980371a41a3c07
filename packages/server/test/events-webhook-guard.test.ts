/**
 * The event webhook goes through the trigger SSRF guard and reads little of an answer: an https:// webhook on a
 * non-public address is refused before any connection (unless LATCHKEY_TRIGGER_ALLOW_PRIVATE), and a receiver that
 * answers 200 with an endless body gets its event marked delivered after at most 64 KiB is read, the rest dropped.
 * Real servers on SQLite and PostgreSQL, loopback listeners.
 */
import { createServer as createTcpServer, type Server as TcpServer } from 'node:net';
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdminCreateUserCommand } from '@aws-sdk/client-cognito-identity-provider';
import { DIALECTS, startTestServer, type TestServer } from './helpers/harness.js';
import { createTestPool } from './helpers/pool.js';
import { expectNoInternalErrors } from './helpers/errors.js';
import { signedCall } from './helpers/latchkeyAdmin.js';

const FAST = { LATCHKEY_EVENT_RETRY_BASE_MS: '50', LATCHKEY_EVENT_POLL_MS: '20' };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const listen = async (s: TcpServer | Server) => {
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const a = s.address();
  return typeof a === 'object' && a ? a.port : 0;
};
const close = (s: TcpServer | Server) => new Promise<void>((resolve) => s.close(() => resolve()));

async function webhookPool(server: TestServer, url: string) {
  const pool = await createTestPool(server.admin);
  const r = await signedCall(server, 'LatchkeyUpdateUserPoolSettings', { UserPoolId: pool.userPoolId, Settings: { eventWebhookUrl: url } });
  expect(r.status).toBe(200);
  return pool;
}

const attemptLogs = (server: TestServer, msg: string) =>
  server.log.lines.filter((l) => l.msg === msg) as { obj: Record<string, unknown> }[];

describe.each(DIALECTS)('event webhook SSRF guard and response cap on %s', (dialect) => {
  let server: TestServer;
  let open: TestServer;
  let connections = 0;
  let tcpPort = 0;
  const tcp = createTcpServer((sock) => {
    connections++;
    sock.destroy();
  });

  beforeAll(async () => {
    tcpPort = await listen(tcp);
    server = await startTestServer(dialect, { env: FAST });
    open = await startTestServer(dialect, { env: { ...FAST, LATCHKEY_TRIGGER_ALLOW_PRIVATE: 'true' } });
  });
  afterAll(async () => {
    expectNoInternalErrors(server);
    expectNoInternalErrors(open);
    await server.stop();
    await open.stop();
    await close(tcp);
  });

  it('an https:// webhook on a loopback address is refused before connecting; LATCHKEY_TRIGGER_ALLOW_PRIVATE lets it connect', async () => {
    const url = `https://127.0.0.1:${tcpPort}/events`;
    const pool = await webhookPool(server, url);
    await server.admin.send(new AdminCreateUserCommand({ UserPoolId: pool.userPoolId, Username: 'guarded', MessageAction: 'SUPPRESS' }));
    const failed = () => attemptLogs(server, 'event webhook attempt failed').filter((l) => l.obj.poolId === pool.userPoolId);
    for (let i = 0; i < 200 && failed().length < 2; i++) await sleep(25);
    expect(failed().length).toBeGreaterThanOrEqual(2);
    expect(String(failed()[0]!.obj.reason)).toMatch(/non-public/);
    expect(connections).toBe(0);

    const allowed = await webhookPool(open, url);
    await open.admin.send(new AdminCreateUserCommand({ UserPoolId: allowed.userPoolId, Username: 'allowed', MessageAction: 'SUPPRESS' }));
    for (let i = 0; i < 200 && connections === 0; i++) await sleep(25);
    expect(connections).toBeGreaterThan(0);
  });

  it('a 200 with an endless body: delivered once, having read at most a little of it', async () => {
    let requests = 0;
    let written = 0;
    const chunk = Buffer.alloc(16 * 1024, 'x');
    const endless = createServer((req, res) => {
      requests++;
      req.resume();
      req.on('end', () => {
        res.writeHead(200, { 'content-type': 'application/json' });
        const pump = () => {
          while (!res.destroyed && written < 256 * 1024 * 1024) {
            written += chunk.length;
            if (!res.write(chunk)) return void res.once('drain', pump);
          }
        };
        pump();
      });
    });
    const port = await listen(endless);
    try {
      const pool = await webhookPool(server, `http://127.0.0.1:${port}/events`);
      await server.admin.send(new AdminCreateUserCommand({ UserPoolId: pool.userPoolId, Username: 'endless', MessageAction: 'SUPPRESS' }));
      const delivered = () => attemptLogs(server, 'event delivered').filter((l) => l.obj.poolId === pool.userPoolId);
      for (let i = 0; i < 200 && delivered().length === 0; i++) await sleep(25);
      expect(delivered()).toHaveLength(1);
      await sleep(300);
      expect(requests).toBe(1);
      // Socket buffers hold some more than was read, but nowhere near the 256 MiB on offer.
      expect(written).toBeLessThan(16 * 1024 * 1024);
    } finally {
      endless.closeAllConnections();
      await close(endless);
    }
  });
});

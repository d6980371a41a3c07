/**
 * docs/sms-webhook.md: the example receiver, run exactly as written (extracted from the document), between a
 * Latchkey server with LATCHKEY_SMS_WEBHOOK_URL and a stand-in SMS provider on loopback.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  ConfirmSignUpCommand,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  SignUpCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { signWebhook } from '@latchkey/server';
import { startTestServer, type TestServer } from './helpers/harness.js';
import { freePort } from './helpers/processes.js';
import { ROOT } from '../../../test/e2e/helpers/bundle.js';

const DOC = join(ROOT, 'docs', 'sms-webhook.md');
const SECRET = 'sms-doc-secret-0123456789-abcdefghijklmn';

/** The first ```js block of the document. */
function snippet(): string {
  const m = /```js\n([\s\S]*?)```/.exec(readFileSync(DOC, 'utf8'));
  if (!m) throw new Error(`no js code block in ${DOC}`);
  return m[1]!;
}

describe('docs/sms-webhook.md: the example receiver', () => {
  const sent: { headers: IncomingMessage['headers']; form: URLSearchParams }[] = [];
  const answers: number[] = [];
  let provider: Server;
  let receiver: Server;
  let receiverUrl: string;
  let srv: TestServer;
  let clientId: string;
  const dir = join(ROOT, 'node_modules', '.cache', 'latchkey-doc-snippets', `sms-${process.pid}`);

  beforeAll(async () => {
    provider = createServer((req, res) => {
      let raw = '';
      req.on('data', (c: Buffer) => (raw += c.toString('utf8')));
      req.on('end', () => {
        sent.push({ headers: req.headers, form: new URLSearchParams(raw) });
        res.writeHead(answers.shift() ?? 201).end('{}');
      });
    });
    await new Promise<void>((r) => provider.listen(0, '127.0.0.1', r));
    const port = await freePort();
    Object.assign(process.env, {
      PORT: String(port),
      SMS_WEBHOOK_SECRET: SECRET,
      PROVIDER_URL: `http://127.0.0.1:${(provider.address() as { port: number }).port}/Messages.json`,
      PROVIDER_AUTH: 'Basic cHJvdmlkZXI6dG9rZW4=',
      SMS_FROM: '+15550009999',
    });
    mkdirSync(dir, { recursive: true });
    const file = join(dir, 'receiver.mjs');
    // The document's code as written, plus an export so that the test can close its server.
    writeFileSync(file, `${snippet()}\nexport { server };\n`);
    receiver = ((await import(pathToFileURL(file).href)) as { server: Server }).server;
    if (!receiver.listening) await new Promise((r) => receiver.once('listening', r));
    receiverUrl = `http://127.0.0.1:${port}/sms`;
    srv = await startTestServer('sqlite', { env: { LATCHKEY_SMS_WEBHOOK_URL: receiverUrl, LATCHKEY_SMS_WEBHOOK_SECRET: SECRET } });
    const pool = await srv.admin.send(new CreateUserPoolCommand({ PoolName: 'sms-doc', AutoVerifiedAttributes: ['phone_number'] }));
    const client = await srv.admin.send(new CreateUserPoolClientCommand({ UserPoolId: pool.UserPool!.Id!, ClientName: 'web' }));
    clientId = client.UserPoolClient!.ClientId!;
  });
  beforeEach(() => {
    sent.length = 0;
    answers.length = 0;
  });
  afterAll(async () => {
    await srv?.stop();
    for (const k of ['PORT', 'SMS_WEBHOOK_SECRET', 'PROVIDER_URL', 'PROVIDER_AUTH', 'SMS_FROM']) delete process.env[k];
    await new Promise((r) => receiver?.close(r));
    await new Promise((r) => provider?.close(r));
    rmSync(dir, { recursive: true, force: true });
  });

  const signUp = (username: string, phone: string) =>
    srv.client.send(
      new SignUpCommand({
        ClientId: clientId,
        Username: username,
        Password: 'Passw0rd!X',
        UserAttributes: [{ Name: 'phone_number', Value: phone }],
      }),
    );

  it('forwards a sign-up code to the provider; the code confirms the user', async () => {
    await signUp('docuser', '+15555550110');
    expect(sent).toHaveLength(1);
    expect(sent[0]!.headers.authorization).toBe('Basic cHJvdmlkZXI6dG9rZW4=');
    const form = Object.fromEntries(sent[0]!.form);
    expect(form).toEqual({ To: '+15555550110', From: '+15550009999', Body: expect.stringMatching(/^Your code is \d{6}$/) });
    const code = form.Body!.slice(-6);
    await srv.client.send(new ConfirmSignUpCommand({ ClientId: clientId, Username: 'docuser', ConfirmationCode: code }));
  });

  it('a provider failure becomes a 502 that Latchkey retries: the SMS is sent on the second attempt', async () => {
    answers.push(503);
    await signUp('docretry', '+15555550111');
    expect(sent).toHaveLength(2);
    expect(sent[1]!.form.get('Body')).toBe(sent[0]!.form.get('Body'));
  });

  it('refuses an unsigned or wrongly signed request (401) and sends a replayed messageId only once', async () => {
    const body = JSON.stringify({ type: 'sms', to: '+15555550112', message: 'Your code is 000000', messageId: 'replayed-id' });
    const post = (signature?: string) =>
      fetch(receiverUrl, { method: 'POST', body, headers: signature ? { 'x-latchkey-signature': signature } : {} });
    expect((await post()).status).toBe(401);
    expect((await post(signWebhook(SECRET.toUpperCase(), body))).status).toBe(401);
    expect(sent).toHaveLength(0);
    expect((await post(signWebhook(SECRET, body))).status).toBe(200);
    expect((await post(signWebhook(SECRET, body))).status).toBe(200);
    expect(sent).toHaveLength(1);
  });
});

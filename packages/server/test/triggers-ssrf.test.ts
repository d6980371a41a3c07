/**
 * Trigger URLs and SSRF: by default an https:// trigger whose host is (or resolves to) a private, link-local or loopback
 * address is refused when the call is made, before any connection (counted at a real TCP listener on 127.0.0.1), with
 * Cognito's UnexpectedLambdaException; LATCHKEY_TRIGGER_ALLOW_PRIVATE=1 lets the call through. http:// on loopback (the
 * development receivers every trigger test uses) still works. SQLite and PostgreSQL.
 */
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from './helpers/harness.js';
import { expectServiceError } from './helpers/errors.js';
import { adminCreateConfirmedUser, initiatePasswordAuth } from './helpers/latchkeyAdmin.js';
import { startTriggerRig, type TriggerRig } from './helpers/triggerReceiver.js';
import { isNonPublicAddress } from '../src/triggers/guardedHttps.js';

/** A TCP listener that counts connections and closes each at once (no TLS: a call that reaches it fails). */
async function countingListener(): Promise<{ port: number; connections: () => number; close: () => Promise<void> }> {
  let n = 0;
  const sockets = new Set<Socket>();
  const server: Server = createServer((s) => {
    n++;
    sockets.add(s);
    s.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    connections: () => n,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

it('non-public addresses: private, link-local, loopback, unique-local, mapped; public ones pass', () => {
  for (const ip of ['10.1.2.3', '172.16.0.1', '172.31.255.255', '192.168.1.1', '169.254.169.254', '127.0.0.1', '0.0.0.0', '100.64.0.1'])
    expect({ ip, blocked: isNonPublicAddress(ip) }).toEqual({ ip, blocked: true });
  for (const ip of ['::1', '::', 'fe80::1', 'fd00::1', 'fc00::1', '::ffff:10.0.0.1', '::ffff:127.0.0.1', '::ffff:7f00:1'])
    expect({ ip, blocked: isNonPublicAddress(ip) }).toEqual({ ip, blocked: true });
  for (const ip of ['8.8.8.8', '1.1.1.1', '172.32.0.1', '2606:4700:4700::1111', '::ffff:8.8.8.8'])
    expect({ ip, blocked: isNonPublicAddress(ip) }).toEqual({ ip, blocked: false });
});

describe.each(DIALECTS)('trigger URLs and private addresses on %s', (dialect) => {
  let strict: TriggerRig;
  let open: TriggerRig;
  let listener: Awaited<ReturnType<typeof countingListener>>;
  let n = 0;
  const uniq = (p: string) => `${p}${++n}${dialect}`;

  beforeAll(async () => {
    listener = await countingListener();
    strict = await startTriggerRig(dialect, { timeoutMs: 1000 });
    open = await startTriggerRig(dialect, { timeoutMs: 1000, env: { LATCHKEY_TRIGGER_ALLOW_PRIVATE: '1' } });
  });
  afterAll(async () => {
    await strict?.stop();
    await open?.stop();
    await listener?.close();
  });

  const signInThrough = async (rig: TriggerRig, url: string) => {
    await rig.setTriggers({ PreAuthentication: url });
    const name = uniq('ssrf');
    await adminCreateConfirmedUser(rig.server.admin, rig.pool.userPoolId, name);
    await expectServiceError(
      initiatePasswordAuth(rig.server.client, rig.pool.clientId, name),
      'UnexpectedLambdaException',
      /^PreAuthentication invocation failed due to error Unable to reach the trigger endpoint\.$/,
    );
  };

  it('by default an https:// trigger on a loopback or private host is refused before connecting', async () => {
    const before = listener.connections();
    for (const host of ['127.0.0.1', 'localhost', '[::ffff:127.0.0.1]', '169.254.169.254', '10.0.0.1'])
      await signInThrough(strict, `https://${host}:${listener.port}/pre`);
    expect(listener.connections()).toBe(before);
  });

  it('LATCHKEY_TRIGGER_ALLOW_PRIVATE=1: the same URL is called (it reaches the listener)', async () => {
    const before = listener.connections();
    await signInThrough(open, `https://127.0.0.1:${listener.port}/pre`);
    await signInThrough(open, `https://localhost:${listener.port}/pre`);
    expect(listener.connections()).toBeGreaterThanOrEqual(before + 2);
  });

  it('http:// on loopback (development receivers) still works by default', async () => {
    const url = strict.receiver.lambda('/pre-ok', (e) => e);
    await strict.setTriggers({ PreAuthentication: url });
    const name = uniq('dev');
    await adminCreateConfirmedUser(strict.server.admin, strict.pool.userPoolId, name);
    expect((await initiatePasswordAuth(strict.server.client, strict.pool.clientId, name)).AuthenticationResult?.AccessToken).toBeTruthy();
    await strict.setTriggers({});
  });
});

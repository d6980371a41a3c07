/**
 * Lifecycle events with real server processes: SIGKILL while events are pending loses none (after a restart on
 * the same database every committed event reaches the receiver), on SQLite and PostgreSQL; and two instances on one
 * PostgreSQL schema, or `serve --workers 2` on SQLite, deliver each event once per attempt (deliveries counted per id
 * at a loopback receiver).
 * Short retry, poll and lease times through the documented LATCHKEY_EVENT_* variables keep it fast.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AdminCreateUserCommand } from '@aws-sdk/client-cognito-identity-provider';
import { createTestPool } from './helpers/pool.js';
import { EventReceiver } from './helpers/eventReceiver.js';
import { PG_ADMIN_URL, dropSchema, randomName, startProcessPair, startServerProcess, type ServerProcess } from './helpers/processes.js';
import { verifyWebhookSignature } from '../src/security/webhookSignature.js';
import { configPropagated } from './helpers/configCache.js';
import { trackedProcesses } from './helpers/trackedProcesses.js';

const FAST = { LATCHKEY_EVENT_RETRY_BASE_MS: '100', LATCHKEY_EVENT_POLL_MS: '50', LATCHKEY_EVENT_LEASE_MS: '2000' };

const { alive, cleanups, start } = trackedProcesses(FAST);

async function webhookPool(inst: ServerProcess, url: string) {
  const pool = await createTestPool(inst.admin);
  const r = await inst.signedCall('LatchkeyUpdateUserPoolSettings', { UserPoolId: pool.userPoolId, Settings: { eventWebhookUrl: url } });
  expect(r.status).toBe(200);
  await configPropagated();
  return { ...pool, secret: r.json.Settings.webhookSecret as string };
}

const createUsers = (inst: ServerProcess, UserPoolId: string, names: string[]) =>
  Promise.all(names.map((Username) => inst.admin.send(new AdminCreateUserCommand({ UserPoolId, Username, MessageAction: 'SUPPRESS' }))));

describe.each(['sqlite', 'postgres'] as const)('SIGKILL with events pending (%s)', (dialect) => {
  it('after a restart every committed event is delivered (at least once, none lost), signed', async () => {
    const receiver = await new EventReceiver().start();
    cleanups.push(() => receiver.stop());
    const dataDir = mkdtempSync(join(tmpdir(), 'latchkey-events-'));
    cleanups.push(async () => rmSync(dataDir, { recursive: true, force: true }));
    const schema = randomName('ev_');
    const db = dialect === 'postgres' ? { databaseUrl: PG_ADMIN_URL, databaseSchema: schema } : { dataDir };
    if (dialect === 'postgres') cleanups.push(() => dropSchema(PG_ADMIN_URL, schema));

    const first = await start({ name: 'first', ...db });
    const pool = await webhookPool(first, receiver.url);
    receiver.status = 503;
    const names = Array.from({ length: 20 }, (_, i) => `killed-${i}`);
    await createUsers(first, pool.userPoolId, names); // every one answered 200: committed
    await receiver.waitFor(() => receiver.refused >= 5, 15_000, 'the worker trying (and failing) to deliver');
    expect((await first.kill()).signal).toBe('SIGKILL');
    alive.delete(first);

    receiver.status = 200;
    const second = await start({ name: 'second', ...db });
    await receiver.waitFor(() => names.every((n) => receiver.received.some((r) => r.json.username === n)), 30_000, 'all 20 events');
    for (const r of receiver.received) expect(() => verifyWebhookSignature(pool.secret, r.signature, r.raw)).not.toThrow();
    expect(new Set(receiver.received.map((r) => r.json.username))).toEqual(new Set(names));
    expect(second.errorLines()).toEqual([]);
    // SIGTERM: the worker stops claiming, waits for attempts in flight, and the process exits cleanly.
    expect(await second.stop(15_000)).toEqual({ code: 0, signal: null });
    alive.delete(second);
  }, 90_000);
});

describe.each([
  ['two instances on one PostgreSQL schema', 'postgres'],
  ['serve --workers 2 on one SQLite file', 'sqlite'],
] as const)('%s', (_label, dialect) => {
  it('deliver each event once per attempt: every id refused once and accepted once, never more', async () => {
    const receiver = await new EventReceiver().start();
    cleanups.push(() => receiver.stop());
    const instances = await startProcessPair(dialect, start, cleanups, 'ev2_');
    const pool = await webhookPool(instances[0]!, receiver.url);
    // The first attempt of every event is refused, the second accepted: a duplicate claim would show as a
    // third request (or a second acceptance) for some id.
    const seen = new Map<string, number>();
    // Slow answers keep one process's batch busy for several poll intervals, so the other process claims too
    // (with instant answers one process could drain all 60 before the other polls, and nothing would race).
    receiver.delayMs = 100;
    receiver.answer = (e) => {
      seen.set(e.id, (seen.get(e.id) ?? 0) + 1);
      return seen.get(e.id) === 1 ? 503 : 200;
    };
    const names = Array.from({ length: 60 }, (_, i) => `pair-${i}`);
    await Promise.all(
      instances.map((inst, k) =>
        createUsers(
          inst,
          pool.userPoolId,
          names.filter((_, i) => i % instances.length === k),
        ),
      ),
    );
    await receiver.waitFor(() => receiver.received.length >= names.length, 30_000, 'all 60 events delivered');
    // Let any stray duplicate arrive before counting (several poll intervals and a lease).
    await new Promise((r) => setTimeout(r, 2500));
    expect(receiver.received).toHaveLength(names.length);
    expect(new Set(receiver.received.map((r) => r.json.username))).toEqual(new Set(names));
    expect([...seen.values()].every((count) => count === 2)).toBe(true);
    expect(seen.size).toBe(names.length);
    expect(receiver.refused).toBe(names.length);
    // Every refused first attempt was logged once, by the process that held the lease; both processes took part.
    const failures = instances.flatMap((p) => p.logLines().filter((l) => l.msg === 'event webhook attempt failed'));
    expect(failures).toHaveLength(names.length);
    expect(new Set(failures.map((l) => l.pid)).size).toBe(2);
    expect(instances.flatMap((p) => p.errorLines())).toEqual([]);
  }, 90_000);
});

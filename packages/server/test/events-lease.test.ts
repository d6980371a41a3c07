/**
 * Event leases cover only the attempts in flight: a process leases as many events as it POSTs at once, so with a
 * slow receiver (each answer 400 ms, the lease 1 s, 5 attempts at a time) no event is POSTed after its lease ended
 * and none is taken and POSTed by the other process at the same time. Two instances on one PostgreSQL schema, and
 * `serve --workers 2` on one SQLite file; deliveries counted per id at a loopback receiver.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { AdminCreateUserCommand } from '@aws-sdk/client-cognito-identity-provider';
import { createTestPool } from './helpers/pool.js';
import { EventReceiver } from './helpers/eventReceiver.js';
import { startProcessPair, startServerProcess, type ServerProcess } from './helpers/processes.js';
import { configPropagated } from './helpers/configCache.js';
import { trackedProcesses } from './helpers/trackedProcesses.js';

// Lease 1 s (the minimum), so the attempt timeout is 500 ms: a 400 ms answer is in time, but a batch of 20 taken
// at once and sent 5 at a time would need 1.6 s, outliving its lease.
const ENV = { LATCHKEY_EVENT_RETRY_BASE_MS: '100', LATCHKEY_EVENT_POLL_MS: '50', LATCHKEY_EVENT_LEASE_MS: '1000' };

const { alive, cleanups, start } = trackedProcesses(ENV);

describe.each([
  ['two instances on one PostgreSQL schema', 'postgres'],
  ['serve --workers 2 on one SQLite file', 'sqlite'],
] as const)('%s', (_label, dialect) => {
  it('a slow receiver: every event accepted exactly once, none POSTed twice after a lease ran out', async () => {
    const receiver = await new EventReceiver().start();
    cleanups.push(() => receiver.stop());
    const instances = await startProcessPair(dialect, start, cleanups, 'evl_');
    const inst = instances[0]!;
    const pool = await createTestPool(inst.admin);
    const r = await inst.signedCall('LatchkeyUpdateUserPoolSettings', {
      UserPoolId: pool.userPoolId,
      Settings: { eventWebhookUrl: receiver.url },
    });
    expect(r.status).toBe(200);
    await configPropagated();
    // First attempts are refused at once, so all 40 events fall due again together (one retry delay later): then
    // each poll finds a full batch due, and every answer is slow.
    const accepted = new Map<string, number>();
    const refusedOnce = new Set<string>();
    receiver.answer = (e) => {
      if (!refusedOnce.has(e.id)) {
        refusedOnce.add(e.id);
        return 503;
      }
      accepted.set(e.id, (accepted.get(e.id) ?? 0) + 1);
      return 200;
    };
    const names = Array.from({ length: 40 }, (_, i) => `lease-${i}`);
    receiver.status = 503;
    await Promise.all(
      names.map((Username) =>
        inst.admin.send(new AdminCreateUserCommand({ UserPoolId: pool.userPoolId, Username, MessageAction: 'SUPPRESS' })),
      ),
    );
    await receiver.waitFor(() => refusedOnce.size >= names.length, 30_000, 'every first attempt refused');
    receiver.delayMs = 400;
    await receiver.waitFor(() => accepted.size >= names.length, 60_000, 'all 40 events accepted');
    // Let any late duplicate arrive (a lease and several polls).
    await new Promise((res) => setTimeout(res, 2500));
    const twice = [...accepted.entries()].filter(([, count]) => count > 1);
    expect(twice).toEqual([]);
    expect(accepted.size).toBe(names.length);
    expect(instances.flatMap((p) => p.errorLines())).toEqual([]);
  }, 120_000);
});

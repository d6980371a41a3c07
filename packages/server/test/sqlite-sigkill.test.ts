/**
 * The group-commit path (storage/sqlite/groupCommit.ts) under load: `latchkey serve` on SQLite with the default
 * `synchronous=full` is SIGKILLed while writes are in flight, restarted on the same data directory, and every write
 * it acknowledged is there. Writes are AdminCreateUser (user row, outbox event) and password sign-ins (token family,
 * sign-in event), 16 at a time. A SIGKILL keeps the kernel's page cache, so this shows that no answer goes out before
 * its COMMIT; that none goes out before its sync (a power cut) is sqlite-group-commit.test.ts's simulated power cut.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { AdminGetUserCommand } from '@aws-sdk/client-cognito-identity-provider';
import { createTestPool } from './helpers/pool.js';
import { adminCreateConfirmedUser, initiatePasswordAuth } from './helpers/latchkeyAdmin.js';
import { startServerProcess, type ServerProcess } from './helpers/processes.js';

describe('SQLite, synchronous=full with group commit: SIGKILL under load', () => {
  const dir = mkdtempSync(join(tmpdir(), 'latchkey-sigkill-'));
  const procs: ServerProcess[] = [];
  afterAll(async () => {
    for (const p of procs) await p.kill();
    rmSync(dir, { recursive: true, force: true });
  });

  it('loses no acknowledged user or sign-in', async () => {
    const A = await startServerProcess({ name: 'A', dataDir: dir });
    procs.push(A);
    const pool = await createTestPool(A.admin);
    const created: string[] = [];
    const signedIn: string[] = [];
    const failures: string[] = [];
    let inflight = 0;
    let killed = false;
    let n = 0;
    const loop = async () => {
      while (!killed) {
        const username = `kill-${process.pid}-${++n}`;
        inflight++;
        try {
          await adminCreateConfirmedUser(A.admin, pool.userPoolId, username);
          created.push(username);
          const r = await initiatePasswordAuth(A.client, pool.clientId, username);
          if (r.AuthenticationResult?.RefreshToken) signedIn.push(username);
        } catch (err) {
          if (!killed) failures.push(`${(err as Error).name}: ${(err as Error).message}`);
          return;
        } finally {
          inflight--;
        }
      }
    };
    const loops = Array.from({ length: 16 }, loop);
    for (const end = Date.now() + 20_000; signedIn.length < 100 && failures.length === 0 && Date.now() < end; )
      await new Promise((r) => setTimeout(r, 10));
    const deadline = Date.now() + 2000;
    while (inflight === 0 && Date.now() < deadline) await new Promise((r) => setImmediate(r));
    const inflightAtKill = inflight;
    killed = true;
    A.child.kill('SIGKILL');
    expect(await A.exited).toEqual({ code: null, signal: 'SIGKILL' });
    await Promise.all(loops);
    await A.kill();
    expect(failures, 'writes failed before the kill').toEqual([]);
    expect(inflightAtKill).toBeGreaterThan(0);
    expect(signedIn.length).toBeGreaterThanOrEqual(50);

    // The file as the killed process left it: every acknowledged sign-in's token family and event are there.
    const raw = new SQLite(join(dir, 'latchkey.db'), { readonly: true });
    try {
      const families = raw.prepare('SELECT count(*) AS c FROM token_families WHERE pool_id = ?').get(pool.userPoolId) as { c: number };
      expect(families.c).toBeGreaterThanOrEqual(signedIn.length);
    } finally {
      raw.close();
    }

    const B = await startServerProcess({ name: 'B', dataDir: dir });
    procs.push(B);
    const missing: string[] = [];
    for (let i = 0; i < created.length; i += 25)
      await Promise.all(
        created.slice(i, i + 25).map(async (u) => {
          try {
            await B.admin.send(new AdminGetUserCommand({ UserPoolId: pool.userPoolId, Username: u }));
          } catch {
            missing.push(u);
          }
        }),
      );
    expect(missing, `acknowledged users missing after the restart (of ${created.length})`).toEqual([]);
    // And they still sign in.
    const r = await initiatePasswordAuth(B.client, pool.clientId, signedIn[signedIn.length - 1]!);
    expect(r.AuthenticationResult?.AccessToken).toBeTruthy();
  });
});

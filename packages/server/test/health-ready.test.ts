import { afterAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DIALECTS, startTestServer } from './helpers/harness.js';
import { startServerProcess, type ServerProcess } from './helpers/processes.js';

/**
 * /health/live says the process answers; /health/ready (and /health, its alias) says the store
 * commits writes. With the disk full every write fails, so readiness must fail too.
 */
const root = mkdtempSync(join(tmpdir(), 'latchkey-health-'));

/** Polls GET `path` until it answers `status` (bounded); returns the last answer. */
async function waitForStatus(get: (path: string) => Promise<{ status: number; json: any }>, path: string, status: number, withinMs = 5000) {
  const deadline = Date.now() + withinMs;
  let last = await get(path);
  while (last.status !== status && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
    last = await get(path);
  }
  return last;
}

/** Writes zeros until the file system says ENOSPC. */
function fillDisk(file: string): void {
  const fd = openSync(file, 'w');
  try {
    // Ever smaller chunks, so no room is left that a WAL append could still use.
    for (const size of [64 * 1024, 4096, 512, 1]) {
      const chunk = Buffer.alloc(size);
      try {
        for (let i = 0; i < 100_000; i++) writeSync(fd, chunk);
        throw new Error('the file system never filled up');
      } catch (err) {
        if ((err as { code?: string }).code !== 'ENOSPC') throw err;
      }
    }
  } finally {
    closeSync(fd);
  }
}

// A real full disk: the SQLite data directory on a 4 MB tmpfs. Mounting needs root (tests run as root here).
/** Whether this process may mount a tmpfs (root with the right to mount); probed, not assumed. */
const canMount = (() => {
  if (process.platform !== 'linux' || process.getuid?.() !== 0) return false;
  const probe = mkdtempSync(join(tmpdir(), 'latchkey-mount-probe-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', probe], { stdio: 'pipe' });
    execFileSync('umount', [probe], { stdio: 'pipe' });
    return true;
  } catch {
    return false;
  } finally {
    rmSync(probe, { recursive: true, force: true });
  }
})();
let mountPoint: string | undefined;
let server: ServerProcess | undefined;
afterAll(async () => {
  await server?.stop().catch(() => undefined);
  if (mountPoint) execFileSync('umount', ['-l', mountPoint]);
  rmSync(root, { recursive: true, force: true });
});

describe.runIf(canMount)('readiness with the disk full (SQLite on a small tmpfs, the real CLI)', () => {
  it('/health/ready and /health answer 503 while writes fail, /health/live stays 200, and readiness returns when space does', async () => {
    mountPoint = join(root, 'tmpfs');
    mkdirSync(mountPoint);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=4m', 'tmpfs', mountPoint]);
    server = await startServerProcess({ name: 'disk', dataDir: mountPoint });
    const get = (path: string) => server!.getJson(path);
    expect(await get('/health/live')).toMatchObject({ status: 200, json: { status: 'ok' } });
    expect(await get('/health/ready')).toMatchObject({ status: 200, json: { status: 'ok' } });

    const filler = join(mountPoint, 'filler');
    fillDisk(filler);
    // The condition is real: a write operation fails (the dispatcher answers 500). Not necessarily the first: after a
    // checkpoint the WAL is rewritten from its start, so writes fit into the length it already has until they need more.
    const statuses: number[] = [];
    for (let i = 0; i < 100 && !statuses.includes(500); i++)
      statuses.push((await server.signedCall('CreateUserPool', { PoolName: `after-the-disk-filled-${i}` })).status);
    expect(statuses.at(-1), statuses.join(',')).toBe(500);
    expect(
      statuses.every((st) => st === 200 || st === 500),
      statuses.join(','),
    ).toBe(true);
    expect(await waitForStatus(get, '/health/ready', 503)).toMatchObject({
      status: 503,
      json: { status: 'unavailable', reason: 'store-unwritable' },
    });
    expect((await get('/health')).status).toBe(503);
    expect(await get('/health/live')).toMatchObject({ status: 200 });

    rmSync(filler);
    expect((await waitForStatus(get, '/health/ready', 200)).status).toBe(200);
    expect((await server.signedCall('CreateUserPool', { PoolName: 'after-space-returned' })).status).toBe(200);
  }, 60_000);
});

describe.each(DIALECTS)('readiness follows the store (%s)', (dialect) => {
  it('503 while the store refuses or does not answer a write, 200 again once it commits', async () => {
    const srv = await startTestServer(dialect);
    try {
      const get = async (path: string) => {
        const res = await fetch(`${srv.url}${path}`);
        return { status: res.status, json: await res.json() };
      };
      expect(await get('/health/ready')).toMatchObject({ status: 200, json: { status: 'ok' } });
      const store = srv.services.store;
      const putMeta = store.putMeta.bind(store);
      // A store whose commits fail (as a full disk makes them fail) …
      store.putMeta = () => Promise.reject(Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' }));
      expect(await waitForStatus(get, '/health/ready', 503)).toMatchObject({ status: 503, json: { reason: 'store-unwritable' } });
      expect((await get('/health')).status).toBe(503);
      expect((await get('/health/live')).status).toBe(200);
      // … or never answer (a lock, a black-holed network): the check still answers, within its timeout.
      let probes = 0;
      store.putMeta = () => {
        probes++;
        return new Promise(() => {});
      };
      // The last answer is shared for a second (its own clock, not the server's): ask until a check
      // probes the hanging store (bounded), and time that check.
      let started = Date.now();
      let answer = await get('/health/ready');
      for (const end = Date.now() + 10_000; probes === 0 && Date.now() < end; ) {
        await new Promise((r) => setTimeout(r, 50));
        started = Date.now();
        answer = await get('/health/ready');
      }
      expect(probes).toBe(1);
      expect(answer.status).toBe(503);
      // Its own 2 s timeout, not the test's (a generous bound: this is about not hanging, not speed).
      expect(Date.now() - started).toBeLessThan(15_000);
      store.putMeta = putMeta;
      expect((await waitForStatus(get, '/health/ready', 200)).status).toBe(200);
      expect(srv.log.text()).toContain('readiness: the store refuses writes');
    } finally {
      await srv.stop();
    }
  });
});

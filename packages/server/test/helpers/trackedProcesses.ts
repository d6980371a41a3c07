import { afterAll } from 'vitest';
import { startServerProcess, type ServerProcess } from './processes.js';

/**
 * Server processes a suite starts with a common environment, all killed after the suite, and the cleanups it
 * registers (receivers, schemas, directories), run after them. A process the suite kills itself leaves `alive`.
 */
export function trackedProcesses(env: Record<string, string>) {
  const alive = new Set<ServerProcess>();
  const cleanups: (() => Promise<void>)[] = [];
  afterAll(async () => {
    await Promise.allSettled([...alive].map((p) => p.kill()));
    for (const c of cleanups) await c().catch(() => undefined);
  }, 60_000);
  async function start(opts: Parameters<typeof startServerProcess>[0]): Promise<ServerProcess> {
    const p = await startServerProcess({ ...opts, env: { ...env, ...opts?.env } });
    alive.add(p);
    return p;
  }
  return { alive, cleanups, start };
}

import type { Store } from './storage/store.js';
import type { Logger } from './services.js';

export interface ReadyState {
  ready: boolean;
  /** Why not, for operators (no secrets): `store-unwritable`, `closing`. */
  reason?: string;
}

/**
 * Readiness = the store commits a write. A full disk, a read-only remount or a lost database leaves
 * reads (and the process) alive while every sign-up, sign-in and code fails, so a read would lie.
 * The probe upserts one meta row; its result is shared for `ttlMs` so health checks from a load
 * balancer cost at most one small commit per interval, and concurrent checks share one probe.
 */
export function storeReadiness(store: Store, log: Logger, ttlMs = 1000, timeoutMs = 2000): { check(): Promise<ReadyState>; stop(): void } {
  let last: { at: number; state: ReadyState } | undefined;
  let inflight: Promise<ReadyState> | undefined;
  let stopped = false;
  const probe = async (): Promise<ReadyState> => {
    let timer: NodeJS.Timeout | undefined;
    try {
      // A database that does not answer (a black-holed network, a lock) is as unready as one that
      // refuses, and a health check must answer in time either way.
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`the store did not commit within ${timeoutMs} ms`)), timeoutMs);
      });
      await Promise.race([store.putMeta('health_probe', String(Date.now())), timeout]);
      if (last && !last.state.ready) log.info({}, 'readiness: the store accepts writes again');
      return { ready: true };
    } catch (err) {
      if (!last || last.state.ready) log.error({ err }, 'readiness: the store refuses writes; /health/ready answers 503');
      return { ready: false, reason: 'store-unwritable' };
    } finally {
      clearTimeout(timer);
    }
  };
  return {
    async check() {
      if (stopped) return { ready: false, reason: 'closing' };
      if (last && performance.now() - last.at < ttlMs) return last.state;
      inflight ??= probe().then((state) => {
        last = { at: performance.now(), state };
        inflight = undefined;
        return state;
      });
      return inflight;
    },
    stop() {
      stopped = true;
    },
  };
}

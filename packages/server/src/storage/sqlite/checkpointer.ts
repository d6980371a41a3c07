import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/**
 * Pages the request connection lets the WAL reach before it checkpoints by itself: only if the checkpointer thread
 * is gone or cannot keep up (10× SQLite's default of 1000).
 */
export const FALLBACK_AUTOCHECKPOINT_PAGES = 10_000;

/** How often the checkpointer thread copies the WAL into the database file. */
const INTERVAL_MS = 250;

/**
 * The checkpointer thread's code (a plain script: workers do not go through the TypeScript loader in development).
 * PASSIVE never waits for the request connection's readers or writers, and never blocks them.
 */
const SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file);
db.pragma('busy_timeout = 0');
// NORMAL: a checkpoint syncs the WAL before copying and the database file after, so a WAL restart never
// overwrites frames whose pages are not yet durable in the database file.
db.pragma('synchronous = NORMAL');
let closing = false;
const tick = () => {
  if (closing) return;
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch {
    // Busy (another process's checkpoint) or a transient error: the next tick tries again.
  }
  setTimeout(tick, workerData.intervalMs);
};
setTimeout(tick, workerData.intervalMs);
parentPort.on('message', () => {
  closing = true;
  db.close();
  parentPort.close();
});
`;

/**
 * Moves SQLite's WAL checkpoints off the event loop: with the request connection's automatic checkpoint, every
 * ~1000 pages one COMMIT would copy them into the database file and sync it on the event loop (tens of ms measured
 * under load). A worker thread with its own connection does it instead, every 250 ms.
 * @throws Error when the thread cannot start (then the caller keeps SQLite's own checkpoints).
 */
export class Checkpointer {
  private readonly worker: Worker;
  private readonly exited: Promise<void>;

  private stopping = false;

  /** @param onFailure called once if the thread fails or exits on its own: the caller resumes SQLite's own checkpoints. */
  constructor(file: string, onFailure: (err: unknown) => void) {
    const driver = createRequire(import.meta.url).resolve('better-sqlite3');
    this.worker = new Worker(SOURCE, { eval: true, workerData: { file, driver, intervalMs: INTERVAL_MS } });
    // Never keeps the process alive.
    this.worker.unref();
    let failed = false;
    const fail = (err: unknown) => {
      if (this.stopping || failed) return;
      failed = true;
      onFailure(err);
    };
    this.worker.on('error', fail);
    this.exited = new Promise((resolve) =>
      this.worker.once('exit', (code) => {
        fail(new Error(`checkpointer thread exited (${code})`));
        resolve();
      }),
    );
  }

  /** Closes the thread's connection (before the request connection closes, so that one checkpoints last). */
  async stop(): Promise<void> {
    // Referenced again while it finishes: an unreferenced thread and timer would let the process exit (code 0) in the
    // middle of this await, before whatever the caller does next (e.g. print why start-up failed and exit 2).
    this.stopping = true;
    this.worker.ref();
    this.worker.postMessage('close');
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.exited, new Promise((r) => (timer = setTimeout(r, 2000)))]);
    clearTimeout(timer);
    await this.worker.terminate();
  }
}

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

  constructor(file: string) {
    const driver = createRequire(import.meta.url).resolve('better-sqlite3');
    this.worker = new Worker(SOURCE, { eval: true, workerData: { file, driver, intervalMs: INTERVAL_MS } });
    // Never keeps the process alive, and a failing thread leaves the fallback autocheckpoint to do the work.
    this.worker.unref();
    this.worker.on('error', () => undefined);
    this.exited = new Promise((resolve) => this.worker.once('exit', () => resolve()));
  }

  /** Closes the thread's connection (before the request connection closes, so that one checkpoints last). */
  async stop(): Promise<void> {
    this.worker.postMessage('close');
    await Promise.race([this.exited, new Promise((r) => setTimeout(r, 2000).unref())]);
    await this.worker.terminate();
  }
}

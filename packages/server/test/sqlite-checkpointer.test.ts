/**
 * WAL checkpoints off the event loop (storage/sqlite/checkpointer.ts): the request connection's own automatic
 * checkpoint is moved out to 10,000 pages, and a worker thread with its own connection checkpoints every 250 ms, so
 * the WAL keeps being reset under a steady write load. Real SQLite files, the real store (openStore, default settings).
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore } from '../src/storage/open.js';
import { FALLBACK_AUTOCHECKPOINT_PAGES } from '../src/storage/sqlite/checkpointer.js';

const BURSTS = 20;
const PER_BURST = 50;
const VALUE = 'x'.repeat(3900); // about one 4 KiB page per row
const pause = () => new Promise((r) => setTimeout(r, 100));

describe('SQLite checkpointer thread', () => {
  const dir = mkdtempSync(join(tmpdir(), 'latchkey-ckpt-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps the WAL well below its size without checkpoints, under 20 bursts of 50 one-page writes; close() stops it', async () => {
    // The same writes on a plain connection whose only checkpoint is the request connection's fallback.
    const control = new SQLite(join(dir, 'control.db'));
    control.pragma('journal_mode = WAL');
    control.pragma(`wal_autocheckpoint = ${FALLBACK_AUTOCHECKPOINT_PAGES}`);
    control.exec('CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)');
    const put = control.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value');
    for (let b = 0; b < BURSTS; b++) for (let i = 0; i < PER_BURST; i++) put.run(`k${b}-${i}`, VALUE);
    const unchecked = statSync(join(dir, 'control.db-wal')).size;
    control.close();

    const data = join(dir, 'store');
    const store = await openStore({ dataDir: data });
    for (let b = 0; b < BURSTS; b++) {
      await Promise.all(Array.from({ length: PER_BURST }, (_, i) => store.putMeta(`k${b}-${i}`, VALUE)));
      await pause();
    }
    const wal = statSync(join(data, 'latchkey.db-wal')).size;
    expect(unchecked).toBeGreaterThan(BURSTS * PER_BURST * 4096);
    expect(wal).toBeLessThan(unchecked / 2);
    await store.close();
  });
});

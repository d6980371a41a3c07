/**
 * scripts/bundle-size.mjs prints its comparison and leaves the tracked docs/bundle-size.md alone
 * unless asked (--write); unknown arguments are a usage error.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../e2e/helpers/bundle.js';

const SCRIPT = join(ROOT, 'scripts', 'bundle-size.mjs');
const DOC = join(ROOT, 'docs', 'bundle-size.md');
const run = (...args: string[]) => spawnSync(process.execPath, [SCRIPT, ...args], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });

describe('scripts/bundle-size.mjs', () => {
  it('without --write prints the table and does not touch docs/bundle-size.md', () => {
    const before = { text: readFileSync(DOC, 'utf8'), mtime: statSync(DOC).mtimeMs };
    const r = run();
    expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 0, stderr: '' });
    expect(r.stdout).toMatch(/^@latchkey\/auth\s+\d+ B/m);
    expect(r.stdout).toMatch(/^aws-amplify\/auth\s+\d+ B/m);
    expect(r.stdout).toContain('docs/bundle-size.md left as it is');
    expect({ text: readFileSync(DOC, 'utf8'), mtime: statSync(DOC).mtimeMs }).toEqual(before);
  }, 60_000);

  it('an unknown argument is a usage error (exit 2) and nothing is built or written', () => {
    const mtime = statSync(DOC).mtimeMs;
    const r = run('--wirte');
    expect({ status: r.status, stdout: r.stdout }).toEqual({ status: 2, stdout: '' });
    expect(r.stderr).toBe('bundle-size: unknown argument --wirte\nusage: node scripts/bundle-size.mjs [--write]\n');
    expect(statSync(DOC).mtimeMs).toBe(mtime);
  });
});

import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import semver from 'semver';
import { REPO_ROOT } from './helpers/processes.js';

/**
 * `npm ci` on the Node version the README names must not print EBADENGINE: every package the lock
 * file installs accepts it. (fastify -> light-my-request -> cookie@2 wanted Node 22.)
 */
describe("installed packages support the README's Node version", () => {
  it('every engines.node range in package-lock.json accepts the Node 20 the README names (20.19, the floor vite sets)', () => {
    const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
    const major = /with Node (\d+) and npm/.exec(readme)?.[1];
    expect(major).toBe('20');
    const lock = JSON.parse(readFileSync(join(REPO_ROOT, 'package-lock.json'), 'utf8')) as {
      packages: Record<string, { version?: string; engines?: { node?: string } | string[] }>;
    };
    const refusing = Object.entries(lock.packages).flatMap(([path, p]) => {
      const range = !Array.isArray(p.engines) ? p.engines?.node : undefined;
      return range && !semver.satisfies('20.19.0', range) ? [`${path}@${p.version}: node ${range}`] : [];
    });
    expect(refusing).toEqual([]);
    const root = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { engines: { node: string } };
    expect(semver.satisfies('20.19.0', root.engines.node)).toBe(true);
  });
});

import { describe, expect, it } from 'vitest';
import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DOC_PATH, README_PATH, renderConfigurationDoc, renderReadme } from '../../../scripts/gen-config-doc.js';
import { CLIENT_OPTIONS, DEFAULTS, LATCHKEY_SETTINGS, POOL_OPTIONS, SERVER_OPTIONS } from '../src/config/defaults.js';
import { COMMANDS, ENV_ONLY, usage } from '../src/config/flags.js';
import { loadConfig } from '../src/config/load.js';
import { REPO_ROOT } from './helpers/processes.js';

describe('the defaults table', () => {
  it('docs/configuration.md is what scripts/gen-config-doc.ts generates from it (npm run docs:config rewrites it)', () => {
    expect(readFileSync(DOC_PATH, 'utf8')).toBe(renderConfigurationDoc());
  });

  it("README.md's options table is generated from it too", () => {
    const readme = readFileSync(README_PATH, 'utf8');
    expect(readme).toBe(renderReadme(readme));
    expect(readme).toContain('| `--port` | `PORT` | `9230` |');
  });

  it('latchkey --help is generated from it: every flag, variable and default is there', () => {
    const help = usage();
    for (const o of Object.values(SERVER_OPTIONS) as { env?: string; flag?: { name: string; negation?: string }; default: unknown }[]) {
      if (o.env) expect(help).toContain(o.env);
      if (o.flag) expect(help).toContain(`--${o.flag.name}`);
      if (o.flag?.negation) expect(help).toContain(`--${o.flag.negation}`);
    }
    expect(help).toContain('default 9230 [PORT]');
    expect(ENV_ONLY.map((e) => e.name)).toContain('LATCHKEY_SECRET');
    expect(COMMANDS.outbox!.flags.map((f) => f.name)).toEqual(['data', 'database-url', 'database-schema', 'pool', 'limit']);
    expect(COMMANDS.migrate!.flags.map((f) => f.name)).toEqual(['data', 'database-url', 'database-schema']);
  });

  it('a configuration from nothing is the table, deep-frozen', () => {
    const config = loadConfig({}, {});
    expect(config).toMatchObject({
      port: DEFAULTS.port,
      host: DEFAULTS.host,
      dataDir: resolve(DEFAULTS.dataDir),
      region: DEFAULTS.region,
      workers: DEFAULTS.workers,
      logLevel: DEFAULTS.logLevel,
      bootstrapDevPool: DEFAULTS.bootstrapDevPool,
      bodyLimit: DEFAULTS.bodyLimit,
      cacheMs: DEFAULTS.cacheMs,
      sqliteSynchronous: DEFAULTS.sqliteSynchronous,
      smtpFrom: DEFAULTS.smtpFrom,
      corsOrigins: DEFAULTS.corsOrigins,
      publicUrl: `http://localhost:${DEFAULTS.port}`,
      publicUrlExplicit: false,
    });
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.corsOrigins)).toBe(true);
    expect(() => (config.corsOrigins as string[]).push('x')).toThrow();
    for (const t of [SERVER_OPTIONS, CLIENT_OPTIONS, POOL_OPTIONS, LATCHKEY_SETTINGS, DEFAULTS]) expect(Object.isFrozen(t)).toBe(true);
    expect(Object.isFrozen(POOL_OPTIONS.PasswordPolicy.default)).toBe(true);
  });

  it('no default is restated elsewhere: the default port appears only in the table (sources and bench)', () => {
    const hits: string[] = [];
    for (const dir of ['packages/server/src', 'packages/client/src', 'packages/authenticator/src', 'bench']) {
      for (const f of readdirSync(join(REPO_ROOT, dir), { recursive: true, encoding: 'utf8' })) {
        if (!/\.(ts|mjs)$/.test(f) || f.includes('results')) continue;
        const path = join(dir, f);
        if (path === join('packages/server/src/config/defaults.ts')) continue;
        if (/\b9230\b/.test(readFileSync(join(REPO_ROOT, path), 'utf8'))) hits.push(path);
      }
    }
    expect(hits).toEqual([]);
  });
});

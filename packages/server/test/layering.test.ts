/**
 * Source layout rules that review alone does not keep:
 *  - security/ is a library of verifiers: it reports what failed with its own coded errors and never
 *    reaches up into protocol/, operations/ or auth/ (the wire mapping is auth/securityErrors.ts);
 *  - no source file under packages/<name>/src grows past 450 lines.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const SERVER_SRC = join(ROOT, 'packages/server/src');
const MAX_LINES = 450;

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return filesUnder(path);
    return /\.(ts|tsx|js|mjs|cjs)$/.test(entry.name) ? [path] : [];
  });
}

/** Every module specifier of a file: static imports and re-exports, side-effect imports, dynamic import(). */
function specifiers(source: string): string[] {
  const found: string[] = [];
  const patterns = [
    /\b(?:import|export)\s[^'"`;]*?\sfrom\s*['"]([^'"]+)['"]/g,
    /\bimport\s*['"]([^'"]+)['"]/g,
    /\bimport\s*\(\s*['"]([^'"]+)['"]/g,
  ];
  for (const pattern of patterns) for (const m of source.matchAll(pattern)) found.push(m[1]);
  return found;
}

const FORBIDDEN = ['protocol', 'operations', 'auth'].map((folder) => join(SERVER_SRC, folder));

describe('layering', () => {
  it('the specifier scan sees every import form (a check that finds nothing must not pass by accident)', () => {
    const sample = [
      "import { a } from '../protocol/errors.js';",
      "import type { B } from '../auth/x.js';",
      "export { c } from '../operations/y.js';",
      "export * from './z.js';",
      "import '../protocol/side.js';",
      "const m = await import('../auth/lazy.js');",
      'import {\n  d,\n  e,\n} from "../protocol/multi.js";',
    ].join('\n');
    expect(specifiers(sample)).toEqual(
      expect.arrayContaining([
        '../protocol/errors.js',
        '../auth/x.js',
        '../operations/y.js',
        './z.js',
        '../protocol/side.js',
        '../auth/lazy.js',
        '../protocol/multi.js',
      ]),
    );
    expect(specifiers(sample)).toHaveLength(7);
  });

  it('nothing under security/ imports from protocol/, operations/ or auth/', () => {
    const files = filesUnder(join(SERVER_SRC, 'security'));
    expect(files.length).toBeGreaterThan(10);
    const violations: string[] = [];
    for (const file of files) {
      for (const spec of specifiers(readFileSync(file, 'utf8'))) {
        if (!spec.startsWith('.')) continue;
        const target = resolve(dirname(file), spec);
        if (FORBIDDEN.some((folder) => target === folder || target.startsWith(folder + sep))) {
          violations.push(`${relative(ROOT, file)} imports ${spec}`);
        }
      }
    }
    expect(violations).toEqual([]);
  });

  it(`no file under packages/*/src is longer than ${MAX_LINES} lines`, () => {
    const packages = readdirSync(join(ROOT, 'packages'), { withFileTypes: true }).filter((d) => d.isDirectory());
    const files = packages.flatMap((p) => {
      const src = join(ROOT, 'packages', p.name, 'src');
      try {
        return filesUnder(src);
      } catch {
        return [];
      }
    });
    expect(files.length).toBeGreaterThan(100);
    const long = files
      .map((file) => ({ file: relative(ROOT, file), lines: readFileSync(file, 'utf8').split('\n').length - 1 }))
      .filter((f) => f.lines > MAX_LINES)
      .map((f) => `${f.file}: ${f.lines} lines`);
    expect(long).toEqual([]);
  });
});

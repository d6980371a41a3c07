/**
 * What the installed AWS packages call, read from their files (no list kept by hand): the operations of
 * @aws-sdk/client-cognito-identity-provider, and for every export of aws-amplify/auth the user-pool targets its
 * code can reach. Used by test/operations-coverage.test.ts; docs/operations.md shows the same data.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';

const require = createRequire(import.meta.url);

/** A package's directory as Node resolves it from the server package. */
function packageDir(name: string): string {
  let dir = dirname(require.resolve(name));
  while (!existsSync(join(dir, 'package.json')) || JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).name !== name) {
    const up = dirname(dir);
    if (up === dir) throw new Error(`no package.json for ${name}`);
    dir = up;
  }
  return dir;
}

/** Every operation of the installed AWS SDK client: one `<Operation>Command` declaration file per operation. */
export function sdkOperations(): string[] {
  const dir = join(packageDir('@aws-sdk/client-cognito-identity-provider'), 'dist-types', 'commands');
  return readdirSync(dir)
    .map((f) => /^([A-Z][A-Za-z]+)Command\.d\.ts$/.exec(f)?.[1])
    .filter((n): n is string => n !== undefined)
    .sort();
}

/** The installed aws-amplify's version, and that of the @aws-amplify/auth it re-exports. */
export function amplifyVersions(): { amplify: string; auth: string } {
  const v = (name: string) => JSON.parse(readFileSync(join(packageDir(name), 'package.json'), 'utf8')).version as string;
  return { amplify: v('aws-amplify'), auth: v('@aws-amplify/auth') };
}

interface ModuleInfo {
  imports: string[];
  targets: string[];
}

/**
 * For each export of `aws-amplify/auth` (which re-exports @aws-amplify/auth's entry): the user-pool operations its
 * module can reach. Each service client names its target in `createUserPoolSerializer('<Operation>')`; an export
 * reaches every client in the closure of its module's relative imports (so this may over-approximate: a helper
 * module shared with sign-in brings sign-in's clients along, never fewer than the function calls). Exports that
 * come from @aws-amplify/core (`fetchAuthSession`) reach what the auth entry registers with core for them: the
 * closure of its side-effect imports (the token provider and refresher); the other core exports (`decodeJWT`) run
 * locally.
 */
export function amplifyAuthExports(): Map<string, string[]> {
  const amplifyEntry = readFileSync(join(packageDir('aws-amplify'), 'dist', 'esm', 'auth', 'index.mjs'), 'utf8');
  if (!/export \* from '@aws-amplify\/auth';/.test(amplifyEntry))
    throw new Error('aws-amplify/auth no longer re-exports @aws-amplify/auth');
  const root = join(packageDir('@aws-amplify/auth'), 'dist', 'esm');
  const cache = new Map<string, ModuleInfo>();
  const info = (file: string): ModuleInfo => {
    let m = cache.get(file);
    if (!m) {
      const src = readFileSync(file, 'utf8');
      const imports = [...src.matchAll(/(?:^|\n)\s*(?:import|export)\s[^;'"]*?from\s+'(\.[^']+)'|(?:^|\n)\s*import\s+'(\.[^']+)'/g)].map(
        (x) => resolve(dirname(file), x[1] ?? x[2]!),
      );
      const targets = [...src.matchAll(/createUserPoolSerializer\('([A-Za-z]+)'\)/g)].map((x) => x[1]!);
      m = { imports, targets };
      cache.set(file, m);
    }
    return m;
  };
  const reach = (files: string[]): string[] => {
    const seen = new Set<string>();
    const targets = new Set<string>();
    const stack = [...files];
    while (stack.length) {
      const f = stack.pop()!;
      if (seen.has(f)) continue;
      seen.add(f);
      const m = info(f);
      m.targets.forEach((t) => targets.add(t));
      stack.push(...m.imports);
    }
    return [...targets].sort();
  };
  const entryFile = join(root, 'index.mjs');
  const entry = readFileSync(entryFile, 'utf8');
  const sideEffects = [...entry.matchAll(/(?:^|\n)import '(\.[^']+)';/g)].map((x) => resolve(root, x[1]!));
  const out = new Map<string, string[]>();
  for (const m of entry.matchAll(/export \{ ([^}]+) \} from '([^']+)';/g)) {
    for (const name of m[1]!.split(',').map((s) => s.trim())) {
      const local = m[2]!.startsWith('.');
      out.set(name, local ? reach([resolve(root, m[2]!)]) : name === 'fetchAuthSession' ? reach(sideEffects) : []);
    }
  }
  if (entry.includes('export *')) throw new Error('@aws-amplify/auth has an `export *` this reader does not follow');
  return out;
}

import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { sha256Hex } from '../../security/secrets.js';

/** The page's static files, held in memory once loaded. */
export interface AccountAsset {
  body: Buffer;
  etag: string;
}
export interface AccountAssets {
  'app.js': AccountAsset;
  'style.css': AccountAsset;
}

// This module sits at src/http/account/ (sources) or dist/http/account/ (compiled): three levels up is
// the server package either way.
const SERVER_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
/** Where `npm run build` (scripts/build-account.mjs) writes the bundle. */
export const BUNDLE_DIR = join(SERVER_ROOT, 'dist', 'account');
const BUILD_SCRIPT = join(SERVER_ROOT, 'scripts', 'build-account.mjs');
const SOURCES = join(SERVER_ROOT, 'account', 'main.ts');
/** Running from TypeScript sources (tsx, vitest): a prebuilt bundle may be stale, so build from sources. */
const FROM_SOURCES = import.meta.url.endsWith('.ts');

let loading: Promise<AccountAssets> | undefined;

/**
 * The bundle: dist/account when the server runs compiled and the bundle exists; otherwise built once
 * per process from packages/server/account with esbuild (imported dynamically, so a production
 * install never needs it). A failed build is not cached: the next request tries again.
 * @throws Error when there is neither a bundle nor sources plus esbuild to build one.
 */
export function accountAssets(): Promise<AccountAssets> {
  loading ??= load().catch((err: unknown) => {
    loading = undefined;
    throw err;
  });
  return loading;
}

async function load(): Promise<AccountAssets> {
  const bundled = existsSync(join(BUNDLE_DIR, 'app.js')) && existsSync(join(BUNDLE_DIR, 'style.css'));
  if (bundled && !(FROM_SOURCES && existsSync(SOURCES))) return readDir(BUNDLE_DIR);
  if (!existsSync(SOURCES) || !existsSync(BUILD_SCRIPT)) {
    if (bundled) return readDir(BUNDLE_DIR);
    throw new Error(`account page bundle missing (${BUNDLE_DIR}); run npm run build`);
  }
  const outdir = await mkdtemp(join(tmpdir(), 'latchkey-account-'));
  try {
    const script = (await import(pathToFileURL(BUILD_SCRIPT).href)) as {
      buildAccount(opts: { outdir: string; minify?: boolean }): Promise<unknown>;
    };
    await script.buildAccount({ outdir });
    return await readDir(outdir);
  } catch (err) {
    if (bundled) return readDir(BUNDLE_DIR);
    throw err;
  } finally {
    await rm(outdir, { recursive: true, force: true });
  }
}

async function readDir(dir: string): Promise<AccountAssets> {
  const read = async (name: string): Promise<AccountAsset> => {
    const body = await readFile(join(dir, name));
    return { body, etag: `"${sha256Hex(body).slice(0, 32)}"` };
  };
  const [app, style] = await Promise.all([read('app.js'), read('style.css')]);
  return { 'app.js': app, 'style.css': style };
}

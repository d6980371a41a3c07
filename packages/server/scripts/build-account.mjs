#!/usr/bin/env node
/**
 * Bundles the account page (packages/server/account/main.ts + style.css) for the browser.
 *
 *   node packages/server/scripts/build-account.mjs            → packages/server/dist/account/{app.js,style.css}
 *
 * `@latchkey/auth` resolves to the client's TypeScript sources (packages/client/src/index.ts) and
 * `@latchkey/wire`, which the client imports, to packages/wire/src/index.ts, so the bundle never depends
 * on either having been compiled first. The server imports `buildAccount`
 * dynamically to build on demand when it runs from sources or the bundle is missing
 * (src/http/account/assets.ts); esbuild is therefore only needed at build time.
 */
import { copyFile, mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
export const SERVER_ROOT = join(here, '..');
export const ACCOUNT_SOURCES = join(SERVER_ROOT, 'account');
export const DEFAULT_OUTDIR = join(SERVER_ROOT, 'dist', 'account');
const CLIENT_ENTRY = join(SERVER_ROOT, '..', 'client', 'src', 'index.ts');
const WIRE_ENTRY = join(SERVER_ROOT, '..', 'wire', 'src', 'index.ts');

/** Resolves `@latchkey/auth` and `@latchkey/wire` to their sources (an esbuild plugin: exact matches only). */
const latchkeyAuthSource = {
  name: 'latchkey-auth-source',
  setup(build) {
    build.onResolve({ filter: /^@latchkey\/auth$/ }, () => ({ path: CLIENT_ENTRY }));
    build.onResolve({ filter: /^@latchkey\/wire$/ }, () => ({ path: WIRE_ENTRY }));
  },
};

/**
 * Writes `app.js` (ESM, ES2020, minified) and `style.css` into `outdir`.
 * @param {{ outdir?: string, minify?: boolean, sourcemap?: boolean }} [options]
 * @returns {Promise<{ outdir: string }>}
 */
export async function buildAccount({ outdir = DEFAULT_OUTDIR, minify = true, sourcemap = false } = {}) {
  const esbuild = await import('esbuild');
  await mkdir(outdir, { recursive: true });
  await esbuild.build({
    entryPoints: [join(ACCOUNT_SOURCES, 'main.ts')],
    outfile: join(outdir, 'app.js'),
    bundle: true,
    minify,
    sourcemap,
    format: 'esm',
    platform: 'browser',
    target: 'es2020',
    legalComments: 'none',
    logLevel: 'silent',
    plugins: [latchkeyAuthSource],
  });
  await copyFile(join(ACCOUNT_SOURCES, 'style.css'), join(outdir, 'style.css'));
  return { outdir };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const started = Date.now();
  buildAccount().then(
    ({ outdir }) => console.log(`account page bundled into ${outdir} (${Date.now() - started} ms)`),
    (err) => {
      console.error(err);
      process.exitCode = 1;
    },
  );
}

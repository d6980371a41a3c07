import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type BuildOptions } from 'esbuild';

/** Repository root (test/e2e/helpers → ../../..). */
export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const PAGES = join(ROOT, 'test/e2e/pages');

export interface Bundle {
  dir: string;
  /** File name of the bundle inside `dir` (served at `/${file}`). */
  file: string;
  remove(): void;
}

/**
 * Bundles a page entry (test/e2e/pages/*.ts) for the browser into a fresh temporary directory — the
 * way an app would ship it: esbuild, platform browser, ESM, everything inlined. `options` adds to the
 * build (e.g. `jsx: 'automatic'` for a .tsx page; CSS a page imports lands beside it as app.css).
 */
export async function bundlePage(entry: string, alias: Record<string, string> = {}, options: BuildOptions = {}): Promise<Bundle> {
  const dir = mkdtempSync(join(tmpdir(), 'latchkey-e2e-'));
  await build({
    entryPoints: { app: join(PAGES, entry) },
    outdir: dir,
    bundle: true,
    platform: 'browser',
    format: 'esm',
    target: 'es2022',
    sourcemap: 'linked',
    alias,
    absWorkingDir: ROOT,
    define: { 'process.env.NODE_ENV': '"production"' },
    logLevel: 'silent',
    ...options,
  });
  return { dir, file: 'app.js', remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** The HTML page: configuration in a global, then the bundle as a module (`head`: extra tags, `body`: markup before it). */
export function pageHtml(
  title: string,
  config: Record<string, unknown>,
  script = '/app.js',
  head = '',
  body = `<h1>${title}</h1>`,
): string {
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>${title}</title>${head}</head>
<body>
${body}
<script>window.LATCHKEY_E2E = ${JSON.stringify(config)};</script>
<script type="module" src="${script}"></script>
</body>
</html>
`;
}

#!/usr/bin/env node
// The `latchkey` command. Runs the compiled CLI; `npm ci` at the repository root builds it (prepare).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const dist = new URL('../dist/cli.js', import.meta.url);
if (!existsSync(fileURLToPath(dist))) {
  console.error('latchkey: the server is not built yet. Run `npm run build` at the repository root.');
  process.exit(1);
}
await import(dist.href);

import { defineConfig } from 'vitest/config';
import { fileURLToPath } from 'node:url';

const src = (p: string) => fileURLToPath(new URL(`./packages/${p}/src/index.ts`, import.meta.url));

export default defineConfig({
  resolve: {
    // Tests run on sources; packages resolve to each other's src, not to built dist.
    alias: {
      '@latchkey/wire': src('wire'),
      '@latchkey/server': src('server'),
      '@latchkey/auth': src('client'),
      '@latchkey/virtual-authenticator': src('authenticator'),
    },
  },
  test: {
    include: ['packages/*/test/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    reporters: ['default'],
  },
});

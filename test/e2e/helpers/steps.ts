import { it } from 'vitest';

export const TEST_TIMEOUT = 60_000;

/**
 * `it` for a story told in order over one browser page: each step builds on the previous ones, so
 * once a step fails the later ones are skipped (with a note) instead of each timing out.
 */
export function steps() {
  let failed: string | undefined;
  return (name: string, fn: () => Promise<void> | void, timeout = TEST_TIMEOUT) =>
    it(
      name,
      async (ctx) => {
        if (failed) ctx.skip(`skipped: the earlier step "${failed}" failed`);
        try {
          await fn();
        } catch (err) {
          failed = name;
          throw err;
        }
      },
      timeout,
    );
}

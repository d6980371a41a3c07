import { FIXED } from '../../src/config/defaults.js';

/**
 * Pool and app-client settings changed on one process reach every other one within FIXED.configRecheckMs (the
 * per-process config cache, storage/kysely/configCache.ts). Multi-process tests wait this out after a change
 * before they rely on it elsewhere, as a deployment would.
 */
export function configPropagated(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, FIXED.configRecheckMs.default + 250));
}

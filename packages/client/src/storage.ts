import type { TokenStorage } from './types.js';

/** A storage that keeps tokens in memory only (lost on reload). The default outside browsers. */
export function createMemoryStorage(): TokenStorage & { clear(): void } {
  const map = new Map<string, string>();
  return {
    getItem: key => map.get(key) ?? null,
    setItem: (key, value) => void map.set(key, value),
    removeItem: key => void map.delete(key),
    clear: () => map.clear(),
  };
}

/** `globalThis.localStorage` if it exists and works (not in Node, not when blocked), else undefined. */
export function defaultStorage(): TokenStorage | undefined {
  return usableWebStorage('localStorage');
}

/** Synchronous web storage by name, probing that it is usable. */
export function usableWebStorage(name: 'localStorage' | 'sessionStorage'): Storage | undefined {
  try {
    const storage = (globalThis as Record<string, unknown>)[name] as Storage | undefined;
    if (!storage || typeof storage.getItem !== 'function') return undefined;
    const probe = '__latchkey_probe__';
    storage.setItem(probe, '1');
    storage.removeItem(probe);
    return storage;
  } catch {
    return undefined;
  }
}

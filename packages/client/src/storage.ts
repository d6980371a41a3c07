import type { TokenStorage } from './types.js';

/** A storage that keeps tokens in memory only (lost on reload). The default outside browsers. */
export function createMemoryStorage(): TokenStorage & { clear(): void } {
  const map = new Map<string, string>();
  return {
    getItem: (key) => map.get(key) ?? null,
    setItem: (key, value) => void map.set(key, value),
    removeItem: (key) => void map.delete(key),
    clear: () => map.clear(),
  };
}

/** `globalThis.localStorage` if it exists and works (not in Node, not when blocked), else undefined. */
export function defaultStorage(): TokenStorage | undefined {
  return usableWebStorage('localStorage');
}

/** Storage objects already found usable: the write probe runs once per object, not on every call. */
const probed = new WeakSet<object>();

/** Synchronous web storage by name, probing (once per storage object) that it is usable. */
export function usableWebStorage(name: 'localStorage' | 'sessionStorage'): Storage | undefined {
  try {
    const storage = (globalThis as Record<string, unknown>)[name] as Storage | undefined;
    if (!storage || typeof storage.getItem !== 'function') return undefined;
    if (probed.has(storage)) return storage;
    const probe = '__latchkey_probe__';
    storage.setItem(probe, '1');
    storage.removeItem(probe);
    probed.add(storage);
    return storage;
  } catch {
    return undefined;
  }
}

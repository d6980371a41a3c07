/** The Store contract (storage/store.ts): one-time codes, stand-in codes and the outbox, on both dialects (setup: ./setup.ts). */
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '../../src/storage/store.js';
import { dialects, NOW, useStore } from './setup.js';

for (const dialect of dialects) {
  describe(dialect, () => {
    const ctx = useStore(dialect);
    const { newPool, newUser } = ctx;
    let store: Store;
    beforeAll(() => {
      store = ctx.store;
    });

    const matches = (hash: string) => (h: string) => h === hash;

    it('useCode: 20 concurrent correct submissions → exactly one ok, then missing', async () => {
      const poolId = await newPool();
      const user = await newUser(poolId);
      await store.putCode({ poolId, userId: user.id, purpose: 'signup', codeHash: 'hash-1', attempts: 0, expiresAt: NOW + 60_000 });
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) => ctx.pick(i).useCode(poolId, user.id, 'signup', NOW, 100, matches('hash-1'))),
      );
      expect(results.filter((r) => r === 'ok')).toHaveLength(1);
      for (const r of results) expect(['ok', 'missing']).toContain(r);
      expect(await store.useCode(poolId, user.id, 'signup', NOW, 100, matches('hash-1'))).toBe('missing');
    });

    it('useCode: the attempt limit holds under concurrent wrong guesses, and then refuses the right code', async () => {
      const poolId = await newPool();
      const user = await newUser(poolId);
      await store.putCode({ poolId, userId: user.id, purpose: 'forgot', codeHash: 'right', attempts: 0, expiresAt: NOW + 60_000 });
      const wrong = await Promise.all(
        Array.from({ length: 10 }, (_, i) => ctx.pick(i).useCode(poolId, user.id, 'forgot', NOW, 3, matches('wrong'))),
      );
      expect(wrong.filter((r) => r === 'mismatch')).toHaveLength(3);
      expect(wrong.filter((r) => r === 'too-many')).toHaveLength(7);
      expect(await store.useCode(poolId, user.id, 'forgot', NOW, 3, matches('right'))).toBe('too-many');
      // A new code replaces the old one and resets the attempts.
      await store.putCode({ poolId, userId: user.id, purpose: 'forgot', codeHash: 'right-2', attempts: 0, expiresAt: NOW + 60_000 });
      expect(await store.useCode(poolId, user.id, 'forgot', NOW, 3, matches('right'))).toBe('mismatch');
      expect(await store.useCode(poolId, user.id, 'forgot', NOW, 3, matches('right-2'))).toBe('ok');
    });

    it('useCode: sequential attempts count up to the limit; purposes are separate; expired and missing codes', async () => {
      const poolId = await newPool();
      const user = await newUser(poolId);
      await store.putCode({ poolId, userId: user.id, purpose: 'verify_email', codeHash: 'e', attempts: 0, expiresAt: NOW + 60_000 });
      await store.putCode({ poolId, userId: user.id, purpose: 'signup', codeHash: 's', attempts: 0, expiresAt: NOW });
      expect(await store.useCode(poolId, user.id, 'verify_email', NOW, 2, matches('x'))).toBe('mismatch');
      expect(await store.useCode(poolId, user.id, 'verify_email', NOW, 2, matches('x'))).toBe('mismatch');
      expect(await store.useCode(poolId, user.id, 'verify_email', NOW, 2, matches('e'))).toBe('too-many');
      expect(await store.useCode(poolId, user.id, 'signup', NOW, 5, matches('s'))).toBe('expired');
      expect(await store.useCode(poolId, user.id, 'verify_phone_number', NOW, 5, matches('s'))).toBe('missing');
      expect(await store.useCode(poolId, randomUUID(), 'signup', NOW, 5, matches('s'))).toBe('missing');
    });

    it('putCode with a message: the code and its outbox row are one transaction (a failing message leaves no code)', async () => {
      const poolId = await newPool();
      const user = await newUser(poolId);
      const msg = { poolId, userId: user.id, destination: 'a@example.com', subject: 's', body: 'b', code: '123456', createdAt: NOW };
      await store.putCode({ poolId, userId: user.id, purpose: 'forgot', codeHash: 'h1', attempts: 0, expiresAt: NOW + 60_000 }, msg);
      expect((await store.listOutbox(poolId, 10)).map((m) => m.code)).toEqual(['123456']);
      // A message that cannot be stored (NOT NULL destination) rolls the new code back too.
      const bad = { ...msg, destination: null as unknown as string };
      await expect(
        store.putCode({ poolId, userId: user.id, purpose: 'forgot', codeHash: 'h2', attempts: 0, expiresAt: NOW + 60_000 }, bad),
      ).rejects.toThrow();
      expect(await store.useCode(poolId, user.id, 'forgot', NOW, 5, matches('h1'))).toBe('ok');
    });

    it('stand-in codes: counted like real ones under concurrency, never matching; expiry, reset and purge', async () => {
      const poolId = await newPool();
      expect(await store.useStandInCode(poolId, 'n1', 'forgot', NOW, 5)).toBe('missing');
      await store.putStandInCode(poolId, 'n1', 'forgot', NOW + 60_000);
      const results = await Promise.all(Array.from({ length: 12 }, (_, i) => ctx.pick(i).useStandInCode(poolId, 'n1', 'forgot', NOW, 5)));
      expect(results.filter((r) => r === 'mismatch')).toHaveLength(5);
      expect(results.filter((r) => r === 'too-many')).toHaveLength(7);
      // Purposes and names are separate; a new one resets the attempts; expired ones say so, then are purged.
      expect(await store.useStandInCode(poolId, 'n1', 'signup', NOW, 5)).toBe('missing');
      await store.putStandInCode(poolId, 'n1', 'forgot', NOW + 60_000);
      expect(await store.useStandInCode(poolId, 'n1', 'forgot', NOW, 5)).toBe('mismatch');
      expect(await store.useStandInCode(poolId, 'n1', 'forgot', NOW + 60_000, 5)).toBe('expired');
      await store.purgeExpired(NOW + 60_000);
      expect(await store.useStandInCode(poolId, 'n1', 'forgot', NOW + 60_000, 5)).toBe('missing');
    });
  });
}

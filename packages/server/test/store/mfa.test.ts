/** The Store contract (storage/store.ts): users' MFA state (user_mfa), on both dialects (setup: ./setup.ts). */
import { beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '../../src/storage/store.js';
import { dialects, familyRecord, NOW, useStore } from './setup.js';

for (const dialect of dialects) {
  describe(dialect, () => {
    const ctx = useStore(dialect);
    const { newPool, newUser, newClient } = ctx;
    let store: Store;
    beforeAll(() => {
      store = ctx.store;
    });

    it('putPendingTotp replaces the pending secret; activateTotp applies only to the pending secret it read', async () => {
      const poolId = await newPool();
      const user = await newUser(poolId);
      expect(await store.getUserMfa(poolId, user.id)).toBeUndefined();
      await store.putPendingTotp(poolId, user.id, 'sealed-a', NOW);
      await store.putPendingTotp(poolId, user.id, 'sealed-b', NOW + 1);
      expect(await store.activateTotp(poolId, user.id, 'sealed-a', 10, null, NOW, false)).toBe(false);
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) => ctx.pick(i).activateTotp(poolId, user.id, 'sealed-b', 10, 'phone', NOW, false)),
      );
      expect(results.filter(Boolean)).toHaveLength(1);
      expect(await store.getUserMfa(poolId, user.id)).toMatchObject({
        totpSecretEnc: 'sealed-b',
        totpPendingEnc: null,
        totpLastStep: 10,
        totpName: 'phone',
        totpEnabled: false,
        preferred: null,
      });
    });

    it('useTotpStep: 20 concurrent uses of one step, exactly one recorded; earlier steps and other secrets refused', async () => {
      const poolId = await newPool();
      const user = await newUser(poolId);
      await store.putPendingTotp(poolId, user.id, 'sealed', NOW);
      await store.activateTotp(poolId, user.id, 'sealed', 100, null, NOW, true);
      const use = { poolId, userId: user.id, secretEnc: 'sealed', step: 101 };
      const results = await Promise.all(Array.from({ length: 20 }, (_, i) => ctx.pick(i).useTotpStep(use, NOW)));
      expect(results.filter(Boolean)).toHaveLength(1);
      expect(await store.useTotpStep({ ...use, step: 100 }, NOW)).toBe(false);
      expect(await store.useTotpStep({ ...use, step: 102, secretEnc: 'other' }, NOW)).toBe(false);
      expect((await store.getUserMfa(poolId, user.id))?.totpLastStep).toBe(101);
    });

    it('finishSignIn with totpUse: a used step writes nothing (no family, session kept)', async () => {
      const poolId = await newPool();
      const user = await newUser(poolId);
      await store.putPendingTotp(poolId, user.id, 'sealed', NOW);
      await store.activateTotp(poolId, user.id, 'sealed', 100, null, NOW, true);
      const clientId = await newClient(poolId);
      const put = (h: string) =>
        store.putAuthSession({
          idHash: h,
          poolId,
          clientId: 'c'.repeat(26),
          userId: user.id,
          state: { kind: 'SOFTWARE_TOKEN_MFA' },
          expiresAt: NOW + 60_000,
        });
      await put('s1');
      await put('s2');
      const totpUse = { poolId, userId: user.id, secretEnc: 'sealed', step: 101 };
      const f1 = familyRecord(poolId, clientId, user.id);
      expect(await store.finishSignIn({ sessionHash: 's1', now: NOW, totpUse, family: f1 })).toBe('ok');
      const f2 = familyRecord(poolId, clientId, user.id);
      expect(await store.finishSignIn({ sessionHash: 's2', now: NOW, totpUse, family: f2 })).toBe('totp-replay');
      expect(await store.getTokenFamilyByRefreshHash(f2.refreshHash)).toBeUndefined();
      expect(await store.peekAuthSession('s2', NOW)).toBeDefined();
    });

    it('setMfaPreference: TOTP needs a verified secret; disabling the preferred method clears it; deleteUser removes the row', async () => {
      const poolId = await newPool();
      const user = await newUser(poolId);
      expect(await store.setMfaPreference(poolId, user.id, { totpEnabled: true }, NOW, true)).toBe(false);
      expect(await store.setMfaPreference(poolId, user.id, { smsEnabled: true, preferred: 'SMS_MFA' }, NOW, false)).toBe(true);
      expect(await store.getUserMfa(poolId, user.id)).toMatchObject({ smsEnabled: true, preferred: 'SMS_MFA' });
      await store.setMfaPreference(poolId, user.id, { smsEnabled: false }, NOW, false);
      expect(await store.getUserMfa(poolId, user.id)).toMatchObject({ smsEnabled: false, preferred: null });
      await store.putPendingTotp(poolId, user.id, 'sealed', NOW);
      await store.activateTotp(poolId, user.id, 'sealed', 1, null, NOW, false);
      expect(await store.setMfaPreference(poolId, user.id, { totpEnabled: true, preferred: 'SOFTWARE_TOKEN_MFA' }, NOW, true)).toBe(true);
      await store.setMfaPreference(poolId, user.id, { totpEnabled: false }, NOW, false);
      expect(await store.getUserMfa(poolId, user.id)).toMatchObject({ totpSecretEnc: 'sealed', totpEnabled: false, preferred: null });
      await store.deleteUser(poolId, user.id);
      expect(await store.getUserMfa(poolId, user.id)).toBeUndefined();
    });
  });
}

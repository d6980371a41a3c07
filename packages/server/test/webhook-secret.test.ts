/**
 * The per-pool webhook secret (the key of x-latchkey-signature on trigger calls and lifecycle events):
 * LatchkeyDescribeUserPoolSettings returns it, it differs per pool, is the same on every read (and on every
 * instance, since it is derived from the server secret), and `rotateWebhookSecret: true` replaces it.
 */
import { describe, expect, it } from 'vitest';
import { DIALECTS, useServerWithPool, type TestServer } from './helpers/harness.js';
import { createTestPool, type TestPool } from './helpers/pool.js';
import { signedCall } from './helpers/latchkeyAdmin.js';

for (const dialect of DIALECTS) {
  describe(`webhook secret (${dialect})`, () => {
    let server: TestServer;
    let pool: TestPool;
    useServerWithPool(dialect, {}, (s, p) => {
      server = s;
      pool = p;
    });

    const secretOf = async (poolId: string): Promise<string> => {
      const res = await signedCall(server, 'LatchkeyDescribeUserPoolSettings', { UserPoolId: poolId });
      expect(res.status, JSON.stringify(res.json)).toBe(200);
      return res.json.Settings.webhookSecret as string;
    };

    it('is per pool, stable across reads, and rotates on request', async () => {
      const first = await secretOf(pool.userPoolId);
      expect(first).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
      expect(await secretOf(pool.userPoolId)).toBe(first);
      const other = await createTestPool(server.admin);
      expect(await secretOf(other.userPoolId)).not.toBe(first);

      const rotated = await signedCall(server, 'LatchkeyUpdateUserPoolSettings', {
        UserPoolId: pool.userPoolId,
        Settings: { rotateWebhookSecret: true },
      });
      expect(rotated.status, JSON.stringify(rotated.json)).toBe(200);
      const second = rotated.json.Settings.webhookSecret as string;
      expect(second).toMatch(/^whsec_/);
      expect(second).not.toBe(first);
      expect(await secretOf(pool.userPoolId)).toBe(second);
      // Another setting change keeps the secret.
      const unrelated = await signedCall(server, 'LatchkeyUpdateUserPoolSettings', {
        UserPoolId: pool.userPoolId,
        Settings: { lockoutThreshold: 7 },
      });
      expect(unrelated.json.Settings.webhookSecret).toBe(second);
      expect(rotated.json.Settings.rotateWebhookSecret).toBeUndefined();
    });

    it('cannot be set directly (the version member is not an input)', async () => {
      const before = await secretOf(pool.userPoolId);
      const res = await signedCall(server, 'LatchkeyUpdateUserPoolSettings', {
        UserPoolId: pool.userPoolId,
        Settings: { webhookSecretVersion: 0, lockoutThreshold: 6 },
      });
      expect(res.status, JSON.stringify(res.json)).toBe(200);
      expect(await secretOf(pool.userPoolId)).toBe(before);
    });
  });
}

import { operation, type Wire } from './types.js';
import { createPoolShape } from './poolShapes.js';
import { describePool } from '../domain/describe.js';
import { randomString } from '../security/secrets.js';
import { StoreConflictError, type PoolConfig, type PoolRecord } from '../storage/store.js';
import { assertLambdaConfig } from '../triggers/config.js';
import { Pool } from '../domain/pools.js';
import { assertSignInPolicy } from '../domain/signInPolicy.js';
import { assertUpdateSettings, buildSchema } from '../domain/schema.js';
import type { Services } from '../services.js';
import type { CreateUserPoolResponse } from '@aws-sdk/client-cognito-identity-provider';

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/**
 * CreateUserPool: ids are `<region>_<9 alphanumerics>`; the pool's first signing key is made at once. `Schema`
 * entries of standard names adjust those; the others become `custom:` (or `dev:custom:`) attributes.
 */
export const CreateUserPool = operation({
  auth: 'sigv4',
  input: createPoolShape,
  async handle(s: Pick<Services, 'store' | 'clock' | 'config' | 'tokens'>, input): Promise<Wire<CreateUserPoolResponse>> {
    const { PoolName, Schema, ...settings } = input;
    assertSignInPolicy(settings);
    assertUpdateSettings(settings);
    assertLambdaConfig(settings.LambdaConfig as Record<string, unknown> | undefined, s.config.triggerModules);
    // The full schema (standard attributes, then custom ones) is stored, so DescribeUserPool and every
    // attribute check read one list.
    const config = { ...settings, SchemaAttributes: buildSchema(Schema) };
    const now = s.clock.now();
    for (let attempt = 0; ; attempt++) {
      const id = `${s.config.region}_${randomString(9, ALNUM)}`;
      const record: PoolRecord = { id, name: PoolName, config: config as PoolConfig, createdAt: now, updatedAt: now };
      try {
        await s.store.createPool(record);
      } catch (err) {
        if (err instanceof StoreConflictError && attempt < 3) continue;
        throw err;
      }
      await s.tokens.rotate(id, new Pool(record).latchkey.tokenSigningAlg, now);
      return { UserPool: describePool(record, s.config.region) };
    }
  },
});

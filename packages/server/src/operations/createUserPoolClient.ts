import { operation, type Wire } from './types.js';
import { CLIENT_DEFAULTS, checkedTokenValidity } from '../domain/clients.js';
import { v, common } from '../protocol/validate.js';
import { clientSettingsShape } from './poolShapes.js';
import { describeClient } from '../domain/describe.js';
import { assertClientAttributes } from '../domain/schema.js';
import { loadPool } from './shared.js';
import { randomString, randomToken } from '../security/secrets.js';
import { StoreConflictError } from '../storage/store.js';
import type { Services } from '../services.js';
import type { CreateUserPoolClientResponse } from '@aws-sdk/client-cognito-identity-provider';

const LOWER_ALNUM = 'abcdefghijklmnopqrstuvwxyz0123456789';

/** CreateUserPoolClient: ids are 26 lowercase alphanumerics; GenerateSecret makes a confidential client. */
export const CreateUserPoolClient = operation({
  auth: 'sigv4',
  input: {
    UserPoolId: common.userPoolId(),
    ClientName: v.str({ required: true, min: 1, max: 128, pattern: /^[\w\s+=,.@-]+$/ }),
    GenerateSecret: v.bool(),
    ...clientSettingsShape,
  },
  async handle(
    s: Pick<Services, 'store' | 'clock'>,
    { UserPoolId, ClientName, GenerateSecret, ...settings },
  ): Promise<Wire<CreateUserPoolClientResponse>> {
    const pool = await loadPool(s, UserPoolId);
    assertClientAttributes(pool.schema, settings, 'creating');
    const now = s.clock.now();
    const config = checkedTokenValidity({ ...CLIENT_DEFAULTS, ...settings });
    if (GenerateSecret) config.ClientSecret = randomToken(39).slice(0, 51);
    for (let attempt = 0; ; attempt++) {
      const record = { id: randomString(26, LOWER_ALNUM), poolId: UserPoolId, name: ClientName, config, createdAt: now, updatedAt: now };
      try {
        await s.store.createClient(record);
        return { UserPoolClient: describeClient(record) };
      } catch (err) {
        if (err instanceof StoreConflictError && attempt < 3) continue;
        throw err;
      }
    }
  },
});

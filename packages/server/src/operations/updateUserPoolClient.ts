import { operation, type Wire } from './types.js';
import { CLIENT_DEFAULTS, checkedTokenValidity } from '../domain/clients.js';
import { v, common } from '../protocol/validate.js';
import { clientSettingsShape } from './poolShapes.js';
import { describeClient } from '../domain/describe.js';
import { assertClientAttributes } from '../domain/schema.js';
import { loadClient, loadPool } from './shared.js';
import { ResourceNotFoundException } from '../protocol/errors.js';
import type { Services } from '../services.js';
import type { UpdateUserPoolClientResponse } from '@aws-sdk/client-cognito-identity-provider';

/** UpdateUserPoolClient: members left out return to defaults, as in Cognito; the secret and Latchkey origins are kept. */
export const UpdateUserPoolClient = operation({
  auth: 'sigv4',
  input: {
    UserPoolId: common.userPoolId(),
    ClientId: common.clientId(),
    ClientName: v.str({ min: 1, max: 128, pattern: /^[\w\s+=,.@-]+$/ }),
    ...clientSettingsShape,
  },
  async handle(
    s: Pick<Services, 'store' | 'clock'>,
    { UserPoolId, ClientId, ClientName, ...settings },
  ): Promise<Wire<UpdateUserPoolClientResponse>> {
    const pool = await loadPool(s, UserPoolId, { fresh: true });
    assertClientAttributes(pool.schema, settings, 'updating');
    const client = await loadClient(s, ClientId, UserPoolId, { fresh: true });
    const old = client.record.config as Record<string, unknown>;
    const config = checkedTokenValidity({ ...CLIENT_DEFAULTS, ...settings });
    for (const k of ['ClientSecret', 'LatchkeyAllowedOrigins']) if (old[k] !== undefined) config[k] = old[k];
    const now = s.clock.now();
    const name = ClientName ?? client.record.name;
    if (!(await s.store.updateClient(ClientId, name, config, now)))
      throw new ResourceNotFoundException(`User pool client ${ClientId} does not exist.`);
    return { UserPoolClient: describeClient({ ...client.record, name, config, updatedAt: now }) };
  },
});

import { operation } from './types.js';
import { CLIENT_DEFAULTS, checkedTokenValidity } from '../domain/clients.js';
import { v, common } from '../protocol/validate.js';
import { clientSettingsShape } from './poolShapes.js';
import { describeClient } from '../domain/describe.js';
import { loadClient, loadPool } from './shared.js';
import { ResourceNotFoundException } from '../protocol/errors.js';

/** UpdateUserPoolClient: members left out return to defaults, as in Cognito; the secret and Latchkey origins are kept. */
export const UpdateUserPoolClient = operation<
  Record<string, unknown> & { UserPoolId: string; ClientId: string; ClientName?: string },
  object
>({
  auth: 'sigv4',
  input: {
    UserPoolId: common.userPoolId(),
    ClientId: common.clientId(),
    ClientName: v.str({ min: 1, max: 128, pattern: /^[\w\s+=,.@-]+$/ }),
    ...clientSettingsShape,
  },
  async handle(s, { UserPoolId, ClientId, ClientName, ...settings }) {
    await loadPool(s, UserPoolId);
    const client = await loadClient(s, ClientId, UserPoolId);
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

import { operation, type NoOutput } from './types.js';
import { common } from '../protocol/validate.js';
import { loadPool } from './shared.js';
import { ResourceNotFoundException } from '../protocol/errors.js';
import type { Services } from '../services.js';

export const DeleteUserPoolClient = operation({
  auth: 'sigv4',
  input: { UserPoolId: common.userPoolId(), ClientId: common.clientId() },
  async handle(s: Pick<Services, 'store'>, { UserPoolId, ClientId }): Promise<NoOutput> {
    await loadPool(s, UserPoolId);
    if (!(await s.store.deleteClient(UserPoolId, ClientId)))
      throw new ResourceNotFoundException(`User pool client ${ClientId} does not exist.`);
    return {};
  },
});

import { operation } from './types.js';
import { common } from '../protocol/validate.js';
import { loadPool } from './shared.js';
import { ResourceNotFoundException } from '../protocol/errors.js';

export const DeleteUserPoolClient = operation<{ UserPoolId: string; ClientId: string }, object>({
  auth: 'sigv4',
  input: { UserPoolId: common.userPoolId(), ClientId: common.clientId() },
  async handle(s, { UserPoolId, ClientId }) {
    await loadPool(s, UserPoolId);
    if (!(await s.store.deleteClient(UserPoolId, ClientId)))
      throw new ResourceNotFoundException(`User pool client ${ClientId} does not exist.`);
    return {};
  },
});

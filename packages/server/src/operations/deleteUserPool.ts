import { operation, type NoOutput } from './types.js';
import { common } from '../protocol/validate.js';
import { loadPool } from './shared.js';
import { InvalidParameterException, ResourceNotFoundException } from '../protocol/errors.js';
import type { Services } from '../services.js';

export const DeleteUserPool = operation({
  auth: 'sigv4',
  input: { UserPoolId: common.userPoolId() },
  async handle(s: Pick<Services, 'store'>, { UserPoolId }): Promise<NoOutput> {
    const pool = await loadPool(s, UserPoolId);
    if ((pool.record.config as { DeletionProtection?: string }).DeletionProtection === 'ACTIVE') {
      throw new InvalidParameterException('The user pool cannot be deleted because deletion protection is activated.');
    }
    if (!(await s.store.deletePool(UserPoolId))) throw new ResourceNotFoundException(`User pool ${UserPoolId} does not exist.`);
    return {};
  },
});

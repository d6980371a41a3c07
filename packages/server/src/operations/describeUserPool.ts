import { operation } from './types.js';
import { common } from '../protocol/validate.js';
import { describePool } from '../domain/describe.js';
import { loadPool } from './shared.js';

export const DescribeUserPool = operation<{ UserPoolId: string }, object>({
  auth: 'sigv4',
  input: { UserPoolId: common.userPoolId() },
  async handle(s, { UserPoolId }) {
    const pool = await loadPool(s, UserPoolId);
    return { UserPool: describePool(pool.record, s.config.region, await s.store.countUsers(pool.id)) };
  },
});

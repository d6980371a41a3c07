import { operation, type Wire } from './types.js';
import { common } from '../protocol/validate.js';
import { describePool } from '../domain/describe.js';
import { loadPool } from './shared.js';
import type { Services } from '../services.js';
import type { DescribeUserPoolResponse } from '@aws-sdk/client-cognito-identity-provider';

export const DescribeUserPool = operation({
  auth: 'sigv4',
  input: { UserPoolId: common.userPoolId() },
  async handle(s: Pick<Services, 'store' | 'config'>, { UserPoolId }): Promise<Wire<DescribeUserPoolResponse>> {
    const pool = await loadPool(s, UserPoolId);
    return { UserPool: describePool(pool.record, s.config.region, await s.store.countUsers(pool.id)) };
  },
});

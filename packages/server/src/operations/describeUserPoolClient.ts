import { operation, type Wire } from './types.js';
import { common } from '../protocol/validate.js';
import { describeClient } from '../domain/describe.js';
import { loadClient, loadPool } from './shared.js';
import type { Services } from '../services.js';
import type { DescribeUserPoolClientResponse } from '@aws-sdk/client-cognito-identity-provider';

export const DescribeUserPoolClient = operation({
  auth: 'sigv4',
  input: { UserPoolId: common.userPoolId(), ClientId: common.clientId() },
  async handle(s: Pick<Services, 'store'>, { UserPoolId, ClientId }): Promise<Wire<DescribeUserPoolClientResponse>> {
    await loadPool(s, UserPoolId);
    const client = await loadClient(s, ClientId, UserPoolId);
    return { UserPoolClient: describeClient(client.record) };
  },
});

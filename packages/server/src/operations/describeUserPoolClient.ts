import { operation } from './types.js';
import { common } from '../protocol/validate.js';
import { describeClient } from '../domain/describe.js';
import { loadClient, loadPool } from './shared.js';

export const DescribeUserPoolClient = operation<{ UserPoolId: string; ClientId: string }, object>({
  auth: 'sigv4',
  input: { UserPoolId: common.userPoolId(), ClientId: common.clientId() },
  async handle(s, { UserPoolId, ClientId }) {
    await loadPool(s, UserPoolId);
    const client = await loadClient(s, ClientId, UserPoolId);
    return { UserPoolClient: describeClient(client.record) };
  },
});

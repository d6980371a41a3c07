import { operation, type Wire } from './types.js';
import { v, common } from '../protocol/validate.js';
import { summarizeClient } from '../domain/describe.js';
import { decodePageToken, encodePageToken, loadPool } from './shared.js';
import type { Services } from '../services.js';
import type { ListUserPoolClientsResponse } from '@aws-sdk/client-cognito-identity-provider';

export const ListUserPoolClients = operation({
  auth: 'sigv4',
  input: { UserPoolId: common.userPoolId(), MaxResults: v.int({ min: 1, max: 60 }), NextToken: common.nextToken() },
  async handle(s: Pick<Services, 'store' | 'box'>, { UserPoolId, MaxResults = 60, NextToken }): Promise<Wire<ListUserPoolClientsResponse>> {
    await loadPool(s, UserPoolId);
    const scope = `clients:${UserPoolId}`;
    const after = NextToken ? decodePageToken<{ a: string }>(s, scope, NextToken).a : undefined;
    const rows = await s.store.listClients(UserPoolId, MaxResults + 1, after);
    const page = rows.slice(0, MaxResults);
    return {
      UserPoolClients: page.map(summarizeClient),
      ...(rows.length > MaxResults ? { NextToken: encodePageToken(s, scope, { a: page[page.length - 1]!.id }) } : {}),
    };
  },
});

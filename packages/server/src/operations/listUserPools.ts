import { operation, type Wire } from './types.js';
import { v, common } from '../protocol/validate.js';
import { summarizePool } from '../domain/describe.js';
import { decodePageToken, encodePageToken } from './shared.js';
import type { Services } from '../services.js';
import type { ListUserPoolsResponse } from '@aws-sdk/client-cognito-identity-provider';

export const ListUserPools = operation({
  auth: 'sigv4',
  input: { MaxResults: v.int({ required: true, min: 1, max: 60 }), NextToken: common.nextToken() },
  async handle(s: Pick<Services, 'store' | 'box'>, { MaxResults, NextToken }): Promise<Wire<ListUserPoolsResponse>> {
    const after = NextToken ? decodePageToken<{ a: string }>(s, 'pools', NextToken).a : undefined;
    const rows = await s.store.listPools(MaxResults + 1, after);
    const page = rows.slice(0, MaxResults);
    return {
      UserPools: page.map(summarizePool),
      ...(rows.length > MaxResults ? { NextToken: encodePageToken(s, 'pools', { a: page[page.length - 1]!.id }) } : {}),
    };
  },
});

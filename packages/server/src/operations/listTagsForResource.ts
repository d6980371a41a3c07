import { operation, type Wire } from './types.js';
import { poolOfArn, resourceArn, tagsOf } from './tagShared.js';
import type { Services } from '../services.js';
import type { ListTagsForResourceResponse } from '@aws-sdk/client-cognito-identity-provider';

/** ListTagsForResource: a user pool's tags (its UserPoolTags; `{}` for a pool with none), as infrastructure tools read them. */
export const ListTagsForResource = operation({
  auth: 'sigv4',
  input: { ResourceArn: resourceArn() },
  async handle(s: Pick<Services, 'store'>, { ResourceArn }): Promise<Wire<ListTagsForResourceResponse>> {
    return { Tags: tagsOf(await poolOfArn(s, ResourceArn)) };
  },
});

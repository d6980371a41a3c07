import { operation, type Wire } from './types.js';
import { v } from '../protocol/validate.js';
import { poolOfArn, resourceArn, tagsOf } from './tagShared.js';
import { ResourceNotFoundException } from '../protocol/errors.js';
import type { Services } from '../services.js';
import type { UntagResourceResponse } from '@aws-sdk/client-cognito-identity-provider';

/** UntagResource: removes tag keys from a user pool; keys it does not have are no error. */
export const UntagResource = operation({
  auth: 'sigv4',
  input: { ResourceArn: resourceArn(), TagKeys: v.list(v.str({ min: 1, max: 128 }), { required: true, max: 50 }) },
  async handle(s: Pick<Services, 'store' | 'clock'>, { ResourceArn, TagKeys }): Promise<Wire<UntagResourceResponse>> {
    const pool = await poolOfArn(s, ResourceArn);
    const tags = tagsOf(pool);
    for (const key of TagKeys) delete tags[key];
    if (!(await s.store.updatePool(pool.id, { ...pool.record.config, UserPoolTags: tags }, s.clock.now())))
      throw new ResourceNotFoundException(`Resource ${ResourceArn} does not exist.`);
    return {};
  },
});

import { operation, type Wire } from './types.js';
import { v } from '../protocol/validate.js';
import { MAX_TAGS, poolOfArn, resourceArn, tagsOf } from './tagShared.js';
import { InvalidParameterException, ResourceNotFoundException } from '../protocol/errors.js';
import type { Services } from '../services.js';
import type { TagResourceResponse } from '@aws-sdk/client-cognito-identity-provider';

/**
 * TagResource: adds or replaces tags on a user pool (stored as its UserPoolTags).
 * @throws InvalidParameterException past 50 tags; ResourceNotFoundException for an unknown pool.
 */
export const TagResource = operation({
  auth: 'sigv4',
  input: { ResourceArn: resourceArn(), Tags: v.map({ maxEntries: MAX_TAGS }) },
  async handle(s: Pick<Services, 'store' | 'clock'>, { ResourceArn, Tags }): Promise<Wire<TagResourceResponse>> {
    const pool = await poolOfArn(s, ResourceArn);
    const tags = { ...tagsOf(pool), ...Tags };
    if (Object.keys(tags).length > MAX_TAGS) throw new InvalidParameterException(`A resource can have at most ${MAX_TAGS} tags.`);
    if (!(await s.store.updatePool(pool.id, { ...pool.record.config, UserPoolTags: tags }, s.clock.now())))
      throw new ResourceNotFoundException(`Resource ${ResourceArn} does not exist.`);
    return {};
  },
});

import { v } from '../protocol/validate.js';
import { InvalidParameterException, ResourceNotFoundException } from '../protocol/errors.js';
import { loadPool } from './shared.js';
import { FIXED } from '../config/defaults.js';
import type { Pool } from '../domain/pools.js';
import type { Services } from '../services.js';

/** A user pool's ARN, as DescribeUserPool returns it: `arn:aws:cognito-idp:<region>:<account>:userpool/<id>`. */
export const resourceArn = () => v.str({ required: true, min: 20, max: 2048 });

/** Quota: tags per user pool. */
export const MAX_TAGS = FIXED.maxTagsPerPool.default;

/**
 * The pool a tag operation names by ARN (only user pools are taggable resources here).
 * @throws InvalidParameterException for an ARN that is not a user pool's; ResourceNotFoundException for an unknown pool.
 */
export async function poolOfArn(s: Pick<Services, 'store'>, arn: string): Promise<Pool> {
  const m = /^arn:[\w-]+:cognito-idp:[\w-]*:\d*:userpool\/([\w-]+_[0-9a-zA-Z]+)$/.exec(arn);
  if (!m) throw new InvalidParameterException(`Invalid ARN ${arn}.`);
  try {
    // Fresh: TagResource and UntagResource write the whole config back.
    return await loadPool(s, m[1]!, { fresh: true });
  } catch (err) {
    if (err instanceof ResourceNotFoundException) throw new ResourceNotFoundException(`Resource ${arn} does not exist.`);
    throw err;
  }
}

/** The pool's tags (UserPoolTags). */
export function tagsOf(pool: Pool): Record<string, string> {
  const t = pool.record.config.UserPoolTags;
  return typeof t === 'object' && t !== null ? { ...(t as Record<string, string>) } : {};
}

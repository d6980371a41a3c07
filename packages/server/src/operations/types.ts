import type { Shape } from '../protocol/validate.js';
import type { RequestContext, Services } from '../services.js';

/**
 * One Cognito operation. `auth: 'sigv4'` operations are admin (IAM) operations: the protocol layer
 * verifies the AWS signature before validation. Token-authorized operations are `auth: 'none'` at the
 * protocol level and verify their AccessToken themselves.
 */
export interface Operation<I = any, O = any> {
  readonly auth: 'sigv4' | 'none';
  readonly input: Shape;
  handle(services: Services, input: I, ctx: RequestContext): Promise<O>;
}

export function operation<I, O>(def: Operation<I, O>): Operation<I, O> {
  return def;
}

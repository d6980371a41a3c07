import { operation, type Wire } from './types.js';
import { v, common } from '../protocol/validate.js';
import { schemaAttribute } from './poolShapes.js';
import { loadPool } from './shared.js';
import { addCustom, customAttribute } from '../domain/schema.js';
import { ResourceNotFoundException } from '../protocol/errors.js';
import type { Services } from '../services.js';
import type { AddCustomAttributesResponse, SchemaAttributeType } from '@aws-sdk/client-cognito-identity-provider';

/**
 * AddCustomAttributes: appends `custom:` (developer-only: `dev:custom:`) attributes to the pool's schema. Attributes
 * cannot be removed or changed afterwards, as in Cognito.
 * @throws InvalidParameterException for a name already in the schema, a bad type or constraint, `Required: true`,
 *   or more than 50 custom attributes; ResourceNotFoundException for an unknown pool.
 */
export const AddCustomAttributes = operation({
  auth: 'sigv4',
  input: { UserPoolId: common.userPoolId(), CustomAttributes: v.list(schemaAttribute(), { required: true, min: 1, max: 25 }) },
  async handle(s: Pick<Services, 'store' | 'clock'>, { UserPoolId, CustomAttributes }): Promise<Wire<AddCustomAttributesResponse>> {
    const pool = await loadPool(s, UserPoolId, { fresh: true });
    const schema = addCustom(
      pool.schema,
      CustomAttributes.map((a) => customAttribute(a as SchemaAttributeType)),
    );
    const config = { ...pool.record.config, SchemaAttributes: schema };
    if (!(await s.store.updatePool(UserPoolId, config, s.clock.now())))
      throw new ResourceNotFoundException(`User pool ${UserPoolId} does not exist.`);
    return {};
  },
});

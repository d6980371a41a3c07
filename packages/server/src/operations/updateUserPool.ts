import { operation, type Wire } from './types.js';
import { updatePoolShape } from './poolShapes.js';
import { loadPool } from './shared.js';
import { assertSignInPolicy } from '../domain/signInPolicy.js';
import { assertLambdaConfig } from '../triggers/config.js';
import { assertUpdateSettings } from '../domain/schema.js';
import { ResourceNotFoundException } from '../protocol/errors.js';
import type { Services } from '../services.js';
import type { UpdateUserPoolResponse } from '@aws-sdk/client-cognito-identity-provider';

/** UpdateUserPool: like Cognito, members left out are reset to their defaults (except creation-only ones). */
export const UpdateUserPool = operation({
  auth: 'sigv4',
  input: updatePoolShape,
  async handle(
    s: Pick<Services, 'store' | 'clock' | 'config'>,
    { UserPoolId, PoolName, ...settings },
  ): Promise<Wire<UpdateUserPoolResponse>> {
    const pool = await loadPool(s, UserPoolId, { fresh: true });
    assertSignInPolicy(settings);
    assertLambdaConfig(settings.LambdaConfig as Record<string, unknown> | undefined, s.config.triggerModules);
    assertUpdateSettings(settings);
    const old = pool.record.config as Record<string, unknown>;
    // Creation-time-only members and the settings managed by other operations survive an update.
    const keep = [
      'AliasAttributes',
      'UsernameAttributes',
      'UsernameConfiguration',
      'Schema',
      'SchemaAttributes',
      'WebAuthnConfiguration',
      'Latchkey',
    ];
    const config: Record<string, unknown> = { ...settings };
    for (const k of keep) if (old[k] !== undefined) config[k] = old[k];
    if (!(await s.store.updatePool(UserPoolId, config, s.clock.now(), PoolName)))
      throw new ResourceNotFoundException(`User pool ${UserPoolId} does not exist.`);
    return {};
  },
});

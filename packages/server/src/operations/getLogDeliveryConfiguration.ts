import { operation, type Wire } from './types.js';
import { common } from '../protocol/validate.js';
import { loadPool } from './shared.js';
import type { Services } from '../services.js';
import type { GetLogDeliveryConfigurationResponse } from '@aws-sdk/client-cognito-identity-provider';

/** GetLogDeliveryConfiguration: Latchkey exports no logs to AWS, so every pool has no log configurations. */
export const GetLogDeliveryConfiguration = operation({
  auth: 'sigv4',
  input: { UserPoolId: common.userPoolId() },
  async handle(s: Pick<Services, 'store'>, { UserPoolId }): Promise<Wire<GetLogDeliveryConfigurationResponse>> {
    await loadPool(s, UserPoolId);
    return { LogDeliveryConfiguration: { UserPoolId, LogConfigurations: [] } };
  },
});

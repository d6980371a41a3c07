import { operation, type Wire } from './types.js';
import { common } from '../protocol/validate.js';
import { loadClient, loadPool } from './shared.js';
import type { Services } from '../services.js';
import type { DescribeRiskConfigurationResponse } from '@aws-sdk/client-cognito-identity-provider';

/**
 * DescribeRiskConfiguration: Latchkey has no threat protection, so a pool (or client) has no risk configuration:
 * Cognito's answer for one without it names the pool (and client) and nothing else.
 */
export const DescribeRiskConfiguration = operation({
  auth: 'sigv4',
  input: { UserPoolId: common.userPoolId(), ClientId: common.clientId(false) },
  async handle(s: Pick<Services, 'store'>, { UserPoolId, ClientId }): Promise<Wire<DescribeRiskConfigurationResponse>> {
    await loadPool(s, UserPoolId);
    if (ClientId !== undefined) await loadClient(s, ClientId, UserPoolId);
    return { RiskConfiguration: { UserPoolId, ...(ClientId !== undefined ? { ClientId } : {}) } };
  },
});

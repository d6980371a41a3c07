import { operation, type Wire } from './types.js';
import { v } from '../protocol/validate.js';
import type { Services } from '../services.js';
import type { DescribeUserPoolDomainResponse } from '@aws-sdk/client-cognito-identity-provider';

/**
 * DescribeUserPoolDomain: Latchkey has no hosted-UI domains, so every domain is one that does not exist, which
 * Cognito answers with an empty DomainDescription (Terraform and the CDK read it so before creating one).
 */
export const DescribeUserPoolDomain = operation({
  auth: 'sigv4',
  input: { Domain: v.str({ required: true, min: 1, max: 63, pattern: /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/ }) },
  async handle(_s: Pick<Services, never>, _input): Promise<Wire<DescribeUserPoolDomainResponse>> {
    return { DomainDescription: {} };
  },
});

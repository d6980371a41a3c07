import { operation, type Wire } from './types.js';
import { common } from '../protocol/validate.js';
import { loadClient, loadPool } from './shared.js';
import { runInitiate } from '../auth/initiate.js';
import { withSignInEvents } from '../auth/events.js';
import { initiateShape } from './initiateAuth.js';
import type { Services } from '../services.js';
import type { AdminInitiateAuthResponse } from '@aws-sdk/client-cognito-identity-provider';
import { stepContext } from '../auth/flows/context.js';

/** AdminInitiateAuth (SigV4): ADMIN_USER_PASSWORD_AUTH / ADMIN_NO_SRP_AUTH, refresh, and the user flows. */
export const AdminInitiateAuth = operation({
  auth: 'sigv4',
  input: { UserPoolId: common.userPoolId(), ...initiateShape, ContextData: initiateShape.UserContextData },
  async handle(
    s: Pick<Services, 'store' | 'clock' | 'box' | 'log' | 'tokens' | 'sender' | 'triggers'>,
    input,
    request,
  ): Promise<Wire<AdminInitiateAuthResponse>> {
    const pool = await loadPool(s, input.UserPoolId);
    const client = await loadClient(s, input.ClientId, pool.id);
    const ctx = stepContext(s, pool, client, { ...input, params: input.AuthParameters }, true, request);
    return withSignInEvents(ctx, 'initiate', input.AuthFlow, () => runInitiate(ctx, input.AuthFlow));
  },
});

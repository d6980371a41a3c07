import { operation, type Wire } from './types.js';
import { common } from '../protocol/validate.js';
import { loadClient, loadPool } from './shared.js';
import { runRespond } from '../auth/initiate.js';
import { withSignInEvents } from '../auth/events.js';
import { respondShape } from './respondToAuthChallenge.js';
import type { Services } from '../services.js';
import type { AdminRespondToAuthChallengeResponse } from '@aws-sdk/client-cognito-identity-provider';
import { stepContext } from '../auth/flows/context.js';

export const AdminRespondToAuthChallenge = operation({
  auth: 'sigv4',
  input: { UserPoolId: common.userPoolId(), ...respondShape, ContextData: respondShape.UserContextData },
  async handle(
    s: Pick<Services, 'store' | 'clock' | 'box' | 'log' | 'tokens' | 'sender' | 'triggers'>,
    input,
    request,
  ): Promise<Wire<AdminRespondToAuthChallengeResponse>> {
    const pool = await loadPool(s, input.UserPoolId);
    const client = await loadClient(s, input.ClientId, pool.id);
    const ctx = stepContext(s, pool, client, { ...input, params: input.ChallengeResponses }, true, request);
    return withSignInEvents(ctx, 'respond', input.ChallengeName, () => runRespond(ctx, input.ChallengeName));
  },
});

import { operation } from './types.js';
import { common } from '../protocol/validate.js';
import { loadClient, loadPool } from './shared.js';
import { runRespond } from '../auth/initiate.js';
import { respondShape } from './respondToAuthChallenge.js';

export const AdminRespondToAuthChallenge = operation<
  { UserPoolId: string; ClientId: string; ChallengeName: string; Session?: string; ChallengeResponses?: Record<string, string> },
  object
>({
  auth: 'sigv4',
  input: { UserPoolId: common.userPoolId(), ...respondShape, ContextData: respondShape.UserContextData },
  async handle(s, input) {
    const pool = await loadPool(s, input.UserPoolId);
    const client = await loadClient(s, input.ClientId, pool.id);
    return runRespond(
      { s, pool, client, params: input.ChallengeResponses ?? {}, session: input.Session, admin: true },
      input.ChallengeName,
    );
  },
});

import { operation } from './types.js';
import { common } from '../protocol/validate.js';
import { loadClient, loadPool } from './shared.js';
import { runInitiate } from '../auth/initiate.js';
import { initiateShape } from './initiateAuth.js';

/** AdminInitiateAuth (SigV4): ADMIN_USER_PASSWORD_AUTH / ADMIN_NO_SRP_AUTH, refresh, and the user flows. */
export const AdminInitiateAuth = operation<
  { UserPoolId: string; AuthFlow: string; AuthParameters?: Record<string, string>; ClientId: string; Session?: string },
  object
>({
  auth: 'sigv4',
  input: { UserPoolId: common.userPoolId(), ...initiateShape, ContextData: initiateShape.UserContextData },
  async handle(s, input) {
    const pool = await loadPool(s, input.UserPoolId);
    const client = await loadClient(s, input.ClientId, pool.id);
    return runInitiate({ s, pool, client, params: input.AuthParameters ?? {}, session: input.Session, admin: true }, input.AuthFlow);
  },
});

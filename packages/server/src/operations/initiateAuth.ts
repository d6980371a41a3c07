import { operation, type Wire } from './types.js';
import { v, common } from '../protocol/validate.js';
import { loadClientPool } from './shared.js';
import { runInitiate } from '../auth/initiate.js';
import { withSignInEvents } from '../auth/events.js';
import type { Services } from '../services.js';
import type { InitiateAuthResponse } from '@aws-sdk/client-cognito-identity-provider';
import { stepContext } from '../auth/flows/context.js';

const flows = [
  'USER_SRP_AUTH',
  'REFRESH_TOKEN_AUTH',
  'REFRESH_TOKEN',
  'CUSTOM_AUTH',
  'ADMIN_NO_SRP_AUTH',
  'USER_PASSWORD_AUTH',
  'ADMIN_USER_PASSWORD_AUTH',
  'USER_AUTH',
] as const;

export const initiateShape = {
  AuthFlow: v.str({ required: true, enum: flows }),
  AuthParameters: v.map({ maxEntries: 20, maxValue: 4096 }),
  ClientMetadata: common.clientMetadata(),
  ClientId: common.clientId(),
  AnalyticsMetadata: v.doc(),
  UserContextData: v.doc(),
  Session: common.session(),
};

/** InitiateAuth: USER_PASSWORD_AUTH, USER_SRP_AUTH, USER_AUTH (passkeys, choice) and refresh. */
export const InitiateAuth = operation({
  auth: 'none',
  input: initiateShape,
  async handle(
    s: Pick<Services, 'store' | 'clock' | 'box' | 'log' | 'tokens' | 'sender' | 'triggers'>,
    input,
    request,
  ): Promise<Wire<InitiateAuthResponse>> {
    const { client, pool } = await loadClientPool(s, input.ClientId);
    const ctx = stepContext(s, pool, client, { ...input, params: input.AuthParameters }, false, request);
    return withSignInEvents(ctx, 'initiate', input.AuthFlow, () => runInitiate(ctx, input.AuthFlow));
  },
});

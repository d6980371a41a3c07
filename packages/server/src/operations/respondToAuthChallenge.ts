import { operation, type Wire } from './types.js';
import { v, common } from '../protocol/validate.js';
import { loadClientPool } from './shared.js';
import { runRespond } from '../auth/initiate.js';
import { withSignInEvents } from '../auth/events.js';
import type { Services } from '../services.js';
import type { RespondToAuthChallengeResponse } from '@aws-sdk/client-cognito-identity-provider';
import { stepContext } from '../auth/flows/context.js';

const challenges = [
  'SMS_MFA',
  'EMAIL_OTP',
  'SOFTWARE_TOKEN_MFA',
  'SELECT_MFA_TYPE',
  'MFA_SETUP',
  'PASSWORD_VERIFIER',
  'CUSTOM_CHALLENGE',
  'SELECT_CHALLENGE',
  'DEVICE_SRP_AUTH',
  'DEVICE_PASSWORD_VERIFIER',
  'ADMIN_NO_SRP_AUTH',
  'NEW_PASSWORD_REQUIRED',
  'SMS_OTP',
  'PASSWORD',
  'WEB_AUTHN',
  'PASSWORD_SRP',
] as const;

export const respondShape = {
  ClientId: common.clientId(),
  ChallengeName: v.str({ required: true, enum: challenges }),
  Session: common.session(),
  ChallengeResponses: v.map({ maxEntries: 30, maxValue: 65536 }),
  AnalyticsMetadata: v.doc(),
  UserContextData: v.doc(),
  ClientMetadata: common.clientMetadata(),
};

export const RespondToAuthChallenge = operation({
  auth: 'none',
  input: respondShape,
  async handle(
    s: Pick<Services, 'store' | 'clock' | 'box' | 'log' | 'tokens' | 'sender' | 'triggers'>,
    input,
    request,
  ): Promise<Wire<RespondToAuthChallengeResponse>> {
    const { client, pool } = await loadClientPool(s, input.ClientId);
    const ctx = stepContext(s, pool, client, { ...input, params: input.ChallengeResponses }, false, request);
    return withSignInEvents(ctx, 'respond', input.ChallengeName, () => runRespond(ctx, input.ChallengeName));
  },
});

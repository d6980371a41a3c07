import type { AdminListUserAuthEventsResponse, AuthEventType } from '@aws-sdk/client-cognito-identity-provider';
import { adminUserOperation, decodePageToken, encodePageToken } from './shared.js';
import { v, common } from '../protocol/validate.js';
import type { LifecycleEventRecord } from '../storage/store.js';
import type { Services } from '../services.js';
import type { Wire } from './types.js';

/** The lifecycle events that are Cognito auth events. */
const AUTH_EVENT_TYPES = ['signin.succeeded', 'signin.failed', 'user.created', 'password.changed'] as const;

const PASSWORD_FACTORS = new Set([
  'PASSWORD',
  'NEW_PASSWORD',
  'USER_PASSWORD_AUTH',
  'ADMIN_USER_PASSWORD_AUTH',
  'ADMIN_NO_SRP_AUTH',
  'USER_SRP_AUTH',
  'PASSWORD_VERIFIER',
]);
/** The MFA steps a sign-in event names: `mfa` of a success (auth/results.ts), the refused challenge of a failure. */
const MFA_FACTORS = new Set(['SOFTWARE_TOKEN_MFA', 'SMS_MFA']);
const str = (v: unknown) => (typeof v === 'string' ? v : undefined);

/** One stored lifecycle event as Cognito's AuthEventType. Latchkey scores no risk: every event is NoRisk. */
function authEvent(e: LifecycleEventRecord): Wire<AuthEventType> {
  const d = e.detail;
  const signIn = e.type === 'signin.succeeded' || e.type === 'signin.failed';
  const ok = e.type !== 'signin.failed';
  const factor = str(d.factor);
  const ip = str(d.ip);
  const agent = str(d.userAgent);
  return {
    EventId: e.id,
    EventType: signIn
      ? 'SignIn'
      : e.type === 'user.created'
        ? 'SignUp'
        : d.operation === 'ConfirmForgotPassword'
          ? 'ForgotPassword'
          : 'PasswordChange',
    CreationDate: e.createdAt / 1000,
    EventResponse: ok ? 'Pass' : 'Fail',
    EventRisk: { RiskDecision: 'NoRisk', RiskLevel: 'Low', CompromisedCredentialsDetected: false },
    ChallengeResponses: [
      ...(signIn && factor && PASSWORD_FACTORS.has(factor)
        ? [{ ChallengeName: 'Password' as const, ChallengeResponse: ok ? ('Success' as const) : ('Failure' as const) }]
        : []),
      ...(signIn && (str(d.mfa) || (factor && MFA_FACTORS.has(factor)))
        ? [{ ChallengeName: 'Mfa' as const, ChallengeResponse: ok ? ('Success' as const) : ('Failure' as const) }]
        : []),
    ],
    ...(ip || agent
      ? { EventContextData: { ...(ip ? { IpAddress: ip } : {}), ...(agent ? { DeviceName: agent.slice(0, 256) } : {}) } }
      : {}),
  };
}

/**
 * The user's recent auth events, newest first: sign-ins (passed and failed), sign-up, password changes and resets,
 * read from the lifecycle-event outbox (kept 90 days). @throws ResourceNotFoundException | UserNotFoundException |
 * InvalidParameterException (page token)
 */
export const AdminListUserAuthEvents = adminUserOperation(
  { MaxResults: v.int({ min: 0, max: 60 }), NextToken: common.nextToken() },
  async (s: Pick<Services, 'store' | 'box'>, pool, user, input): Promise<Wire<AdminListUserAuthEventsResponse>> => {
    const limit = input.MaxResults || 60;
    const scope = `auth-events:${pool.id}:${user.id}`;
    const before = input.NextToken ? decodePageToken<{ c: number; i: string }>(s, scope, input.NextToken) : undefined;
    const rows = await s.store.listUserEvents(
      pool.id,
      user.id,
      limit + 1,
      before && { createdAt: before.c, id: before.i },
      AUTH_EVENT_TYPES,
    );
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return {
      AuthEvents: page.map(authEvent),
      ...(rows.length > limit && last ? { NextToken: encodePageToken(s, scope, { c: last.createdAt, i: last.id }) } : {}),
    };
  },
);

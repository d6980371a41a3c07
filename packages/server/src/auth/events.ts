import type { Services, RequestContext } from '../services.js';
import type { JsonObject, LifecycleEventRecord, LifecycleEventType, UserRecord } from '../storage/store.js';
import type { Pool } from '../domain/pools.js';
import { randomId } from '../security/secrets.js';
import { ServiceError } from '../protocol/errors.js';
import { findUser } from './password.js';
import type { FlowContext } from './flows/context.js';

/** Where a sign-in came from: the event detail's `clientId`, `ip`, `userAgent`. */
export type EventOrigin = Pick<RequestContext, 'sourceIp' | 'userAgent'> & { clientId?: string };

/**
 * One lifecycle event for the outbox (docs/events.md), to hand to the Store method that makes the change, so
 * both commit together. Due for delivery at once when the pool has an event webhook; else recorded only.
 */
export function lifecycleEvent(
  s: Pick<Services, 'clock'>,
  pool: Pool,
  user: Pick<UserRecord, 'id' | 'username'>,
  type: LifecycleEventType,
  detail: JsonObject = {},
): LifecycleEventRecord {
  const now = s.clock.now();
  return {
    id: randomId(),
    poolId: pool.id,
    userId: user.id,
    username: user.username,
    type,
    detail,
    createdAt: now,
    nextAttemptAt: pool.latchkey.eventWebhookUrl ? now : null,
    attempts: 0,
    deliveredAt: null,
  };
}

/** The request facts a sign-in event carries (absent ones left out). */
export function originDetail(origin: EventOrigin | undefined): JsonObject {
  const d: JsonObject = {};
  if (origin?.clientId) d.clientId = origin.clientId;
  if (origin?.sourceIp) d.ip = origin.sourceIp;
  if (origin?.userAgent) d.userAgent = origin.userAgent;
  return d;
}

/**
 * `mfa.changed` for an MFA preference change (SetUserMFAPreference, AdminSetUserMFAPreference, …): pass the result
 * to the Store call that stores the preference (`updateUser(…, events)`), so the change and its event commit together.
 * `detail` names what changed, e.g. `{ operation: 'SetUserMFAPreference', enabled: ['SOFTWARE_TOKEN_MFA'], preferred: … }`.
 */
export function mfaChangedEvent(
  s: Pick<Services, 'clock'>,
  pool: Pool,
  user: Pick<UserRecord, 'id' | 'username'>,
  detail: JsonObject,
): LifecycleEventRecord {
  return lifecycleEvent(s, pool, user, 'mfa.changed', detail);
}

/** The refusals of a sign-in step that count as a failed sign-in (not a malformed request, not a refresh). */
const SIGN_IN_FAILURES = new Set([
  'NotAuthorizedException',
  'CodeMismatchException',
  'ExpiredCodeException',
  'TooManyFailedAttemptsException',
]);

/**
 * Runs a sign-in step (InitiateAuth / RespondToAuthChallenge and their Admin forms); when it is refused for a user
 * that exists, records `signin.failed` (factor: the flow or challenge; the refusal; client, IP, User-Agent). The
 * record is written after the answer is decided and without delaying it, so a known user's refusal takes no longer
 * than an unknown one's (user existence stays hidden).
 */
export async function withSignInEvents<T>(ctx: FlowContext, step: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    const typed = ctx.params.USERNAME;
    if (err instanceof ServiceError && SIGN_IN_FAILURES.has(err.type) && typed && !step.startsWith('REFRESH_TOKEN')) {
      void recordSignInFailure(ctx, typed, step, err.type).catch((e: unknown) =>
        ctx.s.log.warn({ err: e, poolId: ctx.pool.id }, 'could not record a failed sign-in'),
      );
    }
    throw err;
  }
}

async function recordSignInFailure(ctx: FlowContext, typed: string, step: string, reason: string): Promise<void> {
  const user = await findUser(ctx.s, ctx.pool, typed);
  if (!user) return;
  const detail = { factor: step, reason, ...originDetail({ ...ctx.request, clientId: ctx.client.id }) };
  await ctx.s.store.addEvents([lifecycleEvent(ctx.s, ctx.pool, user, 'signin.failed', detail)]);
}

/**
 * The optional security notice of `passkeyChangeEmail`: an email telling the user a passkey was added or removed.
 * Sent after the change committed and without waiting (a failure is logged; the change stands). Email only: a
 * phone-only user gets none. Not yet routed through the custom-message trigger.
 */
export function noticePasskeyChange(
  s: Pick<Services, 'sender' | 'log' | 'clock'>,
  pool: Pool,
  user: Pick<UserRecord, 'id' | 'attributes'>,
  change: 'added' | 'removed',
  provider: string | null,
): void {
  const email = user.attributes.email;
  if (!pool.latchkey.passkeyChangeEmail || !email) return;
  const what = provider ? `A passkey (${provider})` : 'A passkey';
  const when = new Date(s.clock.now()).toISOString();
  const message = {
    poolId: pool.id,
    purpose: 'notice' as const,
    kind: 'notice' as const,
    userId: user.id,
    destination: email,
    subject: change === 'added' ? 'A passkey was added to your account' : 'A passkey was removed from your account',
    body:
      `${what} was ${change === 'added' ? 'added to' : 'removed from'} your account at ${when}. ` +
      'If this was not you, secure your account.',
    code: '',
  };
  void s.sender.send(message).catch((err: unknown) => s.log.warn({ err, poolId: pool.id, userId: user.id }, 'passkey notice not sent'));
}

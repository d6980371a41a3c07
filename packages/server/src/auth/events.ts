import type { Services, RequestContext } from '../services.js';
import type { JsonObject, LifecycleEventRecord, LifecycleEventType, UserRecord } from '../storage/store.js';
import type { Pool } from '../domain/pools.js';
import { hmacHex, randomId } from '../security/secrets.js';
import { FIXED } from '../config/defaults.js';
import { ServiceError } from '../protocol/errors.js';
import { findUser, LOCKED } from './password.js';
import { admitCodeSend, userBudgetKey } from './sendBudget.js';
import type { FlowContext } from './flows/context.js';
import { peekRequestSession } from './sessions.js';

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
 * Respond steps that read or consume their Session themselves and record what they found for peekRequestSession
 * (rememberRequestSession) before any refusal that follows: WEB_AUTHN within its one read, PASSWORD_VERIFIER as it
 * consumes the Session. A refusal before that point finds the Session still there.
 */
const STEPS_READING_THEIR_SESSION = new Set(['WEB_AUTHN', 'PASSWORD_VERIFIER']);

/** Failed sign-ins waiting to be recorded after their response; past this many, further ones are dropped (and logged). */
const MAX_PENDING_FAILURES = 1000;
let pendingFailures = 0;

/**
 * Runs a sign-in step (InitiateAuth / RespondToAuthChallenge and their Admin forms); when it is refused, records
 * `signin.failed` (factor: the flow or challenge; the refusal; client, IP, User-Agent) for the user the attempt was
 * really against:
 * - `initiate`: the user the typed USERNAME finds, and only for an attempt the lockout admitted (a refusal of a
 *   locked-out name is no attempt, so it records nothing);
 * - `respond`: the user of the Session, read before the step consumes it, and only when that Session exists and
 *   belongs to this client. ChallengeResponses.USERNAME is written by the caller and never names the user here, so
 *   a forged or foreign Session records nothing.
 * At most one event per user and factor per FIXED.signInFailedEventWindowMs (a guarded upsert, Store.admitBudget),
 * so a flood of refusals cannot flood the outbox or the receiver. The record is written after the response (queued
 * with setImmediate, bounded by MAX_PENDING_FAILURES), so a known user's refusal does no more work in the request
 * path than an unknown one's (user existence stays hidden).
 */
export async function withSignInEvents<T>(ctx: FlowContext, kind: 'initiate' | 'respond', step: string, run: () => Promise<T>): Promise<T> {
  // Read before the step: a refused step burns its Session. The same read for every respond, known user or not. A
  // step that reads its Session within a wider read of its own (WEB_AUTHN: Store.readPasskeySignIn) records what it
  // found (rememberRequestSession) before it burns the Session, and the refusal below asks that record instead.
  const readByStep = kind === 'respond' && STEPS_READING_THEIR_SESSION.has(step);
  const before = kind === 'respond' && !readByStep ? await sessionUser(ctx) : undefined;
  try {
    return await run();
  } catch (err) {
    const sessionUserId = readByStep ? await sessionUser(ctx) : before;
    if (
      err instanceof ServiceError &&
      SIGN_IN_FAILURES.has(err.type) &&
      err.message !== LOCKED &&
      !step.startsWith('REFRESH_TOKEN') &&
      (kind === 'initiate' ? !!ctx.params.USERNAME : !!sessionUserId)
    ) {
      const who = kind === 'initiate' ? { typed: ctx.params.USERNAME! } : { id: sessionUserId! };
      deferFailure(ctx, () => recordSignInFailure(ctx, who, step, err.type));
    }
    throw err;
  }
}

/** The user id of the request's Session when it is live and this client's; undefined otherwise. */
async function sessionUser(ctx: FlowContext): Promise<string | undefined> {
  // The step's own peek reuses this read (peekRequestSession).
  const rec = await peekRequestSession(ctx);
  if (!rec || rec.clientId !== ctx.client.id || rec.poolId !== ctx.client.poolId || rec.poolId !== ctx.pool.id) return undefined;
  return rec.userId ?? undefined;
}

function deferFailure(ctx: FlowContext, record: () => Promise<void>): void {
  if (pendingFailures >= MAX_PENDING_FAILURES) {
    ctx.s.log.warn({ poolId: ctx.pool.id }, 'failed sign-in not recorded: too many pending');
    return;
  }
  pendingFailures++;
  setImmediate(() => {
    record()
      .catch((e: unknown) => ctx.s.log.warn({ err: e, poolId: ctx.pool.id }, 'could not record a failed sign-in'))
      .finally(() => pendingFailures--);
  });
}

async function recordSignInFailure(ctx: FlowContext, who: { typed: string } | { id: string }, step: string, reason: string): Promise<void> {
  const user = 'typed' in who ? await findUser(ctx.s, ctx.pool, who.typed) : await ctx.s.store.getUser(ctx.pool.id, who.id);
  if (!user) return;
  const now = ctx.s.clock.now();
  const key = hmacHex(ctx.s.box.macKey, `signin-failed-event\n${ctx.pool.id}\n${user.id}\n${step}`);
  const windowMs = FIXED.signInFailedEventWindowMs.default;
  if (!(await ctx.s.store.admitBudget(ctx.pool.id, key, 'signin_failed_event', now, 1, windowMs))) return;
  const detail = { factor: step, reason, ...originDetail({ ...ctx.request, clientId: ctx.client.id }) };
  await ctx.s.store.addEvents([lifecycleEvent(ctx.s, ctx.pool, user, 'signin.failed', detail)]);
}

/**
 * The optional security notice of `passkeyChangeEmail`: an email telling the user a passkey was added or removed.
 * Sent after the change committed and without waiting (a failure is logged; the change stands). Only to a verified
 * email (`email_verified` = "true": an unverified address may be anyone's), and charged to the user's send budget
 * (purpose `notice`, FIXED.codeSendsPerWindow per window), so adding and removing passkeys in a loop cannot turn
 * the server into a mailer. A phone-only user gets none. Not yet routed through the custom-message trigger.
 */
export function noticePasskeyChange(
  s: Pick<Services, 'sender' | 'log' | 'clock' | 'store' | 'box'>,
  pool: Pool,
  user: Pick<UserRecord, 'id' | 'attributes'>,
  change: 'added' | 'removed',
  provider: string | null,
): void {
  const email = user.attributes.email;
  if (!pool.latchkey.passkeyChangeEmail || !email || user.attributes.email_verified !== 'true') return;
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
  const log = { poolId: pool.id, userId: user.id };
  void admitCodeSend(s, pool, userBudgetKey(s, pool, user.id), 'notice')
    .then(
      () => s.sender.send(message),
      () => s.log.warn(log, 'passkey notice not sent: send budget used up'),
    )
    .catch((err: unknown) => s.log.warn({ err, ...log }, 'passkey notice not sent'));
}

import type { Services } from '../services.js';
import type { AuthSessionRecord, JsonObject, OutboxMessage } from '../storage/store.js';
import { NotAuthorizedException } from '../protocol/errors.js';
import { randomToken, sha256Hex } from '../security/secrets.js';
import type { AppClient } from '../domain/clients.js';

export const SESSION_EXPIRED = 'Invalid session for the user, session is expired.';

/**
 * Stores one step of a sign-in and returns the opaque `Session` string. Only its hash is stored; the
 * record is bound to pool, client and user and lives for the client's AuthSessionValidity. With
 * `message`, the step's outbox message is written in the same commit (development delivery of a code).
 */
export async function issueSession(
  s: Pick<Services, 'store' | 'clock'>,
  client: AppClient,
  userId: string | null,
  state: JsonObject,
  token = randomToken(48),
  message?: Omit<OutboxMessage, 'id'>,
): Promise<string> {
  await s.store.putAuthSession(
    {
      idHash: sha256Hex(token),
      poolId: client.poolId,
      clientId: client.id,
      userId,
      state,
      expiresAt: s.clock.now() + client.authSessionValiditySec * 1000,
    },
    message,
  );
  return token;
}

/**
 * Reads a Session for a final step without consuming it: the step consumes it together with its
 * result (signedIn → Store.finishSignIn), or burns it on failure (burnSession).
 * @throws NotAuthorizedException("Invalid session for the user, session is expired.")
 */
export async function peekSession(ctx: SessionRequest): Promise<{ rec: AuthSessionRecord; hash: string }> {
  const { client, session: token } = ctx;
  if (!token) throw new NotAuthorizedException(SESSION_EXPIRED, 'no session');
  const hash = sha256Hex(token);
  const rec = await peekRequestSession(ctx);
  if (!rec) throw new NotAuthorizedException(SESSION_EXPIRED, 'unknown, used or expired session');
  if (rec.clientId !== client.id || rec.poolId !== client.poolId)
    throw new NotAuthorizedException(SESSION_EXPIRED, 'session of another client');
  return { rec, hash };
}

/** The parts of a sign-in step's context a Session read needs (FlowContext has them). */
export interface SessionRequest {
  s: Pick<Services, 'store' | 'clock'>;
  client: AppClient;
  session?: string;
}

const peeked = new WeakMap<SessionRequest, { token: string; rec: Promise<AuthSessionRecord | undefined> }>();

/**
 * The request's Session record as the store has it (live or undefined), read once per request: the sign-in events
 * (auth/events.ts) read it before the step, and the step's own peek reuses that read. Safe because a peek never
 * decides single use: the step consumes the Session in its own guarded write (finishSignIn, burnSession).
 */
export function peekRequestSession(ctx: SessionRequest): Promise<AuthSessionRecord | undefined> {
  const token = ctx.session;
  if (!token) return Promise.resolve(undefined);
  let hit = peeked.get(ctx);
  if (!hit || hit.token !== token) {
    hit = { token, rec: ctx.s.store.peekAuthSession(sha256Hex(token), ctx.s.clock.now()) };
    peeked.set(ctx, hit);
  }
  return hit.rec;
}

/**
 * Records the request's Session as a step's own wider read found it (Store.readPasskeySignIn), so that
 * peekRequestSession — the sign-in events' read and the step's peek — answers from it instead of reading again.
 */
export function rememberRequestSession(ctx: SessionRequest, rec: AuthSessionRecord | undefined): void {
  if (ctx.session) peeked.set(ctx, { token: ctx.session, rec: Promise.resolve(rec) });
}

/**
 * Consumes a peeked session after a failed attempt, so it cannot be tried again.
 * @throws NotAuthorizedException(SESSION_EXPIRED) when another request had already consumed it — the
 *   attempt lost a race with that request, so that is the accurate answer.
 */
export async function burnSession(s: Pick<Services, 'store' | 'clock'>, hash: string): Promise<void> {
  if (!(await s.store.consumeAuthSession(hash, s.clock.now())))
    throw new NotAuthorizedException(SESSION_EXPIRED, 'session consumed concurrently');
}

/**
 * Consumes a Session: single use (delete-returning), unexpired, same client.
 * @throws NotAuthorizedException("Invalid session for the user, session is expired.")
 */
export async function consumeSession(
  s: Pick<Services, 'store' | 'clock'>,
  client: AppClient,
  token: string | undefined,
): Promise<AuthSessionRecord> {
  if (!token) throw new NotAuthorizedException(SESSION_EXPIRED, 'no session');
  const rec = await s.store.consumeAuthSession(sha256Hex(token), s.clock.now());
  if (!rec) throw new NotAuthorizedException(SESSION_EXPIRED, 'unknown, used or expired session');
  if (rec.clientId !== client.id || rec.poolId !== client.poolId)
    throw new NotAuthorizedException(SESSION_EXPIRED, 'session of another client');
  return rec;
}

import type { FlowContext } from './context.js';
import type { Services } from '../../services.js';
import type { UserRecord } from '../../storage/store.js';
import type { AppClient } from '../../domain/clients.js';
import { findUser, assertUserCanSignIn } from '../password.js';
import { issueSession, peekSession, SESSION_EXPIRED } from '../sessions.js';
import { signedIn, type AuthOutput } from '../results.js';
import { InvalidParameterException, NotAuthorizedException } from '../../protocol/errors.js';

/** The kind of auth session ConfirmSignUp hands out; no RespondToAuthChallenge step accepts it. */
const KIND = 'SIGN_UP';

/**
 * The Session ConfirmSignUp returns (ConfirmSignUpResponse.Session): the confirmation code just spent
 * counts as the first factor of one USER_AUTH sign-in (Amplify's autoSignIn). It is an auth session like
 * any sign-in step's, so it is single-use, bound to this user and client, and lives for the client's
 * AuthSessionValidity (FIXED.signUpSessionValidity). Only clients that allow USER_AUTH get one.
 */
export async function issueSignUpSession(
  s: Pick<Services, 'store' | 'clock'>,
  client: AppClient,
  user: UserRecord,
): Promise<{ Session?: string }> {
  if (!client.allows('ALLOW_USER_AUTH')) return {};
  return { Session: await issueSession(s, client, user.id, { kind: KIND, issuedAt: s.clock.now() }) };
}

/**
 * InitiateAuth USER_AUTH with a Session: the ConfirmSignUp Session signs its user in with tokens and no
 * further challenge. The session is consumed in the transaction that creates the token family
 * (Store.finishSignIn), so of parallel uses exactly one succeeds. A Session of another client, of
 * another user than USERNAME names, of a sign-in step, used or expired, gets Cognito's expired-session
 * answer and is left as it was (a wrong guess at the name does not spend the real user's session).
 */
export async function signInWithSignUpSession(ctx: FlowContext): Promise<AuthOutput> {
  const typed = ctx.params.USERNAME;
  if (!typed) throw new InvalidParameterException('Missing required parameter USERNAME');
  const { rec, hash } = await peekSession(ctx);
  if (rec.state.kind !== KIND || !rec.userId) throw new NotAuthorizedException(SESSION_EXPIRED, 'session of a sign-in step');
  const user = await findUser(ctx.s, ctx.pool, typed);
  if (!user || user.id !== rec.userId) throw new NotAuthorizedException(SESSION_EXPIRED, "another user's sign-up session");
  assertUserCanSignIn(user);
  // A global sign-out (or a password change) after the Session was handed out revokes it too: it is the one
  // session that needs no further factor, so it must not outlive a revocation meant to lock the user's sign-ins.
  const issuedAt = typeof rec.state.issuedAt === 'number' ? rec.state.issuedAt : 0;
  if (issuedAt <= user.tokensValidAfter) throw new NotAuthorizedException(SESSION_EXPIRED, 'revoked by a global sign-out');
  // No MFA step, even in a pool that requires MFA: Cognito issues tokens at a new user's first sign-in, the
  // confirmation of the code it sent counting as the second factor (developer guide, "Adding MFA to a user
  // pool"); MFA (or MFA_SETUP) applies from the next sign-in on.
  return signedIn(ctx.s, ctx.pool, ctx.client, user, { sessionHash: hash, event: { factor: 'SIGN_UP_CODE', request: ctx.request } });
}

import type { FlowContext } from '../auth/flows/context.js';
import type { UserRecord } from '../storage/store.js';
import { signedIn, type AuthOutput } from '../auth/results.js';
import { consumeSession, issueSession, SESSION_EXPIRED } from '../auth/sessions.js';
import { assertUserCanSignIn, findUser, findUserForAdmin, INCORRECT, noSuchUser } from '../auth/password.js';
import { InvalidLambdaResponseException, InvalidParameterException, NotAuthorizedException } from '../protocol/errors.js';
import { runPreAuthentication } from './auth.js';
import { eventUserAttributes, isObject, metadata, triggerEvent } from './events.js';

/** One answered challenge, as DefineAuthChallenge's request.session lists them. */
interface ChallengeResult {
  challengeName: string;
  challengeResult: boolean;
  challengeMetadata: string | null;
}
/** The sign-in step a CUSTOM_CHALLENGE Session is bound to (stored server-side; the private parameters never leave it). */
interface CustomState {
  kind: 'CUSTOM_CHALLENGE';
  history: ChallengeResult[];
  privateChallengeParameters: Record<string, string>;
  challengeMetadata: string | null;
  /** Only for a name no user has (existence errors prevented): the typed name the stand-in sign-in runs under. */
  standIn?: string;
  /** What was typed: the USERNAME every reply carries (the canonical name would tell a user from a stand-in). */
  typed?: string;
}

/** Whom a custom sign-in runs for: a user, or (existence errors prevented) a stand-in for an unknown typed name. */
type Subject = { user: UserRecord | undefined; name: string; typed: string };

/** The parts of an event that depend on the subject: a stand-in has no attributes and userNotFound: true, as in Cognito. */
function subjectRequest(ctx: FlowContext, who: Subject): Record<string, unknown> {
  return {
    userAttributes: who.user ? eventUserAttributes(who.user) : {},
    ...(ctx.client.preventUserExistenceErrors ? { userNotFound: who.user === undefined } : {}),
  };
}

/** At most this many challenges in one sign-in: a define trigger that never decides cannot loop forever. */
const MAX_CHALLENGES = 20;

const NOT_CONFIGURED = 'Custom auth lambda trigger is not configured for the user pool.';
const invalid = (why: string) => new InvalidLambdaResponseException('Unrecognizable lambda output', why);
const stringMap = (v: unknown, what: string): Record<string, string> => {
  if (v === undefined || v === null) return {};
  if (!isObject(v) || !Object.values(v).every((x) => typeof x === 'string')) throw invalid(`${what} is not a map of strings`);
  return v as Record<string, string>;
};

function targets(ctx: FlowContext) {
  const { DefineAuthChallenge: define, CreateAuthChallenge: create, VerifyAuthChallengeResponse: verify } = ctx.pool.lambdaConfig;
  if (!define || !create || !verify) throw new InvalidParameterException(NOT_CONFIGURED);
  return { define, create, verify };
}

/**
 * Asks DefineAuthChallenge what follows `history`: tokens, failure, or a CUSTOM_CHALLENGE (created by CreateAuthChallenge
 * and stored with a new Session). The step just answered was consumed before its answer was judged.
 * @throws NotAuthorizedException (failAuthentication, too many challenges) | the trigger errors
 */
async function next(ctx: FlowContext, who: Subject, history: ChallengeResult[]): Promise<AuthOutput> {
  const t = targets(ctx);
  const common = { ...subjectRequest(ctx, who), session: history, clientMetadata: metadata(ctx.clientMetadata) };
  const defined = await ctx.s.triggers.invoke(
    ctx.pool,
    'DefineAuthChallenge',
    t.define,
    triggerEvent(ctx.s, ctx.pool, 'DefineAuthChallenge_Authentication', who.name, ctx.client.id, common, {
      challengeName: null,
      issueTokens: null,
      failAuthentication: null,
    }),
  );
  const r = defined.response;
  if (r.issueTokens === true && r.failAuthentication !== true) {
    // A stand-in's Session never issues tokens, whatever the trigger decides: the refusal a wrong answer gets.
    if (!who.user) throw new NotAuthorizedException(INCORRECT, 'custom auth of an unknown name');
    return signedIn(ctx.s, ctx.pool, ctx.client, who.user, { event: { factor: 'CUSTOM_CHALLENGE', request: ctx.request } });
  }
  if (r.failAuthentication === true || history.length >= MAX_CHALLENGES) throw new NotAuthorizedException(INCORRECT, 'custom auth failed');
  if (r.challengeName !== 'CUSTOM_CHALLENGE')
    throw invalid(`DefineAuthChallenge challengeName ${String(r.challengeName)} is not supported`);
  const created = await ctx.s.triggers.invoke(
    ctx.pool,
    'CreateAuthChallenge',
    t.create,
    triggerEvent(
      ctx.s,
      ctx.pool,
      'CreateAuthChallenge_Authentication',
      who.name,
      ctx.client.id,
      { ...common, challengeName: 'CUSTOM_CHALLENGE' },
      { publicChallengeParameters: null, privateChallengeParameters: null, challengeMetadata: null },
    ),
  );
  const c = created.response;
  const publicParams = stringMap(c.publicChallengeParameters, 'publicChallengeParameters');
  const state: CustomState = {
    kind: 'CUSTOM_CHALLENGE',
    history,
    privateChallengeParameters: stringMap(c.privateChallengeParameters, 'privateChallengeParameters'),
    challengeMetadata: typeof c.challengeMetadata === 'string' ? c.challengeMetadata : null,
    typed: who.typed,
    ...(who.user ? {} : { standIn: who.name }),
  };
  return {
    ChallengeName: 'CUSTOM_CHALLENGE',
    Session: await issueSession(ctx.s, ctx.client, who.user?.id ?? null, { ...state }),
    // What was typed, for users and stand-ins alike (as SRP's USERNAME): an alias's owner or a UUID would tell who exists.
    ChallengeParameters: { ...publicParams, USERNAME: who.typed },
  };
}

/**
 * InitiateAuth / AdminInitiateAuth CUSTOM_AUTH (without SRP): pre authentication, then the define / create loop. Where the
 * client prevents user-existence errors, an unknown name gets the same loop with a stand-in (userNotFound: true in every
 * event, as Cognito), whose Session can never issue tokens: its end is NotAuthorizedException "Incorrect username or password.".
 * @throws InvalidParameterException when the pool lacks the three triggers or USERNAME is missing; the user's sign-in errors
 *   (UserNotFoundException for an unknown name only where existence errors are not prevented)
 */
export async function startCustomAuth(ctx: FlowContext): Promise<AuthOutput> {
  targets(ctx);
  const typed = ctx.params.USERNAME;
  if (!typed) throw new InvalidParameterException('Missing required parameter USERNAME');
  if (ctx.params.SRP_A !== undefined) throw new InvalidParameterException('CUSTOM_AUTH with SRP_A is not supported by Latchkey.');
  const user = await (ctx.admin ? findUserForAdmin(ctx.s, ctx.pool, typed) : findUser(ctx.s, ctx.pool, typed));
  // Where existence errors are prevented, an unknown name runs the same triggers (userNotFound: true) as a user would.
  if (!user && !ctx.client.preventUserExistenceErrors) throw noSuchUser(ctx.client);
  await runPreAuthentication(ctx.s, ctx.pool, ctx.client, typed, user, ctx.clientMetadata);
  if (!user) return next(ctx, { user: undefined, name: typed, typed }, []);
  assertUserCanSignIn(user);
  return next(ctx, { user, name: user.username, typed }, []);
}

/**
 * RespondToAuthChallenge CUSTOM_CHALLENGE: VerifyAuthChallengeResponse judges ANSWER, DefineAuthChallenge decides what
 * follows. The Session is single use and bound to this step: it is consumed (delete-returning, exactly one concurrent caller
 * gets it) before the verify trigger sees the answer, so N parallel answers on one Session are one judged answer, and any
 * "three tries" limit the define trigger keeps holds. The step that follows gets its own new Session.
 * @throws NotAuthorizedException (session, user) | InvalidParameterException (no ANSWER) | the trigger errors
 */
export async function respondCustomChallenge(ctx: FlowContext): Promise<AuthOutput> {
  const t = targets(ctx);
  const answer = ctx.params.ANSWER;
  if (answer === undefined) throw new InvalidParameterException('Missing required parameter ANSWER');
  const rec = await consumeSession(ctx.s, ctx.client, ctx.session);
  const st = rec.state as unknown as CustomState;
  if (st.kind !== 'CUSTOM_CHALLENGE' || (!rec.userId && typeof st.standIn !== 'string'))
    throw new NotAuthorizedException(SESSION_EXPIRED, 'session of another step');
  let who: Subject = { user: undefined, name: st.standIn ?? '', typed: st.typed ?? st.standIn ?? '' };
  if (rec.userId) {
    const user = await ctx.s.store.getUser(ctx.pool.id, rec.userId);
    if (!user) throw new NotAuthorizedException(SESSION_EXPIRED, 'user gone');
    assertUserCanSignIn(user);
    who = { user, name: user.username, typed: st.typed ?? user.username };
  }
  const verified = await ctx.s.triggers.invoke(
    ctx.pool,
    'VerifyAuthChallengeResponse',
    t.verify,
    triggerEvent(
      ctx.s,
      ctx.pool,
      'VerifyAuthChallengeResponse_Authentication',
      who.name,
      ctx.client.id,
      {
        ...subjectRequest(ctx, who),
        privateChallengeParameters: st.privateChallengeParameters,
        challengeAnswer: answer,
        clientMetadata: metadata(ctx.clientMetadata),
      },
      { answerCorrect: null },
    ),
  );
  const correct = verified.response.answerCorrect;
  if (typeof correct !== 'boolean') throw invalid('VerifyAuthChallengeResponse answerCorrect is not a boolean');
  const history = [...st.history, { challengeName: 'CUSTOM_CHALLENGE', challengeResult: correct, challengeMetadata: st.challengeMetadata }];
  return next(ctx, who, history);
}

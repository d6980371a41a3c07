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
async function next(ctx: FlowContext, user: UserRecord, history: ChallengeResult[]): Promise<AuthOutput> {
  const t = targets(ctx);
  const common = { userAttributes: eventUserAttributes(user), session: history, clientMetadata: metadata(ctx.clientMetadata) };
  const defined = await ctx.s.triggers.invoke(
    ctx.pool,
    'DefineAuthChallenge',
    t.define,
    triggerEvent(ctx.s, ctx.pool, 'DefineAuthChallenge_Authentication', user.username, ctx.client.id, common, {
      challengeName: null,
      issueTokens: null,
      failAuthentication: null,
    }),
  );
  const r = defined.response;
  if (r.issueTokens === true && r.failAuthentication !== true) return signedIn(ctx.s, ctx.pool, ctx.client, user);
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
      user.username,
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
  };
  return {
    ChallengeName: 'CUSTOM_CHALLENGE',
    Session: await issueSession(ctx.s, ctx.client, user.id, { ...state }),
    ChallengeParameters: { ...publicParams, USERNAME: user.username },
  };
}

/**
 * InitiateAuth / AdminInitiateAuth CUSTOM_AUTH (without SRP): pre authentication, then the define / create loop.
 * @throws InvalidParameterException when the pool lacks the three triggers or USERNAME is missing; the user's sign-in errors
 */
export async function startCustomAuth(ctx: FlowContext): Promise<AuthOutput> {
  targets(ctx);
  const typed = ctx.params.USERNAME;
  if (!typed) throw new InvalidParameterException('Missing required parameter USERNAME');
  if (ctx.params.SRP_A !== undefined) throw new InvalidParameterException('CUSTOM_AUTH with SRP_A is not supported by Latchkey.');
  const user = await (ctx.admin ? findUserForAdmin(ctx.s, ctx.pool, typed) : findUser(ctx.s, ctx.pool, typed));
  if (!user) throw noSuchUser(ctx.client);
  await runPreAuthentication(ctx.s, ctx.pool, ctx.client, typed, user, ctx.clientMetadata);
  assertUserCanSignIn(user);
  return next(ctx, user, []);
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
  if (rec.state.kind !== 'CUSTOM_CHALLENGE' || !rec.userId) throw new NotAuthorizedException(SESSION_EXPIRED, 'session of another step');
  const st = rec.state as unknown as CustomState;
  const user = await ctx.s.store.getUser(ctx.pool.id, rec.userId);
  if (!user) throw new NotAuthorizedException(SESSION_EXPIRED, 'user gone');
  assertUserCanSignIn(user);
  const verified = await ctx.s.triggers.invoke(
    ctx.pool,
    'VerifyAuthChallengeResponse',
    t.verify,
    triggerEvent(
      ctx.s,
      ctx.pool,
      'VerifyAuthChallengeResponse_Authentication',
      user.username,
      ctx.client.id,
      {
        userAttributes: eventUserAttributes(user),
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
  return next(ctx, user, history);
}

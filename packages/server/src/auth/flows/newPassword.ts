import type { FlowContext } from './context.js';
import { consumeSession, SESSION_EXPIRED } from '../sessions.js';
import { assertPasswordPolicy, passwordSecret } from '../password.js';
import type { AuthOutput } from '../results.js';
import { afterFirstFactor } from './mfa.js';
import { parseAttributes } from '../../domain/users.js';
import { mergeAttributes, saveUserAttributes } from '../attributes.js';
import { InvalidParameterException, NotAuthorizedException } from '../../protocol/errors.js';

/** RespondToAuthChallenge NEW_PASSWORD_REQUIRED: sets the user's own password, then tokens. */
export async function respondNewPassword(ctx: FlowContext): Promise<AuthOutput> {
  // Input is checked before the Session is consumed, so a rejected password can be retried with it
  // (aws-amplify keeps the session after an error).
  const password = ctx.params.NEW_PASSWORD;
  if (!password) throw new InvalidParameterException('Missing required parameter NEW_PASSWORD');
  assertPasswordPolicy(ctx.pool, password);
  const extra = parseAttributes(
    ctx.pool,
    Object.entries(ctx.params)
      .filter(([k]) => k.startsWith('userAttributes.'))
      .map(([k, v]) => ({ Name: k.slice('userAttributes.'.length), Value: v })),
    { admin: false, client: ctx.client },
  );
  const rec = await consumeSession(ctx.s, ctx.client, ctx.session);
  if (rec.state.kind !== 'NEW_PASSWORD_REQUIRED' || !rec.userId)
    throw new NotAuthorizedException(SESSION_EXPIRED, 'session of another step');
  const user = await ctx.s.store.getUser(ctx.pool.id, rec.userId);
  if (!user || user.status !== 'FORCE_CHANGE_PASSWORD') throw new NotAuthorizedException(SESSION_EXPIRED, 'user changed');
  // The same merge and alias rules as UpdateUserAttributes: a changed email is unverified, a taken alias refused.
  const attributes = mergeAttributes(user, extra);
  await saveUserAttributes(ctx.s, ctx.pool, user.id, attributes, {
    ...passwordSecret(ctx.pool, user, password, ctx.s.clock.now()),
    status: 'CONFIRMED',
  });
  return afterFirstFactor(ctx, { ...user, status: 'CONFIRMED', attributes }, { tokenSource: 'TokenGeneration_NewPasswordChallenge' });
}

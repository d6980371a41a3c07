import type { FlowContext } from './context.js';
import type { UserRecord } from '../../storage/store.js';
import { consumeSession, peekSession, SESSION_EXPIRED } from '../sessions.js';
import { assertPasswordPolicy, passwordSecret } from '../password.js';
import type { AuthOutput } from '../results.js';
import { afterFirstFactor, mfaOptions, type Contact } from './mfa.js';
import { parseAttributes } from '../../domain/users.js';
import { applyAttributeUpdate } from '../attributes.js';
import { InvalidParameterException, NotAuthorizedException } from '../../protocol/errors.js';

const CONTACTS: readonly [Contact, string][] = [
  ['email', 'email_verified'],
  ['phone_number', 'phone_number_verified'],
];

/**
 * The addresses an update would replace at once (applyAttributeUpdate's rules): a new value, unless the pool
 * keeps it pending because the current one is verified and listed in AttributesRequireVerificationBeforeUpdate.
 */
function replacedContacts(ctx: FlowContext, user: UserRecord, changes: Record<string, string>): Contact[] {
  return CONTACTS.filter(([name, flag]) => {
    const value = changes[name];
    if (value === undefined || value === user.attributes[name]) return false;
    return !(ctx.pool.verifyBeforeUpdate.includes(name) && user.attributes[name] && user.attributes[flag] === 'true');
  }).map(([name]) => name);
}

/**
 * RespondToAuthChallenge NEW_PASSWORD_REQUIRED: sets the user's own password and the answer's attributes
 * (the rules of UpdateUserAttributes: pending values, verification flags reset, codes sent), then the MFA
 * step or tokens. An address this answer replaces never receives the MFA code; an answer that would leave
 * a user who has MFA by SMS or email with no other way to it is refused (a temporary password's holder
 * must not move the second factor to an address of their own).
 * @throws InvalidParameterException | NotAuthorizedException | AliasExistsException | InvalidPasswordException
 */
export async function respondNewPassword(ctx: FlowContext): Promise<AuthOutput> {
  // Input is checked before the Session is consumed, so a rejected password can be retried with it
  // (aws-amplify keeps the session after an error).
  const password = ctx.params.NEW_PASSWORD;
  if (!password) throw new InvalidParameterException('Missing required parameter NEW_PASSWORD');
  assertPasswordPolicy(ctx.pool, password);
  const list = Object.entries(ctx.params)
    .filter(([k]) => k.startsWith('userAttributes.'))
    .map(([k, v]) => ({ Name: k.slice('userAttributes.'.length), Value: v }));
  const changes = parseAttributes(ctx.pool, list, { admin: false, client: ctx.client });
  const { rec } = await peekSession(ctx);
  if (rec.state.kind !== 'NEW_PASSWORD_REQUIRED' || !rec.userId)
    throw new NotAuthorizedException(SESSION_EXPIRED, 'session of another step');
  const user = await ctx.s.store.getUser(ctx.pool.id, rec.userId);
  if (!user || user.status !== 'FORCE_CHANGE_PASSWORD') throw new NotAuthorizedException(SESSION_EXPIRED, 'user changed');
  const replaced = replacedContacts(ctx, user, changes);
  if (replaced.length > 0) {
    const before = await mfaOptions(ctx, user);
    const after = await mfaOptions(ctx, user, replaced);
    if (before.options.length > 0 && after.options.length === 0)
      throw new InvalidParameterException(`Cannot change ${replaced.join(', ')} while it receives the MFA code.`);
  }
  await consumeSession(ctx.s, ctx.client, ctx.session);
  if (list.length > 0)
    await applyAttributeUpdate(ctx.s, ctx.pool, user, list, { admin: false, client: ctx.client, clientMetadata: ctx.clientMetadata });
  const updated = (await ctx.s.store.getUser(ctx.pool.id, user.id)) ?? user;
  const secret = passwordSecret(ctx.pool, user, password, ctx.s.clock.now());
  await ctx.s.store.updateUser(ctx.pool.id, user.id, { ...secret, status: 'CONFIRMED' }, ctx.s.clock.now());
  // What the update actually replaced (not what stayed pending) is kept from the MFA step.
  const untrusted = CONTACTS.filter(([name]) => updated.attributes[name] !== user.attributes[name]).map(([name]) => name);
  return afterFirstFactor(
    ctx,
    { ...updated, status: 'CONFIRMED' },
    { tokenSource: 'TokenGeneration_NewPasswordChallenge', event: { factor: 'NEW_PASSWORD', request: ctx.request } },
    untrusted,
  );
}

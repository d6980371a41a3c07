import type { FlowContext } from './context.js';
import type { UserRecord } from '../../storage/store.js';
import { newSrpIdentity, verifyUserPassword } from '../password.js';
import type { AuthOutput, FinishSignIn } from '../results.js';
import { afterFirstFactor } from './mfa.js';
import { burnSession, issueSession } from '../sessions.js';
import { InvalidParameterException, NotAuthorizedException } from '../../protocol/errors.js';
import { readableAttributes } from '../../domain/users.js';
import { runPreAuthenticationFor } from '../../triggers/auth.js';
import { migrateOnSignIn } from '../../triggers/migration.js';

/**
 * After a password: a temporary password leads to NEW_PASSWORD_REQUIRED, anything else to the one
 * after-first-factor step (auth/flows/mfa.ts: the pool's MFA challenge, or tokens).
 * @throws NotAuthorizedException when a temporary password has expired.
 */
export async function afterPassword(ctx: FlowContext, user: UserRecord, finish: FinishSignIn = {}): Promise<AuthOutput> {
  if (user.status === 'FORCE_CHANGE_PASSWORD') {
    // The password verified: its attempt count ends here (no token family to clear it with).
    if (finish.clearLoginKey) await ctx.s.store.clearLoginAttempts(ctx.pool.id, [finish.clearLoginKey]);
    const validDays = ctx.pool.passwordPolicy.TemporaryPasswordValidityDays;
    if (validDays > 0 && ctx.s.clock.now() > user.passwordSetAt + validDays * 86400_000) {
      throw new NotAuthorizedException('Temporary password has expired and must be reset by an administrator.');
    }
    // The step's session ends here (exactly once, even under concurrent answers); a new one follows.
    if (finish.sessionHash) await burnSession(ctx.s, finish.sessionHash);
    // What this client may read (never developer-only attributes, only its ReadAttributes when it sets them).
    const attrs = Object.fromEntries(
      Object.entries(readableAttributes(ctx.pool, ctx.client, user.attributes)).filter(([k]) => k !== 'sub' && !k.endsWith('_verified')),
    );
    return {
      ChallengeName: 'NEW_PASSWORD_REQUIRED',
      Session: await issueSession(ctx.s, ctx.client, user.id, { kind: 'NEW_PASSWORD_REQUIRED' }),
      // The identity the new password's verifier will be made with: what the next SRP challenge carries.
      ChallengeParameters: {
        USER_ID_FOR_SRP: newSrpIdentity(ctx.pool, user),
        requiredAttributes: '[]',
        userAttributes: JSON.stringify(attrs),
      },
    };
  }
  return afterFirstFactor(ctx, user, { ...finish, event: { factor: 'PASSWORD', request: ctx.request } });
}

/** USER_PASSWORD_AUTH, ADMIN_USER_PASSWORD_AUTH and USER_AUTH's PASSWORD. */
export async function passwordSignIn(ctx: FlowContext, typed: string | undefined, password: string | undefined): Promise<AuthOutput> {
  if (!typed) throw new InvalidParameterException('Missing required parameter USERNAME');
  if (!password) throw new InvalidParameterException('Missing required parameter PASSWORD');
  // Triggers (triggers/): pre authentication, then user migration for a name no user has yet.
  await runPreAuthenticationFor(ctx.s, ctx.pool, ctx.client, typed, ctx.admin, ctx.clientMetadata);
  const admitted = await migrateOnSignIn(ctx.s, ctx.pool, ctx.client, typed, password, ctx.admin, ctx.clientMetadata);
  const { user, loginKey, groups } = await verifyUserPassword(ctx.s, ctx.pool, ctx.client, typed, password, { admin: ctx.admin, admitted });
  return afterPassword(ctx, user, { clearLoginKey: loginKey, groups });
}

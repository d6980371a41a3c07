import { operation, type Wire } from './types.js';
import { v, common } from '../protocol/validate.js';
import { loadPublicUserRequest, publicUserShape, unknownUserForCode } from './shared.js';
import { useCode, useStandInCode } from '../auth/codes.js';
import { admitSignUpConfirm } from '../auth/sendBudget.js';
import { emailKeyFor } from '../domain/users.js';
import { AliasExistsException, NotAuthorizedException } from '../protocol/errors.js';
import { StoreConflictError } from '../storage/store.js';
import { issueSignUpSession } from '../auth/flows/signUpSession.js';
import { runPostConfirmation } from '../triggers/signUp.js';
import type { Services } from '../services.js';
import type { ConfirmSignUpResponse } from '@aws-sdk/client-cognito-identity-provider';

/**
 * ConfirmSignUp: a valid code confirms the user and verifies the attribute it was sent to.
 * @throws LimitExceededException past the typed name's attempt budget (FIXED.signUpConfirmAttempts).
 */
export const ConfirmSignUp = operation({
  auth: 'none',
  input: { ...publicUserShape, ConfirmationCode: common.code(), ForceAliasCreation: v.bool(), Session: common.session() },
  async handle(s: Pick<Services, 'store' | 'clock' | 'box' | 'triggers'>, input): Promise<Wire<ConfirmSignUpResponse>> {
    const { client, pool, user } = await loadPublicUserRequest(s, input);
    if (!user && !client.preventUserExistenceErrors) throw unknownUserForCode(client);
    // Every attempt, for a known name or not, spends the name's ConfirmSignUp budget before any code is
    // checked: the per-code limit refills with each resend, this one does not (the code signs the user in).
    await admitSignUpConfirm(s, pool, input.Username);
    // With existence errors prevented, an unknown or already confirmed user answers from the stand-in
    // code ResendConfirmationCode gave them: mismatches, too many attempts, expiry, as a real code.
    if (!user || user.status !== 'UNCONFIRMED') {
      if (client.preventUserExistenceErrors) return useStandInCode(s, pool, input.Username, 'signup');
      throw new NotAuthorizedException(`User cannot be confirmed. Current status is ${user!.status}`);
    }
    const attributes = { ...user.attributes };
    if (attributes.email) attributes.email_verified = 'true';
    else if (attributes.phone_number) attributes.phone_number_verified = 'true';
    const emailKey = emailKeyFor(pool, attributes);
    // An alias held by another user is refused before the code is spent, unless the caller asks to move it.
    const holder = emailKey ? await s.store.findUserByEmail(pool.id, emailKey) : undefined;
    if (holder && holder.id !== user.id && !input.ForceAliasCreation)
      throw new AliasExistsException('An account with the given email already exists.');
    await useCode(s, pool, user, 'signup', input.ConfirmationCode);
    // ForceAliasCreation moves the alias from the previous holder to this user, in one transaction.
    const moves =
      holder && holder.id !== user.id
        ? [{ id: holder.id, patch: { emailKey: null, attributes: { ...holder.attributes, email_verified: 'false' } } }]
        : [];
    try {
      await s.store.updateUsers(
        pool.id,
        [...moves, { id: user.id, patch: { status: 'CONFIRMED' as const, attributes, emailKey } }],
        s.clock.now(),
      );
    } catch (err) {
      if (err instanceof StoreConflictError) throw new AliasExistsException('An account with the given email already exists.');
      throw err;
    }
    await runPostConfirmation(
      s,
      pool,
      'PostConfirmation_ConfirmSignUp',
      client.id,
      { ...user, status: 'CONFIRMED', attributes },
      input.ClientMetadata,
    );
    return issueSignUpSession(s, client, user);
  },
});

import { operation, type Wire } from './types.js';
import { insertUser, newUserRecord } from '../auth/newUser.js';
import { common } from '../protocol/validate.js';
import { loadClientPool, publicUserShape } from './shared.js';
import { assertRequiredAttributes, deliveryTarget, parseAttributes } from '../domain/users.js';
import { customMessage } from '../triggers/customMessage.js';
import { assertPasswordPolicy, assertSecretHash } from '../auth/password.js';
import { sendCode, type CodeDeliveryDetails } from '../auth/codes.js';
import { admitCodeSend, nameBudgetKey } from '../auth/sendBudget.js';
import { InvalidParameterException, NotAuthorizedException, AliasExistsException } from '../protocol/errors.js';
import { applyPreSignUp, runPreSignUp } from '../triggers/signUp.js';
import type { Services } from '../services.js';
import type { SignUpResponse } from '@aws-sdk/client-cognito-identity-provider';

/** SignUp: a new UNCONFIRMED user; a code goes to the email when the pool auto-verifies it. */
export const SignUp = operation({
  auth: 'none',
  input: {
    ...publicUserShape,
    Password: common.password(false),
    UserAttributes: common.attributes(),
    ValidationData: common.attributes(),
  },
  async handle(s: Pick<Services, 'store' | 'clock' | 'box' | 'sender' | 'log' | 'triggers'>, input): Promise<Wire<SignUpResponse>> {
    const { client, pool } = await loadClientPool(s, input.ClientId);
    assertSecretHash(client, input.Username, input.SecretHash);
    if (pool.allowAdminCreateUserOnly) throw new NotAuthorizedException('SignUp is not permitted for this user pool');
    const attributes = parseAttributes(pool, input.UserAttributes, { admin: false, creating: true, client });
    const passwordless = pool.allowedFirstAuthFactors.some((f) => f !== 'PASSWORD');
    if (input.Password === undefined && !passwordless) {
      throw new InvalidParameterException(
        "1 validation error detected: Value at 'password' failed to satisfy constraint: Member must not be null",
      );
    }
    if (input.Password !== undefined) assertPasswordPolicy(pool, input.Password);
    const user = newUserRecord(pool, input.Username, attributes, 'UNCONFIRMED', input.Password, s.clock.now(), {
      emailAttributeSuffices: false,
    });
    assertRequiredAttributes(pool, attributes);
    if (pool.emailIsAlias && attributes.email) {
      // An alias taken by a confirmed user cannot be claimed by a new sign-up.
      const holder = await s.store.findUserByEmail(pool.id, attributes.email.toLowerCase());
      if (holder) throw new AliasExistsException('An account with the given email already exists.');
    }
    // The pre sign-up trigger decides before anything is stored: a refusal leaves no user and spends no send budget.
    applyPreSignUp(pool, user, await runPreSignUp(s, pool, 'PreSignUp_SignUp', client.id, user, input), true);
    const verify = user.status === 'UNCONFIRMED' ? pool.autoVerifiedAttributes.find((a) => attributes[a]) : undefined;
    // The first code counts against the name's sign-up send budget (shared with ResendConfirmationCode),
    // admitted before the user is stored so that a refusal leaves nothing behind.
    if (verify) await admitCodeSend(s, pool, nameBudgetKey(s, pool, input.Username), 'signup');
    // The custom message trigger's text is asked for before the user is stored, so its failure leaves nothing either.
    const message = { source: 'CustomMessage_SignUp' as const, clientId: client.id, clientMetadata: input.ClientMetadata };
    const template = verify ? await customMessage(s, pool, user, deliveryTarget(user)?.destination ?? '', message) : undefined;
    await insertUser(s, user, 'User already exists');
    let details: CodeDeliveryDetails | undefined;
    if (verify) details = await sendCode(s, pool, user, 'signup', { template });
    return { UserConfirmed: user.status === 'CONFIRMED', UserSub: user.id, ...(details ? { CodeDeliveryDetails: details } : {}) };
  },
});

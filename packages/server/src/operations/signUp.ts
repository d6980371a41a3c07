import { operation } from './types.js';
import { common } from '../protocol/validate.js';
import { loadClientPool, publicUserShape } from './shared.js';
import { parseAttributes, emailKeyFor } from '../domain/users.js';
import { assertPasswordPolicy, assertSecretHash, passwordSecret } from '../auth/password.js';
import { sendCode, type CodeDeliveryDetails } from '../auth/codes.js';
import { randomId } from '../security/secrets.js';
import { InvalidParameterException, NotAuthorizedException, UsernameExistsException, AliasExistsException } from '../protocol/errors.js';
import { StoreConflictError, type UserRecord } from '../storage/store.js';

interface Input {
  ClientId: string; Username: string; Password?: string; SecretHash?: string;
  UserAttributes?: { Name: string; Value?: string }[];
}

/** SignUp: a new UNCONFIRMED user; a code goes to the email when the pool auto-verifies it. */
export const SignUp = operation<Input, object>({
  auth: 'none',
  input: {
    ...publicUserShape, Password: common.password(false), UserAttributes: common.attributes(), ValidationData: common.attributes(),
  },
  async handle(s, input) {
    const { client, pool } = await loadClientPool(s, input.ClientId);
    assertSecretHash(client, input.Username, input.SecretHash);
    if (pool.allowAdminCreateUserOnly) throw new NotAuthorizedException('SignUp is not permitted for this user pool');
    const attributes = parseAttributes(input.UserAttributes, { admin: false });
    const passwordless = pool.allowedFirstAuthFactors.some((f) => f !== 'PASSWORD');
    if (input.Password === undefined && !passwordless) {
      throw new InvalidParameterException("1 validation error detected: Value at 'password' failed to satisfy constraint: Member must not be null");
    }
    const id = randomId();
    let username = input.Username;
    if (pool.emailIsUsername) {
      if (!input.Username.includes('@')) throw new InvalidParameterException('Username should be an email.');
      attributes.email ??= input.Username;
      username = id;
    }
    if (input.Password !== undefined) assertPasswordPolicy(pool, input.Password);
    const now = s.clock.now();
    const user: UserRecord = {
      poolId: pool.id, id, username, usernameKey: pool.usernameKey(username), emailKey: emailKeyFor(pool, attributes),
      status: 'UNCONFIRMED', enabled: true, attributes, srpSalt: null, srpVerifier: null, passwordSetAt: 0, failedAttempts: 0, lockedUntil: 0,
      passkeyCount: 0, tokensValidAfter: 0, createdAt: now, updatedAt: now,
      ...(input.Password !== undefined ? passwordSecret(pool, { id }, input.Password, now) : {}),
    };
    if (pool.emailIsAlias && attributes.email) {
      // An alias taken by a confirmed user cannot be claimed by a new sign-up.
      const holder = await s.store.findUserByEmail(pool.id, attributes.email.toLowerCase());
      if (holder) throw new AliasExistsException('An account with the given email already exists.');
    }
    try {
      await s.store.createUser(user);
    } catch (err) {
      if (err instanceof StoreConflictError) {
        throw new UsernameExistsException(err.key === 'email' ? 'An account with the given email already exists.' : 'User already exists');
      }
      throw err;
    }
    let details: CodeDeliveryDetails | undefined;
    const verify = pool.autoVerifiedAttributes.find((a) => attributes[a]);
    if (verify) details = await sendCode(s, pool, user, 'signup');
    return { UserConfirmed: false, UserSub: id, ...(details ? { CodeDeliveryDetails: details } : {}) };
  },
});

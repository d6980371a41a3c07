import { operation, type Wire } from './types.js';
import { common, v } from '../protocol/validate.js';
import { authorizeAccessToken } from '../auth/accessToken.js';
import { assertTotpAvailable, associateTotp } from '../auth/totp.js';
import { peekSetupSession } from '../auth/mfaSession.js';
import { burnSession, issueSession } from '../auth/sessions.js';
import { InvalidParameterException } from '../protocol/errors.js';
import type { Services } from '../services.js';
import type { AssociateSoftwareTokenResponse } from '@aws-sdk/client-cognito-identity-provider';

/**
 * AssociateSoftwareToken: a new TOTP secret (base32 SecretCode) for the signed-in user (AccessToken) or
 * for the user of an MFA_SETUP sign-in step (Session: consumed, and a new one returned for the next
 * step). The secret is stored sealed as the user's pending one, replacing any earlier pending secret.
 * @throws InvalidParameterException | NotAuthorizedException | SoftwareTokenMFANotFoundException
 */
export const AssociateSoftwareToken = operation({
  auth: 'none',
  input: { AccessToken: v.str({ min: 1, max: 16384, pattern: /^[A-Za-z0-9-_=.]+$/ }), Session: common.session() },
  async handle(
    s: Pick<Services, 'store' | 'tokens' | 'clock' | 'box'>,
    { AccessToken, Session },
  ): Promise<Wire<AssociateSoftwareTokenResponse>> {
    if ((AccessToken === undefined) === (Session === undefined))
      throw new InvalidParameterException('Exactly one of AccessToken or Session must be provided.');
    if (AccessToken !== undefined) {
      const { pool, user } = await authorizeAccessToken(s, AccessToken);
      return { SecretCode: await associateTotp(s, pool, user) };
    }
    const setup = await peekSetupSession(s, Session!);
    assertTotpAvailable(setup.pool);
    // The step's Session is single-use: the secret comes with the next one.
    await burnSession(s, setup.hash);
    const secret = await associateTotp(s, setup.pool, setup.user);
    const next = await issueSession(s, setup.client, setup.user.id, { kind: 'MFA_SETUP', verified: false, associated: true });
    return { SecretCode: secret, Session: next };
  },
});

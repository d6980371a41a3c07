import { operation, type Wire } from './types.js';
import { common, v } from '../protocol/validate.js';
import { authorizeAccessToken } from '../auth/accessToken.js';
import { verifyTotp } from '../auth/totp.js';
import { peekSetupSession } from '../auth/mfaSession.js';
import { burnSession, issueSession } from '../auth/sessions.js';
import { InvalidParameterException, NotAuthorizedException } from '../protocol/errors.js';
import { FIXED } from '../config/defaults.js';
import type { Services } from '../services.js';
import type { VerifySoftwareTokenResponse } from '@aws-sdk/client-cognito-identity-provider';

/**
 * VerifySoftwareToken: a code of the pending secret makes it the user's TOTP secret (Status SUCCESS).
 * With an MFA_SETUP Session, TOTP MFA is also enabled and preferred, the Session is consumed and a new
 * one returned, which RespondToAuthChallenge MFA_SETUP answers for tokens. A wrong code keeps the
 * Session (counted on it, and on the user's TOTP attempt counter).
 * @throws EnableSoftwareTokenMFAException | InvalidParameterException | NotAuthorizedException | SoftwareTokenMFANotFoundException
 */
export const VerifySoftwareToken = operation({
  auth: 'none',
  input: {
    AccessToken: v.str({ min: 1, max: 16384, pattern: /^[A-Za-z0-9-_=.]+$/ }),
    Session: common.session(),
    UserCode: v.str({ required: true, min: 6, max: 6, pattern: /^[0-9]+$/ }),
    FriendlyDeviceName: v.str({ max: 131072 }),
  },
  async handle(
    s: Pick<Services, 'store' | 'tokens' | 'clock' | 'box'>,
    { AccessToken, Session, UserCode, FriendlyDeviceName },
  ): Promise<Wire<VerifySoftwareTokenResponse>> {
    if ((AccessToken === undefined) === (Session === undefined))
      throw new InvalidParameterException('Exactly one of AccessToken or Session must be provided.');
    const name = FriendlyDeviceName ?? null;
    if (AccessToken !== undefined) {
      const { pool, user } = await authorizeAccessToken(s, AccessToken);
      await verifyTotp(s, pool, user, UserCode, name, false);
      return { Status: 'SUCCESS' };
    }
    const setup = await peekSetupSession(s, Session!);
    const admitted = await s.store.admitAuthSessionAttempt(setup.hash, s.clock.now(), FIXED.maxSignInCodeAttempts.default);
    if (typeof admitted === 'string') throw new NotAuthorizedException('Invalid session for the user, session is expired.', admitted);
    await verifyTotp(s, setup.pool, setup.user, UserCode, name, true);
    await burnSession(s, setup.hash);
    const next = await issueSession(s, setup.client, setup.user.id, { kind: 'MFA_SETUP', verified: true });
    return { Status: 'SUCCESS', Session: next };
  },
});

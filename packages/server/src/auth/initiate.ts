import type { FlowContext } from './flows/context.js';
import type { AuthOutput } from './results.js';
import { passwordSignIn } from './flows/password.js';
import { respondNewPassword } from './flows/newPassword.js';
import { refreshTokens } from './flows/refresh.js';
import { startSrp, respondSrp } from './flows/srp.js';
import { initiateUserAuth, respondSelectChallenge, respondWebAuthn } from './flows/userAuth.js';
import { signInWithSignUpSession } from './flows/signUpSession.js';
import { respondOtp } from './flows/otp.js';
import { respondDevicePasswordVerifier, respondDeviceSrpAuth } from './flows/device.js';
import { respondMfaSetup, respondSelectMfaType, respondSoftwareTokenMfa } from './flows/mfa.js';
import { assertSecretHash } from './password.js';
import { respondCustomChallenge, startCustomAuth } from '../triggers/customAuth.js';
import { InvalidParameterException } from '../protocol/errors.js';

function requireFlow(ctx: FlowContext, flow: string, ...allowed: string[]) {
  if (!allowed.some((a) => ctx.client.allows(a))) throw new InvalidParameterException(`${flow} flow not enabled for this client`);
}

/**
 * InitiateAuth / AdminInitiateAuth by AuthFlow, with the client's ExplicitAuthFlows enforced.
 * @throws InvalidParameterException for a flow the client does not allow or that needs the other API.
 */
export async function runInitiate(ctx: FlowContext, flow: string): Promise<AuthOutput> {
  const p = ctx.params;
  if (flow !== 'REFRESH_TOKEN_AUTH' && flow !== 'REFRESH_TOKEN') assertSecretHash(ctx.client, p.USERNAME, p.SECRET_HASH);
  switch (flow) {
    case 'USER_PASSWORD_AUTH':
      requireFlow(ctx, flow, 'ALLOW_USER_PASSWORD_AUTH', 'USER_PASSWORD_AUTH');
      return passwordSignIn(ctx, p.USERNAME, p.PASSWORD);
    case 'ADMIN_USER_PASSWORD_AUTH':
    case 'ADMIN_NO_SRP_AUTH':
      if (!ctx.admin) throw new InvalidParameterException(`${flow} is only available through AdminInitiateAuth`);
      requireFlow(ctx, flow, 'ALLOW_ADMIN_USER_PASSWORD_AUTH', 'ADMIN_NO_SRP_AUTH');
      return passwordSignIn(ctx, p.USERNAME, p.PASSWORD);
    case 'REFRESH_TOKEN_AUTH':
    case 'REFRESH_TOKEN':
      requireFlow(ctx, flow, 'ALLOW_REFRESH_TOKEN_AUTH');
      return refreshTokens(ctx.s, ctx.pool, ctx.client, p.REFRESH_TOKEN, { secretHash: p.SECRET_HASH, deviceKey: p.DEVICE_KEY });
    case 'USER_SRP_AUTH':
      requireFlow(ctx, flow, 'ALLOW_USER_SRP_AUTH');
      return startSrp(ctx, p.USERNAME, p.SRP_A);
    case 'USER_AUTH':
      requireFlow(ctx, flow, 'ALLOW_USER_AUTH');
      // ConfirmSignUp's Session: the sign-up code was the first factor (Amplify's autoSignIn).
      if (ctx.session !== undefined) return signInWithSignUpSession(ctx);
      return initiateUserAuth(ctx);
    case 'CUSTOM_AUTH':
      // The define / create / verify auth challenge triggers (triggers/customAuth.ts); without them, Cognito's answer.
      requireFlow(ctx, flow, 'ALLOW_CUSTOM_AUTH');
      return startCustomAuth(ctx);
    default:
      throw new InvalidParameterException(`Unsupported AuthFlow ${flow}`);
  }
}

/**
 * RespondToAuthChallenge / AdminRespondToAuthChallenge by ChallengeName.
 * @throws InvalidParameterException for a challenge Latchkey never issues.
 */
export async function runRespond(ctx: FlowContext, challenge: string): Promise<AuthOutput> {
  assertSecretHash(ctx.client, ctx.params.USERNAME, ctx.params.SECRET_HASH);
  switch (challenge) {
    case 'NEW_PASSWORD_REQUIRED':
      return respondNewPassword(ctx);
    case 'PASSWORD_VERIFIER':
      return respondSrp(ctx);
    case 'SELECT_CHALLENGE':
      return respondSelectChallenge(ctx);
    case 'WEB_AUTHN':
      return respondWebAuthn(ctx);
    case 'EMAIL_OTP':
    case 'SMS_OTP':
    case 'SMS_MFA':
      return respondOtp(ctx, challenge);
    case 'DEVICE_SRP_AUTH':
      return respondDeviceSrpAuth(ctx);
    case 'DEVICE_PASSWORD_VERIFIER':
      return respondDevicePasswordVerifier(ctx);
    case 'CUSTOM_CHALLENGE':
      return respondCustomChallenge(ctx);
    case 'SOFTWARE_TOKEN_MFA':
      return respondSoftwareTokenMfa(ctx);
    case 'SELECT_MFA_TYPE':
      return respondSelectMfaType(ctx);
    case 'MFA_SETUP':
      return respondMfaSetup(ctx);
    default:
      throw new InvalidParameterException(`Unsupported ChallengeName ${challenge}`);
  }
}

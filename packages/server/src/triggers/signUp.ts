import type { Services } from '../services.js';
import type { Pool } from '../domain/pools.js';
import type { UserRecord } from '../storage/store.js';
import { emailKeyFor } from '../domain/users.js';
import { InvalidLambdaResponseException } from '../protocol/errors.js';
import { attributeMap, eventUserAttributes, metadata, optionalBool, triggerEvent } from './events.js';

/** What a pre sign-up trigger decided. */
export interface PreSignUpOutcome {
  autoConfirmUser: boolean;
  autoVerifyEmail: boolean;
  autoVerifyPhone: boolean;
}

const NOTHING: PreSignUpOutcome = { autoConfirmUser: false, autoVerifyEmail: false, autoVerifyPhone: false };

/**
 * The pre sign-up trigger for a user about to be written (SignUp: PreSignUp_SignUp; AdminCreateUser: PreSignUp_AdminCreateUser).
 * Called before anything is stored, so a refusal leaves nothing behind. Without a PreSignUp trigger: nothing automatic.
 * @throws UserLambdaValidationException | UnexpectedLambdaException | InvalidLambdaResponseException (a non-boolean flag,
 *   or autoVerifyEmail / autoVerifyPhone without that attribute)
 */
export async function runPreSignUp(
  s: Pick<Services, 'triggers'>,
  pool: Pool,
  source: 'PreSignUp_SignUp' | 'PreSignUp_AdminCreateUser',
  clientId: string,
  user: UserRecord,
  input: { ValidationData?: { Name?: string; Value?: string }[]; ClientMetadata?: Record<string, string> },
): Promise<PreSignUpOutcome> {
  const url = pool.lambdaConfig.PreSignUp;
  if (!url) return NOTHING;
  const request = {
    userAttributes: { ...user.attributes },
    validationData: attributeMap(input.ValidationData),
    clientMetadata: metadata(input.ClientMetadata),
  };
  const event = triggerEvent(s, pool, source, user.username, clientId, request, { ...NOTHING });
  const { response } = await s.triggers.invoke(pool, 'PreSignUp', url, event);
  const out = { ...NOTHING };
  for (const key of Object.keys(NOTHING) as (keyof PreSignUpOutcome)[]) {
    const v = optionalBool(response, key);
    if (v === 'invalid')
      throw new InvalidLambdaResponseException('Unrecognizable lambda output', `PreSignUp response.${key} is not a boolean`);
    out[key] = v ?? false;
  }
  if ((out.autoVerifyEmail && !user.attributes.email) || (out.autoVerifyPhone && !user.attributes.phone_number))
    throw new InvalidLambdaResponseException('Unrecognizable lambda output', 'auto-verify of an attribute the user does not have');
  return out;
}

/**
 * Applies a pre sign-up outcome to the user about to be stored: verified attributes (and the email key that follows from
 * them) and, where `canConfirm` (SignUp, not AdminCreateUser), CONFIRMED.
 */
export function applyPreSignUp(pool: Pool, user: UserRecord, out: PreSignUpOutcome, canConfirm: boolean): void {
  if (out.autoVerifyEmail) user.attributes.email_verified = 'true';
  if (out.autoVerifyPhone) user.attributes.phone_number_verified = 'true';
  user.emailKey = emailKeyFor(pool, user.attributes);
  if (canConfirm && out.autoConfirmUser) user.status = 'CONFIRMED';
}

/**
 * The post confirmation trigger, after the confirmation committed (as in Cognito: the handler sees a CONFIRMED user, and a
 * failure is reported to the caller while the confirmation stands).
 * @throws UserLambdaValidationException | UnexpectedLambdaException | InvalidLambdaResponseException
 */
export async function runPostConfirmation(
  s: Pick<Services, 'triggers'>,
  pool: Pool,
  source: 'PostConfirmation_ConfirmSignUp' | 'PostConfirmation_ConfirmForgotPassword',
  clientId: string,
  user: UserRecord,
  clientMetadata: Record<string, string> | undefined,
): Promise<void> {
  const url = pool.lambdaConfig.PostConfirmation;
  if (!url) return;
  const request = { userAttributes: eventUserAttributes(user), clientMetadata: metadata(clientMetadata) };
  await s.triggers.invoke(pool, 'PostConfirmation', url, triggerEvent(s, pool, source, user.username, clientId, request, {}));
}

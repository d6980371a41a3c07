import type { Services } from '../services.js';
import type { Pool } from '../domain/pools.js';
import type { UserRecord } from '../storage/store.js';
import { isPhoneDestination, type CodeMessage } from '../domain/sender.js';
import { InvalidLambdaResponseException } from '../protocol/errors.js';
import { eventUserAttributes, metadata, triggerEvent } from './events.js';

export type CustomMessageSource =
  | 'CustomMessage_SignUp'
  | 'CustomMessage_AdminCreateUser'
  | 'CustomMessage_ResendCode'
  | 'CustomMessage_ForgotPassword'
  | 'CustomMessage_UpdateUserAttribute'
  | 'CustomMessage_VerifyUserAttribute'
  | 'CustomMessage_Authentication';

/** Cognito's placeholders: the trigger writes them into its text and never sees the code (or temporary password) itself. */
const CODE = '{####}';
const USERNAME = '{username}';

/** A message's text as the trigger chose it, with the placeholders still in it. */
export interface MessageTemplate {
  subject?: string;
  body: string;
}

/** Who and what a message is for, as the custom message trigger needs it. */
export interface MessageContext {
  source: CustomMessageSource;
  clientId: string;
  clientMetadata?: Record<string, string>;
}

const invalid = (why: string) => new InvalidLambdaResponseException('Unrecognizable lambda output', `CustomMessage: ${why}`);

/**
 * Asks the custom message trigger for the text of a message to `destination` (SMS for a phone number, else email).
 * Called before anything is stored or sent, so a failure sends nothing. Undefined without the trigger, or when it left
 * the message null (Latchkey's own text then).
 * @throws UserLambdaValidationException | UnexpectedLambdaException | InvalidLambdaResponseException (a message without {####})
 */
export async function customMessage(
  s: Pick<Services, 'triggers'>,
  pool: Pool,
  user: UserRecord,
  destination: string,
  ctx: MessageContext,
): Promise<MessageTemplate | undefined> {
  const url = pool.lambdaConfig.CustomMessage;
  if (!url) return undefined;
  const request = {
    userAttributes: eventUserAttributes(user),
    codeParameter: CODE,
    linkParameter: '{##Click Here##}',
    usernameParameter: ctx.source === 'CustomMessage_AdminCreateUser' ? USERNAME : null,
    clientMetadata: metadata(ctx.clientMetadata),
  };
  const response = { smsMessage: null, emailMessage: null, emailSubject: null };
  const answer = await s.triggers.invoke(
    pool,
    'CustomMessage',
    url,
    triggerEvent(s, pool, ctx.source, user.username, ctx.clientId, request, response),
  );
  const r = answer.response;
  const sms = isPhoneDestination(destination);
  const body = sms ? r.smsMessage : r.emailMessage;
  if (body === undefined || body === null) return undefined;
  if (typeof body !== 'string' || body.length > 20_000) throw invalid('the message is not a string of at most 20000 characters');
  if (!body.includes(CODE)) throw invalid(`the message does not contain ${CODE}`);
  const subject = sms ? undefined : r.emailSubject;
  if (subject !== undefined && subject !== null && (typeof subject !== 'string' || subject.length > 140)) throw invalid('emailSubject');
  return { body, ...(typeof subject === 'string' ? { subject } : {}) };
}

/** The message with the trigger's text, the code (and, for invitations, the username) put in for the placeholders. */
export function applyTemplate(message: CodeMessage, template: MessageTemplate | undefined, username: string): CodeMessage {
  if (!template) return message;
  const fill = (t: string) => t.split(CODE).join(message.code).split(USERNAME).join(username);
  return { ...message, body: fill(template.body), ...(template.subject !== undefined ? { subject: template.subject } : {}) };
}

/**
 * Where user-existence errors are prevented and the unknown-name answer is a stand-in (ForgotPassword,
 * ResendConfirmationCode, USER_AUTH EMAIL_OTP / SMS_OTP), the answer must not wait for or report on the custom message
 * trigger: a stand-in never calls it, so awaiting it would make real users slower and let a failing trigger surface only
 * for them. The caller stores the code (or Session) and answers; this asks the trigger for the text and delivers after
 * the answer. A failure is logged (without the code or the message) and sends nothing; the user can ask for another code.
 */
export function messageAfterAnswer(
  s: Pick<Services, 'triggers' | 'store' | 'sender' | 'log' | 'clock'>,
  pool: Pool,
  user: UserRecord,
  base: CodeMessage,
  ctx: MessageContext,
): void {
  void (async () => {
    const message = applyTemplate(base, await customMessage(s, pool, user, base.destination, ctx), user.username);
    const sender = s.sender.senderFor?.(message) ?? s.sender;
    if (sender.outbox) {
      const { purpose: _purpose, kind: _kind, ...row } = message;
      await s.store.addOutbox({ ...row, createdAt: s.clock.now() });
      sender.outbox.delivered(message);
    } else await sender.send(message);
  })().catch((err: unknown) => {
    const e = err instanceof Error ? { name: err.name, message: err.message } : { name: 'Error', message: String(err) };
    s.log.error({ err: e, poolId: pool.id, source: ctx.source }, 'code message failed after the answer');
  });
}

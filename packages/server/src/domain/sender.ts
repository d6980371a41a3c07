/** Why a message is sent: a code's purpose, or an AdminCreateUser invitation (a temporary password). */
export type MessagePurpose = 'signup' | 'forgot' | 'verify_email' | 'verify_phone_number' | 'invitation' | 'signin' | 'notice';

/** A message carrying a one-time code. */
export interface CodeMessage {
  poolId: string;
  purpose: MessagePurpose;
  userId: string | null;
  destination: string;
  subject: string;
  body: string;
  code: string;
  /** Temporary passwords are secrets, not codes: never written to the log, even in development. */
  kind?: 'code' | 'temporary-password' | 'notice';
}

/**
 * Delivers codes (sign-up, attribute verification, password reset). The default writes to the
 * server log and the outbox (`latchkey outbox`); with LATCHKEY_SMTP_URL it sends mail.
 * @throws Error when delivery fails (operations map it to CodeDeliveryFailureException).
 */
export interface CodeSender {
  send(message: CodeMessage): Promise<void>;
  /**
   * Present when delivery IS a row of the store's outbox (development): sendCode then writes the code
   * and its message in one transaction instead of calling send(), and calls `delivered` after it.
   */
  readonly outbox?: { delivered(message: CodeMessage): void };
  /**
   * Present on a sender that routes by channel (email to SMTP or the outbox, SMS to a webhook): the sender that
   * delivers this message, so that sendCode takes the outbox path only for messages that go to the outbox.
   */
  senderFor?(message: CodeMessage): CodeSender;
}

/** Whether a destination is a phone number (SMS) rather than an email address. */
export const isPhoneDestination = (destination: string): boolean => !destination.includes('@');

/**
 * Masks an email the way Cognito does in CodeDeliveryDetails: `a***@e***`. The letters are lower-cased
 * so the mask of a stored address and of the same address typed in another case are the same.
 */
export function maskDestination(destination: string): string {
  const at = destination.indexOf('@');
  if (at < 0) return destination.length > 4 ? `+*******${destination.slice(-4)}` : '***';
  const domain = destination.slice(at + 1);
  return `${destination[0]!.toLowerCase()}***@${(domain[0] ?? '').toLowerCase()}***`;
}

import { isPhoneDestination, type CodeMessage, type CodeSender } from '../domain/sender.js';

/** Routes each message by its destination: phone numbers to `sms`, email addresses to `email`. */
export class ChannelSender implements CodeSender {
  constructor(
    private readonly email: CodeSender,
    private readonly sms: CodeSender,
  ) {}

  senderFor(m: CodeMessage): CodeSender {
    return isPhoneDestination(m.destination) ? this.sms : this.email;
  }

  send(m: CodeMessage): Promise<void> {
    return this.senderFor(m).send(m);
  }
}

import type { CodeMessage, CodeSender } from '../domain/sender.js';
import type { Store } from '../storage/store.js';
import type { Clock, Logger } from '../services.js';

/** Development delivery: the message goes to the outbox table (read by `latchkey outbox` and tests) and the log. */
export class OutboxSender implements CodeSender {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {}

  readonly outbox = { delivered: (m: CodeMessage) => this.logged(m) };

  async send(m: CodeMessage): Promise<void> {
    await this.store.addOutbox({
      poolId: m.poolId,
      userId: m.userId,
      destination: m.destination,
      subject: m.subject,
      body: m.body,
      code: m.code,
      createdAt: this.clock.now(),
    });
    this.logged(m);
  }

  private logged(m: CodeMessage): void {
    // The code is deliberately logged: this sender exists for development, where the log is the mailbox.
    const code = m.kind === 'temporary-password' ? '[see `latchkey outbox`]' : m.code;
    this.log.info(
      { poolId: m.poolId, destination: m.destination, subject: m.subject, code },
      'outbox: code message (development delivery)',
    );
  }
}

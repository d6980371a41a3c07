/**
 * A real HTTP receiver on loopback for lifecycle-event webhooks: records every request (raw body, signature
 * header, parsed JSON), answers `status` (tests flip it to simulate an outage), and waits, bounded, for
 * what a test expects to arrive.
 */
import { createServer, type Server } from 'node:http';

export interface ReceivedEvent {
  raw: string;
  signature: string | undefined;
  json: { id: string; type: string; time: string; userPoolId: string; username: string; sub: string; detail: Record<string, unknown> };
  at: number;
}

export class EventReceiver {
  readonly received: ReceivedEvent[] = [];
  /** Requests refused (non-2xx answered), for outage tests, and the event ids they carried. */
  refused = 0;
  readonly refusedIds: string[] = [];
  status = 200;
  /** When set, decides the status per request (overrides `status`). */
  answer: ((event: ReceivedEvent['json']) => number) | undefined;
  /** Answer each request this much later (a slow receiver keeps a worker busy past a poll interval). */
  delayMs = 0;
  url = '';
  private server: Server | undefined;

  async start(port = 0): Promise<this> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        const status = this.answer ? this.answer(JSON.parse(raw)) : this.status;
        if (status >= 200 && status < 300) {
          const signature = req.headers['x-latchkey-signature'];
          this.received.push({
            raw,
            signature: Array.isArray(signature) ? signature[0] : signature,
            json: JSON.parse(raw),
            at: Date.now(),
          });
        } else {
          this.refused++;
          this.refusedIds.push((JSON.parse(raw) as { id: string }).id);
        }
        const reply = () => res.writeHead(status, { 'content-type': 'application/json' }).end('{}');
        if (this.delayMs > 0) setTimeout(reply, this.delayMs);
        else reply();
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(port, '127.0.0.1', resolve));
    const addr = this.server.address();
    this.url = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : port}/events`;
    return this;
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
    this.server = undefined;
  }

  /** The distinct event ids received so far. */
  ids(): Set<string> {
    return new Set(this.received.map((r) => r.json.id));
  }

  /** Polls until `done()` holds (every 25 ms), at most `timeoutMs`; then throws with what did arrive. */
  async waitFor(done: () => boolean, timeoutMs: number, what = 'events'): Promise<void> {
    const until = Date.now() + timeoutMs;
    while (!done()) {
      if (Date.now() > until)
        throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; got ${this.received.map((r) => r.json.type).join(', ')}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  }
}

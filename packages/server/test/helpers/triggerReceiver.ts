import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DescribeUserPoolCommand, UpdateUserPoolCommand, type LambdaConfigType } from '@aws-sdk/client-cognito-identity-provider';
import { lambdaHttpAdapter, type LambdaHandler } from '../../src/triggers/adapter.js';
import { startTestServer, type Dialect, type TestServer } from './harness.js';
import { createTestPool, type TestPool } from './pool.js';
import { signedCall } from './latchkeyAdmin.js';

/** How one path of the receiver answers. */
export type Behaviour = { handler: LambdaHandler } | { hang: true } | { status: number; body: string };

/**
 * A real HTTP trigger receiver on 127.0.0.1 for tests. Handler paths run behind lambdaHttpAdapter with the pool's webhook
 * secret, so an unsigned or wrongly signed call fails the test (401 → UnexpectedLambdaException); every event a handler
 * saw is kept per path, in order.
 */
export class TriggerReceiver {
  readonly events: Record<string, any[]> = {};
  private readonly routes = new Map<string, Behaviour>();
  private readonly hanging = new Set<() => void>();
  /** The pool's webhook secret the adapter verifies with (LatchkeyDescribeUserPoolSettings' Settings.webhookSecret). */
  secret = '';
  private constructor(
    private readonly server: Server,
    readonly base: string,
  ) {}

  static async start(): Promise<TriggerReceiver> {
    let self: TriggerReceiver | undefined;
    const server = createServer((req, res) => self!.handle(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    self = new TriggerReceiver(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    return self;
  }

  /** Answers `path` so; returns its URL. */
  route(path: string, behaviour: Behaviour): string {
    this.routes.set(path, behaviour);
    return this.base + path;
  }

  /** A route that runs a Lambda-style handler, recording each event it gets (a deep copy, before the handler changes it). */
  lambda(path: string, fn: (event: any) => unknown): string {
    return this.route(path, {
      handler: async (event: any) => {
        (this.events[path] ??= []).push(structuredClone(event));
        return fn(event);
      },
    });
  }

  private handle(req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) {
    const b = this.routes.get(req.url ?? '');
    if (!b) return void res.writeHead(404).end();
    if ('hang' in b) {
      const end = () => res.destroy();
      this.hanging.add(end);
      req.resume();
      return;
    }
    if ('status' in b) {
      req.resume();
      req.on('end', () => res.writeHead(b.status, { 'content-type': 'application/json' }).end(b.body));
      return;
    }
    lambdaHttpAdapter(b.handler, { secret: this.secret })(req, res);
  }

  async close(): Promise<void> {
    for (const end of this.hanging) end();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** A loopback URL nothing listens on (a receiver that is down). */
export async function downUrl(): Promise<string> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return `http://127.0.0.1:${port}/down`;
}

/** A server (short trigger timeout), a test pool, a receiver holding the pool's webhook secret, and a LambdaConfig setter. */
export interface TriggerRig {
  server: TestServer;
  pool: TestPool;
  receiver: TriggerReceiver;
  /** UpdateUserPool with `LambdaConfig`, keeping the pool's policies (UpdateUserPool resets what it is not given). */
  setTriggers(LambdaConfig: LambdaConfigType, extra?: Record<string, unknown>): Promise<void>;
  stop(): Promise<void>;
}

/** Starts a TriggerRig; `timeoutMs` becomes LATCHKEY_TRIGGER_TIMEOUT_MS (the default is Lambda's 5 s); `env` adds server settings. */
export async function startTriggerRig(
  dialect: Dialect,
  opts: { timeoutMs?: number; pool?: Parameters<typeof createTestPool>[1]; env?: Record<string, string> } = {},
): Promise<TriggerRig> {
  const server = await startTestServer(dialect, { env: { LATCHKEY_TRIGGER_TIMEOUT_MS: String(opts.timeoutMs ?? 300), ...opts.env } });
  const pool = await createTestPool(server.admin, opts.pool);
  const receiver = await TriggerReceiver.start();
  const settings = await signedCall(server, 'LatchkeyDescribeUserPoolSettings', { UserPoolId: pool.userPoolId });
  receiver.secret = settings.json.Settings.webhookSecret;
  return {
    server,
    pool,
    receiver,
    async setTriggers(LambdaConfig, extra = {}) {
      const { UserPool } = await server.admin.send(new DescribeUserPoolCommand({ UserPoolId: pool.userPoolId }));
      await server.admin.send(
        new UpdateUserPoolCommand({
          UserPoolId: pool.userPoolId,
          Policies: UserPool!.Policies,
          AutoVerifiedAttributes: ['email'],
          LambdaConfig,
          ...extra,
        }),
      );
    },
    async stop() {
      await receiver.close();
      await server.stop();
    },
  };
}

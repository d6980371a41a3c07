/**
 * Statements and round trips per ceremony step: an in-process server whose store reports every statement
 * (StoreOptions.onStatement, which production never sets), driven one request at a time so each request's
 * statements are its own. Each step runs REPS times; the minimum per metric is reported (a background poll
 * that happens to fall inside one window does not count).
 */
import { VirtualAuthenticator } from '@latchkey/virtual-authenticator';
import type { StatementCounts } from '../../packages/server/dist/storage/statementCounter.js';
import { Endpoint } from './http.js';
import { ORIGIN, PASSWORD, passkeySignIn, registerPasskey, setupPool, srpSignIn, type AdminKeys } from './latchkey.js';

export interface StatementRow extends StatementCounts {
  storage: 'sqlite' | 'postgres';
  ceremony: string;
  step: string;
}

const REPS = 3;
const quiet = { info() {}, warn() {}, error() {}, debug() {} };

/** Counts per step of each ceremony the bench measures, plus refresh. */
export async function measureStatements(
  storage: 'sqlite' | 'postgres',
  opts: {
    dataDir: string;
    env: NodeJS.ProcessEnv;
    admin: AdminKeys;
    pgUrl?: string;
    pgSchema?: string;
    /** Given each step's SQL of its first run (`--sql`), to see what a step sends. */
    sql?: (ceremony: string, step: string, statements: string[]) => void;
  },
): Promise<StatementRow[]> {
  // Imported here, not at the top: the bench builds dist after its own modules are loaded, and a static import
  // would count the statements of the previous build.
  const { startServer } = await import('../../packages/server/dist/server.js');
  const { loadConfig } = await import('../../packages/server/dist/config/load.js');
  const { StatementCounter } = await import('../../packages/server/dist/storage/statementCounter.js');
  const counter = new StatementCounter();
  const config = loadConfig(
    {
      port: '0',
      host: '127.0.0.1',
      data: opts.dataDir,
      dev: 'false',
      ...(opts.pgUrl ? { 'database-url': opts.pgUrl, 'database-schema': opts.pgSchema } : {}),
    },
    // The slowest event poll: fewer background statements to step around.
    { ...opts.env, LATCHKEY_EVENT_POLL_MS: '10000' },
  );
  const server = await startServer({ config, log: quiet, onStatement: counter.observe });
  const seen = new Map<string, { ceremony: string; step: string; runs: StatementCounts[] }>();
  let ceremony = '';
  class Counted extends Endpoint {
    override async call(target: string, body: unknown) {
      const b = body as { AuthFlow?: string; ChallengeName?: string };
      const step = `${target}${b.AuthFlow ? ` ${b.AuthFlow}` : b.ChallengeName ? ` ${b.ChallengeName}` : ''}`;
      counter.take();
      const r = await super.call(target, body);
      // Work the handler left running after its answer (if any) belongs to it too.
      await new Promise((res) => setTimeout(res, 30));
      const sql = counter.sql;
      const c = counter.take();
      const key = `${ceremony}\0${step}`;
      const e = seen.get(key) ?? { ceremony, step, runs: [] };
      if (e.runs.length === 0) opts.sql?.(ceremony, step, sql);
      e.runs.push(c);
      seen.set(key, e);
      return r;
    }
  }
  const plain = new Endpoint('127.0.0.1', server.port, 2);
  const ep = new Counted('127.0.0.1', server.port, 1);
  try {
    const st = await setupPool(plain, opts.admin, { signInUsers: 1, registerUsers: 1, listPasskeys: 20, ephemerals: REPS, log: () => {} });
    const user = st.signIn[0]!;
    const first = await plain.ok('InitiateAuth', {
      AuthFlow: 'USER_PASSWORD_AUTH',
      ClientId: st.clientId,
      AuthParameters: { USERNAME: user.username, PASSWORD },
    });
    let refreshToken: string = first.AuthenticationResult.RefreshToken;
    for (let i = 0; i < REPS; i++) {
      ceremony = 'passkey sign-in';
      await passkeySignIn(ep, st.clientId, user);
      ceremony = 'passkey registration';
      await registerPasskey(ep, st.register[0]!.accessToken, new VirtualAuthenticator({ algorithms: ['ES256'], origin: ORIGIN }));
      ceremony = 'ListWebAuthnCredentials (20)';
      await ep.ok('ListWebAuthnCredentials', { AccessToken: st.list.accessToken, MaxResults: 20 });
      ceremony = 'SRP sign-in';
      await srpSignIn(ep, st, user, st.ephemerals[i]!);
      ceremony = 'USER_PASSWORD_AUTH';
      await ep.ok('InitiateAuth', {
        AuthFlow: 'USER_PASSWORD_AUTH',
        ClientId: st.clientId,
        AuthParameters: { USERNAME: user.username, PASSWORD },
      });
      ceremony = 'refresh';
      const r = await ep.ok('InitiateAuth', {
        AuthFlow: 'REFRESH_TOKEN_AUTH',
        ClientId: st.clientId,
        AuthParameters: { REFRESH_TOKEN: refreshToken },
      });
      refreshToken = r.AuthenticationResult.RefreshToken ?? refreshToken;
    }
  } finally {
    plain.close();
    ep.close();
    await server.close();
  }
  return [...seen.values()].map(({ ceremony, step, runs }) => ({
    storage,
    ceremony,
    step,
    statements: Math.min(...runs.map((r) => r.statements)),
    roundTrips: Math.min(...runs.map((r) => r.roundTrips)),
    reads: Math.min(...runs.map((r) => r.reads)),
    writeTransactions: Math.min(...runs.map((r) => r.writeTransactions)),
  }));
}

import cluster from 'node:cluster';
import { loadConfig, parseFlags, ConfigError } from './config/load.js';
import { startServer } from './server.js';
import { amplifyConfigSnippet } from './bootstrap.js';
import { openStore, storeOptions } from './storage/open.js';

const HELP = `latchkey — a self-hosted Cognito user pool with first-class passkeys

Usage:
  latchkey serve [--port 9230] [--host 127.0.0.1] [--data ./.latchkey] [--database-url postgres://…]
                 [--public-url http://localhost:9230] [--region local] [--workers 1] [--no-dev]
  latchkey migrate [--data …] [--database-url …]     run database migrations and exit
  latchkey admin-credentials [--data …] [--database-url …]
                                                    print the admin (SigV4) access key pair
  latchkey outbox [--pool <id>] [--limit 20]         print the latest code messages (development delivery)

Every flag also reads an environment variable: PORT, HOST, LATCHKEY_DATA, DATABASE_URL,
LATCHKEY_PUBLIC_URL, LATCHKEY_REGION, LATCHKEY_WORKERS. See docs/configuration.md.`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  const { flags } = parseFlags(rest);
  if (flags['no-dev']) flags.dev = 'false';
  switch (command) {
    case 'serve':
      return serve(flags);
    case 'migrate': {
      const config = loadConfig(flags);
      const store = await openStore(storeOptions(config));
      await store.close();
      console.log(`migrations are up to date (${config.databaseUrl ? 'PostgreSQL' : `SQLite in ${config.dataDir}`})`);
      return 0;
    }
    case 'admin-credentials': {
      const config = loadConfig({ ...flags, dev: 'false' });
      const server = await startServer({ config: { ...config, bootstrapDevPool: false }, listen: false, log: quietLog });
      const { accessKeyId, secretAccessKey } = server.adminCredentials;
      await server.close();
      console.log(`AWS_ACCESS_KEY_ID=${accessKeyId}\nAWS_SECRET_ACCESS_KEY=${secretAccessKey}`);
      return 0;
    }
    case 'outbox': {
      const config = loadConfig(flags);
      const store = await openStore(storeOptions(config));
      const limit = typeof flags.limit === 'string' ? Number(flags.limit) : 20;
      if (!Number.isInteger(limit) || limit < 1) throw new ConfigError('--limit must be a positive integer');
      const messages = await store.listOutbox(typeof flags.pool === 'string' ? flags.pool : undefined, limit);
      await store.close();
      for (const m of messages) console.log(`${new Date(m.createdAt).toISOString()}  ${m.poolId}  ${m.destination}  ${m.subject}  code=${m.code ?? '-'}`);
      if (messages.length === 0) console.log('(the outbox is empty)');
      return 0;
    }
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      console.log(HELP);
      return 0;
    default:
      console.error(`unknown command "${command}"\n\n${HELP}`);
      return 2;
  }
}

const quietLog = { info() {}, warn() {}, error() {}, debug() {} };

async function serve(flags: Record<string, string | boolean | undefined>): Promise<number> {
  const config = loadConfig(flags);
  if (config.workers > 1 && cluster.isPrimary) {
    // One-box scaling: N identical processes on one port; all state lives in the database.
    const first = cluster.fork();
    await new Promise<void>((resolve, reject) => {
      first.once('message', (m) => (m === 'ready' ? resolve() : undefined));
      first.once('exit', (code) => reject(new Error(`worker exited with ${code}`)));
    });
    for (let i = 1; i < config.workers; i++) cluster.fork();
    let stopping = false;
    const stop = () => {
      stopping = true;
      for (const w of Object.values(cluster.workers ?? {})) w?.process.kill('SIGTERM');
    };
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
    cluster.on('exit', (worker, code) => {
      if (!stopping) {
        console.error(`worker ${worker.process.pid} exited (${code}); starting another`);
        cluster.fork();
      } else if (Object.keys(cluster.workers ?? {}).length === 0) {
        process.exit(0);
      }
    });
    return new Promise(() => {});
  }
  // Workers after the first skip the dev bootstrap: the first one did it.
  const isLaterWorker = cluster.isWorker && Number(cluster.worker?.id) > 1;
  const server = await startServer({ config: isLaterWorker ? { ...config, bootstrapDevPool: false } : config });
  if (cluster.isWorker) process.send?.('ready');
  if (!isLaterWorker) {
    // The public URL follows the bound port when --port 0 was given without --public-url.
    const publicUrl = server.services.config.publicUrl;
    const endpoint = `${publicUrl}/`;
    const lines = [
      '',
      `Latchkey is listening on ${server.url} (${config.databaseUrl ? 'PostgreSQL' : `SQLite in ${config.dataDir}`}${config.workers > 1 ? `, ${config.workers} workers` : ''})`,
    ];
    if (server.devPool) {
      lines.push(
        '',
        `Development user pool ${server.devPool.userPoolId} (passkeys on, RP ID "localhost"), app client ${server.devPool.userPoolClientId}.`,
        'Point aws-amplify at it:',
        '',
        amplifyConfigSnippet(endpoint, server.devPool),
      );
    }
    lines.push(
      '',
      'Admin API (AWS SDK / CLI, SigV4, any region):',
      `  export AWS_ACCESS_KEY_ID=${server.adminCredentials.accessKeyId}`,
      `  export AWS_SECRET_ACCESS_KEY=${server.adminCredentials.secretAccessKey}`,
      `  aws cognito-idp list-user-pools --max-results 10 --endpoint-url ${publicUrl} --region ${config.region}`,
      '',
      `JWKS: ${publicUrl}/<poolId>/.well-known/jwks.json`,
      '',
    );
    if (!config.secret) lines.push('Note: development defaults in use (generated server secret and admin keys in the data directory). Set LATCHKEY_SECRET and LATCHKEY_ADMIN_* in production.', '');
    console.log(lines.join('\n'));
  }
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    server.services.log.info({ signal }, 'shutting down: finishing in-flight requests');
    await server.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
  return new Promise(() => {});
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    console.error(err instanceof ConfigError ? `latchkey: ${err.message}` : err);
    process.exit(err instanceof ConfigError ? 2 : 1);
  },
);

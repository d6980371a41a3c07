import cluster from 'node:cluster';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadConfig, type Flags } from './config/load.js';
import { DEFAULTS, type Config } from './config/defaults.js';
import { COMMANDS, commandUsage, outboxLimit, parseCommandFlags, usage } from './config/flags.js';
import { StartupError } from './startupError.js';

// The server and the storage drivers are loaded by the commands that use them, so that --help and
// usage errors answer at once.
const serverModule = () => import('./server.js');
const storage = () => import('./storage/open.js');

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    const topic = command === 'help' ? rest[0] : undefined;
    console.log(topic && COMMANDS[topic] ? commandUsage(topic) : usage());
    return 0;
  }
  if (!COMMANDS[command]) {
    console.error(`latchkey: unknown command "${command}" (latchkey --help lists the commands)`);
    return 2;
  }
  const { help, flags } = parseCommandFlags(command, rest);
  // --help wins over everything else on the line and does nothing but print.
  if (help) {
    console.log(commandUsage(command));
    return 0;
  }
  switch (command) {
    case 'serve':
      return serve(flags);
    case 'migrate': {
      const config = loadConfig(flags);
      const { openStore, storeOptions } = await storage();
      const store = await openStore(storeOptions(config));
      await store.close();
      console.log(`migrations are up to date (${storeName(config)})`);
      return 0;
    }
    case 'admin-credentials': {
      const config = loadConfig({ ...flags, dev: false });
      await requireData(config);
      const { startServer } = await serverModule();
      const running = await startServer({ config: { ...config, bootstrapDevPool: false }, listen: false, log: quietLog });
      const { accessKeyId, secretAccessKey } = running.adminCredentials;
      await running.close();
      console.log(`AWS_ACCESS_KEY_ID=${accessKeyId}\nAWS_SECRET_ACCESS_KEY=${secretAccessKey}`);
      return 0;
    }
    case 'outbox': {
      const config = loadConfig(flags);
      const limit = outboxLimit(flags);
      await requireData(config);
      const { openStore, storeOptions } = await storage();
      const store = await openStore(storeOptions(config));
      const messages = await store.listOutbox(typeof flags.pool === 'string' ? flags.pool : undefined, limit);
      await store.close();
      for (const m of messages)
        console.log(`${new Date(m.createdAt).toISOString()}  ${m.poolId}  ${m.destination}  ${m.subject}  code=${m.code ?? '-'}`);
      if (messages.length === 0) console.log('(the outbox is empty)');
      return 0;
    }
  }
  return 2;
}

/** Which store a config selects, for messages. */
function storeName(config: Config): string {
  return config.databaseUrl ? 'PostgreSQL' : `SQLite in ${config.dataDir}`;
}

/** A PostgreSQL URL without its password, for messages. */
function displayUrl(url: string): string {
  const u = new URL(url);
  u.password = '';
  // Query parameters may carry a password too (?password=…).
  u.search = '';
  return u.toString();
}

/**
 * Commands that only read existing data refuse to run where there is none, instead of creating an
 * empty store (a wrong working directory would otherwise print an empty outbox or fresh admin keys).
 * @throws StartupError when the SQLite file or the PostgreSQL tables are absent.
 */
async function requireData(config: Config): Promise<void> {
  const where = config.databaseUrl
    ? `${displayUrl(config.databaseUrl)}${config.databaseSchema ? ` (schema ${config.databaseSchema})` : ''}`
    : config.dataDir;
  const none = new StartupError(`no Latchkey data at ${where} (use --data or --database-url)`);
  if (!config.databaseUrl) {
    if (!existsSync(join(config.dataDir, 'latchkey.db'))) throw none;
    return;
  }
  const { openStore, storeOptions } = await storage();
  const store = await openStore({ ...storeOptions(config), migrate: false });
  try {
    await store.getMeta('secret_check');
  } catch (err) {
    if ((err as { code?: string }).code === '42P01') throw none;
    throw err;
  } finally {
    await store.close();
  }
}

const quietLog = { info() {}, warn() {}, error() {}, debug() {} };

async function serve(flags: Flags): Promise<number> {
  const config = loadConfig(flags);
  if (config.workers > 1 && cluster.isPrimary) {
    // One-box scaling: N identical processes on one port; all state lives in the database.
    const first = cluster.fork();
    const started = await new Promise<number | undefined>((resolve) => {
      first.once('message', (m) => (m === 'ready' ? resolve(undefined) : undefined));
      // The worker has printed why (one line); exit as it did, without a second message.
      first.once('exit', (code) => resolve(code || 1));
    });
    if (started !== undefined) return started;
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
  const { startServer } = await serverModule();
  const { amplifyConfigSnippet } = await import('./bootstrap.js');
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
      `Latchkey is listening on ${server.url} (${storeName(config)}${config.workers > 1 ? `, ${config.workers} workers` : ''})`,
    ];
    if (server.devPool) {
      lines.push(
        '',
        `Development user pool ${server.devPool.userPoolId} (passkeys on, RP ID "localhost"), ` +
          `app client ${server.devPool.userPoolClientId}.`,
        'Point aws-amplify at it:',
        '',
        amplifyConfigSnippet(endpoint, server.devPool),
        '',
        `Account page (sign in, manage passkeys): ${publicUrl}/account`,
        `Passkeys need the "localhost" origin: open http://localhost:${server.port}/…, not http://127.0.0.1:${server.port}/… ` +
          '(the browser refuses the RP ID "localhost" there).',
      );
    }
    // The host only: the URL may carry the receiver's token.
    if (config.smsWebhookUrl) lines.push('', `SMS codes are POSTed, signed, to the webhook at ${new URL(config.smsWebhookUrl).host}.`);
    if (!config.smtpUrl) {
      lines.push(
        '',
        `Codes (sign-up, password reset) are not e-mailed: read them with \`npx latchkey outbox${outboxArgs(config)}\` (also in this log).`,
      );
    }
    lines.push(
      '',
      'Admin API (AWS SDK / CLI, SigV4, any region):',
      `  export AWS_ACCESS_KEY_ID=${server.adminCredentials.accessKeyId}`,
      // A key pair from the environment is the operator's own: never echo its secret into the log.
      `  export AWS_SECRET_ACCESS_KEY=${
        config.adminSecretAccessKey ? '<LATCHKEY_ADMIN_SECRET_ACCESS_KEY>' : server.adminCredentials.secretAccessKey
      }`,
      `  aws cognito-idp list-user-pools --max-results 10 --endpoint-url ${publicUrl} --region ${config.region}`,
      '',
      `JWKS: ${publicUrl}/<poolId>/.well-known/jwks.json`,
      '',
    );
    for (const notice of server.notices) lines.push(notice, '');
    if (!config.secret)
      lines.push(
        'Note: development defaults in use (generated server secret and admin keys in the data directory). ' +
          'Set LATCHKEY_SECRET and LATCHKEY_ADMIN_* in production.',
        '',
      );
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

/** The flags `latchkey outbox` needs to find this server's data (none for the defaults). */
function outboxArgs(config: Config): string {
  if (config.databaseUrl)
    return (
      ` --database-url '${displayUrl(config.databaseUrl)}'` + (config.databaseSchema ? ` --database-schema ${config.databaseSchema}` : '')
    );
  return config.dataDir === resolve(DEFAULTS.dataDir) ? '' : ` --data '${config.dataDir}'`;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    // Operator mistakes are one line and exit 2; anything else is a bug worth its stack trace.
    if (err instanceof StartupError) {
      console.error(`latchkey: ${err.message}`);
      process.exit(2);
    }
    console.error(err);
    process.exit(1);
  },
);

// Reference server for the benchmark: a bare Fastify JSON endpoint (POST / → {}), the framework floor
// Latchkey's numbers are compared with. Same content type as the Cognito protocol, parsed as JSON.
// Usage: node bench/bare-fastify.mjs <port> [workers]
import cluster from 'node:cluster';
import Fastify from 'fastify';

const port = Number(process.argv[2]);
const workers = Number(process.argv[3] ?? 1);

if (workers > 1 && cluster.isPrimary) {
  for (let i = 0; i < workers; i++) cluster.fork();
  let stopping = false;
  process.on('SIGTERM', () => {
    stopping = true;
    for (const w of Object.values(cluster.workers ?? {})) w?.process.kill('SIGTERM');
  });
  cluster.on('exit', () => {
    if (stopping && Object.keys(cluster.workers ?? {}).length === 0) process.exit(0);
  });
} else {
  const app = Fastify({ logger: false });
  app.addContentTypeParser('application/x-amz-json-1.1', { parseAs: 'string' }, app.getDefaultJsonParser('ignore', 'ignore'));
  app.get('/health', async () => ({ status: 'ok' }));
  app.post('/', async () => ({}));
  await app.listen({ port, host: '127.0.0.1' });
  process.on('SIGTERM', async () => {
    await app.close();
    process.exit(0);
  });
}
